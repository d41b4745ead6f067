import type { OutboundAccountFields } from '../validation/outbound-account-input';

/** Changing any of these means the account has to be tested again before it counts as confirmed. */
const CONNECTION_FIELDS: (keyof OutboundAccountFields)[] = [
  'type', 'host', 'port', 'security', 'verifyCertificate', 'trustedCertificate', 'allowInsecureAuth', 'domain',
  'useAuthentication', 'authentication', 'username', 'password', 'oauthToken', 'fromAddress',
];

/**
 * What an update changing `fields` (by name) writes besides them: a connection field takes the
 * confirmation away. The admin API and the YAML import update through this.
 */
export const outboundUpdateEffects = (fields: readonly string[]): Record<string, unknown> =>
  CONNECTION_FIELDS.some((f) => fields.includes(f)) ? { confirmed: false, confirmedAt: null } : {};
