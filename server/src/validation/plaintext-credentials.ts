import { isLoopbackHost } from '../net/loopback';
import type { FieldError } from '../errors';

/**
 * Credentials never cross a network in clear text by default: a password (or a bearer token)
 * over plain IMAP, POP3 or SMTP can be read by anyone on the way. Allowed towards this machine
 * (loopback, where there is no way), or when the account says so explicitly
 * (`allowInsecureAuth`, for a legacy server on a network the admin trusts).
 */
export function plaintextCredentialsError(
  field: string,
  a: { plaintext: boolean; sendsCredentials: boolean; host?: string | null; allowInsecureAuth?: boolean | null },
  remedy: string
): FieldError | undefined {
  if (!a.plaintext || !a.sendsCredentials || a.allowInsecureAuth || !a.host || isLoopbackHost(a.host)) return undefined;
  return {
    path: [field],
    message: `sends the credentials unencrypted to ${a.host}: ${remedy}, or set allowInsecureAuth to accept that (only on a network you trust)`,
  };
}
