import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';

import { differingPaths } from '../../server/src/transfer/compare';
import { detectTemplate, readTokenEntry, writeTokenEntry, type ExportedToken, type ImportedToken } from '../../server/src/transfer/format';
import { tokenEntrySchema } from '../../server/src/transfer/schema';
import { parseYaml } from '../../server/src/transfer/yaml-document';

const FIXTURES = join(__dirname, '..', 'fixtures', 'znuny');

/** Text → checked entry → token, as the import does it. */
function readEntries(text: string) {
  const parsed = parseYaml(text);
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.issues));
  return (parsed.yaml.value as unknown[]).map((raw) => {
    const checked = tokenEntrySchema.safeParse(raw);
    assert.ok(checked.success, JSON.stringify(!checked.success && checked.error.issues));
    return readTokenEntry(checked.data);
  });
}

const readOne = (text: string): ImportedToken => {
  const [result] = readEntries(text);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.token;
};

const errorsOf = (entry: unknown) => {
  const checked = tokenEntrySchema.safeParse(entry);
  assert.ok(checked.success, JSON.stringify(!checked.success && checked.error.issues));
  const result = readTokenEntry(checked.data);
  assert.equal(result.ok, false, 'expected errors');
  return (result as { errors: Array<{ path: string[]; message: string }> }).errors;
};

const fixture = (name: string) => readOne(readFileSync(join(FIXTURES, name), 'utf8'));

describe("Znuny's templates map to plugin templates", () => {
  test('Google Mail → google, with its notification settings, client id and secret left out', () => {
    const t = fixture('GoogleMail.yml');
    assert.equal(t.name, 'Google Mail');
    assert.equal(t.template, 'google');
    assert.equal(t.grantType, 'authorization_code');
    assert.equal(t.scope, 'https://mail.google.com/');
    assert.equal(t.clientId, undefined);
    assert.equal(t.clientSecret, undefined);
    assert.equal(t.authorizationEndpoint, null, 'Google URLs are the template, not stored');
    assert.equal(t.tokenEndpoint, null);
    assert.equal(t.extraAuthorizationParams, null, 'access_type and prompt are what the template sends anyway');
    assert.equal(t.notifyOnExpiredToken, false);
    assert.equal(t.notifyOnExpiredRefreshToken, true);
    assert.equal(t.tenant, null);
  });

  for (const tenant of ['common', 'consumers', 'organizations']) {
    test(`Microsoft Outlook (${tenant}) → microsoft, tenant ${tenant}`, () => {
      const t = fixture(`MicrosoftOutlook${tenant[0].toUpperCase()}${tenant.slice(1)}.yml`);
      assert.equal(t.template, 'microsoft');
      assert.equal(t.tenant, tenant);
      assert.equal(t.authorizationEndpoint, null);
      assert.equal(t.tokenEndpoint, null);
      assert.equal(t.extraAuthorizationParams, null);
      assert.match(t.scope!, /IMAP\.AccessAsUser\.All .*offline_access$/);
    });
  }

  test('Exchange Online, authorization code → microsoft /common, keeping prompt=select_account', () => {
    const t = fixture('MicrosoftExchangeOnlineAuthorizationCodeFlow.yml');
    assert.equal(t.template, 'microsoft');
    assert.equal(t.tenant, 'common');
    assert.deepEqual(t.extraAuthorizationParams, { prompt: 'select_account' });
    assert.equal(t.notifyOnExpiredToken, false);
  });

  test('Exchange Online, client credentials → microsoft-app-only, tenant common as written (the import marks it)', () => {
    const t = fixture('MicrosoftExchangeOnlineClientCredentialsFlow.yml');
    assert.equal(t.template, 'microsoft-app-only');
    assert.equal(t.grantType, 'client_credentials');
    assert.equal(t.tenant, 'common');
    assert.equal(t.scope, 'https://outlook.office.com/.default');
    assert.equal(t.notifyOnExpiredRefreshToken, true, 'absent: the default');
  });

  test("Znuny's example export: numbers stay text, three entries", () => {
    const results = readEntries(readFileSync(join(FIXTURES, 'oauth2_token_config_example.yml'), 'utf8'));
    assert.ok(results.every((r) => r.ok));
    const [ms, google, cc] = results.map((r) => (r as { token: ImportedToken }).token);
    assert.equal(ms.clientId, '1111');
    assert.equal(ms.clientSecret, '1111');
    assert.equal(ms.tenant, 'consumers');
    assert.equal(google.template, 'google');
    assert.equal(google.clientId, '2222.apps.googleusercontent.com');
    assert.equal(cc.template, 'microsoft-app-only');
    assert.equal(cc.clientSecret, '3333');
  });

  test('every fixture reads without errors', () => {
    for (const file of readdirSync(FIXTURES)) {
      for (const result of readEntries(readFileSync(join(FIXTURES, file), 'utf8'))) assert.ok(result.ok, file);
    }
  });
});

