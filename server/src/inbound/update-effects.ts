import type { Core } from '@strapi/strapi';

import type { InboundAccountRow } from './account-row';
import { identityOf } from './create-source';
import { sourceEnvironment } from './environment';

/** Changing any of these points the account at another mailbox: its confirmation no longer holds. */
export const CONNECTION_FIELDS = ['type', 'host', 'port', 'certificateValidation', 'trustedCertificate', 'allowInsecureAuth', 'login', 'mailbox', 'authentication', 'oauthToken', 'password', 'folder', 'moveTo', 'actionAfterFetch'] as const;

/**
 * What an update writes besides the fields it is given (`fields`, by name): a connection field
 * takes the confirmation away, and another server, mailbox or folder the fetch cursors, which
 * mean nothing there. The admin API and the YAML import update through this.
 */
export function inboundUpdateEffects(strapi: Core.Strapi, stored: InboundAccountRow, data: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const effects: Record<string, unknown> = {};
  if (CONNECTION_FIELDS.some((f) => fields.includes(f))) Object.assign(effects, { confirmed: false, confirmedAt: null });
  const env = sourceEnvironment(strapi);
  if (identityOf({ ...stored, ...data } as InboundAccountRow, env) !== identityOf(stored, env)) {
    Object.assign(effects, { imapUidValidity: null, imapLastUid: null, syncCursor: null });
  }
  return effects;
}
