/**
 * The field names bound into the accounts' sealed passwords (services/secrets.ts): a value
 * sealed for one field does not open as another's.
 */
export const INBOUND_PASSWORD_FIELD = 'inbound-account.password';
export const OUTBOUND_PASSWORD_FIELD = 'outbound-account.password';
