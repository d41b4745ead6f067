import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGraphServer, type GraphServer, type GraphTokenInfo } from './graph-server';
import { startMicrosoftIdentity, type MicrosoftIdentityServer } from './microsoft-identity';

const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
const SHARED = 'support@example.test';

const mime = (subject: string, opts: { from?: string; to?: string; date?: Date; body?: string } = {}) =>
  `From: Customer <${opts.from ?? 'customer@example.org'}>\r\nTo: ${opts.to ?? ALICE}\r\nSubject: ${subject}\r\n`
  + `Date: ${(opts.date ?? new Date()).toUTCString()}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.org>\r\n`
  + `Content-Type: text/plain; charset=utf-8\r\n\r\n${opts.body ?? `Body of ${subject}`}\r\n`;

interface GraphErrorBody { error: { code: string; message: string; innerError: Record<string, string> } }
interface Page { value: Record<string, unknown>[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string }

describe('Microsoft Graph mail stand-in', () => {
  let graph: GraphServer;
  const tokens: Record<string, GraphTokenInfo> = {
    'alice-token': { active: true, email: ALICE },
    'bob-token': { active: true, email: BOB },
    'expired-token': { active: false },
    'app-token': { active: true },
  };

  const call = (path: string, token: string | undefined, init: RequestInit = {}) =>
    fetch(path.startsWith('http') ? path : `${graph.url}/v1.0${path}`, {
      ...init,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string> | undefined) },
    });
  const json = async <T>(r: Response) => (await r.json()) as T;

  before(async () => {
    graph = await startGraphServer({
      verifyToken: (t) => tokens[t] ?? { active: false },
      delegations: { [SHARED]: [BOB] },
    });
  });
  after(() => graph?.stop());

  it('401 InvalidAuthenticationToken without a token and with an inactive one, in Graph\'s error shape', async () => {
    const none = await call('/me/messages', undefined);
    assert.equal(none.status, 401);
    assert.equal((await json<GraphErrorBody>(none)).error.message, 'Access token is empty.');
    const r = await call('/me/messages', 'expired-token', { headers: { 'client-request-id': 'my-id' } });
    assert.equal(r.status, 401);
    const body = await json<GraphErrorBody>(r);
    assert.equal(body.error.code, 'InvalidAuthenticationToken');
    assert.equal(body.error.message, 'Access token has expired or is not yet valid.');
    assert.deepEqual(Object.keys(body.error.innerError).sort(), ['client-request-id', 'date', 'request-id']);
    assert.equal(body.error.innerError['client-request-id'], 'my-id');
    assert.match(body.error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer /);
  });

