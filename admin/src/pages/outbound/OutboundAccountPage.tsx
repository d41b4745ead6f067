import { Button, Field, Flex, Grid, Link, TextInput } from '@strapi/design-system';
import { ExternalLink, Play } from '@strapi/icons';
import { Layouts, Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { Link as RouterLink, useNavigate, useParams } from 'react-router-dom';

import type { TestReport } from '../../api/accountTests';
import { toApiFailure, type ApiFailure, type FieldErrors } from '../../api/errors';
import { fieldSentences } from '../../api/fieldSentences';
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
import { AccountFailureAlert } from '../../components/accounts/AccountFailureAlert';
import { AccountPageHeader } from '../../components/accounts/AccountPageHeader';
import { AccountStateItem, AccountStateSection } from '../../components/accounts/AccountStateSection';
import { TestReportView } from '../../components/accounts/TestReportView';
import { TokenSelect } from '../../components/accounts/TokenSelect';
import { ConfirmDeleteButton } from '../../components/ConfirmDeleteButton';
import { CheckboxField, PortField, SelectField, TextField } from '../../components/form/fields';
import { SecretInput } from '../../components/tokens/SecretInput';
import { Section } from '../../components/tokens/TokenForm';
import { usePluginPermissions } from '../../hooks/usePluginPermissions';
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
  const { id } = useParams<{ id: string }>();
  const isNew = !id;
  const navigate = useNavigate();
  const client = useFetchClient();
  const { toggleNotification } = useNotification();
  const permissions = usePluginPermissions();
  const presets = useRemote(() => getOutboundPresets(client), 'outbound-presets');
  const account = useRemote<OutboundAccount | null>(() => (isNew ? Promise.resolve(null) : getOutboundAccount(client, id!)), id ?? 'new');
  const [values, setValues] = useState<OutboundFormValues | null>(null);
  const [preset, setPreset] = useState<OutboundPreset | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [busy, setBusy] = useState<'save' | 'test' | null>(null);
  const [report, setReport] = useState<TestReport | null>(null);
  const [recipient, setRecipient] = useState('');
  const [recipientError, setRecipientError] = useState<string | undefined>();

  useEffect(() => {
    if (values || account.isLoading) return;
    if (account.data) setValues(outboundValues(account.data));
    else if (isNew) setValues(emptyOutbound());
  });

  if (presets.isLoading || account.isLoading || permissions.isLoading) return <Page.Loading />;
  if (isNew && !permissions.canCreate) return <Page.NoPermissions />;
  if (!presets.data || (!isNew && !account.data)) {
    return account.failure?.status === 404 ? <Page.NoData content={t('account.notFound', 'This account does not exist (any more).')} /> : <Page.Error />;
  }
  if (!values) return <Page.Loading />;
  const current = account.data ?? null;
  const readOnly = isNew ? false : !permissions.canUpdate;
  const smtp = values.type === 'smtp';
  const signIn = signInOf(values);
  const set = <K extends keyof OutboundFormValues>(key: K, value: OutboundFormValues[K]) => setValues({ ...values, [key]: value });
  const label = (field: string) => fieldLabel(t, field) ?? field;
  const errorCount = Object.keys(errors).length;

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (readOnly) return;
    const found = validateOutbound(t, values, current?.hasPassword ?? false);
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length) return;
    setBusy('save');
    try {
      const input = toOutboundInput(values);
      const saved = current ? await updateOutboundAccount(client, current.id, input) : await createOutboundAccount(client, input);
      toggleNotification({ type: 'success', message: current ? t('account.saved', 'Saved.') : t('outbound.created', 'Account “{name}” created. Next: send a test message.', { name: saved.name }) });
      if (!current) navigate(`${BASE}/${saved.id}`);
      else {
        account.setData(saved);
        setValues(outboundValues(saved));
      }
    } catch (error) {
      const f = toApiFailure(error);
      setErrors(fieldSentences(f.fields, (field) => fieldLabel(t, field)));
      setFailure(f);
    } finally {
      setBusy(null);
    }
  };

  const runTest = async () => {
    if (!current) return;
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(recipient.trim())) {
      setRecipientError(t('validation.email', 'An email address, such as support@example.com.'));
      return;
    }
    setRecipientError(undefined);
    setBusy('test');
    setReport(null);
    setFailure(null);
    try {
      setReport(await testOutboundAccount(client, current.id, recipient.trim()));
      await account.reload();
    } catch (error) {
      const f = toApiFailure(error);
      if (f.fields.to) setRecipientError(f.fields.to);
      else setFailure(f);
    } finally {
      setBusy(null);
    }
  };

  const remove = async () => {
    if (!current) return;
    try {
      await deleteOutboundAccount(client, current.id);
      toggleNotification({ type: 'success', message: t('account.deleted', 'Account “{name}” deleted.', { name: current.name }) });
      navigate(BASE);
    } catch (error) {
      setFailure(toApiFailure(error));
    }
  };

  const tokenTemplates = preset?.tokenTemplates.length ? preset.tokenTemplates : TOKEN_TEMPLATES_FOR[values.type];

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
        <Layouts.Action
          startActions={
            <Link tag={RouterLink} to={`/plugins/${PLUGIN_ID}/activity?subjectType=outbound-account&subjectId=${current.id}`}>
              {t('account.activity', 'Activity of this account')}
            </Link>
          }
          endActions={
            permissions.canDelete ? (
              <ConfirmDeleteButton
                onConfirm={remove}
                title={t('account.delete.title', 'Delete this account?')}
                consequence={t('outbound.delete.body', 'Nothing can be sent through “{name}” any more.', { name: current.name })}
              />
            ) : undefined
          }
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
          {current && (
            <AccountStateSection account={current} showLastError={!report}>
              <AccountStateItem label={t('outbound.col.lastSent', 'Last sent')}>{current.lastSentAt ? time.relative(current.lastSentAt) : '—'}</AccountStateItem>
            </AccountStateSection>
          )}

          <form id={FORM_ID} onSubmit={save} noValidate>
            <Flex direction="column" alignItems="stretch" gap={6}>
              <Section title={t('account.section.connection', 'Connection')}>
                <Grid.Root gap={5}>
                  {isNew && (
                    <Grid.Item col={12} direction="column" alignItems="stretch" gap={1}>
                      <SelectField
                        name="preset"
                        label={t('account.preset', 'Preset')}
                        hint={preset?.tokenScope ? t('account.preset.scope', 'The token needs: {scope}', { scope: preset.tokenScope }) : t('account.preset.hint', 'Fills the fields for a common provider.')}
                        value={preset?.id ?? null}
                        placeholder={t('account.preset.choose', 'Choose a preset')}
                        options={presets.data.map((p) => ({ value: p.id, label: p.name }))}
                        onChange={(v) => {
                          const p = presets.data!.find((x) => x.id === v) ?? null;
                          setPreset(p);
                          if (p) setValues(applyOutboundPreset(values, p));
                          setErrors({});
                        }}
                      />
                      {preset?.docs && (
                        <Link href={preset.docs} isExternal endIcon={<ExternalLink />}>
                          {t('account.preset.docs', 'The provider’s documentation')}
                        </Link>
                      )}
                    </Grid.Item>
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
                        isSet={current?.hasPassword ?? false}
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
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <SelectField
                      name="usage"
                      label={t('account.field.scope', 'Used by')}
                      disabled={readOnly}
                      value={values.usage}
                      options={[
                        { value: 'organization', label: t('account.scope.organization', 'The whole organisation') },
                        { value: 'application', label: t('account.scope.application', 'One application') },
                      ]}
                      onChange={(v) => set('usage', v as 'organization' | 'application')}
                    />
                  </Grid.Item>
                  {values.usage === 'application' && (
                    <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                      <TextField name="applicationName" label={label('applicationName')} required disabled={readOnly} value={values.applicationName} error={errors.applicationName} onChange={(v) => set('applicationName', v)} />
                    </Grid.Item>
                  )}
                </Grid.Root>
              </Section>

              <Section title={t('form.section.about', 'Name and use')}>
                <Grid.Root gap={5}>
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <TextField name="name" label={label('name')} required disabled={readOnly} value={values.name} error={errors.name} onChange={(v) => set('name', v)} />
                  </Grid.Item>
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <TextField name="description" label={label('description')} multiline disabled={readOnly} value={values.description} error={errors.description} onChange={(v) => set('description', v)} />
                  </Grid.Item>
                  <Grid.Item col={12} direction="column" alignItems="flex-start">
                    <CheckboxField name="active" label={t('outbound.field.active', 'Active: mail can be sent through it')} checked={values.active} disabled={readOnly} onChange={(v) => set('active', v)} />
                  </Grid.Item>
                </Grid.Root>
              </Section>
            </Flex>
          </form>
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};
