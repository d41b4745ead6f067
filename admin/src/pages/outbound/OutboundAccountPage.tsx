import { Button, Field, Flex, Grid, TextInput } from '@strapi/design-system';
import { Play } from '@strapi/icons';
import { Layouts, Page, useFetchClient } from '@strapi/strapi/admin';
import { useState, type ChangeEvent } from 'react';

import type { TestReport } from '../../api/accountTests';
import {
  createOutboundAccount,
  deleteOutboundAccount,
  getOutboundAccount,
  getOutboundPresets,
  testOutboundAccount,
  updateOutboundAccount,
  type OutboundAccount,
  type OutboundPreset,
  type SmtpSecurity,
} from '../../api/outbound';
import { AccountAboutSection } from '../../components/accounts/AccountAboutSection';
import { AccountActionBar } from '../../components/accounts/AccountActionBar';
import { AccountFailureAlert } from '../../components/accounts/AccountFailureAlert';
import { AccountPageHeader } from '../../components/accounts/AccountPageHeader';
import { AccountStateItem, AccountStateSection } from '../../components/accounts/AccountStateSection';
import { AccountWarnings } from '../../components/accounts/AccountWarnings';
import { AccountUsageFields } from '../../components/accounts/AccountUsageFields';
import { PresetSelect } from '../../components/accounts/PresetSelect';
import { TestReportView } from '../../components/accounts/TestReportView';
import { TokenSelect } from '../../components/accounts/TokenSelect';
import { CheckboxField, PortField, SelectField, TextField } from '../../components/form/fields';
import { SecretInput } from '../../components/tokens/SecretInput';
import { Section } from '../../components/tokens/TokenForm';
import { useAccountEditor } from '../../hooks/useAccountEditor';
import { useRemote } from '../../hooks/useRemote';
import { PLUGIN_ID } from '../../pluginId';
import { useTimeFormat } from '../../utils/time';
import { useT, type Translate } from '../../utils/useT';
import {
  applyOutboundPreset,
  DEFAULT_PORT,
  emptyOutbound,
  outboundValues,
  signInOf,
  toOutboundInput,
  TOKEN_TEMPLATES_FOR,
  validateOutbound,
  type OutboundFormValues,
} from './outboundFormModel';

const FORM_ID = 'mail-auth-outbound-form';
const BASE = `/plugins/${PLUGIN_ID}/outbound`;

const fieldLabel = (t: Translate, field: string): string | undefined =>
  ({
    name: t('account.field.name', 'Name'),
    description: t('account.field.description', 'Description'),
    type: t('account.field.type', 'Type'),
    host: t('account.field.host', 'Server'),
    port: t('account.field.port', 'Port'),
    security: t('outbound.field.security', 'Security'),
    domain: t('outbound.field.domain', 'EHLO name'),
    trustedCertificate: t('outbound.field.trustedCertificate', 'Trusted certificate (PEM)'),
    authentication: t('account.field.authentication', 'Sign-in with'),
    username: t('outbound.field.username', 'User name'),
    password: t('account.field.password', 'Password'),
    oauthToken: t('account.field.oauthToken', 'OAuth2 token'),
    fromAddress: t('outbound.field.fromAddress', 'From address'),
    fromName: t('outbound.field.fromName', 'From name'),
    applicationName: t('account.field.application', 'Application'),
  })[field];

