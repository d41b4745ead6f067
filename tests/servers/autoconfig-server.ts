import { createServer } from 'node:http';

import { close, handler, Holds, listen, send, sendJson } from './http-util';

/**
 * A local stand-in for the web servers that publish a domain's Thunderbird autoconfig file, at
 * both of Thunderbird's places: `https://autoconfig.{domain}/mail/config-v1.1.xml` is
 * `{url}/autoconfig/{domain}/mail/config-v1.1.xml` here, `https://{domain}/.well-known/autoconfig/
 * mail/config-v1.1.xml` is `{url}/well-known/{domain}/.well-known/autoconfig/mail/config-v1.1.xml`
 * (the discovery option `autoconfigUrls` takes `templates`). A domain's file can be any text
 * (malformed XML too), an answer held open (a timeout), or a body of a given size, with or
 * without Content-Length. Anything else is 404, as on a web server without the file.
 */
export type Place = 'autoconfig' | 'well-known';

export interface AutoconfigServer {
  url: string;
  /** The option `autoconfigUrls` pointed at this server, Thunderbird's order (the plugin's default: without the address). */
  templates: string[];
  publish(domain: string, xml: string, place?: Place): void;
  /** Requests for the domain's file are held until the client gives up. */
  hold(domain: string, place?: Place): void;
  /** A body of `bytes` bytes; `declared`: with its Content-Length (else chunked). */
  large(domain: string, bytes: number, options: { declared: boolean; place?: Place }): void;
  /** Every request, as path and query. */
  requests: string[];
  reset(): void;
  stop(): Promise<void>;
}

type Answer = { kind: 'file'; xml: string } | { kind: 'hold' } | { kind: 'large'; bytes: number; declared: boolean };

const PATH = /^\/(autoconfig|well-known)\/([^/]+)\/(?:mail|\.well-known\/autoconfig\/mail)\/config-v1\.1\.xml$/;

export async function startAutoconfigServer(): Promise<AutoconfigServer> {
  const answers = new Map<string, Answer>();
  const requests: string[] = [];
  const holds = new Holds();
  const key = (domain: string, place: Place) => `${place} ${domain.toLowerCase()}`;

  const server = createServer(
    handler(async (req, res) => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push(`${u.pathname}${u.search}`);
      const m = PATH.exec(u.pathname);
      const answer = m && answers.get(key(decodeURIComponent(m[2]), m[1] as Place));
      if (!answer) return sendJson(res, 404, { error: 'not found' });
      if (answer.kind === 'hold') {
        await holds.hold(res);
        return;
      }
      if (answer.kind === 'file') return send(res, 200, answer.xml, 'application/xml; charset=utf-8');
      // A big body in 64 kB chunks: the client should stop reading after its bound.
      res.writeHead(200, { 'content-type': 'application/xml', ...(answer.declared ? { 'content-length': String(answer.bytes) } : {}) });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      for (let sent = 0; sent < answer.bytes && !res.destroyed; sent += chunk.length) {
        const piece = chunk.subarray(0, Math.min(chunk.length, answer.bytes - sent));
        if (!res.write(piece)) await new Promise<void>((resolve) => {
          const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
          res.on('drain', done);
          res.on('close', done);
        });
      }
      res.end();
    })
  );
  const url = await listen(server);

  return {
    url,
    templates: [
      `${url}/autoconfig/{domain}/mail/config-v1.1.xml`,
      `${url}/well-known/{domain}/.well-known/autoconfig/mail/config-v1.1.xml`,
    ],
    publish: (domain, xml, place = 'autoconfig') => void answers.set(key(domain, place), { kind: 'file', xml }),
    hold: (domain, place = 'autoconfig') => void answers.set(key(domain, place), { kind: 'hold' }),
    large: (domain, bytes, { declared, place = 'autoconfig' }) => void answers.set(key(domain, place), { kind: 'large', bytes, declared }),
    requests,
    reset() {
      answers.clear();
      requests.length = 0;
      holds.releaseAll();
    },
    stop: () => close(server, holds),
  };
}

/** A Thunderbird autoconfig file (config-v1.1) with the given servers, as providers publish them. */
export function autoconfigXml(options: {
  domain: string;
  incoming?: { type: 'imap' | 'pop3'; host: string; port: number; socketType: string; auth?: string[]; username?: string }[];
  outgoing?: { host: string; port: number; socketType: string; auth?: string[]; username?: string }[];
  oauth2?: { issuer: string; scope: string; authURL: string; tokenURL: string };
}): string {
  const server = (tag: string, type: string, s: { host: string; port: number; socketType: string; auth?: string[]; username?: string }) =>
    [
      `    <${tag} type="${type}">`,
      `      <hostname>${s.host}</hostname>`,
      `      <port>${s.port}</port>`,
      `      <socketType>${s.socketType}</socketType>`,
      ...(s.auth ?? ['password-cleartext']).map((a) => `      <authentication>${a}</authentication>`),
      `      <username>${s.username ?? '%EMAILADDRESS%'}</username>`,
      `    </${tag}>`,
    ].join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${options.domain}">`,
    `    <domain>${options.domain}</domain>`,
    `    <displayName>${options.domain} mail</displayName>`,
    ...(options.incoming ?? []).map((s) => server('incomingServer', s.type, s)),
    ...(options.outgoing ?? []).map((s) => server('outgoingServer', 'smtp', s)),
    '  </emailProvider>',
    ...(options.oauth2
      ? [
          '  <oAuth2>',
          `    <issuer>${options.oauth2.issuer}</issuer>`,
          `    <scope>${options.oauth2.scope}</scope>`,
          `    <authURL>${options.oauth2.authURL}</authURL>`,
          `    <tokenURL>${options.oauth2.tokenURL}</tokenURL>`,
          '  </oAuth2>',
        ]
      : []),
    '</clientConfig>',
    '',
  ].join('\n');
}
