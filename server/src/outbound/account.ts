import type { OutboundType, SmtpSecurity } from './presets';

/** An outbound account as stored (password encrypted; the token relation populated when asked for). */
export interface OutboundAccountRow {
  id: number;
  name: string;
  description?: string | null;
  active?: boolean | null;
  type: OutboundType;
  host?: string | null;
  port?: number | null;
  security?: SmtpSecurity | null;
  verifyCertificate?: boolean | null;
  /** Strapi's document id: the row the password is bound to. */
  documentId?: string;
  allowInsecureAuth?: boolean | null;
  trustedCertificate?: string | null;
  domain?: string | null;
  useAuthentication?: boolean | null;
  authentication?: 'password' | 'oauth2' | null;
  username?: string | null;
  password?: string | null;
  oauthToken?: { id: number; name: string; template: string; status: string; active?: boolean | null; grantedBy?: string | null } | number | null;
  fromAddress: string;
  fromName?: string | null;
  sharedMailbox?: boolean | null;
  usage?: 'organization' | 'application' | null;
  applicationName?: string | null;
  confirmed?: boolean | null;
  confirmedAt?: string | Date | null;
  lastError?: AccountError | null;
  lastSentAt?: string | Date | null;
  createdAt?: string | Date;
  updatedAt?: string | Date;
}

export interface AccountError {
  code: string;
  reason?: string;
  message: string;
  advice?: string | null;
  at: string;
}

export const tokenIdOf = (row: OutboundAccountRow): number | undefined =>
  row.oauthToken == null ? undefined : typeof row.oauthToken === 'number' ? row.oauthToken : row.oauthToken.id;

/** How the account logs in, resolved from type, useAuthentication and authentication. */
export const authKindOf = (row: OutboundAccountRow): 'none' | 'password' | 'oauth2' =>
  row.type !== 'smtp' ? 'oauth2' : row.useAuthentication === false ? 'none' : (row.authentication ?? 'password');
