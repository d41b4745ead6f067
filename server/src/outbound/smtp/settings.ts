import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';

import { contextTrusting } from '../../tls/trusted-context';
import type { SmtpSecurity } from '../presets';

/** What the SMTP sink needs of an account, secrets already opened. */
export interface SmtpSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  verifyCertificate: boolean;
  /** PEM certificates to trust besides the public roots (a private CA, a self-signed server). */
  trustedCertificate?: string | null;
  /** The EHLO/HELO name; the machine's host name when unset. */
  domain?: string | null;
  timeoutMs: number;
}

/** Options for tls.connect, for implicit TLS and STARTTLS alike. */
export function tlsOptions(settings: SmtpSettings): ConnectionOptions {
  return {
    // SNI and the name check need a host name; an IP is checked against the certificate's IP entries.
    servername: isIP(settings.host) ? undefined : settings.host,
    rejectUnauthorized: settings.verifyCertificate,
    minVersion: 'TLSv1.2',
    ...(settings.trustedCertificate ? { secureContext: contextTrusting(settings.trustedCertificate) } : {}),
  };
}