  it('lists a folder newest first, pages with $top and @odata.nextLink, honours $select and $orderby', async () => {
    const t0 = Date.now() - 3_600_000;
    for (let i = 0; i < 5; i++) graph.addMessage(ALICE, mime(`paging ${i}`, { date: new Date(t0 + i * 60_000) }), 'archive');
    const first = await json<Page>(await call('/me/mailFolders/archive/messages?$top=2&$select=subject,isRead', 'alice-token'));
    assert.deepEqual(first.value.map((m) => m.subject), ['paging 4', 'paging 3']);
    assert.deepEqual(Object.keys(first.value[0]).sort(), ['@odata.etag', 'id', 'isRead', 'subject']);
    const seen = [...first.value];
    let next = first['@odata.nextLink'];
    while (next) {
      const page = await json<Page>(await call(next, 'alice-token'));
      seen.push(...page.value);
      next = page['@odata.nextLink'];
    }
    assert.deepEqual(seen.map((m) => m.subject), ['paging 4', 'paging 3', 'paging 2', 'paging 1', 'paging 0']);
    const asc = await json<Page>(await call(`/users/${ALICE}/mailFolders/archive/messages?$orderby=receivedDateTime asc&$top=1`, 'alice-token'));
    assert.equal(asc.value[0].subject, 'paging 0');
    assert.match(String(asc.value[0].receivedDateTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('GET a message, its MIME ($value), PATCH isRead, $filter=isRead eq false', async () => {
    const id = graph.addMessage(ALICE, mime('read me', { body: 'Hello there' }));
    const msg = await json<Record<string, unknown>>(await call(`/me/messages/${id}`, 'alice-token'));
    assert.equal(msg.subject, 'read me');
    assert.deepEqual(msg.from, { emailAddress: { name: 'Customer', address: 'customer@example.org' } });
    assert.equal(msg.isRead, false);
    const raw = await call(`/me/messages/${id}/$value`, 'alice-token');
    assert.equal(raw.status, 200);
    assert.match(await raw.text(), /^From: Customer <customer@example\.org>\r\n[\s\S]*Hello there/);
    const unread = await json<Page>(await call(`/me/mailFolders/inbox/messages?$filter=isRead eq false&$top=100`, 'alice-token'));
    assert.ok(unread.value.some((m) => m.id === id));
    const patched = await call(`/me/messages/${id}`, 'alice-token', {
      method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ isRead: true }),
    });
    assert.equal(patched.status, 200);
    assert.equal((await json<Record<string, unknown>>(patched)).isRead, true);
    assert.equal(graph.messages(ALICE).find((m) => m.id === id)?.isRead, true);
    const unread2 = await json<Page>(await call(`/me/mailFolders/inbox/messages?$filter=isRead eq false&$top=100`, 'alice-token'));
    assert.ok(!unread2.value.some((m) => m.id === id));
  });

  it('finds a folder by displayName, moves a message there (201, new id), deletes one (204)', async () => {
    graph.addFolder(ALICE, 'Processed');
    const id = graph.addMessage(ALICE, mime('to move'));
    const folders = await json<Page>(await call(`/me/mailFolders?$filter=displayName eq 'Processed'`, 'alice-token'));
    assert.equal(folders.value.length, 1);
    const dest = String(folders.value[0].id);
    const single = await json<Record<string, unknown>>(await call(`/me/mailFolders/${dest}`, 'alice-token'));
    assert.equal(single.displayName, 'Processed');
    const moved = await call(`/me/messages/${id}/move`, 'alice-token', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ destinationId: dest }),
    });
    assert.equal(moved.status, 201);
    const movedMsg = await json<Record<string, unknown>>(moved);
    assert.notEqual(movedMsg.id, id);
    assert.equal(movedMsg.parentFolderId, dest);
    const gone = await call(`/me/messages/${id}`, 'alice-token');
    assert.equal(gone.status, 404);
    assert.equal((await json<GraphErrorBody>(gone)).error.code, 'ErrorItemNotFound');
    assert.deepEqual(graph.messages(ALICE, 'Processed').map((m) => m.subject), ['to move']);
    assert.equal((await call(`/me/messages/${String(movedMsg.id)}`, 'alice-token', { method: 'DELETE' })).status, 204);
    assert.deepEqual(graph.messages(ALICE, 'Processed'), []);
    const moveToJunk = graph.addMessage(ALICE, mime('spam'));
    const r = await call(`/me/messages/${moveToJunk}/move`, 'alice-token', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ destinationId: 'junkemail' }),
    });
    assert.equal(r.status, 201);
    assert.equal(graph.messages(ALICE, 'junkemail').length, 1);
  });

  it('delta: pages with nextLink, ends with a deltaLink that later returns only changes and @removed', async () => {
    const box = 'delta@example.test';
    tokens['delta-token'] = { active: true, email: box };
    const ids = [0, 1, 2].map((i) => graph.addMessage(box, mime(`delta ${i}`, { to: box })));
    const headers = { prefer: 'odata.maxpagesize=2' };
    const p1 = await json<Page>(await call('/me/mailFolders/inbox/messages/delta?$select=subject,isRead', 'delta-token', { headers }));
    assert.equal(p1.value.length, 2);
    assert.ok(p1['@odata.nextLink'] && !p1['@odata.deltaLink']);
    const p2 = await json<Page>(await call(p1['@odata.nextLink']!, 'delta-token', { headers }));
    assert.equal(p2.value.length, 1);
    const deltaLink = p2['@odata.deltaLink'];
    assert.ok(deltaLink && !p2['@odata.nextLink']);
    assert.deepEqual([...p1.value, ...p2.value].map((m) => m.id).sort(), [...ids].sort());
    const none = await json<Page>(await call(deltaLink!, 'delta-token'));
    assert.deepEqual(none.value, []);

    const added = graph.addMessage(box, mime('delta new', { to: box }));
    await call(`/me/messages/${ids[0]}`, 'delta-token', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"isRead":true}' });
    await call(`/me/messages/${ids[1]}`, 'delta-token', { method: 'DELETE' });
    const changes = await json<Page>(await call(deltaLink!, 'delta-token'));
    const byId = new Map(changes.value.map((m) => [m.id, m]));
    assert.equal(changes.value.length, 3);
    assert.equal(byId.get(added)?.subject, 'delta new');
    assert.equal(byId.get(ids[0])?.isRead, true);
    assert.deepEqual(byId.get(ids[1])?.['@removed'], { reason: 'deleted' });
    assert.deepEqual(Object.keys(byId.get(added)!).sort(), ['@odata.etag', 'id', 'isRead', 'subject'], '$select carried in the link');
    assert.ok(changes['@odata.deltaLink']);
  });

  it('delta: messages marked read while the client pages move nothing under it: every message comes once in the round', async () => {
    const box = 'paging@example.test';
    tokens['paging-token'] = { active: true, email: box };
    const ids = Array.from({ length: 7 }, (_, i) => graph.addMessage(box, mime(`paging ${i}`, { to: box })));
    const headers = { prefer: 'odata.maxpagesize=3' };
    const seen: string[] = [];
    let page = await json<Page>(await call('/me/mailFolders/inbox/messages/delta?$select=id', 'paging-token', { headers }));
    for (;;) {
      for (const m of page.value) {
        seen.push(m.id as string);
        // what a client does with each message it took: a new version for it, in the next round
        await call(`/me/messages/${m.id}`, 'paging-token', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"isRead":true}' });
      }
      if (!page['@odata.nextLink']) break;
      page = await json<Page>(await call(page['@odata.nextLink'], 'paging-token', { headers }));
    }
    assert.deepEqual(seen, ids, 'all seven, once each, in order');
    const next = await json<Page>(await call(page['@odata.deltaLink']!, 'paging-token', { headers: { prefer: 'odata.maxpagesize=10' } }));
    assert.deepEqual(next.value.map((m) => m.id), ids, 'the next round reports them as changed (read)');
  });

  it('sendMail with JSON: 202 and nothing in the body; saved to Sent Items unless saveToSentItems is false', async () => {
    const before = graph.messages(ALICE, 'sentitems').length;
    const r = await call('/me/sendMail', 'alice-token', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        message: {
          subject: 'Re: ticket #42', body: { contentType: 'Text', content: 'We are on it.' },
          toRecipients: [{ emailAddress: { address: 'customer@example.org', name: 'Customer' } }],
          ccRecipients: [{ emailAddress: { address: 'boss@example.org' } }],
        },
      }),
    });
    assert.equal(r.status, 202);
    assert.equal(await r.text(), '');
    const s = graph.sent.at(-1)!;
    assert.equal(s.format, 'json');
    assert.equal(s.mailbox, ALICE);
    assert.equal(s.subject, 'Re: ticket #42');
    assert.deepEqual(s.to, [{ name: 'Customer', address: 'customer@example.org' }]);
    assert.deepEqual(s.cc.map((a) => a.address), ['boss@example.org']);
    assert.equal(s.body, 'We are on it.');
    assert.equal(graph.messages(ALICE, 'sentitems').length, before + 1);
    const r2 = await call('/me/sendMail', 'alice-token', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: { subject: 'x', toRecipients: [{ emailAddress: { address: 'a@example.org' } }] }, saveToSentItems: 'false' }),
    });
    assert.equal(r2.status, 202);
    assert.equal(graph.messages(ALICE, 'sentitems').length, before + 1);
    const empty = await call('/me/sendMail', 'alice-token', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: { subject: 'nobody' } }),
    });
    assert.equal(empty.status, 400);
    assert.equal((await json<GraphErrorBody>(empty)).error.code, 'ErrorInvalidRecipients');
  });

  it('sendMail with MIME: text/plain base64 body, 202; malformed base64 is ErrorMimeContentInvalidBase64String', async () => {
    const raw = mime('MIME reply', { from: ALICE, to: 'customer@example.org', body: 'Sent as MIME' });
    const r = await call('/me/sendMail', 'alice-token', {
      method: 'POST', headers: { 'content-type': 'text/plain' }, body: Buffer.from(raw).toString('base64'),
    });
    assert.equal(r.status, 202);
    const s = graph.sent.at(-1)!;
    assert.equal(s.format, 'mime');
    assert.equal(s.subject, 'MIME reply');
    assert.deepEqual(s.to.map((a) => a.address), ['customer@example.org']);
    assert.equal(s.mime, raw);
    const bad = await call('/me/sendMail', 'alice-token', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: raw });
    assert.equal(bad.status, 400);
    const body = await json<GraphErrorBody>(bad);
    assert.equal(body.error.code, 'ErrorMimeContentInvalidBase64String');
    assert.equal(body.error.message, 'Invalid base64 string for MIME content.');
  });

  it('403 ErrorAccessDenied for another user\'s mailbox; a delegate may open the shared one', async () => {
    graph.addMessage(SHARED, mime('shared one', { to: SHARED }));
    const denied = await call(`/users/${ALICE}/messages`, 'bob-token');
    assert.equal(denied.status, 403);
    const body = await json<GraphErrorBody>(denied);
    assert.equal(body.error.code, 'ErrorAccessDenied');
    assert.equal(body.error.message, 'Access is denied. Check credentials and try again.');
    assert.equal((await call(`/users/${SHARED}/mailFolders/inbox/messages`, 'alice-token')).status, 403);
    const ok = await json<Page>(await call(`/users/${SHARED}/mailFolders/inbox/messages`, 'bob-token'));
    assert.deepEqual(ok.value.map((m) => m.subject), ['shared one']);
    const sendAsShared = await call(`/users/${SHARED}/sendMail`, 'bob-token', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: { subject: 'from support', toRecipients: [{ emailAddress: { address: 'c@example.org' } }] } }),
    });
    assert.equal(sendAsShared.status, 202);
    assert.equal(graph.sent.at(-1)?.mailbox, SHARED);
  });

  it('app-only tokens open any existing mailbox, not /me; unknown mailboxes are ErrorInvalidUser', async () => {
    assert.equal((await call(`/users/${SHARED}/mailFolders/inbox/messages`, 'app-token')).status, 200);
    const me = await call('/me/messages', 'app-token');
    assert.equal(me.status, 400);
    assert.match((await json<GraphErrorBody>(me)).error.message, /only valid with delegated authentication flow/);
    const unknown = await call('/users/nobody@example.test/messages', 'app-token');
    assert.equal(unknown.status, 404);
    assert.equal((await json<GraphErrorBody>(unknown)).error.code, 'ErrorInvalidUser');
  });

  it('throttleNext answers 429 TooManyRequests with Retry-After, then serves again', async () => {
    graph.throttleNext(2, 7);
    for (let i = 0; i < 2; i++) {
      const r = await call('/me/mailFolders/inbox/messages', 'alice-token');
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '7');
      assert.equal((await json<GraphErrorBody>(r)).error.code, 'TooManyRequests');
    }
    assert.equal((await call('/me/mailFolders/inbox/messages', 'alice-token')).status, 200);
    graph.failNext(503);
    const r = await call('/me/mailFolders/inbox/messages', 'alice-token');
    assert.equal(r.status, 503);
    assert.equal((await json<GraphErrorBody>(r)).error.code, 'serviceNotAvailable');
    assert.deepEqual(graph.requests.slice(-4).map((x) => x.status), [429, 429, 200, 503]);
  });

  describe('with the Microsoft identity stand-in verifying bearers', () => {
    let ms: MicrosoftIdentityServer;
    let g2: GraphServer;
    before(async () => {
      ms = await startMicrosoftIdentity({ clients: [{ clientId: 'daemon', clientSecret: 'daemon-secret' }] });
      g2 = await startGraphServer({ verifyToken: ms.introspect, mailboxes: [SHARED] });
      g2.addMessage(SHARED, mime('via real token', { to: SHARED }));
    });
    after(async () => { await g2?.stop(); await ms?.stop(); });

    it('an app-only token from client credentials reads the shared mailbox until it expires', async () => {
      const t = (await (await fetch(ms.tokenEndpoint(), {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'daemon', client_secret: 'daemon-secret', scope: 'https://graph.microsoft.com/.default' }),
      })).json()) as { access_token: string };
      const r = await fetch(`${g2.url}/v1.0/users/${SHARED}/mailFolders/inbox/messages`, { headers: { authorization: `Bearer ${t.access_token}` } });
      assert.equal(r.status, 200);
      assert.deepEqual((await json<Page>(r)).value.map((m) => m.subject), ['via real token']);
      ms.expireAccessTokens();
      const expired = await fetch(`${g2.url}/v1.0/users/${SHARED}/mailFolders/inbox/messages`, { headers: { authorization: `Bearer ${t.access_token}` } });
      assert.equal(expired.status, 401);
      assert.equal((await json<GraphErrorBody>(expired)).error.code, 'InvalidAuthenticationToken');
    });
  });
});
