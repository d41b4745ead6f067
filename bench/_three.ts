import { startStrapi } from '../tests/helpers/strapi';
(async () => {
  const app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'false' } });
  const p = app.strapi.plugin('mail-auth');
  const time = async (label: string, fn: () => Promise<unknown>) => {
    for (let i = 0; i < 5; i++) await fn();
    const s = performance.now();
    for (let i = 0; i < 50; i++) await fn();
    console.log(label, ((performance.now() - s) / 50).toFixed(2), 'ms');
  };
  const entry = { kind: 'x', subjectType: 'outbound-account', subjectId: 1, subjectName: 'bench', outcome: 'success', details: { recipients: 1 } };
  await time('activity.record', () => p.service('activity').record(entry));
  const knex = app.strapi.db.connection;
  await time('knex insert', () => knex('mail_auth_activities').insert({ kind: 'x', subject_name: 'b', outcome: 'success', details: JSON.stringify({ r: 1 }), document_id: Math.random().toString(36) }));
  await time('createMany 1', () => app.strapi.db.query('plugin::mail-auth.activity').createMany({ data: [entry] }));
  await time('findOne', () => app.strapi.db.query('plugin::mail-auth.activity').findOne({ where: { id: 1 } }));
  if (process.env.TEST_DB !== 'postgres' && process.env.TEST_DB !== 'mysql') console.log('journal', await knex.raw('PRAGMA journal_mode'), await knex.raw('PRAGMA synchronous'));
  await app.stop();
})();
