import schema from '../content-types/inbound-account/schema.json';
import { TYPE_INFO, type AccountType } from '../inbound/account-types';
import type { InboundAccountRow } from '../inbound/account-row';
import { sourceEnvironment } from '../inbound/environment';
import { inboundUpdateEffects } from '../inbound/update-effects';
import { INBOUND_ACCOUNT_UID } from '../shared/content-type-uids';
import { INBOUND_PASSWORD_FIELD } from '../shared/secret-fields';
import { inboundDestinationChanges } from '../validation/destination';
import { checkInboundAccountRules, createInboundAccountSchema, type AccountForRules } from '../validation/inbound-account-input';
import { accountKind } from './account-kind';

/** Inbound mail accounts as document entries: `Kind: InboundAccount` (docs/transfer.md). */

/** The Config keys, in this order: the fields of the admin API in CamelCase (OAuth2Token: the token's name). */
const FIELDS = [
  'type', 'host', 'port', 'certificateValidation', 'trustedCertificate', 'allowInsecureAuth',
  'login', 'mailbox', 'authentication', 'oauthToken', 'password',
  'folder', 'actionAfterFetch', 'moveTo', 'idle', 'pollInterval', 'maxMessagesPerPoll',
  'queue', 'trusted', 'scope', 'application', 'active', 'description',
];

export const inboundAccountKind = accountKind({
  kind: 'InboundAccount',
  order: 10,
  label: 'inbound account',
  uid: INBOUND_ACCOUNT_UID,
  subject: 'inbound-account',
  passwordField: INBOUND_PASSWORD_FIELD,
  fields: FIELDS,
  inputSchema: createInboundAccountSchema,
  attributes: schema.attributes,
  adjust(config, given) {
    const info = TYPE_INFO[config.type as AccountType];
    return {
      ...config,
      // As the account service stores them: the token only with OAuth 2.0, no folder for POP3, the type's own action.
      oauthToken: config.authentication === 'oauth2' ? config.oauthToken : null,
      folder: info.folders ? config.folder || 'INBOX' : null,
      actionAfterFetch: (given.actionAfterFetch as string | null | undefined) ?? info.defaultAction,
      // IDLE is IMAP's (the column's default is true on every row): other types neither write nor read it
      idle: info.protocol === 'imap' ? config.idle : null,
    };
  },
  rules: (config, { hasPassword, token }) =>
    checkInboundAccountRules({ ...(config as Partial<AccountForRules>), hasPassword, token: token && { id: 0, grantType: token.grantType } }),
  updateEffects: (strapi, stored, data, fields) => inboundUpdateEffects(strapi, stored as unknown as InboundAccountRow, data, fields),
  destinationChanges: (strapi, stored, config) =>
    inboundDestinationChanges(stored as unknown as InboundAccountRow, config as unknown as InboundAccountRow, sourceEnvironment(strapi)),
});
