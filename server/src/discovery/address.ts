import { domainToASCII, domainToUnicode } from 'node:url';

/** RFC 5321 §4.5.3.1: 64 octets of local part, 255 of domain; 320 in all with the @. */
export const MAX_ADDRESS_LENGTH = 320;
const MAX_LOCAL_LENGTH = 64;
const MAX_DOMAIN_LENGTH = 253;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
/**
 * Letters, marks and digits of any script, hyphens and dots (with the ideographic ones IDNA maps
 * to dots): domainToASCII parses a URL host, and would take "example.com/x" for example.com.
 */
const DOMAIN_CHARACTERS = /^[\p{L}\p{M}\p{N}\-.\u3002\uff0e\uff61]+$/u;

export interface ParsedAddress {
  /** local@domain with the domain in ASCII. */
  address: string;
  local: string;
  /** ASCII (punycode) form: what DNS and URLs need. */
  domain: string;
  /** The Unicode form, for display. */
  displayDomain: string;
}

/** Why an address cannot be discovered, or its parts. Pure: the input schema turns the reason into a field error. */
export function parseAddress(input: string): ParsedAddress | { problem: string } {
  const at = input.lastIndexOf('@');
  if (at < 0) return { problem: 'must be an e-mail address (name@domain), there is no @' };
  const local = input.slice(0, at);
  const rawDomain = input.slice(at + 1);
  if (!local) return { problem: 'must have a name before the @' };
  if (local.length > MAX_LOCAL_LENGTH) return { problem: `must have at most ${MAX_LOCAL_LENGTH} characters before the @` };
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(local)) return { problem: 'must have no spaces or control characters before the @' };
  if (!rawDomain) return { problem: 'must have a domain after the @, it is empty' };
  const domain = toAsciiDomain(rawDomain);
  if (!domain) return { problem: `must have a valid domain name after the @ (such as example.com), not "${rawDomain.slice(0, 80)}"` };
  return { address: `${local}@${domain}`, local, domain, displayDomain: domainToUnicode(domain) || domain };
}

/**
 * The ASCII form of a host name as DNS knows it (IDNA through WHATWG URL's domainToASCII:
 * bücher.example → xn--bcher-kva.example), or '' when it is not one: at least two labels of
 * letters, digits and hyphens, a top-level label that is not all digits (so no IP addresses),
 * 253 characters at most. A trailing dot is dropped.
 */
export function toAsciiDomain(name: string): string {
  if (!DOMAIN_CHARACTERS.test(name)) return '';
  const ascii = domainToASCII(name.replace(/\.$/, '')).toLowerCase();
  if (!ascii || ascii.length > MAX_DOMAIN_LENGTH) return '';
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels[labels.length - 1])) return '';
  return ascii;
}