/** /plugins/mail-auth/outbound/new and /outbound/:id: the account form and a test message. */
export const OutboundAccountPage = () => {
  const t = useT();
  const time = useTimeFormat();
  const client = useFetchClient();
  const presets = useRemote(() => getOutboundPresets(client), 'outbound-presets');
  const [preset, setPreset] = useState<OutboundPreset | null>(null);
  const [report, setReport] = useState<TestReport | null>(null);
  const [recipient, setRecipient] = useState('');
  const [recipientError, setRecipientError] = useState<string | undefined>();
  const editor = useAccountEditor<OutboundAccount, OutboundFormValues, ReturnType<typeof toOutboundInput>>({
    base: BASE,
    load: getOutboundAccount,
    create: createOutboundAccount,
    update: updateOutboundAccount,
    remove: deleteOutboundAccount,
    toValues: outboundValues,
    initial: emptyOutbound,
    validate: (v, hasPassword) => validateOutbound(t, v, hasPassword),
    toInput: toOutboundInput,
    destination: (v) => [v.type, v.host.trim(), v.port ?? '', v.security].join(' '),
    fieldLabel: (field) => fieldLabel(t, field),
    createdMessage: (name) => t('outbound.created', 'Account “{name}” created. Next: send a test message.', { name }),
  });
  const { isNew, permissions, current, readOnly, values, setValues, set, errors, setErrors, failure, setFailure, busy, passwordKept, passwordHint } = editor;

  const gate = editor.gate(presets);
  if (gate || !values || !presets.data) return gate;
  const smtp = values.type === 'smtp';
  const signIn = signInOf(values);
  const label = (field: string) => fieldLabel(t, field) ?? field;
  const errorCount = Object.keys(errors).length;

  const tokenTemplates = preset?.tokenTemplates.length ? preset.tokenTemplates : TOKEN_TEMPLATES_FOR[values.type];

  const runTest = async () => {
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(recipient.trim())) {
      setRecipientError(t('validation.email', 'An email address, such as support@example.com.'));
      return;
    }
    setRecipientError(undefined);
    setReport(null);
    const answer = await editor.run(
      'test',
      (id) => testOutboundAccount(client, id, recipient.trim()),
      (f) => {
        // The server's word on the recipient goes beside the recipient field.
        if (!f.fields.to) return false;
        setRecipientError(f.fields.to);
        return true;
      }
    );
    if (answer) setReport(answer);
  };

  return (
    <Page.Main>
      <AccountPageHeader
        account={current}
        newTitle={t('outbound.new.title', 'New outbound account')}
        subtitle={current ? `${current.fromAddress}` : t('outbound.new.subtitle', 'Start from a preset: it fills the server, port and security; then choose how the account signs in.')}
        backTo={BASE}
        formId={FORM_ID}
        createLabel={t('outbound.create', 'Create account')}
        saving={busy === 'save'}
        readOnly={readOnly}
      />
      {current && (
        <AccountActionBar
          account={current}
          subjectType="outbound-account"
          onDelete={editor.remove}
          deleteConsequence={permissions.canDelete ? t('outbound.delete.body', 'Nothing can be sent through “{name}” any more.', { name: current.name }) : undefined}
        />
      )}
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          <AccountFailureAlert failure={failure} errorCount={errorCount} onClose={() => setFailure(null)} />
          {current && permissions.canTest && (
            <Section title={t('outbound.test.section', 'Test & confirm: send a test message')}>
              <Flex gap={4} alignItems="flex-start">
                <Field.Root name="to" error={recipientError} hint={t('outbound.test.hint', 'A mailbox you can read; the message says it is a test.')} required>
                  <Field.Label>{t('outbound.test.to', 'Test recipient')}</Field.Label>
                  <TextInput value={recipient} placeholder="you@example.com" onChange={(e: ChangeEvent<HTMLInputElement>) => setRecipient(e.target.value)} />
                  <Field.Hint />
                  <Field.Error />
                </Field.Root>
                <Flex paddingTop={6}>
                  <Button startIcon={<Play />} onClick={runTest} loading={busy === 'test'} size="M">
                    {t('outbound.test.send', 'Send test message')}
                  </Button>
                </Flex>
              </Flex>
            </Section>
          )}
          {report && <TestReportView report={report} />}
          {!report && current && <AccountWarnings warnings={current.warnings} />}
          {current && (
            <AccountStateSection account={current} showLastError={!report}>
              <AccountStateItem label={t('outbound.col.lastSent', 'Last sent')}>{current.lastSentAt ? time.relative(current.lastSentAt) : '—'}</AccountStateItem>
            </AccountStateSection>
          )}

          <form id={FORM_ID} onSubmit={editor.save} noValidate>
            <Flex direction="column" alignItems="stretch" gap={6}>
              <Section title={t('account.section.connection', 'Connection')}>
                <Grid.Root gap={5}>
                  {isNew && (
                    <PresetSelect
                      presets={presets.data}
                      chosen={preset}
                      scopeHint={preset?.tokenScope}
                      onChoose={(p) => {
                        setPreset(p);
                        if (p) setValues(applyOutboundPreset(values, p));
                        setErrors({});
                      }}
                    />
                  )}
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <SelectField
                      name="type"
                      label={label('type')}
                      required
                      disabled={readOnly}
                      value={values.type}
                      error={errors.type}
                      options={[
                        { value: 'smtp', label: t('outbound.type.smtp', 'SMTP') },
                        { value: 'microsoft-graph', label: t('outbound.type.microsoft-graph', 'Microsoft Graph sendMail') },
                        { value: 'gmail-api', label: t('outbound.type.gmail-api', 'Gmail API') },
                      ]}
                      onChange={(v) => set('type', v as OutboundFormValues['type'])}
                    />
                  </Grid.Item>
                  {smtp && (
                    <>
                      <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                        <SelectField
                          name="security"
                          label={label('security')}
                          disabled={readOnly}
                          value={values.security}
                          options={[
                            { value: 'starttls', label: t('outbound.security.starttls', 'STARTTLS (usually port 587)') },
                            { value: 'tls', label: t('outbound.security.tls', 'TLS from the start (usually port 465)') },
                            { value: 'none', label: t('outbound.security.none', 'None: plain text (usually port 25)') },
                          ]}
                          onChange={(v) => setValues({ ...values, security: v as SmtpSecurity, port: DEFAULT_PORT[v as SmtpSecurity] })}
                        />
                      </Grid.Item>
                      <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
                        <TextField name="host" label={label('host')} required disabled={readOnly} value={values.host} error={errors.host} placeholder="smtp.example.com" onChange={(v) => set('host', v)} />
                      </Grid.Item>
                      <Grid.Item col={2} s={12} direction="column" alignItems="stretch">
                        <PortField name="port" label={label('port')} required disabled={readOnly} value={values.port} error={errors.port} onChange={(v) => set('port', v)} />
                      </Grid.Item>
                      <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                        <TextField
                          name="domain"
                          label={label('domain')}
                          disabled={readOnly}
                          value={values.domain}
                          error={errors.domain}
                          hint={t('outbound.domain.hint', 'The name Strapi gives itself in EHLO; empty: this machine’s host name.')}
                          onChange={(v) => set('domain', v)}
                        />
                      </Grid.Item>
                      {values.security === 'none' && signIn !== 'none' && (
                        <Grid.Item col={12} direction="column" alignItems="flex-start">
                          <CheckboxField
                            name="allowInsecureAuth"
                            label={t('account.field.allowInsecureAuth', 'Send the password or token unencrypted (only to a server on a network you trust; not needed for localhost)')}
                            checked={values.allowInsecureAuth}
                            disabled={readOnly}
                            onChange={(v) => set('allowInsecureAuth', v)}
                          />
                        </Grid.Item>
                      )}
                      {values.security !== 'none' && (
                        <>
                          <Grid.Item col={12} direction="column" alignItems="flex-start">
                            <CheckboxField
                              name="verifyCertificate"
                              label={t('outbound.field.verifyCertificate', 'Check the server’s certificate')}
                              checked={values.verifyCertificate}
                              disabled={readOnly}
                              onChange={(v) => set('verifyCertificate', v)}
                            />
                          </Grid.Item>
                          <Grid.Item col={12} direction="column" alignItems="stretch">
                            <TextField
                              name="trustedCertificate"
                              label={label('trustedCertificate')}
                              multiline
                              disabled={readOnly}
                              value={values.trustedCertificate}
                              error={errors.trustedCertificate}
                              placeholder="-----BEGIN CERTIFICATE-----"
                              hint={t('outbound.trustedCertificate.hint', 'Your own CA or the server’s self-signed certificate, trusted besides the public ones.')}
                              onChange={(v) => set('trustedCertificate', v)}
                            />
                          </Grid.Item>
                        </>
                      )}
                    </>
                  )}
                </Grid.Root>
              </Section>

              <Section title={t('account.section.signIn', 'Sign-in')}>
                <Grid.Root gap={5}>
                  {smtp && (
                    <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                      <SelectField
                        name="authentication"
                        label={label('authentication')}
                        disabled={readOnly}
                        value={signIn}
                        error={errors.authentication}
                        options={[
                          { value: 'oauth2', label: t('account.auth.oauth2', 'OAuth 2.0 (an OAuth2 token)') },
                          { value: 'password', label: t('account.auth.passwordLong', 'Password') },
                          { value: 'none', label: t('outbound.auth.none', 'No authentication (a relay that trusts this server)') },
                        ]}
                        onChange={(v) =>
                          setValues({ ...values, useAuthentication: v !== 'none', authentication: v === 'none' ? values.authentication : (v as 'password' | 'oauth2') })
                        }
                      />
                    </Grid.Item>
                  )}
                  {signIn === 'oauth2' && (
                    <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                      <TokenSelect
                        value={values.oauthToken}
                        onChange={(v) => set('oauthToken', v)}
                        templates={tokenTemplates}
                        error={errors.oauthToken}
                        disabled={readOnly}
                        hint={t('outbound.token.hint', 'The token signs in to send (XOAUTH2 for SMTP).')}
                      />
                    </Grid.Item>
                  )}
                  {smtp && signIn !== 'none' && (
                    <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                      <TextField
                        name="username"
                        label={label('username')}
                        disabled={readOnly}
                        value={values.username}
                        error={errors.username}
                        hint={t('outbound.username.hint', 'The SMTP login; empty: the from address.')}
                        onChange={(v) => set('username', v)}
                      />
                    </Grid.Item>
                  )}
                  {signIn === 'password' && (
                    <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                      <SecretInput
                        name="password"
                        label={label('password')}
                        isSet={passwordKept}
                      hint={passwordHint}
                        required
                        disabled={readOnly}
                        value={values.password}
                        error={errors.password}
                        onChange={(v) => set('password', v)}
                      />
                    </Grid.Item>
                  )}
                </Grid.Root>
              </Section>

              <Section title={t('outbound.section.sender', 'Sender')}>
                <Grid.Root gap={5}>
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <TextField
                      name="fromAddress"
                      label={label('fromAddress')}
                      required
                      disabled={readOnly}
                      value={values.fromAddress}
                      error={errors.fromAddress}
                      placeholder="support@example.com"
                      hint={t('outbound.fromAddress.hint', 'The envelope sender; for Graph also the mailbox that sends.')}
                      onChange={(v) => set('fromAddress', v)}
                    />
                  </Grid.Item>
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <TextField name="fromName" label={label('fromName')} disabled={readOnly} value={values.fromName} error={errors.fromName} placeholder="Example Support" onChange={(v) => set('fromName', v)} />
                  </Grid.Item>
                  <Grid.Item col={12} direction="column" alignItems="flex-start">
                    <CheckboxField
                      name="sharedMailbox"
                      label={t('outbound.field.sharedMailbox', 'A shared mailbox: the token’s user sends as this address (Send As rights)')}
                      checked={values.sharedMailbox}
                      disabled={readOnly}
                      onChange={(v) => set('sharedMailbox', v)}
                    />
                  </Grid.Item>
                  <AccountUsageFields
                    names={{ usage: 'usage', application: 'applicationName' }}
                    usage={values.usage}
                    application={values.applicationName}
                    applicationError={errors.applicationName}
                    readOnly={readOnly}
                    onUsage={(v) => set('usage', v)}
                    onApplication={(v) => set('applicationName', v)}
                  />
                </Grid.Root>
              </Section>

              <AccountAboutSection
                values={values}
                errors={errors}
                readOnly={readOnly}
                activeLabel={t('outbound.field.active', 'Active: mail can be sent through it')}
                onChange={(about) => setValues({ ...values, ...about })}
              />
            </Flex>
          </form>
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};
