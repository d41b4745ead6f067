import { XMLParser, XMLValidator } from 'fast-xml-parser';

import type { AccountType, Security } from '../inbound/account-types';
import { toAsciiDomain } from './address';
import type { Auth, InboundSetting, OutboundSetting } from './types';

/**
 * Thunderbird's autoconfig file (config-v1.1.xml, as the ISPDB and mail providers publish it:
 * https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat) as settings. Pure.
 * Host names may say %EMAILDOMAIN%; user names %EMAILADDRESS%, %EMAILLOCALPART%, %EMAILDOMAIN%,
 * which stay in `username` until `resolveUsername` fills them for one address.
 */
export interface AutoconfigFinding {
  inbound: InboundSetting[];
  outbound: OutboundSetting[];
  oauth?: { issuer?: string; authorizationEndpoint?: string; tokenEndpoint?: string; scopes?: string[] };
}

export class AutoconfigFormatError extends Error {
  name = 'AutoconfigFormatError';
}

const SECURITY: Record<string, Security> = { ssl: 'tls', tls: 'tls', starttls: 'starttls', plain: 'none' };
/** The methods the plugin can use; NTLM, GSSAPI, client certificates and the like are left out. */
const AUTH: Record<string, Auth> = {
  'password-cleartext': 'password',
  plain: 'password',
  'password-encrypted': 'password',
  secure: 'password',
  oauth2: 'oauth2',
};
const INBOUND_TYPES: Record<string, Record<Security, AccountType>> = {
  imap: { tls: 'imaps', starttls: 'imap-starttls', none: 'imap' },
  pop3: { tls: 'pop3s', starttls: 'pop3-starttls', none: 'pop3' },
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  isArray: (name) => ['emailProvider', 'incomingServer', 'outgoingServer', 'authentication'].includes(name),
});

type Node = Record<string, unknown>;
const text = (v: unknown): string | undefined => {
  const t = typeof v === 'string' ? v : v && typeof v === 'object' ? (v as Node)['#text'] : undefined;
  return typeof t === 'string' && t.trim() ? t.trim() : undefined;
};

export function parseAutoconfig(xml: string, domain: string): AutoconfigFinding {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new AutoconfigFormatError(`is not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (e) {
    // the parser's own bounds: entity expansion, nesting depth
    throw new AutoconfigFormatError(`could not be read (${(e as Error).message})`);
  }
  const config = doc.clientConfig as Node | undefined;
  const provider = (config?.emailProvider as Node[] | undefined)?.[0];
  if (!config || !provider) throw new AutoconfigFormatError('is not an autoconfig file (no clientConfig/emailProvider)');

  const server = (node: Node) => {
    const host = toAsciiDomain((text(node.hostname) ?? '').replace(/%EMAILDOMAIN%/g, domain));
    const port = Number(text(node.port));
    const security = SECURITY[(text(node.socketType) ?? '').toLowerCase()];
    if (!host || !Number.isInteger(port) || port < 1 || port > 65_535 || !security) return undefined;
    const auth = [...new Set(((node.authentication as unknown[]) ?? []).map((a) => AUTH[(text(a) ?? '').toLowerCase()]).filter(Boolean))];
    return { host, port, security, auth, username: text(node.username), found: 'autoconfig' as const };
  };

  const inbound: InboundSetting[] = [];
  for (const node of (provider.incomingServer as Node[] | undefined) ?? []) {
    const types = INBOUND_TYPES[String(node['@_type'] ?? '').toLowerCase()];
    const s = types && server(node);
    if (s) inbound.push({ type: types[s.security], ...s });
  }
  const outbound: OutboundSetting[] = [];
  for (const node of (provider.outgoingServer as Node[] | undefined) ?? []) {
    const s = String(node['@_type'] ?? '').toLowerCase() === 'smtp' ? server(node) : undefined;
    if (s) outbound.push({ type: 'smtp', ...s });
  }
  if (!inbound.length && !outbound.length) throw new AutoconfigFormatError('names no IMAP, POP3 or SMTP server the plugin can use');

  const o = config.oAuth2 as Node | undefined;
  const oauth = o
    ? {
        issuer: text(o.issuer),
        authorizationEndpoint: text(o.authURL),
        tokenEndpoint: text(o.tokenURL),
        scopes: text(o.scope)?.split(/\s+/),
      }
    : undefined;
  return { inbound, outbound, ...(oauth && (oauth.authorizationEndpoint || oauth.tokenEndpoint) ? { oauth } : {}) };
}

/** An autoconfig user name for one address (%EMAILADDRESS% and friends). */
export const resolveUsername = (template: string | undefined, local: string, domain: string) =>
  template
    ?.replace(/%EMAILADDRESS%/g, `${local}@${domain}`)
    .replace(/%EMAILLOCALPART%/g, local)
    .replace(/%EMAILDOMAIN%/g, domain);
