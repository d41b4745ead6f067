import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { Discovery } from '../../admin/src/api/connect';
import { initialValues, passwordAtMicrosoft, toConnectInput } from '../../admin/src/pages/connect/connectModel';

const microsoft: Discovery = {
  address: 'helpdesk@contoso.com',
  domain: 'contoso.com',
  displayDomain: 'contoso.com',
  provider: 'microsoft',
  tenantId: 'tid',
  inbound: [
    { type: 'imaps', host: 'outlook.office365.com', port: 993, security: 'tls', auth: ['oauth2'], found: 'mx' },
    { type: 'microsoft-graph', port: 443, security: 'tls', auth: ['oauth2'], found: 'mx' },
  ],
  outbound: [{ type: 'smtp', host: 'smtp.office365.com', port: 587, security: 'starttls', auth: ['oauth2'], found: 'mx' }],
  oauth: {
    template: 'microsoft', tenant: 'tid', issuer: 'https://login.example/tid/v2.0',
    authorizationEndpoint: 'https://login.example/tid/authorize', tokenEndpoint: 'https://login.example/tid/token',
    deviceAuthorizationEndpoint: 'https://login.example/tid/devicecode', scopes: ['openid'], found: 'openid-configuration',
  },
  found: [],
  errors: [],
  cached: false,
};

test('connect wizard: prefilled from discovery (OAuth 2.0, the tenant, the first server with a host, names from the address)', () => {
  const values = initialValues(microsoft);
  assert.equal(values.signIn, 'oauth2');
  assert.equal(values.tenant, 'tid');
  assert.deepEqual(values.inbound, { type: 'imaps', host: 'outlook.office365.com', port: 993, security: 'tls' });
  assert.deepEqual(values.names, { token: 'helpdesk@contoso.com', inbound: 'helpdesk@contoso.com (inbound)', outbound: 'helpdesk@contoso.com (outbound)' });
  assert.equal(passwordAtMicrosoft(microsoft, values), false);
  assert.equal(passwordAtMicrosoft(microsoft, { ...values, signIn: 'password' }), true);
  assert.equal(initialValues({ ...microsoft, provider: 'other', oauth: undefined }).signIn, 'password');
});

test('connect wizard: the body of POST /connect carries the discovered endpoints (the device endpoint too), and no scope for Microsoft (its default covers both ways)', () => {
  const values = { ...initialValues(microsoft), clientId: ' app ', clientSecret: 's' };
  assert.deepEqual(toConnectInput(microsoft, values), {
    address: 'helpdesk@contoso.com',
    names: values.names,
    oauth: {
      template: 'microsoft', clientId: 'app', clientSecret: 's', tenant: 'tid', issuer: 'https://login.example/tid/v2.0',
      authorizationEndpoint: 'https://login.example/tid/authorize', tokenEndpoint: 'https://login.example/tid/token',
      deviceAuthorizationEndpoint: 'https://login.example/tid/devicecode', scope: undefined,
    },
    inbound: { type: 'imaps', host: 'outlook.office365.com', port: 993 },
    outbound: { type: 'smtp', host: 'smtp.office365.com', port: 587, security: 'starttls' },
  });
  // A REST API has no host; a password mailbox has no token (and so no token name).
  const password = toConnectInput(microsoft, { ...values, signIn: 'password', password: 'pw', inbound: { type: 'microsoft-graph', host: 'x', port: 1, security: 'tls' } });
  assert.deepEqual([password.oauth, password.password, password.inbound, password.names?.token], [undefined, 'pw', { type: 'microsoft-graph' }, undefined]);
  // generic: the autoconfig file's scopes
  const generic = toConnectInput({ ...microsoft, oauth: { template: 'generic', scopes: ['mail', 'offline_access'], found: 'autoconfig' } }, values);
  assert.equal(generic.oauth?.scope, 'mail offline_access');
  assert.equal(generic.oauth?.tenant, undefined);
});
