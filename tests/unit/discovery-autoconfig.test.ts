import assert from 'node:assert/strict';
import { test } from 'node:test';

import { AutoconfigFormatError, parseAutoconfig, resolveUsername } from '../../server/src/discovery/autoconfig-xml';
import { autoconfigUrl } from '../../server/src/discovery/autoconfig';
import { autoconfigXml } from '../servers/autoconfig-server';

test("Thunderbird's config-v1.1 file: IMAP, POP3 and SMTP servers as account types, authentication the plugin can do, OAuth2 entries", () => {
  const xml = autoconfigXml({
    domain: 'example.org',
    incoming: [
      { type: 'imap', host: 'imap.%EMAILDOMAIN%', port: 993, socketType: 'SSL', auth: ['OAuth2', 'password-cleartext', 'NTLM'] },
      { type: 'imap', host: 'imap.example.org', port: 143, socketType: 'STARTTLS', username: '%EMAILLOCALPART%' },
      { type: 'pop3', host: 'pop.example.org', port: 995, socketType: 'SSL', auth: ['password-encrypted'] },
      { type: 'pop3', host: 'pop.example.org', port: 110, socketType: 'plain', auth: ['GSSAPI'] },
    ],
    outgoing: [{ host: 'smtp.example.org', port: 465, socketType: 'SSL', auth: ['OAuth2'] }],
    oauth2: { issuer: 'login.example.org', scope: 'mail offline', authURL: 'https://login.example.org/auth', tokenURL: 'https://login.example.org/token' },
  });
  // an <incomingServer type="exchange"> is not for the plugin
  const withExchange = xml.replace('</emailProvider>', '<incomingServer type="exchange"><hostname>ews.example.org</hostname><port>443</port><socketType>SSL</socketType></incomingServer></emailProvider>');
  assert.deepEqual(parseAutoconfig(withExchange, 'example.org'), {
    inbound: [
      { type: 'imaps', host: 'imap.example.org', port: 993, security: 'tls', auth: ['oauth2', 'password'], username: '%EMAILADDRESS%', found: 'autoconfig' },
      { type: 'imap-starttls', host: 'imap.example.org', port: 143, security: 'starttls', auth: ['password'], username: '%EMAILLOCALPART%', found: 'autoconfig' },
      { type: 'pop3s', host: 'pop.example.org', port: 995, security: 'tls', auth: ['password'], username: '%EMAILADDRESS%', found: 'autoconfig' },
      { type: 'pop3', host: 'pop.example.org', port: 110, security: 'none', auth: [], username: '%EMAILADDRESS%', found: 'autoconfig' },
    ],
    outbound: [{ type: 'smtp', host: 'smtp.example.org', port: 465, security: 'tls', auth: ['oauth2'], username: '%EMAILADDRESS%', found: 'autoconfig' }],
    oauth: { issuer: 'login.example.org', authorizationEndpoint: 'https://login.example.org/auth', tokenEndpoint: 'https://login.example.org/token', scopes: ['mail', 'offline'] },
  });
  assert.equal(resolveUsername('%EMAILLOCALPART%', 'alice', 'example.org'), 'alice');
  assert.equal(resolveUsername('%EMAILADDRESS%', 'alice', 'example.org'), 'alice@example.org');
  assert.equal(resolveUsername('mail\\%EMAILLOCALPART%@%EMAILDOMAIN%', 'alice', 'example.org'), 'mail\\alice@example.org');
});

test('a file that is not XML, not an autoconfig file, or names no usable server is refused with the reason', () => {
  assert.throws(() => parseAutoconfig('<clientConfig><emailProvider>', 'example.org'), (e: Error) => e instanceof AutoconfigFormatError && /not well-formed XML \(line 1/.test(e.message));
  assert.throws(() => parseAutoconfig('{"json": true}', 'example.org'), AutoconfigFormatError);
  assert.throws(() => parseAutoconfig('<html><body>Not found</body></html>', 'example.org'), /not an autoconfig file/);
  const badServers = autoconfigXml({
    domain: 'example.org',
    incoming: [
      { type: 'imap', host: 'imap.example.org', port: 0, socketType: 'SSL' },
      { type: 'imap', host: 'bad host/x', port: 993, socketType: 'SSL' },
      { type: 'imap', host: 'imap.example.org', port: 993, socketType: 'QUANTUM' },
    ],
  });
  assert.throws(() => parseAutoconfig(badServers, 'example.org'), /names no IMAP, POP3 or SMTP server/);
});

test('entities in a DOCTYPE are bounded: a billion laughs is not expanded (the parser leaves nested entities as they are)', () => {
  const lol = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE clientConfig [',
    '<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">',
    ...Array.from({ length: 8 }, (_, i) => `<!ENTITY ${'b'.repeat(i + 1)} "${`&${i ? 'b'.repeat(i) : 'a'};`.repeat(10)}">`),
    ']>',
    '<clientConfig><emailProvider><incomingServer type="imap"><hostname>&bbbbbbbb;</hostname><port>993</port><socketType>SSL</socketType></incomingServer></emailProvider></clientConfig>',
  ].join('\n');
  const started = Date.now();
  // the host name stays "&bbbbbbb;": no server the plugin can use
  assert.throws(() => parseAutoconfig(lol, 'example.org'), (e: Error) => e instanceof AutoconfigFormatError);
  assert.ok(Date.now() - started < 2000);
});

test('URL templates get the domain and the address, URL-encoded', () => {
  assert.equal(
    autoconfigUrl('https://autoconfig.{domain}/mail/config-v1.1.xml?emailaddress={address}', 'example.org', 'a+b@example.org'),
    'https://autoconfig.example.org/mail/config-v1.1.xml?emailaddress=a%2Bb%40example.org'
  );
});
