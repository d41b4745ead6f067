import assert from 'node:assert/strict';
import { test } from 'node:test';

import { redirectUriProblem } from '../../server/src/oauth/settings';
import { accountWarnings, isMicrosoftMailHost, type WarningFacts } from '../../server/src/warnings/account-warnings';

const base: WarningFacts = {
  direction: 'inbound',
  host: 'imap.example.test',
  authentication: 'password',
  mailbox: 'support@example.test',
  sharedMailbox: false,
  grantedBy: null,
  tokenTemplate: null,
};
const codes = (facts: Partial<WarningFacts>) => accountWarnings({ ...base, ...facts }).map((w) => w.code);

test('password sign-in at Microsoft 365 hosts is warned of, in either direction; OAuth 2.0 and other hosts are not', () => {
  for (const host of ['outlook.office365.com', 'smtp.office365.com', 'OUTLOOK.OFFICE365.COM.', 'smtp-mail.outlook.com', 'outlook.office.com']) {
    assert.ok(isMicrosoftMailHost(host), host);
    assert.deepEqual(codes({ host }), ['MICROSOFT_BASIC_AUTH'], host);
  }
  const smtp = accountWarnings({ ...base, direction: 'outbound', host: 'smtp.office365.com' })[0];
  assert.match(smtp.message, /SMTP AUTH is being retired/);
  assert.match(smtp.advice, /Microsoft 365 \(OAuth 2\.0\)/);
  assert.deepEqual(codes({ host: 'outlook.office365.com', authentication: 'oauth2' }), []);
  assert.deepEqual(codes({ host: 'notoutlook.com' }), []);
  assert.deepEqual(codes({ host: 'office365.com.evil.example' }), []);
  assert.deepEqual(codes({ host: 'imap.example.test' }), []);
  assert.deepEqual(codes({ host: null }), []);
});

test('a token granted by another user than the mailbox is warned of, unless the account says it serves a shared mailbox', () => {
  const oauth = { authentication: 'oauth2', grantedBy: 'alice@example.test', tokenTemplate: 'generic' };
  assert.deepEqual(codes({ ...oauth, mailbox: 'bob@example.test' }), ['GRANTOR_NOT_MAILBOX']);
  assert.deepEqual(codes({ ...oauth, mailbox: 'Alice@Example.test' }), [], 'addresses compare without case');
  assert.deepEqual(codes({ ...oauth, mailbox: 'bob@example.test', sharedMailbox: true }), []);
  assert.deepEqual(codes({ ...oauth, grantedBy: 'a1b2c3-subject-id', mailbox: 'bob@example.test' }), [], 'a subject id is not an address');
  assert.deepEqual(codes({ ...oauth, grantedBy: null, mailbox: 'bob@example.test' }), [], 'not authorized yet');

  const inbound = accountWarnings({ ...base, ...oauth, tokenTemplate: 'microsoft', mailbox: 'bob@contoso.test' })[0];
  assert.match(inbound.message, /granted by alice@example\.test, but this account reads bob@contoso\.test/);
  assert.match(inbound.advice, /Add-MailboxPermission -Identity bob@contoso\.test -User alice@example\.test -AccessRights FullAccess/);
  const outbound = accountWarnings({ ...base, ...oauth, direction: 'outbound', tokenTemplate: 'microsoft', mailbox: 'bob@contoso.test' })[0];
  assert.match(outbound.message, /sends as bob@contoso\.test/);
  assert.match(outbound.advice, /Add-RecipientPermission -Identity bob@contoso\.test -Trustee alice@example\.test -AccessRights SendAs/);
  assert.match(accountWarnings({ ...base, ...oauth, mailbox: 'bob@example.test' })[0].advice, /generate the token signed in as bob@example\.test/);
});

test('a token whose client secret expires within the warning window is warned of on the accounts using it', () => {
  const secret = (expiresOn: string) => ({ name: 'support', clientId: 'app-1', expiresOn, today: '2027-03-01', warningDays: 30 });
  const oauth = { authentication: 'oauth2', tokenTemplate: 'microsoft' };
  const soon = accountWarnings({ ...base, ...oauth, tokenSecret: secret('2027-03-11') });
  assert.deepEqual(soon.map((w) => w.code), ['CLIENT_SECRET_EXPIRING']);
  assert.match(soon[0].message, /"support" expires on 2027-03-11, in 10 days/);
  assert.match(soon[0].advice, /Application \(client\) ID app-1/);
  assert.match(accountWarnings({ ...base, ...oauth, tokenSecret: secret('2027-02-20') })[0].message, /expired on 2027-02-20/);
  assert.deepEqual(codes({ ...oauth, tokenSecret: secret('2027-05-01') }), [], 'further off than 30 days');
  assert.deepEqual(codes({ tokenSecret: secret('2027-03-11') }), [], 'a password account does not use the token');
});

test('a redirect URI that is not https is a problem, except on localhost and loopback addresses', () => {
  assert.equal(redirectUriProblem('https://helpdesk.example.com/mail-auth/oauth/callback'), undefined);
  for (const local of ['http://localhost:1337/mail-auth/oauth/callback', 'http://127.0.0.1:1337/x', 'http://[::1]:1337/x']) {
    assert.equal(redirectUriProblem(local), undefined, local);
  }
  assert.match(redirectUriProblem('http://helpdesk.example.com/mail-auth/oauth/callback') ?? '', /not https/);
  assert.match(redirectUriProblem('http://localhost.example.com/x') ?? '', /not https/);
});
