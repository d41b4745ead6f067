import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { classifyGmailFailure } from '../../server/src/outbound/gmail';
import { classifyGraphFailure } from '../../server/src/outbound/graph';
import { parseRetryAfter } from '../../server/src/outbound/http';
import { withRetry } from '../../server/src/outbound/retry';
import { SendError } from '../../server/src/outbound/send-error';
import { classifySmtpError, type SmtpContext } from '../../server/src/outbound/smtp/advice';
import { SmtpStageError, type SmtpStage } from '../../server/src/outbound/smtp/session';
import { checkOutboundAccountRules } from '../../server/src/validation/outbound-account-input';

const M365: SmtpContext = { host: 'smtp.office365.com', port: 587, security: 'starttls', auth: 'oauth2', fromAddress: 'helpdesk@contoso.com' };
const GMAIL: SmtpContext = { host: 'smtp.gmail.com', port: 465, security: 'tls', auth: 'password', fromAddress: 'helpdesk@gmail.com' };

const smtpReply = (stage: SmtpStage, response: string, code = 'EAUTH') =>
  new SmtpStageError(stage, Object.assign(new Error(`Invalid login: ${response}`), { code, response, responseCode: Number(response.slice(0, 3)) }));
const socketError = (stage: SmtpStage, code: string, message = code) => new SmtpStageError(stage, Object.assign(new Error(message), { code }));

