import { isIP } from 'node:net';
import { createSecureContext, rootCertificates, type ConnectionOptions, type SecureContext } from 'node:tls';

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

const contexts = new Map<string, SecureContext>();

/**
 * A secure context trusting Node's public roots plus the account's certificates. Built once per
 * PEM: parsing the whole root store costs milliseconds, too much for every message.
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
