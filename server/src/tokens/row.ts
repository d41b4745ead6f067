import type { TokenFields } from '../validation/token-input';

export type TokenStatus = 'not-authorized' | 'valid' | 'expired' | 'reauthorization-required' | 'refresh-interrupted' | 'error' | 'inactive';

/** The statuses in which only a person can make the token usable again (Generate tokens). */
export const NEEDS_AUTHORIZATION: readonly TokenStatus[] = ['reauthorization-required', 'refresh-interrupted'];

/** A token row as stored (secrets encrypted). */
export interface TokenRow extends Partial<TokenFields> {
  id: number;
  /** Strapi's document id: the row each secret is bound to (services/secrets.ts). */
  documentId?: string;
  name: string;
  template: string;
  grantType: 'authorization_code' | 'client_credentials';
  clientId: string;
  status: Exclude<TokenStatus, 'inactive'>;
  accessToken?: string | null;
  accessTokenExpiresAt?: string | Date | null;
  refreshToken?: string | null;
  refreshTokenExpiresAt?: string | Date | null;
  grantedBy?: string | null;
  grantedScope?: string | null;
  grantedAt?: string | Date | null;
  lastRefreshAt?: string | Date | null;
  lastError?: { code: string; message: string; advice?: string; at: string } | null;
  failureCount?: number | null;
  nextAttemptAt?: string | Date | null;
  /** The lease owner that sent a refresh whose answer is not stored yet (see tokens/lease.ts). */
  refreshSentBy?: string | null;
  refreshSentAt?: string | Date | null;
  createdAt?: string | Date;
  updatedAt?: string | Date;
}

/** The grant's secrets: issued by one server, meaningless (and not to be sent) anywhere else. */
export const GRANT_SECRETS = ['accessToken', 'refreshToken'] as const;

/** What a token's fields are after its issuer or endpoints changed: no grant, to be authorized again. */
export const DROPPED_GRANT = {
  accessToken: null, accessTokenExpiresAt: null, refreshToken: null, refreshTokenExpiresAt: null,
  grantedBy: null, grantedScope: null, grantedAt: null, status: 'not-authorized', lastError: null, failureCount: 0, nextAttemptAt: null,
} as const;

/** A stored date as milliseconds (undefined when there is none). */
export const time = (v: string | Date | null | undefined) => (v ? new Date(v).getTime() : undefined);

/** Whether the stored access token stays valid for longer than `marginSeconds`. */
export const isUsable = (row: TokenRow, marginSeconds: number) =>
  Boolean(row.accessToken) && (time(row.accessTokenExpiresAt) ?? Infinity) - Date.now() > marginSeconds * 1000;
