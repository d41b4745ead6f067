// Databases: sqlite. Hostile answers of the Graph and Gmail stand-ins: the protocol clients'
// limits, not storage.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';

import { MAX_JSON_BYTES } from '../../server/src/net/bounded-body';
import { adminClients, type AdminClient } from '../helpers/admin';
import { authorizedToken, createAccount, fetchNow } from '../helpers/inbound';
import { startStrapi, type TestStrapi } from '../helpers/strapi';
import { startGmailServer, type GmailServer } from '../servers/gmail-server';
import { startGraphServer, type GraphServer } from '../servers/graph-server';
import { close } from '../servers/http-util';
import { startOAuthServer, type OAuthTestServer } from '../servers/oauth-server';

const ALICE = 'alice@example.test';
const simple = (subject: string, i = 0) =>
  `From: c${i}@example.org\r\nTo: ${ALICE}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}.${i}@example.org>\r\n\r\nBody ${i}\r\n`;

/** Another origin on this machine (127.0.0.2 is loopback too) that records whatever reaches it. */
async function startCatcher(): Promise<{ url: string; seen: IncomingHttpHeaders[]; stop(): Promise<void> }> {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  return { url: `http://127.0.0.2:${(server.address() as { port: number }).port}`, seen, stop: () => close(server) };
}

