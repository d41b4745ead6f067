import type { TokenFields } from '../validation/token-input';

export type TokenStatus = 'not-authorized' | 'valid' | 'expired' | 'reauthorization-required' | 'refresh-interrupted' | 'error' | 'inactive';

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
  /** The lease owner that sent a refresh whose answer is not stored yet (see sentMark in services/tokens.ts). */
  refreshSentBy?: string | null;
  refreshSentAt?: string | Date | null;
  createdAt?: string | Date;
  updatedAt?: string | Date;
}

/** What a token's fields are after its issuer or endpoints changed: no grant, to be authorized again. */
export const DROPPED_GRANT = {
  accessToken: null, accessTokenExpiresAt: null, refreshToken: null, refreshTokenExpiresAt: null,
  grantedBy: null, grantedScope: null, grantedAt: null, status: 'not-authorized', lastError: null, failureCount: 0, nextAttemptAt: null,
} as const;