describe('SMTP failures become advice', () => {
  test('Microsoft: SMTP AUTH disabled for the tenant, for the mailbox, and 5.7.3', () => {
    const tenant = classifySmtpError(smtpReply('authenticate', '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.'), M365);
    assert.equal(tenant.reason, 'SMTP_AUTH_DISABLED');
    assert.equal(tenant.code, 'AUTH_FAILED');
    assert.match(tenant.advice!, /Set-TransportConfig -SmtpClientAuthenticationDisabled \$false/);
    assert.match(tenant.advice!, /Graph sendMail/);
    assert.equal(tenant.providerCode, '535 5.7.139');

    const mailbox = classifySmtpError(smtpReply('authenticate', '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information.'), M365);
    assert.match(mailbox.advice!, /Set-CASMailbox/);

    const generic = classifySmtpError(smtpReply('authenticate', '535 5.7.3 Authentication unsuccessful [SN4PR0501CA0056.namprd05.prod.outlook.com]'), M365);
    assert.equal(generic.reason, 'SMTP_AUTH_DISABLED');
    assert.match(generic.advice!, /SMTP\.Send/);

    const basic = classifySmtpError(smtpReply('authenticate', '535 5.7.139 Authentication unsuccessful, basic authentication is disabled.'), { ...M365, auth: 'password' });
    assert.equal(basic.reason, 'OAUTH_REQUIRED');
    assert.match(basic.advice!, /Microsoft 365 \(SMTP, OAuth 2\.0\)/);
  });

  test('Google: passwords refused, OAuth 2.0 required; an XOAUTH2 challenge naming the scope', () => {
    const lessSecure = classifySmtpError(smtpReply('authenticate', '535-5.7.8 Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials'), GMAIL);
    assert.equal(lessSecure.reason, 'OAUTH_REQUIRED');
    assert.match(lessSecure.advice!, /Gmail \(SMTP, OAuth 2\.0\)/);
    const appPassword = classifySmtpError(smtpReply('authenticate', '534-5.7.9 Application-specific password required.'), GMAIL);
    assert.equal(appPassword.reason, 'OAUTH_REQUIRED');

    const challenge = Buffer.from(JSON.stringify({ status: '400', schemes: 'Bearer', scope: 'https://mail.google.com/' })).toString('base64');
    const scope = classifySmtpError(smtpReply('authenticate', `334 ${challenge}`), { ...GMAIL, auth: 'oauth2' });
    assert.equal(scope.reason, 'SCOPE_MISSING');
    assert.match(scope.advice!, /https:\/\/mail\.google\.com\//);
  });

  test('SendAs refused, recipients refused, 4xx deferred', () => {
    const sendAs = classifySmtpError(smtpReply('send', '554 5.2.252 SendAsDenied; user@contoso.com not allowed to send as helpdesk@contoso.com', 'EMESSAGE'), M365);
    assert.equal(sendAs.reason, 'SEND_AS_DENIED');
    assert.equal(sendAs.transient, false);
    assert.match(sendAs.advice!, /Send As/);

    const rcpt = classifySmtpError(smtpReply('send', '550 5.1.1 User unknown', 'EENVELOPE'), M365);
    assert.equal(rcpt.code, 'SEND_REFUSED');
    assert.equal(rcpt.reply, '550 5.1.1 User unknown');

    const deferred = classifySmtpError(smtpReply('send', '451 4.7.500 Server busy. Please try again later.', 'EENVELOPE'), M365);
    assert.equal(deferred.transient, true);
    assert.equal(deferred.reason, 'THROTTLED');
  });

  test('connection, TLS mode and certificate failures', () => {
    assert.equal(classifySmtpError(socketError('connect', 'ECONNREFUSED'), M365).reason, 'CONNECTION_REFUSED');
    assert.equal(classifySmtpError(socketError('connect', 'ENOTFOUND'), M365).reason, 'HOST_NOT_FOUND');
    const mismatch = classifySmtpError(socketError('tls', 'ERR_SSL_WRONG_VERSION_NUMBER', 'SSL routines:ssl3_get_record:wrong version number'), { ...M365, security: 'tls' });
    assert.equal(mismatch.reason, 'TLS_MISMATCH');
    assert.match(mismatch.advice!, /STARTTLS/);
    const noGreeting = classifySmtpError(new SmtpStageError('tls', Object.assign(new Error('Greeting never received'), { code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' })), { ...M365, port: 465 });
    assert.equal(noGreeting.reason, 'TLS_MISMATCH');
    assert.match(noGreeting.advice!, /implicit-TLS port/);
    const untrusted = classifySmtpError(socketError('tls', 'SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), M365);
    assert.equal(untrusted.reason, 'CERT_UNTRUSTED');
    const expired = classifySmtpError(socketError('tls', 'CERT_HAS_EXPIRED', 'certificate has expired'), M365);
    assert.equal(expired.reason, 'CERT_INVALID');
    const starttlsFirst = classifySmtpError(smtpReply('authenticate', '530 5.7.0 Must issue a STARTTLS command first'), { ...M365, security: 'none', port: 25 });
    assert.equal(starttlsFirst.reason, 'STARTTLS_REQUIRED');
    const noLogin = classifySmtpError(smtpReply('send', '530 5.7.57 Client not authenticated to send mail. Error: 535 5.7.139', 'EENVELOPE'), { ...M365, auth: 'none' });
    assert.equal(noLogin.reason, 'AUTH_REQUIRED');
    assert.match(noLogin.advice!, /Switch on authentication/);
  });
});

describe('Graph and Gmail failures become advice', () => {
  const graph = (status: number, code: string, message: string, retryAfterMs?: number) => ({ status, body: { error: { code, message } }, text: '', retryAfterMs });
  test('Graph: throttling and outages are transient and keep Retry-After', () => {
    const throttled = classifyGraphFailure(graph(429, 'TooManyRequests', 'Too many requests.', 7000), 'helpdesk@contoso.com');
    assert.equal(throttled.transient, true);
    assert.equal(throttled.retryAfterMs, 7000);
    assert.equal(classifyGraphFailure(graph(503, 'serviceNotAvailable', 'x'), 'h@contoso.com').transient, true);
  });
  test('Graph: SendAs, permissions, unknown mailbox, refused token', () => {
    const sendAs = classifyGraphFailure(graph(403, 'ErrorSendAsDenied', 'The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account.'), 'shared@contoso.com', 'alice@contoso.com');
    assert.equal(sendAs.reason, 'SEND_AS_DENIED');
    assert.match(sendAs.advice!, /alice@contoso\.com "Send As"/);
    const otherMailbox = classifyGraphFailure(graph(403, 'ErrorAccessDenied', 'Access is denied.'), 'shared@contoso.com', 'alice@contoso.com');
    assert.equal(otherMailbox.reason, 'SEND_AS_DENIED');
    const permission = classifyGraphFailure(graph(403, 'ErrorAccessDenied', 'Access is denied.'), 'alice@contoso.com', 'alice@contoso.com');
    assert.equal(permission.reason, 'SCOPE_MISSING');
    assert.match(permission.advice!, /Mail\.Send/);
    assert.equal(classifyGraphFailure(graph(404, 'ErrorInvalidUser', "The requested user 'x' is invalid."), 'x@contoso.com').transient, false);
    assert.equal(classifyGraphFailure(graph(401, 'InvalidAuthenticationToken', 'Access token has expired.'), 'x@contoso.com').reason, 'AUTH_REJECTED');
  });
  test('Gmail: scope, API disabled, rate limits (403 and 429), daily limit', () => {
    const gmail = (status: number, reason: string, message: string) => ({ status, body: { error: { code: status, message, errors: [{ reason }] } }, text: '' });
    assert.equal(classifyGmailFailure(gmail(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.'), 'a@gmail.com').reason, 'SCOPE_MISSING');
    assert.match(classifyGmailFailure(gmail(403, 'accessNotConfigured', 'Gmail API has not been used in project 123 before or it is disabled.'), 'a@gmail.com').advice!, /Enable/);
    assert.equal(classifyGmailFailure(gmail(403, 'userRateLimitExceeded', 'User-rate limit exceeded.'), 'a@gmail.com').transient, true);
    assert.equal(classifyGmailFailure(gmail(429, 'rateLimitExceeded', 'Rate limit exceeded.'), 'a@gmail.com').transient, true);
    assert.equal(classifyGmailFailure(gmail(403, 'dailyLimitExceeded', 'Daily sending quota exceeded.'), 'a@gmail.com').transient, false);
  });
});

describe('retries', () => {
  const transient = (retryAfterMs?: number) => new SendError('SEND_DEFERRED', 'busy', { reason: 'THROTTLED', transient: true, retryAfterMs });
  test('transient failures are retried a bounded number of times, honouring Retry-After', async () => {
    const waits: number[] = [];
    let calls = 0;
    const { result, attempts } = await withRetry(
      async () => {
        calls += 1;
        if (calls < 3) throw transient(calls === 1 ? 4000 : undefined);
        return 'sent';
      },
      { retries: 3, baseDelayMs: 1000, maxDelayMs: 10_000, sleep: async (ms) => void waits.push(ms) }
    );
    assert.equal(result, 'sent');
    assert.equal(attempts, 3);
    assert.equal(waits[0], 4000, 'Retry-After is honoured');
    assert.ok(waits[1] >= 1000 && waits[1] <= 2000, `backoff with jitter: ${waits[1]}`);

    let tries = 0;
    await assert.rejects(withRetry(async () => { tries += 1; throw transient(); }, { retries: 2, baseDelayMs: 1, maxDelayMs: 10, sleep: async () => {} }), /busy/);
    assert.equal(tries, 3);
  });
  test('permanent failures and a Retry-After beyond the limit are not waited for', async () => {
    let tries = 0;
    const permanent = new SendError('SEND_REFUSED', 'no', { reason: 'MESSAGE_REJECTED' });
    await assert.rejects(withRetry(async () => { tries += 1; throw permanent; }, { retries: 3, baseDelayMs: 1, maxDelayMs: 10, sleep: async () => {} }), /no/);
    assert.equal(tries, 1);
    tries = 0;
    await assert.rejects(withRetry(async () => { tries += 1; throw transient(3_600_000); }, { retries: 3, baseDelayMs: 1, maxDelayMs: 60_000, sleep: async () => assert.fail('must not wait an hour') }));
    assert.equal(tries, 1);
  });
  test('Retry-After in seconds or as an HTTP date', () => {
    assert.equal(parseRetryAfter('120'), 120_000);
    const ms = parseRetryAfter(new Date(Date.now() + 30_000).toUTCString())!;
    assert.ok(ms > 28_000 && ms <= 30_000, String(ms));
    assert.equal(parseRetryAfter(null), undefined);
  });
});

describe('account rules', () => {
  const base = { name: 'a', type: 'smtp' as const, host: 'smtp.example.com', port: 587, security: 'starttls' as const, fromAddress: 'a@example.com', useAuthentication: true, authentication: 'password' as const, hasPassword: true };
  const paths = (errors: { path: string[] }[]) => errors.map((e) => e.path.join('.'));
  test('SMTP needs a host; password needs a password; oauth2 needs a fitting token', () => {
    assert.deepEqual(paths(checkOutboundAccountRules({ ...base, host: null })), ['host']);
    assert.deepEqual(paths(checkOutboundAccountRules({ ...base, hasPassword: false })), ['password']);
    assert.deepEqual(paths(checkOutboundAccountRules({ ...base, authentication: 'oauth2' })), ['oauthToken']);
    assert.deepEqual(paths(checkOutboundAccountRules({ ...base, type: 'gmail-api', oauthToken: 3, tokenExists: true, tokenTemplate: 'microsoft' })), ['oauthToken']);
    assert.deepEqual(paths(checkOutboundAccountRules({ ...base, type: 'microsoft-graph', oauthToken: 3, tokenExists: true, tokenTemplate: 'microsoft' })), []);
    assert.deepEqual(paths(checkOutboundAccountRules({ ...base, trustedCertificate: 'not a certificate' })), ['trustedCertificate']);
    assert.deepEqual(paths(checkOutboundAccountRules({ ...base, usage: 'application' })), ['applicationName']);
  });
});