describe('template detection', () => {
  test('URLs elsewhere are the generic template', () => {
    assert.equal(detectTemplate('authorization_code', { authorizationEndpoint: 'http://127.0.0.1:9000/auth', tokenEndpoint: 'http://127.0.0.1:9000/token' }), 'generic');
    assert.equal(detectTemplate('client_credentials', { tokenEndpoint: 'https://idp.example/token' }), 'generic-client-credentials');
  });
  test('Microsoft v1 endpoints or mixed providers are generic too', () => {
    assert.equal(detectTemplate('authorization_code', { tokenEndpoint: 'https://login.microsoftonline.com/common/oauth2/token' }), 'generic');
    assert.equal(
      detectTemplate('authorization_code', { authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth', tokenEndpoint: 'https://idp.example/token' }),
      'generic'
    );
    assert.equal(
      detectTemplate('authorization_code', {
        authorizationEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
        tokenEndpoint: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
      }),
      'generic',
      'two tenants'
    );
  });
  test('a tenant id in the URL is a Microsoft tenant', () => {
    const t = readOne(`- Name: x\n  Config:\n    AuthFlow: ClientCredentials\n    Requests:\n      TokenByClientCredentials:\n        Request:\n          URL: https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token\n`);
    assert.equal(t.template, 'microsoft-app-only');
    assert.equal(t.tenant, '72f988bf-86f1-41af-91ab-2d7cd011db47');
    assert.equal(t.tokenEndpoint, null);
  });
});

describe('inconsistent entries are refused, naming the field', () => {
  const base = (config: Record<string, unknown>, mailAuth?: Record<string, unknown>) => ({ Name: 'x', Config: config, ...(mailAuth ? { MailAuth: mailAuth } : {}) });
  const req = (url: string, parameters?: Record<string, string>) => ({ Request: { URL: url, ...(parameters ? { Parameters: parameters } : {}) } });

  test('two token URLs', () => {
    const errors = errorsOf(base({ Requests: { TokenByAuthorizationCode: req('https://a.example/token'), TokenByRefreshToken: req('https://b.example/token') } }));
    assert.deepEqual(errors[0].path, ['Config', 'Requests', 'TokenByRefreshToken', 'Request', 'URL']);
  });
  test('requests of the other flow', () => {
    const errors = errorsOf(base({ AuthFlow: 'ClientCredentials', Requests: { AuthorizationCode: req('https://a.example/auth'), TokenByClientCredentials: req('https://a.example/token') } }));
    assert.deepEqual(errors[0].path, ['Config', 'Requests', 'AuthorizationCode']);
  });
  test('parameters the plugin does not send, and a wrong grant_type', () => {
    const errors = errorsOf(base({ Requests: { TokenByAuthorizationCode: req('https://a.example/token', { grant_type: 'password', resource: 'x' }) } }));
    assert.deepEqual(
      errors.map((e) => e.path.join('.')).sort(),
      ['Config.Requests.TokenByAuthorizationCode.Request.Parameters.grant_type', 'Config.Requests.TokenByAuthorizationCode.Request.Parameters.resource']
    );
  });
  test('a template for the other flow', () => {
    const errors = errorsOf(base({ AuthFlow: 'ClientCredentials' }, { Template: 'google' }));
    assert.deepEqual(errors[0].path, ['MailAuth', 'Template']);
  });
  test('a tenant for a template without tenants, and tenants that differ', () => {
    assert.deepEqual(errorsOf(base({}, { Template: 'google', Tenant: 'common' }))[0].path, ['MailAuth', 'Tenant']);
    const differ = errorsOf(
      base({ Requests: { TokenByAuthorizationCode: req('https://login.microsoftonline.com/common/oauth2/v2.0/token') } }, { Template: 'microsoft', Tenant: 'contoso.com' })
    );
    assert.deepEqual(differ[0].path, ['MailAuth', 'Tenant']);
  });
  test('the schema refuses unknown keys, wrong types and bad URLs, by path', () => {
    const result = tokenEntrySchema.safeParse({ Name: 'x', Colour: 'red', Config: { ClientID: ['a'], Requests: { AuthorizationCode: { Request: { URL: 'ftp://x' } } }, Notifications: { NotifyOnExpiredToken: 'sometimes' } } });
    assert.equal(result.success, false);
    const paths = result.error!.issues.map((i) => [...i.path, ...(i.code === 'unrecognized_keys' ? i.keys : [])].join('.'));
    for (const p of ['Colour', 'Config.ClientID', 'Config.Requests.AuthorizationCode.Request.URL', 'Config.Notifications.NotifyOnExpiredToken']) {
      assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
    }
  });
});

describe('write → read round trip', () => {
  const token = (over: Partial<ExportedToken>): ExportedToken => ({
    name: 'T',
    template: 'generic',
    grantType: 'authorization_code',
    description: null,
    clientId: 'client',
    clientAuthMethod: 'client_secret_post',
    tenant: null,
    issuer: null,
    authorizationEndpoint: null,
    tokenEndpoint: null,
    deviceAuthorizationEndpoint: null,
    scope: null,
    extraAuthorizationParams: null,
    pkce: true,
    active: true,
    notifyOnExpiredToken: true,
    notifyOnExpiredRefreshToken: true,
    ...over,
  });
  const cases: ExportedToken[] = [
    token({ template: 'google', scope: 'openid email https://mail.google.com/', clientSecret: 's3cr:et "quoted"' }),
    token({ template: 'microsoft', tenant: 'common', scope: 'openid offline_access', extraAuthorizationParams: { prompt: 'select_account', login_hint: '0123' } }),
    token({ template: 'microsoft', tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47', scope: 'openid', pkce: false, active: false }),
    token({ template: 'microsoft-app-only', grantType: 'client_credentials', tenant: 'contoso.onmicrosoft.com', scope: 'https://outlook.office365.com/.default', pkce: false }),
    token({ template: 'microsoft-app-only', grantType: 'client_credentials', tenant: null, scope: 'https://outlook.office365.com/.default', pkce: false }),
    token({
      template: 'generic',
      description: 'Line one\nline two: with colon',
      issuer: 'http://127.0.0.1:4000',
      authorizationEndpoint: 'http://127.0.0.1:4000/auth',
      tokenEndpoint: 'http://127.0.0.1:4000/token',
      scope: 'openid mail',
      clientAuthMethod: 'client_secret_basic',
      extraAuthorizationParams: { access_type: 'offline' },
      notifyOnExpiredRefreshToken: false,
    }),
    token({ template: 'generic', issuer: 'https://idp.example', scope: 'mail' }),
    token({ template: 'generic', tokenEndpoint: 'https://idp.example/token', authorizationEndpoint: 'https://idp.example/auth', deviceAuthorizationEndpoint: 'https://idp.example/device', scope: 'mail' }),
    token({ template: 'generic-client-credentials', grantType: 'client_credentials', tokenEndpoint: 'https://idp.example/token', pkce: false }),
    token({ template: 'google', clientId: '', scope: 'https://mail.google.com/' }),
    token({
      template: 'google',
      scope: 'https://mail.google.com/',
      clientSecret: 'x',
      grant: {
        accessToken: 'ya29.a0',
        accessTokenExpiresAt: new Date('2030-01-02T03:04:05.678Z'),
        refreshToken: '1//0g',
        refreshTokenExpiresAt: null,
        grantedBy: 'alice@example.test',
        grantedScope: 'https://mail.google.com/',
        grantedAt: new Date('2029-12-31T00:00:00.000Z'),
      },
    }),
  ];
  for (const original of cases) {
    test(`${original.template}${original.tenant ? ` (${original.tenant})` : ''}${original.grant ? ' with grant' : ''}`, () => {
      const written = writeTokenEntry(original);
      const back = readOne(stringify([written]));
      const again = writeTokenEntry({ ...back, clientId: back.clientId ?? '', clientSecret: back.clientSecret ?? null, grant: back.grant });
      assert.deepEqual(differingPaths(written, again), []);
      assert.equal(back.template, original.template);
      assert.equal(back.tenant, original.tenant);
      assert.equal(back.authorizationEndpoint, original.authorizationEndpoint);
      assert.equal(back.tokenEndpoint, original.tokenEndpoint);
      assert.equal(back.deviceAuthorizationEndpoint, original.deviceAuthorizationEndpoint);
      assert.equal(back.clientSecret, original.clientSecret ?? undefined);
    });
  }

  test('the writer puts keys in a fixed order and leaves secrets out when not given', () => {
    const entry = writeTokenEntry(token({ template: 'google', scope: 'x' }));
    assert.deepEqual(Object.keys(entry), ['Kind', 'Name', 'Config', 'MailAuth']);
    assert.deepEqual(Object.keys(entry.Config), ['AuthFlow', 'ClientID', 'Scope', 'Requests', 'Notifications']);
    assert.equal('ClientSecret' in entry.Config, false);
    assert.equal('Grant' in entry.MailAuth, false);
  });
});

describe('differingPaths', () => {
  test('leaf paths, missing keys included', () => {
    assert.deepEqual(differingPaths({ a: { b: 1, c: 2 }, d: [1, 2] }, { a: { b: 1, c: 3 }, d: [1, 2], e: 0 }), ['a.c', 'e']);
    assert.deepEqual(differingPaths({ x: [1] }, { x: [1, 2] }), ['x']);
    assert.deepEqual(differingPaths({ a: 1 }, { a: 1 }), []);
  });
});
