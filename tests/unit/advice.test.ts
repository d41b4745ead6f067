import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { adviseNetworkError, adviseProviderError } from '../../server/src/oauth/advice';

describe('provider error advice', () => {
  test('AADSTS codes from error_codes or from the description', () => {
    const fromCodes = adviseProviderError({ error: 'invalid_grant', error_codes: [700082], error_description: 'x' });
    assert.equal(fromCodes.code, 'AADSTS700082');
    assert.equal(fromCodes.reauthorize, true);
    const fromText = adviseProviderError({ error: 'invalid_client', error_description: 'AADSTS7000222: The provided client secret keys are expired.\r\nTrace ID: 1' });
    assert.equal(fromText.code, 'AADSTS7000222');
    assert.match(fromText.advice, /Certificates & secrets/);
    assert.equal(fromText.message, 'invalid_client: AADSTS7000222: The provided client secret keys are expired.');
  });

  test('consent missing says who grants it and where', () => {
    const a = adviseProviderError({ error: 'invalid_grant', error_codes: [65001] });
    assert.match(a.advice, /Administrator/);
    assert.match(a.advice, /Grant admin consent/);
  });

  test('redirect_uri_mismatch shows the exact URI to register', () => {
    const a = adviseProviderError({ error: 'redirect_uri_mismatch' }, { redirectUri: 'https://helpdesk.example/mail-auth/oauth/callback' });
    assert.match(a.advice, /https:\/\/helpdesk\.example\/mail-auth\/oauth\/callback/);
    const ms = adviseProviderError({ error: 'invalid_request', error_codes: [50011] }, { redirectUri: 'https://h.example/cb' });
    assert.match(ms.advice, /https:\/\/h\.example\/cb/);
  });

  test('Google invalid_grant explains the Testing status and revoked access', () => {
    const a = adviseProviderError({ error: 'invalid_grant', error_description: 'Token has been expired or revoked.' }, { template: 'google' });
    assert.equal(a.reauthorize, true);
    assert.match(a.advice, /"Testing" status, where refresh tokens expire after 7 days/);
  });

  test('5xx and network failures are transient, not re-authorization', () => {
    const a = adviseProviderError({ status: 503 });
    assert.equal(a.transient, true);
    assert.equal(a.reauthorize, false);
    assert.equal(a.code, 'http_503');
    const timeout = adviseNetworkError(new Error('timeout'), 'https://login.example/token');
    assert.equal(timeout.code, 'timeout');
    const refused = adviseNetworkError(Object.assign(new TypeError('fetch failed'), { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') }), 'x');
    assert.equal(refused.code, 'network_error');
    assert.match(refused.message, /ECONNREFUSED/);
  });

  test('invalid client ids and missing scopes are configuration errors', () => {
    for (const code of [90112, 700016, 900144]) {
      const a = adviseProviderError({ error: 'invalid_request', error_codes: [code] });
      assert.equal(a.reauthorize, false);
      assert.equal(a.transient, false);
    }
  });
});
