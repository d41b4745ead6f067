import type { Core } from '@strapi/strapi';

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
