import assert from 'node:assert/strict';
import type { Core } from '@strapi/strapi';

import type { FixtureMessage } from '../fixtures/messages';

import type { AdminClient } from './admin';

export const ACCOUNT_UID = 'plugin::mail-auth.inbound-account';
export const MESSAGE_UID = 'plugin::mail-auth.message';
export const RECEIPT_UID = 'plugin::mail-auth.inbound-receipt';

/** Creates an inbound account through the admin API and returns its view (throws unless 201). */
export async function createAccount(admin: AdminClient, body: Record<string, unknown>) {
  const res = await admin.post('/mail-auth/inbound-accounts', { pollInterval: 300, ...body });
  if (res.status !== 201) throw new Error(`POST /inbound-accounts ${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: number; name: string; [k: string]: any };
}

/** POST /inbound-accounts/:id/fetch. */
export async function fetchNow(admin: AdminClient, id: number) {
  const res = await admin.post(`/mail-auth/inbound-accounts/${id}/fetch`);
  if (res.status !== 200) throw new Error(`fetch ${id}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { fetched: number; skipped: number; errors: { code: string; message: string; advice: string | null }[] };
}

/** The stored messages of an account, oldest first. */
export async function storedMessages(strapi: Core.Strapi, accountName: string) {
  return (await strapi.db.query(MESSAGE_UID).findMany({ where: { accountName }, orderBy: { id: 'asc' } })) as any[];
}

/** A generic OAuth2 token pointing at the test OAuth server (authorized separately). */
export const genericTokenBody = (name: string, op: { issuer: string; authorizationEndpoint: string; tokenEndpoint: string }, clientId: string, secret: string, loginHint = 'alice@example.test') => ({
  name,
  template: 'generic',
  clientId,
  clientSecret: secret,
  clientAuthMethod: 'client_secret_post',
  issuer: op.issuer,
  authorizationEndpoint: op.authorizationEndpoint,
  tokenEndpoint: op.tokenEndpoint,
  scope: 'openid email offline_access mail',
  extraAuthorizationParams: { login_hint: loginHint },
});

/** Checks a stored `message` entry against what a correct parse of the fixture says. */
export function assertParsedLike(
  stored: any,
  expected: FixtureMessage['expect'],
  options: { trusted?: boolean } = {}
) {
  const where = `message "${expected.subject}"`;
  assert.equal(stored.subject, expected.subject, where);
  assert.equal(stored.fromAddress, expected.from.address, where);
  assert.equal(stored.from, `${expected.from.name} <${expected.from.address}>`, where);
  assert.deepEqual(stored.to.map((a: { address: string }) => a.address), expected.to, where);
  if (expected.cc) assert.deepEqual(stored.cc.map((a: { address: string }) => a.address), expected.cc, where);
  if (expected.text) assert.match(stored.text ?? '', expected.text, where);
  if (expected.html) assert.match(stored.html ?? '', expected.html, where);
  if (expected.attachments) {
    assert.equal(stored.attachments.length, expected.attachments.length, where);
    expected.attachments.forEach((a, i) => {
      const got = stored.attachments[i];
      assert.equal(got.contentType, a.contentType, where);
      assert.equal(got.size, a.size, `${where}: decoded size of ${a.contentType}`);
      assert.match(got.checksum, /^[0-9a-f]{64}$/);
      if (a.filename) assert.equal(got.filename, a.filename, where);
    });
  } else {
    assert.deepEqual(stored.attachments, [], where);
  }
  if (expected.xHeaders) {
    if (options.trusted) for (const [k, v] of Object.entries(expected.xHeaders)) assert.equal(stored.xHeaders?.[k], v, `${where}: ${k}`);
    else assert.equal(stored.xHeaders, null, `${where}: X- headers of an untrusted account are not kept`);
  }
  assert.ok(stored.rawSize > 0, where);
  assert.ok(stored.messageId?.startsWith('<'), where);
}

/**
 * An OAuth2 token for `loginHint` at the test OAuth server, authorized through the plugin's
 * real code flow (Generate tokens). Returns its id.
 */
export async function authorizedToken(
  admin: AdminClient,
  appUrl: string,
  op: { issuer: string; authorizationEndpoint: string; tokenEndpoint: string; addClient(c: Record<string, unknown>): Promise<void> },
  name: string,
  loginHint: string,
  options: { accessTokenTtl?: number } = {}
): Promise<number> {
  const { generateTokens } = await import('./tokens');
  const clientId = `client-${name}`;
  await op.addClient({
    clientId,
    clientSecret: 'inbound-secret',
    redirectUris: [`${appUrl}/mail-auth/oauth/callback`],
    grantTypes: ['authorization_code', 'refresh_token'],
    tokenEndpointAuthMethod: 'client_secret_post',
    accessTokenTtl: options.accessTokenTtl,
  });
  const created = await admin.post('/mail-auth/tokens', genericTokenBody(name, op, clientId, 'inbound-secret', loginHint));
  if (created.status !== 201) throw new Error(`token ${name}: ${created.status} ${JSON.stringify(created.body)}`);
  const flow = await generateTokens(admin, created.body.id);
  if (flow.status !== 200) throw new Error(`Generate tokens for ${name}: ${flow.status} ${flow.html.slice(0, 300)}`);
  return created.body.id;
}

/** Flags of every message in a folder, read with a client of the test's own. */
export async function imapFlags(server: { host: string; ports: { imap: number } }, user: string, pass: string, folder: string) {
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({ host: server.host, port: server.ports.imap, secure: false, doSTARTTLS: false, logger: false, auth: { user, pass } });
  client.on('error', () => {});
  await client.connect();
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      const out: { uid: number; subject: string; seen: boolean }[] = [];
      if (client.mailbox === false || !client.mailbox.exists) return out;
      for await (const m of client.fetch('1:*', { uid: true, flags: true, envelope: true })) {
        out.push({ uid: m.uid, subject: m.envelope?.subject ?? '', seen: m.flags?.has('\\Seen') ?? false });
      }
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => {});
  }
}

/** A client of the test's own that APPENDs messages over IMAP, as another mail client (or a delivery agent speaking IMAP) does. */
export async function imapAppender(server: { host: string; ports: { imap: number } }, user: string, pass: string) {
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({ host: server.host, port: server.ports.imap, secure: false, doSTARTTLS: false, logger: false, disableAutoIdle: true, auth: { user, pass } });
  client.on('error', () => {});
  await client.connect();
  return {
    async append(folder: string, raw: string | Buffer) {
      if (!(await client.append(folder, raw))) throw new Error(`APPEND to ${folder} failed`);
    },
    close: () => client.logout().catch(() => {}),
  };
}
