import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { InboundPresets, InboundTypeInfo } from '../../admin/src/api/inbound';
import type { OutboundAccount } from '../../admin/src/api/outbound';
import { inboundFormModel } from '../../admin/src/pages/inbound/inboundFormModel';
import { outboundFormModel } from '../../admin/src/pages/outbound/outboundFormModel';
import { TYPE_INFO } from '../../server/src/inbound/account-types';

// The default texts stand for the translations: what the panel shows without a locale of its own.
const t = (_id: string, text: string) => text;

// The types as GET /inbound-accounts/presets lists them: the server's own table.
const presets: InboundPresets = {
  presets: [],
  types: Object.values(TYPE_INFO).map((info) => ({ ...info, defaultHost: info.defaultHost ?? null, actions: [...info.actions] }) as InboundTypeInfo),
};

test('inbound form model: a new form is IMAPS; a type without password sign-in offers no choice and switches to a token', () => {
  const empty = inboundFormModel.empty(presets);
  assert.equal(empty.type, 'imaps');
  assert.deepEqual(inboundFormModel.signInChoices(empty, presets), ['oauth2', 'password']);
  const graph = inboundFormModel.changeType({ ...empty, authentication: 'password' }, 'microsoft-graph', presets);
  assert.equal(graph.host, 'graph.microsoft.com');
  assert.equal(inboundFormModel.signIn(graph, presets), 'oauth2');
  assert.deepEqual(inboundFormModel.signInChoices(graph, presets), []);
  assert.deepEqual(
    inboundFormModel.typeOptions(t, presets).map((o) => o.value),
    Object.keys(TYPE_INFO)
  );
});

test('inbound form model: the API input of a Graph account has no server; its field errors are named with the form labels', () => {
  const values = { ...inboundFormModel.changeType(inboundFormModel.empty(presets), 'microsoft-graph', presets), name: ' Graph ', oauthToken: 3 };
  const input = inboundFormModel.toInput(values, presets);
  assert.equal(input.name, 'Graph');
  assert.equal(input.host, null);
  assert.equal(input.port, null);
  assert.equal(input.oauthToken, 3);
  assert.equal('idle' in input, false, 'IDLE is sent only for IMAP');
  assert.deepEqual(inboundFormModel.validate(t, { ...values, oauthToken: null }, presets, false), { oauthToken: 'This value is required.' });
  assert.equal(inboundFormModel.fieldLabel(t, 'pollInterval'), 'Fetch every (seconds)');
  assert.equal(inboundFormModel.fieldLabel(t, 'host'), 'Server', 'a field both kinds have');
  assert.equal(inboundFormModel.fieldLabel(t, 'usage'), undefined, 'an outbound field');
});

test('outbound form model: SMTP offers password, token or none; choosing none keeps the sign-in chosen before for later', () => {
  const empty = outboundFormModel.empty([]);
  assert.deepEqual(outboundFormModel.signInChoices(empty, []), ['oauth2', 'password', 'none']);
  const relay = outboundFormModel.withSignIn({ ...empty, authentication: 'oauth2' }, 'none');
  assert.equal(outboundFormModel.signIn(relay, []), 'none');
  assert.equal(relay.authentication, 'oauth2');
  assert.equal(outboundFormModel.toInput(relay, []).useAuthentication, false);
  const graph = outboundFormModel.changeType(empty, 'microsoft-graph', []);
  assert.deepEqual(outboundFormModel.signInChoices(graph, []), []);
  assert.equal(outboundFormModel.signIn(graph, []), 'oauth2');
  assert.deepEqual(outboundFormModel.tokenTemplates(graph, null), ['microsoft', 'microsoft-app-only', 'generic', 'generic-client-credentials']);
  assert.equal(outboundFormModel.validate(t, { ...empty, name: 'x', host: 'h', port: 70000, password: 'p', fromAddress: 'a@b.example' }, [], false).port, 'A port from 1 to 65535.');
});

test('outbound form model: how a listed account signs in (the list column)', () => {
  const account = (over: Partial<OutboundAccount>) => ({ type: 'smtp', useAuthentication: true, authentication: 'password', ...over }) as OutboundAccount;
  assert.equal(outboundFormModel.accountSignIn(account({})), 'password');
  assert.equal(outboundFormModel.accountSignIn(account({ useAuthentication: false })), 'none');
  assert.equal(outboundFormModel.accountSignIn(account({ authentication: 'oauth2' })), 'oauth2');
  assert.equal(outboundFormModel.accountSignIn(account({ type: 'gmail-api', authentication: null })), 'oauth2');
});
