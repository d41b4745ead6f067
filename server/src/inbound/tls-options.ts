import { isIP } from 'node:net';
import { createSecureContext, rootCertificates, type ConnectionOptions, type SecureContext } from 'node:tls';

const contexts = new Map<string, SecureContext>();

/**
 * A context trusting Node's roots and the account's certificate(s), made once per PEM:
 * parsing the whole root store costs milliseconds, too much for every connection.
 */
function contextTrusting(pem: string): SecureContext {
  let context = contexts.get(pem);
  if (!context) {
    if (contexts.size >= 64) contexts.clear(); // accounts are few; this only bounds edits piling up
    context = createSecureContext({ ca: [...rootCertificates, pem], minVersion: 'TLSv1.2' });
    contexts.set(pem, context);
  }
  return context;
}

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
