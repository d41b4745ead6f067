import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { adminClients, type AdminClient } from '../helpers/admin';
import { startFailingTokenEndpoint } from '../helpers/fake-token-endpoint';
import { leaseRows } from '../../server/src/db/lease';
import { stateWriter } from '../../server/src/db/state-writer';
import { sentMark } from '../../server/src/tokens/lease';
import { groupedWrites } from '../../server/src/tokens/grouped-writes';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { generateTokens, storedSecrets, TOKEN_UID } from '../helpers/tokens';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';

const SECRET = 'refresher-client-secret';

describe(`scheduled refresh and notifications (${process.env.TEST_DB ?? 'sqlite'})`, () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let admin: AdminClient;
  let failing: Awaited<ReturnType<typeof startFailingTokenEndpoint>>;
  const events: Array<{ name: string; tokenName: string }> = [];

  const db = () => app.strapi.db.query(TOKEN_UID);
  const plugin = () => app.strapi.plugin('mail-auth');
  const expireIn = (id: number, seconds: number) => db().update({ where: { id }, data: { accessTokenExpiresAt: new Date(Date.now() + seconds * 1000) } });

  let serial = 0;
  const authorizedToken = async (name: string) => {
    const created = await admin.post('/mail-auth/tokens', {
      name,
      template: 'generic',
      clientId: 'refresher-client',
      clientSecret: SECRET,
      issuer: op.issuer,
      authorizationEndpoint: op.authorizationEndpoint,
      tokenEndpoint: op.tokenEndpoint,
      scope: 'openid email offline_access mail',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const flow = await generateTokens(admin, created.body.id);
    assert.equal(flow.status, 200, flow.html);
    return created.body.id as number;
  };

  /** A token whose refresh can only fail: its token endpoint is the failing server. */
  const brokenToken = async (name: string, path: string) => {
    const created = await admin.post('/mail-auth/tokens', {
      name,
      template: 'generic',
      clientId: 'broken',
      clientSecret: SECRET,
      authorizationEndpoint: `${failing.url}/authorize`,
      tokenEndpoint: `${failing.url}${path}`,
      scope: 'mail',
    });
    const secrets = plugin().service('secrets');
    await db().update({
      where: { id: created.body.id },
      data: {
        status: 'valid',
        accessToken: secrets.encrypt(`at-${serial++}`, 'oauth-token.accessToken'),
        refreshToken: secrets.encrypt(`rt-${serial++}`, 'oauth-token.refreshToken'),
        accessTokenExpiresAt: new Date(Date.now() + 60_000),
      },
    });
    return created.body.id as number;
  };

  before(async () => {
    op = await startOAuthServer();
    failing = await startFailingTokenEndpoint();
    app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'true', MAIL_AUTH_REFRESH_SCHEDULE: '*/1 * * * * *', MAIL_AUTH_HTTP_TIMEOUT: '2' } });
    await op.addClient({
      clientId: 'refresher-client',
      clientSecret: SECRET,
      redirectUris: [`${app.url}/mail-auth/oauth/callback`],
      tokenEndpointAuthMethod: 'client_secret_post',
      rotateRefreshTokens: true,
    });
    ({ superAdmin: admin } = await adminClients(app.strapi, app.url));
    for (const kind of ['expired', 'reauthorization-required', 'refreshed']) {
      app.strapi.eventHub.on(`mail-auth.token.${kind}`, (payload: { notification?: { tokenName: string }; token?: { name: string } }) =>
        events.push({ name: kind, tokenName: payload.notification?.tokenName ?? payload.token?.name ?? '' }),
      );
    }
  });
  after(async () => {
    await app?.stop();
    await op?.stop();
    await failing?.stop();
  });

  test('the scheduled job refreshes a token expiring in 2 minutes and leaves one expiring in an hour', async () => {
    const soon = await authorizedToken('expires-soon');
    const later = await authorizedToken('expires-later');
    // Read before the token is made due: the job (every second) may renew it right after.
    const before = { soon: await storedSecrets(app.strapi, soon), later: await storedSecrets(app.strapi, later) };
    await expireIn(soon, 120);
    await expireIn(later, 3600);
    const deadline = Date.now() + 15_000;
    let now = before.soon;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      now = await storedSecrets(app.strapi, soon);
      if (now.accessToken !== before.soon.accessToken) break;
    }
    assert.notEqual(now.accessToken, before.soon.accessToken, 'refreshed by the job');
    assert.ok(new Date(now.row.accessTokenExpiresAt).getTime() > Date.now() + 30 * 60_000, 'a fresh expiry');
    const laterNow = await storedSecrets(app.strapi, later);
    assert.equal(laterNow.accessToken, before.later.accessToken, 'not touched');
    assert.equal(new Date(laterNow.row.lastRefreshAt).getTime(), new Date(before.later.row.lastRefreshAt).getTime());
  });

  test('with 50 tokens of which 5 fail, the 45 others are refreshed in the same run', async () => {
    await plugin().service('scheduler').stop('refresh');
    const good: number[] = [];
    for (let i = 0; i < 45; i++) good.push(await authorizedToken(`bulk-${String(i).padStart(2, '0')}`));
    const bad = {
      http500: [await brokenToken('broken-500-a', '/500'), await brokenToken('broken-500-b', '/500')],
      timeout: [await brokenToken('broken-timeout', '/timeout')],
      invalidGrant: [await brokenToken('broken-grant-a', '/invalid-grant'), await brokenToken('broken-grant-b', '/invalid-grant')],
    };
    for (const id of [...good, ...Object.values(bad).flat()]) await expireIn(id, 60);
    await expireIn((await db().findOne({ where: { name: 'expires-later' } })).id, 3600);
    await expireIn((await db().findOne({ where: { name: 'expires-soon' } })).id, 3600);
    const beforeAt = new Map<number, string | undefined>();
    for (const id of good) beforeAt.set(id, (await storedSecrets(app.strapi, id)).accessToken);
    events.length = 0;

    const report = await plugin().service('refresher').run();
    assert.equal(report.due, 50);
    assert.equal(report.refreshed.length, 45, JSON.stringify(report.failed));
    assert.deepEqual(report.failed.map((f: { name: string }) => f.name).sort(), ['broken-500-a', 'broken-500-b', 'broken-grant-a', 'broken-grant-b', 'broken-timeout']);
    for (const id of good) {
      const now = await storedSecrets(app.strapi, id);
      assert.notEqual(now.accessToken, beforeAt.get(id));
      assert.equal(now.row.status, 'valid');
    }
    for (const id of [...bad.http500, ...bad.timeout]) {
      const token = (await admin.get(`/mail-auth/tokens/${id}`)).body;
      assert.equal(token.status, 'error');
      assert.ok(['http_500', 'timeout'].includes(token.lastError.code), token.lastError.code);
      assert.ok(new Date(token.nextAttemptAt).getTime() > Date.now(), 'next attempt visible in the API');
    }
    for (const id of bad.invalidGrant) {
      const token = (await admin.get(`/mail-auth/tokens/${id}`)).body;
      assert.equal(token.status, 'reauthorization-required');
      assert.equal(token.nextAttemptAt, null);
    }

    // the next run leaves the failing ones alone: backoff, and no retry without a person
    const requestsBefore = { ...failing.counts };
    const second = await plugin().service('refresher').run();
    assert.equal(second.due, 0);
    assert.deepEqual(failing.counts, requestsBefore);

    // one event per change of state, not per run (the event hub delivers asynchronously)
    for (let i = 0; i < 50 && events.filter((e) => e.name === 'refreshed').length < 45; i++) await new Promise((r) => setTimeout(r, 100));
    const reauth = events
      .filter((e) => e.name === 'reauthorization-required')
      .map((e) => e.tokenName)
      .sort();
    assert.deepEqual(reauth, ['broken-grant-a', 'broken-grant-b']);
    assert.equal(events.filter((e) => e.name === 'refreshed').length, 45);
  });

  test('results written together: one UPDATE for those asked for in one turn of the event loop, the next for those that arrive while it is out, each under its own condition, and which were written told apart', async () => {
    // Not due (no grant): the job, running every second here, leaves these rows alone.
    const row = (name: string, leaseOwner: string) =>
      db().create({ data: { name, template: 'generic', grantType: 'authorization_code', clientId: 'grouped', status: 'not-authorized', accessToken: 'old', leaseOwner } });
    const ids = [(await row('grouped-0', 'mine')).id, (await row('grouped-1', 'another instance')).id, (await row('grouped-2', 'mine')).id] as number[];
    const rows = stateWriter(app.strapi, TOKEN_UID);
    const write = groupedWrites(rows, async (of) => {
      const stored = (await db().findMany({ where: { id: { $in: of } }, select: ['id', 'accessToken'] })) as { id: number; accessToken: string }[];
      return new Map(stored.map((r) => [r.id, r.accessToken]));
    });
    let updates = 0;
    // (the job's own statements meanwhile, if any, write other columns)
    const count = (q: { sql: string }) => void (/^update\b.*\baccess_token\b/is.test(q.sql.trim()) && updates++);
    app.strapi.db.connection.on('query', count);
    try {
      const ask = (i: number) =>
        write({ id: ids[i], when: { leaseOwner: 'mine' }, data: { accessToken: `new-${i}`, leaseOwner: null } }, `new-${i}`);
      // The first two in one turn go together; the third, asked for once their UPDATE is under way
      // (the write waits for the end of the turn), goes in the next.
      const together = [ask(0), ask(1)];
      await new Promise((r) => setImmediate(r));
      const written = await Promise.all([...together, ask(2)]);
      assert.deepEqual(written, [true, false, true]);
    } finally {
      app.strapi.db.connection.removeListener('query', count);
    }
    assert.equal(updates, 2, 'the first two in one UPDATE (one row written, one not: told apart), the third in the next');
    const stored = (await db().findMany({ where: { id: { $in: ids } }, orderBy: { id: 'asc' } })) as { accessToken: string; leaseOwner: string | null }[];
    assert.deepEqual(
      stored.map((r) => [r.accessToken, r.leaseOwner]),
      [['new-0', null], ['old', 'another instance'], ['new-2', null]]
    );
    await db().deleteMany({ where: { id: { $in: ids } } });
  });

  test("the job's results wait lingerMs for others to share their UPDATE; a result someone waits for takes them all at once", async () => {
    const row = (name: string) =>
      db().create({ data: { name, template: 'generic', grantType: 'authorization_code', clientId: 'grouped', status: 'not-authorized', accessToken: 'old', leaseOwner: 'mine' } });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await row(`linger-${i}`)).id);
    const rows = stateWriter(app.strapi, TOKEN_UID);
    const readBack = async (of: number[]) => new Map(((await db().findMany({ where: { id: { $in: of } }, select: ['id', 'accessToken'] })) as { id: number; accessToken: string }[]).map((r) => [r.id, r.accessToken]));
    const ask = (write: ReturnType<typeof groupedWrites>, i: number, mayWait: boolean) =>
      write({ id: ids[i], when: { leaseOwner: 'mine' }, data: { accessToken: `new-${i}` } }, `new-${i}`, mayWait);
    let updates = 0;
    // (only the UPDATEs of these rows: their ids are among the bindings)
    const count = (q: { sql: string; bindings?: unknown[] }) =>
      void (/^update\b.*\baccess_token\b/is.test(q.sql.trim()) && ids.some((id) => q.bindings?.includes(id)) && updates++);
    app.strapi.db.connection.on('query', count);
    try {
      // Three of the job's results, 20 ms apart, within a linger of 200 ms: one UPDATE (timers
      // fire in the order they are due, so the third is queued before the linger ends).
      const lingering = groupedWrites(rows, readBack, 200);
      const later = (ms: number, i: number) => new Promise<boolean>((r) => setTimeout(() => r(ask(lingering, i, true)), ms));
      assert.deepEqual(await Promise.all([ask(lingering, 0, true), later(20, 1), later(40, 2)]), [true, true, true]);
      assert.equal(updates, 1, "the job's three results in one UPDATE");
      // A linger of a minute: the job's result goes out with the caller's, which does not wait
      // (were it left to the timer, the test would time out).
      const long = groupedWrites(rows, readBack, 60_000);
      const job = ask(long, 3, true);
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await Promise.all([job, ask(long, 4, false)]), [true, true]);
      assert.equal(updates, 2, 'both in one more UPDATE');
    } finally {
      app.strapi.db.connection.removeListener('query', count);
    }
    const stored = (await db().findMany({ where: { id: { $in: ids } }, orderBy: { id: 'asc' } })) as { accessToken: string }[];
    assert.deepEqual(stored.map((r) => r.accessToken), ['new-0', 'new-1', 'new-2', 'new-3', 'new-4']);
    await db().deleteMany({ where: { id: { $in: ids } } });
  });

  test("several rows' updates in one statement: values all rows set alike written once, conditions all rows share checked once, each row's own condition still its own", async () => {
    const row = (name: string, data: Record<string, unknown>) =>
      db().create({ data: { name, template: 'generic', grantType: 'authorization_code', clientId: 'rows', status: 'not-authorized', accessToken: 'old', leaseOwner: 'mine', ...data } });
    const [a, b, c, d, e, f, g] = [
      await row('rows-a', { refreshToken: 'rt-a' }),
      await row('rows-b', { refreshToken: 'rt-b' }),
      await row('rows-c', { refreshToken: 'changed meanwhile' }),
      await row('rows-d', { refreshToken: 'rt-d', leaseOwner: 'another instance' }),
      await row('rows-e', { nextAttemptAt: null }),
      await row('rows-f', {}),
      await row('rows-g', {}),
    ].map((r) => r.id as number);
    const rows = stateWriter(app.strapi, TOKEN_UID);
    const at = Date.now() + 3_600_000;
    const renewed = (accessToken: string) => ({ accessToken, status: 'valid', lastError: null, leaseOwner: null, accessTokenExpiresAt: new Date(at) });
    const statements: string[] = [];
    const seen = (q: { sql: string }) => void (/^update\b/i.test(q.sql.trim()) && statements.push(q.sql));
    app.strapi.db.connection.on('query', seen);
    try {
      const written = await rows.updateRows([
        { id: a, when: { leaseOwner: 'mine', refreshToken: 'rt-a' }, data: renewed('new-a') },
        { id: b, when: { leaseOwner: 'mine', refreshToken: 'rt-b' }, data: renewed('new-b') },
        { id: c, when: { leaseOwner: 'mine', refreshToken: 'rt-c' }, data: renewed('new-c') },
        { id: d, when: { leaseOwner: 'mine', refreshToken: 'rt-d' }, data: renewed('new-d') },
        // a condition of its own that is IS NULL, and a column no other row sets
        { id: e, when: { leaseOwner: 'mine', nextAttemptAt: null }, data: { ...renewed('new-e'), grantedScope: 'only e' } },
      ]);
      assert.equal(written, 3, 'a, b and e: c changed meanwhile, d is leased by another');
      // Every condition shared: the ids and the lease alone.
      assert.equal(await rows.updateRows([f, g].map((id) => ({ id, when: { leaseOwner: 'mine' }, data: { status: 'valid', accessToken: `new-${id}` } }))), 2);
    } finally {
      app.strapi.db.connection.removeListener('query', seen);
    }
    assert.equal(statements.length, 2);
    // In the first: a CASE for the access tokens and for the one row's granted scope; the status,
    // the expiry, the error and the lease that all rows set alike are plain assignments.
    assert.equal(statements[0].match(/\bCASE\b/g)?.length, 2, statements[0]);
    assert.equal(statements[1].match(/\bCASE\b/g)?.length, 1, statements[1]);
    const stored = (await db().findMany({ where: { id: { $in: [a, b, c, d, e, f, g] } }, orderBy: { id: 'asc' } })) as Record<string, unknown>[];
    assert.deepEqual(
      stored.map((r) => [r.name, r.accessToken, r.status, r.leaseOwner, r.grantedScope ?? null, r.accessTokenExpiresAt ? new Date(r.accessTokenExpiresAt as string).getTime() : null]),
      [
        ['rows-a', 'new-a', 'valid', null, null, at],
        ['rows-b', 'new-b', 'valid', null, null, at],
        ['rows-c', 'old', 'not-authorized', 'mine', null, null],
        ['rows-d', 'old', 'not-authorized', 'another instance', null, null],
        ['rows-e', 'new-e', 'valid', null, 'only e', at],
        ['rows-f', `new-${f}`, 'valid', 'mine', null, null],
        ['rows-g', `new-${g}`, 'valid', 'mine', null, null],
      ]
    );
    await db().deleteMany({ where: { id: { $in: [a, b, c, d, e, f, g] } } });
  });

  test("a batch's leased rows as the query layer reads them, returned by the lease UPDATE itself where the dialect can", async () => {
    // Not due for the job that runs every second here: inactive.
    const base = { template: 'generic', grantType: 'authorization_code', clientId: 'leased-rows', status: 'error', active: false };
    const full = await db().create({
      data: {
        ...base,
        name: 'leased-full',
        description: 'every kind of column',
        pkce: false,
        notifyOnExpiredToken: false,
        extraAuthorizationParams: { prompt: 'consent', login_hint: 'a@example.org' },
        lastError: { code: 'invalid_grant', message: 'refused', advice: null, at: new Date(1_700_000_000_000).toISOString() },
        failureCount: 3,
        clientSecretExpiresOn: '2027-01-31',
        accessTokenExpiresAt: new Date(1_800_000_000_123),
        refreshToken: 'rt-full',
        refreshSentBy: 'an older owner',
        refreshSentAt: new Date(1_750_000_000_000),
      },
    });
    const sparse = await db().create({ data: { ...base, name: 'leased-sparse' } });
    const taken = await db().create({ data: { ...base, name: 'leased-elsewhere', leaseOwner: 'another instance', leaseUntil: new Date(Date.now() + 60_000) } });
    const ids = [full.id, sparse.id, taken.id] as number[];
    const statements: string[] = [];
    const seen = (q: { sql: string }) => void statements.push(q.sql);
    app.strapi.db.connection.on('query', seen);
    let leased: Record<string, unknown>[];
    try {
      leased = await leaseRows(app.strapi, TOKEN_UID, ids, 'this batch', 60, { mark: sentMark('this batch') });
    } finally {
      app.strapi.db.connection.removeListener('query', seen);
    }
    assert.equal(statements.length, app.strapi.db.dialect.useReturning() ? 1 : 2, statements.join('\n'));
    assert.deepEqual(leased.map((r) => r.name).sort(), ['leased-full', 'leased-sparse'], 'the row leased by another instance is left to it');
    // What the query layer reads of the same rows now (relations aside, which the lease does not read).
    const stored = (await db().findMany({ where: { id: { $in: ids.slice(0, 2) } } })) as Record<string, unknown>[];
    for (const row of stored) {
      const mine = leased.find((r) => r.id === row.id)!;
      const relations = Object.keys(row).filter((k) => !(k in mine));
      for (const k of relations) assert.equal(app.strapi.db.metadata.get(TOKEN_UID).attributes[k]?.type, 'relation', `${k} is read`);
      assert.deepEqual(mine, Object.fromEntries(Object.entries(row).filter(([k]) => !relations.includes(k))), String(row.name));
    }
    const fullRow = leased.find((r) => r.name === 'leased-full')!;
    assert.equal(fullRow.leaseOwner, 'this batch');
    assert.equal(fullRow.refreshSentBy, 'an older owner', 'an older mark kept (COALESCE)');
    assert.equal(leased.find((r) => r.name === 'leased-sparse')!.refreshSentBy, 'this batch');
    assert.equal(fullRow.pkce, false);
    assert.deepEqual(fullRow.extraAuthorizationParams, { prompt: 'consent', login_hint: 'a@example.org' });
    assert.equal(fullRow.accessTokenExpiresAt, new Date(1_800_000_000_123).toISOString());
    assert.equal(fullRow.failureCount, 3);
    await db().deleteMany({ where: { id: { $in: ids } } });
  });

  test('a batch of leases that fails ends the run with its error; the batches before it are renewed, none stays leased', async () => {
    // the scheduled job is stopped (test above); the 45 good tokens are due again
    const good = ((await db().findMany({ where: { name: { $startsWith: 'bulk-' } }, select: ['id'] })) as { id: number }[]).map((r) => r.id);
    for (const id of good) await expireIn(id, 60);
    const tokens = plugin().service('tokens');
    const lease = tokens.leaseForRenewal;
    let calls = 0;
    // The second batch is leased in the background while the workers renew the first.
    tokens.leaseForRenewal = (ids: number[]) => (++calls === 2 ? Promise.reject(new Error('the database went away')) : lease.call(tokens, ids));
    const startedAt = Date.now();
    try {
      await assert.rejects(plugin().service('refresher').run(), /the database went away/);
    } finally {
      tokens.leaseForRenewal = lease;
    }
    const rows = (await db().findMany({ where: { id: { $in: good } }, select: ['id', 'lastRefreshAt', 'leaseOwner'] })) as {
      lastRefreshAt: string;
      leaseOwner: string | null;
    }[];
    const renewed = rows.filter((r) => new Date(r.lastRefreshAt).getTime() >= startedAt).length;
    const concurrency = app.strapi.config.get('plugin::mail-auth.refreshConcurrency') as number;
    assert.equal(renewed, concurrency * 4, 'the first batch (4 × refreshConcurrency), and only it');
    assert.deepEqual(
      rows.filter((r) => r.leaseOwner !== null),
      [],
    );
    // the next run renews the rest
    const report = await plugin().service('refresher').run();
    assert.equal(report.refreshed.length, good.length - renewed);
  });

  test('the job has refreshConcurrency requests out at the provider at once, no more, while it holds twice as many tokens', async () => {
    const good = ((await db().findMany({ where: { name: { $startsWith: 'bulk-' } }, select: ['id'] })) as { id: number }[]).map((r) => r.id);
    for (const id of good) await expireIn(id, 60);
    const concurrency = app.strapi.config.get('plugin::mail-auth.refreshConcurrency') as number;
    // A far provider: each answer takes 150 ms, so that the job keeps as many requests out as it may.
    op.holdRefreshAnswers(150);
    op.counters.peakTokenRequests = 0;
    try {
      const report = await plugin().service('refresher').run();
      assert.equal(report.refreshed.length, good.length);
    } finally {
      op.holdRefreshAnswers(0);
    }
    assert.ok(good.length > concurrency * 2, 'more tokens due than the job holds at once');
    assert.equal(op.counters.peakTokenRequests, concurrency, 'requests out at once at the provider');
  });

  test('notifications list expired and re-authorization-required tokens that ask for it, once each', async () => {
    const grantA = (await db().findOne({ where: { name: 'broken-grant-a' } })).id;
    const grantB = (await db().findOne({ where: { name: 'broken-grant-b' } })).id;
    const http500 = (await db().findOne({ where: { name: 'broken-500-a' } })).id;
    await admin.put(`/mail-auth/tokens/${grantB}`, { notifyOnExpiredRefreshToken: false });
    await expireIn(http500, -10);
    events.length = 0;
    await plugin().service('notifications').sweep();
    await plugin().service('notifications').sweep();
    assert.deepEqual(
      events.map((e) => `${e.name}:${e.tokenName}`),
      ['expired:broken-500-a'],
    );

    const res = await admin.get('/mail-auth/notifications');
    assert.equal(res.status, 200);
    const byName = Object.fromEntries(res.body.results.map((n: { tokenName: string }) => [n.tokenName, n]));
    assert.equal(byName['broken-grant-a'].kind, 'reauthorization-required');
    assert.equal(byName['broken-grant-a'].link, `/plugins/mail-auth/tokens/${grantA}`);
    assert.match(byName['broken-grant-a'].advice, /Generate tokens/);
    assert.ok(!byName['broken-grant-b'], 'a token that asks not to be notified is not listed');
    assert.equal(byName['broken-500-a'].kind, 'expired');
    assert.ok(!byName['bulk-00'], 'valid tokens are not listed');

    const activity = (await admin.get('/mail-auth/activity?kind=token.expired')).body.results;
    assert.equal(activity.length, 1);
  });
});
