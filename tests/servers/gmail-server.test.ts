import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGmailServer, type GmailServer, type GmailTokenInfo } from './gmail-server';
import { startGoogleIdentity, type GoogleIdentityServer } from './google-identity';
import { followAuthorization } from './headless';

const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';

const mime = (subject: string, opts: { from?: string; to?: string; date?: Date; body?: string; inReplyTo?: string } = {}) =>
  `From: Customer <${opts.from ?? 'customer@example.org'}>\r\nTo: ${opts.to ?? ALICE}\r\nSubject: ${subject}\r\n`
  + `Date: ${(opts.date ?? new Date()).toUTCString()}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.org>\r\n`
  + (opts.inReplyTo ? `In-Reply-To: ${opts.inReplyTo}\r\n` : '')
  + `Content-Type: text/plain; charset=utf-8\r\n\r\n${opts.body ?? `Body of ${subject}`}\r\n`;

interface GoogleErrorBody { error: { code: number; message: string; errors: Record<string, string>[]; status: string } }
interface ListAnswer { messages?: { id: string; threadId: string }[]; nextPageToken?: string; resultSizeEstimate: number }

describe('Gmail API stand-in', () => {
  let gmail: GmailServer;
  const tokens: Record<string, GmailTokenInfo> = {
    'alice-token': { active: true, email: ALICE },
    'bob-token': { active: true, email: BOB },
    'expired-token': { active: false },
  };
  const call = (path: string, token: string | undefined, init: RequestInit = {}) =>
    fetch(`${gmail.url}${path.startsWith('/upload') ? '' : '/gmail/v1/users'}${path}`, {
      ...init,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string> | undefined) },
    });
  const json = async <T>(r: Response) => (await r.json()) as T;
  const postJson = (path: string, token: string, body: unknown) =>
    call(path, token, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  before(async () => {
    gmail = await startGmailServer({ verifyToken: (t) => tokens[t] ?? { active: false } });
  });
  after(() => gmail?.stop());

  it('401 in Google\'s shape: missing credentials (required) and invalid ones (authError)', async () => {
    const none = await call('/me/messages', undefined);
    assert.equal(none.status, 401);
    const b1 = await json<GoogleErrorBody>(none);
    assert.equal(b1.error.status, 'UNAUTHENTICATED');
    assert.equal(b1.error.errors[0].reason, 'required');
    const r = await call('/me/messages', 'expired-token');
    assert.equal(r.status, 401);
    const body = await json<GoogleErrorBody>(r);
    assert.deepEqual(body, {
      error: {
        code: 401,
        message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
        errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
        status: 'UNAUTHENTICATED',
      },
    });
    assert.match(r.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });

  it('lists newest first with maxResults/nextPageToken, labelIds and q; only id and threadId per message', async () => {
    const t0 = Date.now() - 3_600_000;
    const ids = [0, 1, 2, 3, 4].map((i) => gmail.addMessage(BOB, mime(`list ${i}`, { to: BOB, date: new Date(t0 + i * 60_000), from: i === 2 ? 'vip@example.org' : undefined })));
    const first = await json<ListAnswer>(await call('/me/messages?maxResults=2', 'bob-token'));
    assert.deepEqual(first.messages, [{ id: ids[4], threadId: ids[4] }, { id: ids[3], threadId: ids[3] }]);
    assert.equal(first.resultSizeEstimate, 5);
    const seen = [...first.messages!];
    let token = first.nextPageToken;
    while (token) {
      const page = await json<ListAnswer>(await call(`/me/messages?maxResults=2&pageToken=${token}`, 'bob-token'));
      seen.push(...(page.messages ?? []));
      token = page.nextPageToken;
    }
    assert.deepEqual(seen.map((m) => m.id), [...ids].reverse());
    const vip = await json<ListAnswer>(await call(`/${BOB}/messages?q=${encodeURIComponent('from:vip@example.org is:unread')}`, 'bob-token'));
    assert.deepEqual(vip.messages?.map((m) => m.id), [ids[2]]);
    const none = await json<ListAnswer>(await call(`/me/messages?q=${encodeURIComponent('subject:"no such thing"')}`, 'bob-token'));
    assert.deepEqual(none, { resultSizeEstimate: 0 });
    const inbox = await json<ListAnswer>(await call('/me/messages?labelIds=INBOX&labelIds=UNREAD', 'bob-token'));
    assert.equal(inbox.resultSizeEstimate, 5);
  });

  it('get format=raw: base64url raw, labelIds, string historyId; format=metadata has headers', async () => {
    const raw = mime('raw one', { body: 'Ünïcode body' });
    const id = gmail.addMessage(ALICE, raw);
    const m = await json<Record<string, unknown>>(await call(`/me/messages/${id}?format=raw`, 'alice-token'));
    assert.equal(Buffer.from(String(m.raw), 'base64url').toString('utf8'), raw);
    assert.doesNotMatch(String(m.raw), /[+/=]/, 'base64url, unpadded');
    assert.deepEqual(m.labelIds, ['INBOX', 'UNREAD']);
    assert.match(String(m.historyId), /^\d+$/);
    assert.match(String(m.internalDate), /^\d+$/);
    const meta = await json<{ payload: { headers: { name: string; value: string }[] } }>(await call(`/me/messages/${id}?format=metadata`, 'alice-token'));
    assert.equal(meta.payload.headers.find((h) => h.name === 'Subject')?.value, 'raw one');
    const missing = await call('/me/messages/0123456789abcdef', 'alice-token');
    assert.equal(missing.status, 404);
    const body = await json<GoogleErrorBody>(missing);
    assert.equal(body.error.status, 'NOT_FOUND');
    assert.equal(body.error.errors[0].reason, 'notFound');
  });

  it('modify adds and removes labels (mark read, file under a user label); unknown labels are 400', async () => {
    const label = gmail.addLabel(ALICE, 'Helpdesk/Done');
    const id = gmail.addMessage(ALICE, mime('modify me'));
    const r = await postJson(`/me/messages/${id}/modify`, 'alice-token', { addLabelIds: [label], removeLabelIds: ['UNREAD', 'INBOX'] });
    assert.equal(r.status, 200);
    assert.deepEqual((await json<{ labelIds: string[] }>(r)).labelIds, [label]);
    assert.deepEqual(gmail.messages(ALICE, label).map((m) => m.id), [id]);
    const unread = await json<ListAnswer>(await call('/me/messages?q=is:unread', 'alice-token'));
    assert.ok(!unread.messages?.some((m) => m.id === id));
    const bad = await postJson(`/me/messages/${id}/modify`, 'alice-token', { addLabelIds: ['Label_999'] });
    assert.equal(bad.status, 400);
    assert.equal((await json<GoogleErrorBody>(bad)).error.message, 'Invalid label: Label_999');
  });

  it('trash hides a message from the default list; delete removes it (204)', async () => {
    const id = gmail.addMessage(ALICE, mime('to trash'));
    const t = await call(`/me/messages/${id}/trash`, 'alice-token', { method: 'POST' });
    assert.equal(t.status, 200);
    assert.ok((await json<{ labelIds: string[] }>(t)).labelIds.includes('TRASH'));
    const list = await json<ListAnswer>(await call('/me/messages?maxResults=500', 'alice-token'));
    assert.ok(!list.messages?.some((m) => m.id === id));
    const trash = await json<ListAnswer>(await call('/me/messages?labelIds=TRASH', 'alice-token'));
    assert.ok(trash.messages?.some((m) => m.id === id));
    const d = await call(`/me/messages/${id}`, 'alice-token', { method: 'DELETE' });
    assert.equal(d.status, 204);
    assert.equal((await call(`/me/messages/${id}?format=minimal`, 'alice-token')).status, 404);
  });

  it('labels: system labels listed, user labels created, duplicates 409', async () => {
    const labels = await json<{ labels: { id: string; name: string; type: string }[] }>(await call('/me/labels', 'bob-token'));
    assert.ok(labels.labels.some((l) => l.id === 'INBOX' && l.type === 'system'));
    const created = await postJson('/me/labels', 'bob-token', { name: 'Tickets' });
    assert.equal(created.status, 200);
    const label = await json<{ id: string; name: string; type: string }>(created);
    assert.match(label.id, /^Label_\d+$/);
    assert.equal(label.type, 'user');
    const dup = await postJson('/me/labels', 'bob-token', { name: 'tickets' });
    assert.equal(dup.status, 409);
    assert.equal((await json<GoogleErrorBody>(dup)).error.status, 'ALREADY_EXISTS');
  });

  it('send with raw: 200 with id, threadId, labelIds SENT; reply threads; recorded in `sent`', async () => {
    const original = gmail.addMessage(ALICE, mime('Question'));
    const reply = mime('Re: Question', { from: ALICE, to: 'customer@example.org', inReplyTo: '<Question@example.org>', body: 'Answer' });
    const r = await postJson('/me/messages/send', 'alice-token', { raw: Buffer.from(reply).toString('base64url') });
    assert.equal(r.status, 200);
    const answer = await json<{ id: string; threadId: string; labelIds: string[] }>(r);
    assert.deepEqual(answer.labelIds, ['SENT']);
    assert.equal(answer.threadId, original, 'In-Reply-To joins the thread');
    const s = gmail.sent.at(-1)!;
    assert.equal(s.via, 'json');
    assert.equal(s.subject, 'Re: Question');
    assert.deepEqual(s.to.map((a) => a.address), ['customer@example.org']);
    assert.equal(s.raw, reply);
    assert.ok(gmail.messages(ALICE, 'SENT').some((m) => m.id === answer.id));
    const noRaw = await postJson('/me/messages/send', 'alice-token', {});
    assert.equal(noRaw.status, 400);
    assert.equal((await json<GoogleErrorBody>(noRaw)).error.message, "'raw' RFC822 payload message string or uploading message via /upload/* URL required");
    const noTo = await postJson('/me/messages/send', 'alice-token', { raw: Buffer.from('Subject: x\r\n\r\nbody').toString('base64url') });
    assert.equal(noTo.status, 400);
    assert.equal((await json<GoogleErrorBody>(noTo)).error.message, 'Recipient address required');
  });

  it('send through the media upload URL with message/rfc822', async () => {
    const raw = mime('Uploaded', { from: ALICE, to: 'customer@example.org' });
    const r = await call(`/upload/gmail/v1/users/me/messages/send?uploadType=media`, 'alice-token', {
      method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: raw,
    });
    assert.equal(r.status, 200);
    assert.equal(gmail.sent.at(-1)?.via, 'upload');
    assert.equal(gmail.sent.at(-1)?.subject, 'Uploaded');
  });

  it('profile and history: changes after startHistoryId; expired history is 404', async () => {
    const box = 'hist@example.test';
    tokens['hist-token'] = { active: true, email: box };
    const profile = await json<{ emailAddress: string; historyId: string }>(await call('/me/profile', 'hist-token'));
    assert.equal(profile.emailAddress, box);
    const id = gmail.addMessage(box, mime('history', { to: box }));
    await postJson(`/me/messages/${id}/modify`, 'hist-token', { removeLabelIds: ['UNREAD'] });
    const h = await json<{ history: Record<string, unknown>[]; historyId: string }>(await call(`/me/history?startHistoryId=${profile.historyId}`, 'hist-token'));
    assert.deepEqual(h.history.map((x) => Object.keys(x).filter((k) => k !== 'id' && k !== 'messages')[0]), ['messagesAdded', 'labelsRemoved']);
    assert.deepEqual((h.history[1].labelsRemoved as { labelIds: string[] }[])[0].labelIds, ['UNREAD']);
    assert.ok(Number(h.historyId) > Number(profile.historyId));
    const onlyAdded = await json<{ history: unknown[] }>(await call(`/me/history?startHistoryId=${profile.historyId}&historyTypes=messageAdded`, 'hist-token'));
    assert.equal(onlyAdded.history.length, 1);
    gmail.expireHistory(box);
    assert.equal((await call(`/me/history?startHistoryId=${profile.historyId}`, 'hist-token')).status, 404);
  });

  it('403 Delegation denied for someone else\'s mailbox', async () => {
    const r = await call(`/${ALICE}/messages`, 'bob-token');
    assert.equal(r.status, 403);
    const body = await json<GoogleErrorBody>(r);
    assert.equal(body.error.message, `Delegation denied for ${BOB}`);
    assert.equal(body.error.status, 'PERMISSION_DENIED');
  });

  it('throttleNext: 429 RESOURCE_EXHAUSTED rateLimitExceeded with Retry-After; failNext(503)', async () => {
    gmail.throttleNext(1, 3);
    const r = await call('/me/messages', 'alice-token');
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '3');
    const body = await json<GoogleErrorBody>(r);
    assert.equal(body.error.status, 'RESOURCE_EXHAUSTED');
    assert.equal(body.error.errors[0].reason, 'rateLimitExceeded');
    assert.match(body.error.message, /^User-rate limit exceeded\. {2}Retry after \d{4}-/);
    assert.equal((await call('/me/messages', 'alice-token')).status, 200);
    gmail.failNext(503);
    const u = await call('/me/messages', 'alice-token');
    assert.equal(u.status, 503);
    assert.equal((await json<GoogleErrorBody>(u)).error.status, 'UNAVAILABLE');
    assert.deepEqual(gmail.requests.slice(-3).map((x) => x.status), [429, 200, 503]);
  });

  describe('with the Google identity stand-in verifying bearers', () => {
    let g: GoogleIdentityServer;
    let gm: GmailServer;
    const REDIRECT = 'http://127.0.0.1:9/cb';
    before(async () => {
      g = await startGoogleIdentity({ clients: [{ clientId: 'helpdesk', clientSecret: 'hs', redirectUris: [REDIRECT] }] });
      gm = await startGmailServer({ verifyToken: g.introspect });
      gm.addMessage(ALICE, mime('via google token'));
    });
    after(async () => { await gm?.stop(); await g?.stop(); });

    it('a token from the code flow reads the mailbox; after revocation it is 401', async () => {
      const cb = await followAuthorization(`${g.authorizationEndpoint}?client_id=helpdesk&response_type=code&scope=${encodeURIComponent('https://mail.google.com/ email')}&redirect_uri=${encodeURIComponent(REDIRECT)}&access_type=offline&login_hint=${ALICE}`, REDIRECT);
      const t = (await (await fetch(g.tokenEndpoint, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'authorization_code', code: cb.searchParams.get('code')!, client_id: 'helpdesk', client_secret: 'hs', redirect_uri: REDIRECT }),
      })).json()) as { access_token: string };
      const auth = { authorization: `Bearer ${t.access_token}` };
      const list = await fetch(`${gm.url}/gmail/v1/users/me/messages`, { headers: auth });
      assert.equal(list.status, 200);
      assert.equal((await json<ListAnswer>(list)).resultSizeEstimate, 1);
      await fetch(`${g.revocationEndpoint}?token=${t.access_token}`, { method: 'POST' });
      assert.equal((await fetch(`${gm.url}/gmail/v1/users/me/messages`, { headers: auth })).status, 401);
    });
  });
});
