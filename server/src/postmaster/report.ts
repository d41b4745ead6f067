import type { MailAuthError } from '../errors';

export interface FetchError {
  code: string;
  /** The server's or provider's own code, when it gave one (invalid_grant, ErrorAccessDenied …). */
  providerCode?: string;
  message: string;
  advice: string | null;
}

/** What one fetch of an account did: the answer of `fetch` and of `POST /inbound-accounts/:id/fetch`. */
export interface FetchReport {
  /** Messages handed on in this run. */
  fetched: number;
  /** Messages seen again that had been handed on before. */
  skipped: number;
  errors: FetchError[];
}

export const errorOf = (e: MailAuthError): FetchError => ({
  code: e.code,
  ...(e.providerCode ? { providerCode: e.providerCode } : {}),
  message: e.message,
  advice: e.advice ?? null,
});
