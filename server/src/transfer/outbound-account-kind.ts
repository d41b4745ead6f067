import schema from '../content-types/outbound-account/schema.json';
import { outboundUpdateEffects } from '../outbound/update-effects';
import { OUTBOUND_ACCOUNT_UID } from '../shared/content-type-uids';
import { OUTBOUND_PASSWORD_FIELD } from '../shared/secret-fields';
import { outboundDestinationChanges } from '../validation/destination';
import { checkOutboundAccountRules, createOutboundAccountSchema, withDefaults, type OutboundAccountFields } from '../validation/outbound-account-input';
import { accountKind, type AccountConfig } from './account-kind';

/** Outbound mail accounts as document entries: `Kind: OutboundAccount` (docs/transfer.md). */

/** The Config keys, in this order: the fields of the admin API in CamelCase (OAuth2Token: the token's name). */
const FIELDS = [
  'type', 'host', 'port', 'security', 'verifyCertificate', 'trustedCertificate', 'allowInsecureAuth', 'domain',
  'useAuthentication', 'authentication', 'username', 'oauthToken', 'password',
  'fromAddress', 'fromName', 'sharedMailbox', 'usage', 'applicationName', 'active', 'description',
];

export const outboundAccountKind = accountKind({
  kind: 'OutboundAccount',
  order: 20,
  label: 'outbound account',
  uid: OUTBOUND_ACCOUNT_UID,
  subject: 'outbound-account',
  passwordField: OUTBOUND_PASSWORD_FIELD,
  fields: FIELDS,
  inputSchema: createOutboundAccountSchema,
  attributes: schema.attributes,
  // The port from the security mode, OAuth 2.0 for the REST types: as the account service does.
  adjust: (config) => withDefaults(config as Partial<OutboundAccountFields>) as AccountConfig,
  rules: (config, { hasPassword, token }) =>
    checkOutboundAccountRules({ ...(config as Partial<OutboundAccountFields>), oauthToken: token ? 1 : null, hasPassword, tokenExists: true, tokenTemplate: token?.template ?? null }),
  updateEffects: (_strapi, _stored, _data, fields) => outboundUpdateEffects(fields),
  destinationChanges: (_strapi, stored, config) => outboundDestinationChanges(stored, config),
});
