import { isIP } from 'node:net';
import { rootCertificates, type ConnectionOptions } from 'node:tls';

/** TLS options for a mail server connection: validation as the account says, extra CAs from the config. */
export function tlsOptions(settings: { host: string; certificateValidation: boolean; caCertificates?: string }): ConnectionOptions {
  return {
    rejectUnauthorized: settings.certificateValidation,
    // Node's roots stay trusted: `ca` replaces them unless they are passed along.
    ca: settings.caCertificates ? [...rootCertificates, settings.caCertificates] : undefined,
    // SNI takes host names only (RFC 6066); an IP is checked against the certificate's IP SANs.
    servername: isIP(settings.host) ? undefined : settings.host,
    minVersion: 'TLSv1.2',
  };
}
