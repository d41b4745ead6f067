import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { actionId } from '../../server/src/permissions';
import { AdminClient, adminClients, createAdmin, createRole } from '../helpers/admin';
import { startStrapi, type TestStrapi } from '../helpers/strapi';

describe(`settings API (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let app: TestStrapi;
  let clients: Awaited<ReturnType<typeof adminClients>>;
  const config = (key: string) => app.strapi.config.get(`plugin::mail-auth.${key}`);

  before(async () => {
    app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'true', MAIL_AUTH_REFRESH_SCHEDULE: '*/2 * * * *', MAIL_AUTH_REFRESH_MARGIN: '300' } });
    clients = await adminClients(app.strapi, app.url);
  });
  after(() => app?.stop());

  test('GET shows the effective values, the jobs and whether a key is set, never the key', async () => {
    const res = await clients.superAdmin.get('/mail-auth/settings');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.refreshSchedule, { value: '*/2 * * * *', default: '*/2 * * * *', saved: false });
    assert.deepEqual(res.body.refreshMargin, { value: 300, default: 300, saved: false });
    assert.equal(res.body.runJobs, true);
    assert.deepEqual(res.body.encryptionKey, { configured: true, source: 'admin' });
    assert.ok(res.body.jobs.some((j: { name: string; schedule: string }) => j.name === 'refresh' && j.schedule === '*/2 * * * *'));
    const key = String(app.strapi.config.get('admin.secrets.encryptionKey'));
    assert.ok(key.length > 8);
    assert.ok(!JSON.stringify(res.body).includes(key), 'the key is never in the answer');
  });

  test('the activity log keeps activityRetentionDays days: a daily job deletes older entries; 0 keeps them all', async () => {
    const { jobs } = (await clients.superAdmin.get('/mail-auth/settings')).body;
    assert.ok(jobs.some((j: { name: string; schedule: string }) => j.name === 'activity-retention' && j.schedule === '17 3 * * *'), JSON.stringify(jobs));
    const activity = app.strapi.plugin('mail-auth').service('activity');
    const day = 86_400_000;
    const now = Date.now();
    await activity.recordMany([
      { kind: 'test.retention', message: 'a year and more', createdAt: new Date(now - 400 * day) },
      { kind: 'test.retention', message: 'within the year', createdAt: new Date(now - 364 * day) },
      { kind: 'test.retention', message: 'yesterday', createdAt: new Date(now - day) },
    ]);
    const kept = async () =>
      ((await app.strapi.db.query('plugin::mail-auth.activity').findMany({ where: { kind: 'test.retention' }, orderBy: { id: 'asc' } })) as { message: string }[]).map((r) => r.message);
    assert.equal(config('activityRetentionDays'), 365, 'the default');
    assert.equal(await activity.prune(), 1);
    assert.deepEqual(await kept(), ['within the year', 'yesterday']);
    try {
      app.strapi.config.set('plugin::mail-auth.activityRetentionDays', 0);
      assert.equal(await activity.prune(new Date(now + 1000 * day)), 0);
      assert.deepEqual(await kept(), ['within the year', 'yesterday'], '0 keeps everything');
      app.strapi.config.set('plugin::mail-auth.activityRetentionDays', 30);
      assert.equal(await activity.prune(), 1);
      assert.deepEqual(await kept(), ['yesterday']);
    } finally {
      app.strapi.config.set('plugin::mail-auth.activityRetentionDays', 365);
    }
  });

  test('activity entries are stored with every field, read back through the document service and the list', async () => {
    const activity = app.strapi.plugin('mail-auth').service('activity');
    const at = new Date(Date.now() - 60_000);
    const every = {
      kind: 'test.fields',
      subjectType: 'token',
      subjectId: 42,
      subjectName: 'Röntgen "ops"',
      outcome: 'failure',
      message: 'line one\nline two',
      code: 'invalid_grant',
      actor: 'admin@example.test',
      details: { rotated: true, nested: { list: [1, 'two'] } },
    };
    await activity.recordMany([{ ...every, createdAt: at }, { kind: 'test.fields', message: 'only a kind and a message' }]);
    activity.recordLater({ kind: 'test.fields', subjectType: 'token', subjectId: 7, outcome: 'success', message: 'later' });
    const list = (await activity.list({ kind: 'test.fields', pageSize: 10 })) as { results: Record<string, unknown>[] };
    assert.equal(list.results.length, 3, 'the list flushes what waits');
    const docs = (await app.strapi.documents('plugin::mail-auth.activity').findMany({ filters: { kind: 'test.fields' }, sort: 'id:asc' })) as Record<string, unknown>[];
    assert.equal(docs.length, 3);
    const [full, bare, later] = docs;
    assert.deepEqual(Object.fromEntries(Object.keys(every).map((f) => [f, full[f]])), every);
    assert.equal(new Date(full.createdAt as string).getTime(), at.getTime(), 'when it happened, not when it was written');
    assert.match(String(full.documentId), /^[a-z][a-z0-9]{23}$/);
    assert.equal(bare.outcome, 'info', 'the default outcome');
    for (const field of ['subjectType', 'subjectId', 'subjectName', 'code', 'actor', 'details']) assert.equal(bare[field], null, field);
    assert.ok(Math.abs(new Date(bare.createdAt as string).getTime() - Date.now()) < 60_000, 'stamped when written');
    assert.deepEqual([later.message, later.outcome, later.subjectId], ['later', 'success', 7]);
    assert.notEqual(full.documentId, bare.documentId);
  });

  test('PUT validates and names each field', async () => {
    const res = await clients.superAdmin.put('/mail-auth/settings', { refreshSchedule: 'every minute', refreshMargin: -5, runJobs: false });
    assert.equal(res.status, 400);
    const paths = res.body.error.details.errors.map((e: { path: string[] }) => e.path.join('.')).sort();
    assert.deepEqual(paths, ['refreshMargin', 'refreshSchedule', 'runJobs']);
    assert.equal(config('refreshSchedule'), '*/2 * * * *', 'nothing changed');
  });

  test('PUT saves, applies to the services at once, reschedules the job and records it', async () => {
    const res = await clients.superAdmin.put('/mail-auth/settings', { refreshSchedule: '*/10 * * * *', refreshMargin: 600 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.refreshSchedule, { value: '*/10 * * * *', default: '*/2 * * * *', saved: true });
    assert.equal(res.body.refreshMargin.value, 600);
    assert.equal(config('refreshMargin'), 600);
    const job = app.strapi.plugin('mail-auth').service('scheduler').list().find((j: { name: string }) => j.name === 'refresh');
    assert.equal(job.schedule, '*/10 * * * *');
    const stored = await app.strapi.store({ type: 'plugin', name: 'mail-auth', key: 'settings' }).get({});
    assert.deepEqual(stored, { refreshSchedule: '*/10 * * * *', refreshMargin: 600 });
    const activity = await clients.superAdmin.get('/mail-auth/activity?kind=settings.updated');
    assert.equal(activity.body.results[0].message, 'Changed refreshSchedule, refreshMargin');
  });

  test('saved values survive a restart (load at bootstrap); null goes back to config/plugins.ts', async () => {
    // What bootstrap does on a restart: the file's values, then the saved ones over them.
    app.strapi.config.set('plugin::mail-auth.refreshMargin', 300);
    await app.strapi.plugin('mail-auth').service('settings').load();
    assert.equal(config('refreshMargin'), 600);

    const res = await clients.superAdmin.put('/mail-auth/settings', { refreshMargin: null });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.refreshMargin, { value: 300, default: 300, saved: false });
    assert.equal(res.body.refreshSchedule.value, '*/10 * * * *', 'the other saved value stays');
  });

  test('only admins holding plugin::mail-auth.settings may read or change them', async () => {
    assert.equal((await clients.outsider.get('/mail-auth/settings')).status, 403);
    const reader = await AdminClient.login(
      app.url,
      await createAdmin(app.strapi, [await createRole(app.strapi, `Reader ${Date.now()}`, [actionId('read')])])
    );
    assert.equal((await reader.get('/mail-auth/settings')).status, 403);
    assert.equal((await reader.put('/mail-auth/settings', { refreshMargin: 60 })).status, 403);
    const manager = await AdminClient.login(
      app.url,
      await createAdmin(app.strapi, [await createRole(app.strapi, `Settings ${Date.now()}`, [actionId('settings')])])
    );
    assert.equal((await manager.get('/mail-auth/settings')).status, 200);
  });
});
