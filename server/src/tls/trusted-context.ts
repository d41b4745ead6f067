import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

const contexts = new Map<string, SecureContext>();

/**
 * A secure context trusting Node's public roots plus an account's certificates (a private CA, a
 * self-signed server), for mail connections in and out. Made once per PEM: parsing the whole
 * root store costs milliseconds, too much for every connection or message.
 */
export function contextTrusting(pem: string): SecureContext {
  let context = contexts.get(pem);
  if (!context) {
    if (contexts.size >= 64) contexts.clear(); // accounts are few; this only bounds edits piling up
    context = createSecureContext({ ca: [...rootCertificates, pem], minVersion: 'TLSv1.2' });
    contexts.set(pem, context);
  }
  return context;
}
