import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';

import { contextTrusting } from '../tls/trusted-context';

/** TLS options for a mail server connection: validation and trusted certificate as the account says. */
export function tlsOptions(settings: { host: string; certificateValidation: boolean; trustedCertificate?: string | null }): ConnectionOptions {
  return {
    rejectUnauthorized: settings.certificateValidation,
    ...(settings.trustedCertificate ? { secureContext: contextTrusting(settings.trustedCertificate) } : {}),
    // SNI takes host names only (RFC 6066); an IP is checked against the certificate's IP SANs.
    servername: isIP(settings.host) ? undefined : settings.host,
    minVersion: 'TLSv1.2',
  };
}
