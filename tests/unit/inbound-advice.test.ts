import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { FailureContext } from '../../server/src/inbound/advice';
import { classifyMailError } from '../../server/src/inbound/classify';

const base: FailureContext = { protocol: 'imap', security: 'tls', host: 'outlook.office365.com', port: 993, login: 'agent@contoso.com', folder: 'INBOX' };
const authError = (text: string) => Object.assign(new Error('Authentication failed'), { authenticationFailed: true, responseText: text });

describe('inbound failures → code and advice', () => {
  test('Microsoft shared mailbox with a delegated token: Full Access via Add-MailboxPermission, login and mailbox explained', () => {
    const e = classifyMailError(authError('AUTHENTICATE failed.'), {
      ...base,
      mailbox: 'support@contoso.com',
      token: { name: 'M365', template: 'microsoft', grantType: 'authorization_code' },
    });
    assert.equal(e.code, 'AUTH_FAILED');
    assert.match(e.message, /support@contoso\.com \(server said: AUTHENTICATE failed\.\)/);
    assert.match(e.advice!, /Add-MailboxPermission -Identity "support@contoso\.com" -User <that user> -AccessRights FullAccess/);
    assert.match(e.advice!, /IMAP\.AccessAsUser\.All/);
    assert.match(e.advice!, /Set-CASMailbox -ImapEnabled \$true/);
  });

  test('Microsoft app-only token, "authenticated but not connected": service principal and Add-MailboxPermission', () => {
    const e = classifyMailError(authError('User is authenticated but not connected.'), {
      ...base,
      mailbox: 'support@contoso.com',
      token: { name: 'EXO app', template: 'microsoft-app-only', grantType: 'client_credentials' },
    });
    assert.equal(e.code, 'AUTH_FAILED');
    assert.match(e.advice!, /New-ServicePrincipal -AppId <client id>/);
    assert.match(e.advice!, /Add-MailboxPermission -Identity "support@contoso\.com" -User <service principal id> -AccessRights FullAccess/);
  });

  test('app-only token refused without the special text: still the app-only advice and the .default scope', () => {
    const e = classifyMailError(authError('AUTHENTICATE failed.'), { ...base, token: { name: 'EXO app', template: 'microsoft-app-only', grantType: 'client_credentials' } });
    assert.match(e.advice!, /New-ServicePrincipal/);
    assert.match(e.advice!, /https:\/\/outlook\.office365\.com\/\.default/);
  });

  test('IMAP switched off: Gmail and Exchange say where to switch it on', () => {
    const gmail = classifyMailError(authError('[ALERT] Your account is not enabled for IMAP use.'), {
      ...base,
      host: 'imap.gmail.com',
      token: { name: 'G', template: 'google', grantType: 'authorization_code' },
    });
    assert.match(gmail.advice!, /Gmail settings → Forwarding and POP\/IMAP/);
    const exchange = classifyMailError(authError('Account is not enabled for IMAP.'), { ...base, protocol: 'pop3', token: { name: 'M', template: 'microsoft', grantType: 'authorization_code' } });
    assert.match(exchange.advice!, /Set-CASMailbox -Identity agent@contoso\.com -PopEnabled \$true/);
  });

  test('passwords at Microsoft or Google: advice to use OAuth 2.0', () => {
    const e = classifyMailError(authError('LOGIN failed.'), base);
    assert.match(e.advice!, /no longer accept passwords/);
    const local = classifyMailError(authError('Authentication failed.'), { ...base, host: 'mail.example.test' });
    assert.doesNotMatch(local.advice!, /OAuth/);
  });

  test('network and TLS failures', () => {
    const local = { ...base, host: 'mail.example.test' };
    assert.equal(classifyMailError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), local).code, 'CONNECTION_FAILED');
    assert.match(classifyMailError(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), local).advice!, /DNS/);
    const wrongVersion = classifyMailError(Object.assign(new Error('ssl3_get_record:wrong version number'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }), local);
    assert.equal(wrongVersion.code, 'TLS_MISMATCH');
    assert.match(wrongVersion.advice!, /answers in plain text/);
    const noGreeting = classifyMailError(Object.assign(new Error('greeting'), { code: 'GREETING_TIMEOUT' }), { ...local, security: 'none', port: 993 });
    assert.equal(noGreeting.code, 'TLS_MISMATCH');
    assert.match(noGreeting.advice!, /expects TLS from the first byte/);
    for (const code of ['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']) {
      assert.equal(classifyMailError(Object.assign(new Error(code), { code }), local).code, 'CERT_UNTRUSTED', code);
    }
    // imapflow wraps the socket error; the cause decides
    const wrapped = classifyMailError(Object.assign(new Error('Connection failed'), { code: 'NoConnection', _err: Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }) }), local);
    assert.equal(wrapped.code, 'CERT_UNTRUSTED');
  });

  test('a missing folder', () => {
    const e = classifyMailError(Object.assign(new Error('Mailbox doesn\'t exist'), { mailboxMissing: true }), { ...base, folder: 'Tickets' });
    assert.equal(e.code, 'FOLDER_MISSING');
    assert.match(e.message, /"Tickets"/);
  });
});