describe('Graph and Gmail stand-ins answer as a hostile server would', () => {
  let app: TestStrapi;
  let op: OAuthTestServer;
  let graph: GraphServer;
  let gmail: GmailServer;
  let catcher: Awaited<ReturnType<typeof startCatcher>>;
  let admin: AdminClient;
  let token: number;
  let accessToken: string;

  before(async () => {
    op = await startOAuthServer();
    const verifyToken = async (t: string) => {
      const r = await op.introspect(t);
      return { active: r.active, email: r.email };
    };
    [graph, gmail, catcher] = await Promise.all([startGraphServer({ verifyToken }), startGmailServer({ verifyToken }), startCatcher()]);
    app = await startStrapi({ env: { MAIL_AUTH_RUN_JOBS: 'false', MAIL_AUTH_GMAIL_BASE_URL: gmail.url } });
    app.strapi.config.set('plugin::mail-auth.mailTimeout', 2);
    ({ superAdmin: admin } = await adminClients(app.strapi, app.url));
    token = await authorizedToken(admin, app.url, op, 'hostile-rest', ALICE);
    accessToken = await app.strapi.plugin('mail-auth').service('tokens').getAccessToken(token);
  });
  after(async () => {
    await app?.stop();
    await Promise.all([graph?.stop(), gmail?.stop(), catcher?.stop()]);
    await op?.stop();
  });

  const graphPort = () => Number(new URL(graph.url).port);
  const graphAccount = (name: string, folder: string) =>
    createAccount(admin, { name, type: 'microsoft-graph', host: '127.0.0.1', port: graphPort(), authentication: 'oauth2', oauthToken: token, mailbox: ALICE, folder, actionAfterFetch: 'keep' });

  test('Graph paging and delta links to another origin are not followed, the token stays on its origin, the cursor is not stored', async () => {
    const g = graph.url; // http://127.0.0.1:PORT
    const path = (link: string) => link.slice(g.length);
    const elsewhere: [string, (link: string) => string][] = [
      ['another host', (l) => catcher.url + path(l)],
      ['user information before another host', (l) => `${g}@127.0.0.2:${new URL(catcher.url).port}${path(l)}`],
      ['user information, same host', (l) => `http://user:pass@127.0.0.1:${graphPort()}${path(l)}`],
      ['the same server by another name', (l) => `http://localhost:${graphPort()}${path(l)}`],
      ['another scheme', (l) => `https://127.0.0.1:${graphPort()}${path(l)}`],
      ['a host that starts with the real one', (l) => `http://127.0.0.1.evil.example:${graphPort()}${path(l)}`],
    ];
    // a port that starts with the real one, where it is still a port
    if (graphPort() < 6554) elsewhere.push(['another port that starts with the real one', (l) => `${g}0${path(l)}`]);
    graph.addFolder(ALICE, 'Paged');
    // more than one page of the plugin's delta (50 a page): a nextLink, then a deltaLink
    for (let i = 0; i < 60; i++) graph.addMessage(ALICE, simple('paged', i), 'Paged');
    const account = await graphAccount('graph hostile links', 'Paged');
    let refused = 0;
    for (const [what, rewrite] of elsewhere) {
      graph.rewriteLinks(rewrite);
      const before = graph.requests.length;
      const report = await fetchNow(admin, account.id);
      assert.equal(report.errors.length, 1, what);
      assert.equal(report.errors[0].code, 'PROTOCOL_ERROR', what);
      assert.match(report.errors[0].message, /link to another origin .* expected http:\/\/127\.0\.0\.1:\d+\); it was not followed/, what);
      // only the first page was asked for: the foreign link went nowhere
      assert.equal(graph.requests.slice(before).filter((r) => r.path.includes('/delta')).length, 1, what);
      refused++;
    }
    assert.equal(catcher.seen.length, 0, 'nothing reached the other origin');
    graph.rewriteLinks(undefined);
    // the first page's messages were stored before its link was refused; nothing was lost
    const report = await fetchNow(admin, account.id);
    assert.deepEqual(report.errors, []);
    const stored = await app.strapi.db.query('plugin::mail-auth.message').count({ where: { accountName: account.name } });
    assert.equal(stored, 60);

    // and a deltaLink elsewhere, on the last page, is not stored as the cursor either
    graph.rewriteLinks((l) => catcher.url + path(l));
    graph.addMessage(ALICE, simple('paged late'), 'Paged');
    assert.equal((await fetchNow(admin, account.id)).errors[0].code, 'PROTOCOL_ERROR');
    graph.rewriteLinks(undefined);
    const cursor = (await app.strapi.db.query('plugin::mail-auth.inbound-account').findOne({ where: { id: account.id } })).syncCursor as string | null;
    assert.ok(!cursor || cursor.startsWith(`${g}/`), `cursor on the Graph origin: ${cursor}`);
    assert.equal(catcher.seen.length, 0);
    console.log(`# hostile links refused: ${refused + 1} kinds, requests at the other origin: ${catcher.seen.length}`);
  });

  test('a huge answer is cut off at the limit; the server sent little more than it', async () => {
    graph.addFolder(ALICE, 'Huge');
    graph.addMessage(ALICE, simple('huge'), 'Huge');
    const account = await graphAccount('graph huge', 'Huge');
    const huge = 512 * 1024 * 1024;
    const heapBefore = process.memoryUsage().heapUsed;
    graph.hostile.hugeNext(huge);
    const report = await fetchNow(admin, account.id);
    assert.equal(report.errors[0]?.code, 'PROTOCOL_ERROR');
    assert.match(report.errors[0].message, new RegExp(`larger than ${MAX_JSON_BYTES} bytes`));
    // the client stopped reading at the limit: what the server wrote is the limit plus socket buffers
    assert.ok(graph.hostile.bytesSent < MAX_JSON_BYTES + 8 * 1024 * 1024, `server wrote ${graph.hostile.bytesSent} bytes`);
    const graphSent = graph.hostile.bytesSent;

    gmail.addMessage(ALICE, simple('gmail huge'));
    const gm = await createAccount(admin, { name: 'gmail huge', type: 'gmail-api', authentication: 'oauth2', oauthToken: token });
    gmail.hostile.hugeNext(huge);
    const gReport = await fetchNow(admin, gm.id);
    assert.equal(gReport.errors[0]?.code, 'PROTOCOL_ERROR');
    assert.match(gReport.errors[0].message, /larger than \d+ bytes/);
    assert.ok(gmail.hostile.bytesSent < MAX_JSON_BYTES + 8 * 1024 * 1024, `server wrote ${gmail.hostile.bytesSent} bytes`);
    const growth = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    console.log(`# huge answers of ${huge} bytes: Graph server wrote ${graphSent}, Gmail server wrote ${gmail.hostile.bytesSent}, heap growth ${growth.toFixed(1)} MiB`);
    // and the next poll works
    assert.deepEqual((await fetchNow(admin, account.id)).errors, []);
    assert.deepEqual((await fetchNow(admin, gm.id)).errors, []);
  });

  test('a never-ending answer ends at mailTimeout with a timeout error', async () => {
    graph.addFolder(ALICE, 'Slow');
    const account = await graphAccount('graph slow', 'Slow');
    for (const [server, id] of [[graph, account.id], [gmail, (await createAccount(admin, { name: 'gmail slow', type: 'gmail-api', authentication: 'oauth2', oauthToken: token })).id]] as const) {
      server.hostile.slowNext(20);
      const started = Date.now();
      const report = await fetchNow(admin, id);
      const ms = Date.now() - started;
      assert.equal(report.errors[0]?.code, 'TIMEOUT');
      assert.ok(ms >= 1900 && ms < 10_000, `ended after ${ms} ms (mailTimeout 2 s)`);
      console.log(`# slow answer ended after ${ms} ms having sent ${server.hostile.bytesSent} bytes`);
    }
  });

  test('the access token was never seen by the other origin', () => {
    assert.ok(accessToken.length > 10);
    assert.equal(catcher.seen.filter((h) => String(h.authorization ?? '').includes(accessToken)).length, 0);
  });
});
