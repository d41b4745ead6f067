import { Alert, Button, Flex, Grid } from '@strapi/design-system';
import { ArrowClockwise, Play } from '@strapi/icons';
import { Layouts, Page, useFetchClient } from '@strapi/strapi/admin';
import { useState } from 'react';

import type { TestReport } from '../../api/accountTests';
import {
  createInboundAccount,
  deleteInboundAccount,
  fetchInboundNow,
  getInboundAccount,
  getInboundPresets,
  testInboundAccount,
  updateInboundAccount,
  type FetchReport,
  type InboundAccount,
  type InboundPreset,
  type InboundTypeInfo,
} from '../../api/inbound';
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
import { DismissibleAlert } from '../../components/DismissibleAlert';
import { CheckboxField, NumberField, PortField, SelectField, TextField } from '../../components/form/fields';
import { SecretInput } from '../../components/tokens/SecretInput';
import { Section } from '../../components/tokens/TokenForm';
import { withCode } from '../../components/tokens/TokenStatusCard';
import { useAccountEditor } from '../../hooks/useAccountEditor';
import { useRemote } from '../../hooks/useRemote';
import { PLUGIN_ID } from '../../pluginId';
import { useTimeFormat } from '../../utils/time';
import { useT, type Translate } from '../../utils/useT';
import {
  applyInboundPreset,
  changeInboundType,
  emptyInbound,
  inboundValues,
  toInboundInput,
  validateInbound,
  type InboundFormValues,
} from './inboundFormModel';

const FORM_ID = 'mail-auth-inbound-form';
const BASE = `/plugins/${PLUGIN_ID}/inbound`;

const fieldLabel = (t: Translate, field: string): string | undefined =>
  ({
    name: t('account.field.name', 'Name'),
    description: t('account.field.description', 'Description'),
    type: t('account.field.type', 'Type'),
    host: t('account.field.host', 'Server'),
    port: t('account.field.port', 'Port'),
    authentication: t('account.field.authentication', 'Sign-in with'),
    login: t('inbound.field.login', 'Login'),
    mailbox: t('inbound.field.mailbox', 'Mailbox'),
    password: t('account.field.password', 'Password'),
    oauthToken: t('account.field.oauthToken', 'OAuth2 token'),
    folder: t('inbound.field.folder', 'Folder'),
    actionAfterFetch: t('inbound.field.actionAfterFetch', 'After fetching a message'),
    moveTo: t('inbound.field.moveTo', 'Move to folder'),
    pollInterval: t('inbound.field.pollInterval', 'Fetch every (seconds)'),
    maxMessagesPerPoll: t('inbound.field.maxMessagesPerPoll', 'At most this many messages per fetch'),
    queue: t('inbound.field.queue', 'Queue'),
    application: t('account.field.application', 'Application'),
  })[field];

const actionLabel = (t: Translate, action: string) =>
  ({
    'mark-seen': t('inbound.action.mark-seen', 'Mark it as read'),
    delete: t('inbound.action.delete', 'Delete it from the server'),
    move: t('inbound.action.move', 'Move it to another folder'),
    keep: t('inbound.action.keep', 'Leave it as it is'),
  })[action] ?? action;

/** /plugins/mail-auth/inbound/new and /inbound/:id: the account form, Test & confirm, Fetch now. */
export const InboundAccountPage = () => {
  const t = useT();
  const time = useTimeFormat();
  const client = useFetchClient();
  const presets = useRemote(() => getInboundPresets(client), 'inbound-presets');
  const [preset, setPreset] = useState<InboundPreset | null>(null);
  const [report, setReport] = useState<TestReport | null>(null);
  const [fetched, setFetched] = useState<FetchReport | null>(null);
  const types = presets.data?.types ?? [];
  const infoOf = (type: string): InboundTypeInfo | undefined => types.find((x) => x.type === type);
  const editor = useAccountEditor<InboundAccount, InboundFormValues, ReturnType<typeof toInboundInput>>({
    base: BASE,
    load: getInboundAccount,
    create: createInboundAccount,
    update: updateInboundAccount,
    remove: deleteInboundAccount,
    toValues: inboundValues,
    initial: () => (presets.data ? emptyInbound(infoOf('imaps') ?? presets.data.types[0]) : null),
    validate: (v, hasPassword) => validateInbound(t, v, infoOf(v.type)!, hasPassword),
    toInput: (v) => toInboundInput(v, infoOf(v.type)!),
    destination: (v) => [v.type, v.host.trim(), v.port ?? ''].join(' '),
    fieldLabel: (field) => fieldLabel(t, field),
    createdMessage: (name) => t('account.created', 'Account “{name}” created. Next: Test & confirm.', { name }),
  });
  const { isNew, permissions, current, readOnly, values, setValues, set, errors, setErrors, failure, setFailure, busy, passwordKept, passwordHint } = editor;

  const gate = editor.gate(presets);
  if (gate || !values || !presets.data) return gate;
  const info = infoOf(values.type)!;
  const mailServer = info.protocol === 'imap' || info.protocol === 'pop3';

  const runTest = async () => {
    setReport(null);
    const answer = await editor.run('test', (id) => testInboundAccount(client, id));
    if (answer) setReport(answer);
  };

  const runFetch = async () => {
    setFetched(null);
    const answer = await editor.run('fetch', (id) => fetchInboundNow(client, id));
    if (answer) setFetched(answer);
  };

  const tokenTemplates = preset?.tokenTemplates ?? [];
  const label = (field: string) => fieldLabel(t, field) ?? field;
  const errorCount = Object.keys(errors).length;

  return (
    <Page.Main>
      <AccountPageHeader
        account={current}
        newTitle={t('inbound.new.title', 'New inbound account')}
        subtitle={current ? info.label : t('inbound.new.subtitle', 'Start from a preset: it fills the server, port and security; then choose how the mailbox signs in.')}
        backTo={BASE}
        formId={FORM_ID}
        createLabel={t('inbound.create', 'Create account')}
        saving={busy === 'save'}
        readOnly={readOnly}
      />
      {current && (
        <AccountActionBar
          account={current}
          subjectType="inbound-account"
          onDelete={editor.remove}
          deleteConsequence={permissions.canDelete ? t('inbound.delete.body', 'Mail is no longer fetched from “{name}”. Messages already received stay.', { name: current.name }) : undefined}
          actions={
            permissions.canTest && (
              <>
                <Button startIcon={<Play />} onClick={runTest} loading={busy === 'test'} size="S">
                  {t('account.test', 'Test & confirm')}
                </Button>
                <Button variant="secondary" startIcon={<ArrowClockwise />} onClick={runFetch} loading={busy === 'fetch'} size="S">
                  {t('inbound.fetch', 'Fetch now')}
                </Button>
              </>
            )
          }
        />
      )}
      <Layouts.Content>
        <form id={FORM_ID} onSubmit={editor.save} noValidate>
          <Flex direction="column" alignItems="stretch" gap={6}>
            <AccountFailureAlert failure={failure} errorCount={errorCount} onClose={() => setFailure(null)} />
            {busy === 'test' && (
              <Alert variant="default" closeLabel={t('common.close', 'Close')} title={t('test.running', 'Testing…')}>
                {t('inbound.test.running', 'Connecting, securing the connection, signing in and opening the folder. This takes a few seconds.')}
              </Alert>
            )}
            {report && <TestReportView report={report} />}
            {!report && current && <AccountWarnings warnings={current.warnings} />}
            {fetched && (
              <DismissibleAlert
                variant={fetched.errors.length ? 'danger' : 'success'}
                title={t('inbound.fetched', 'Fetched {fetched} new, skipped {skipped}', { fetched: fetched.fetched, skipped: fetched.skipped })}
                data-testid="fetch-result"
              >
                {fetched.errors.map((x) => [withCode(x.code, x.message), x.advice].filter(Boolean).join(' ')).join(' ')}
              </DismissibleAlert>
            )}
            {current && (
              <AccountStateSection account={current} showLastError={!report}>
                <AccountStateItem label={t('inbound.col.lastPoll', 'Last fetch')}>
                  {current.lastPollAt
                    ? t('inbound.lastPoll', '{when}: {fetched} new', { when: time.relative(current.lastPollAt), fetched: current.lastPollResult?.fetched ?? 0 })
                    : '—'}
                </AccountStateItem>
                <AccountStateItem label={t('account.lastTest', 'Last test')}>{current.lastTestAt ? time.relative(current.lastTestAt) : '—'}</AccountStateItem>
                {current.idle !== null && (
                  <AccountStateItem label={t('inbound.state.idle', 'New mail')}>
                    {!current.idle
                      ? t('inbound.state.idleOff', 'Fetched every poll interval (IDLE off)')
                      : current.idleActive
                        ? t('inbound.state.idleActive', 'Handed on as it arrives (IMAP IDLE)')
                        : t('inbound.state.idleDown', 'Fetched every poll interval: no IDLE connection now')}
                  </AccountStateItem>
                )}
              </AccountStateSection>
            )}

            <Section title={t('account.section.connection', 'Connection')}>
              <Grid.Root gap={5}>
                {isNew && (
                  <PresetSelect
                    presets={presets.data.presets}
                    chosen={preset}
                    scopeHint={preset?.scopeHint}
                    onChoose={(p) => {
                      setPreset(p);
                      if (p) setValues(applyInboundPreset(values, p, infoOf(p.values.type)!));
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
                    options={types.map((x) => ({ value: x.type, label: x.label }))}
                    onChange={(v) => setValues(changeInboundType(values, infoOf(v)!))}
                  />
                </Grid.Item>
                {mailServer && (
                  <>
                    <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
                      <TextField name="host" label={label('host')} required disabled={readOnly} value={values.host} error={errors.host} placeholder="imap.example.com" onChange={(v) => set('host', v)} />
                    </Grid.Item>
                    <Grid.Item col={2} s={12} direction="column" alignItems="stretch">
                      <PortField name="port" label={label('port')} required disabled={readOnly} value={values.port} error={errors.port} onChange={(v) => set('port', v)} />
                    </Grid.Item>
                    {info.security === 'none' && (
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
                    {info.security !== 'none' && (
                      <Grid.Item col={12} direction="column" alignItems="flex-start">
                        <CheckboxField
                          name="certificateValidation"
                          label={t('inbound.field.certificateValidation', 'Check the server’s certificate (turn off only for a server you trust with a self-signed certificate)')}
                          checked={values.certificateValidation}
                          disabled={readOnly}
                          onChange={(v) => set('certificateValidation', v)}
                        />
                      </Grid.Item>
                    )}
                  </>
                )}
                {info.folders && (
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <TextField name="folder" label={label('folder')} disabled={readOnly} value={values.folder} error={errors.folder} placeholder="INBOX" onChange={(v) => set('folder', v)} />
                  </Grid.Item>
                )}
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <SelectField
                    name="actionAfterFetch"
                    label={label('actionAfterFetch')}
                    disabled={readOnly}
                    value={values.actionAfterFetch}
                    error={errors.actionAfterFetch}
                    options={info.actions.map((a) => ({ value: a, label: actionLabel(t, a) }))}
                    onChange={(v) => set('actionAfterFetch', v as InboundFormValues['actionAfterFetch'])}
                  />
                </Grid.Item>
                {values.actionAfterFetch === 'move' && (
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <TextField name="moveTo" label={label('moveTo')} required disabled={readOnly} value={values.moveTo} error={errors.moveTo} placeholder="Processed" onChange={(v) => set('moveTo', v)} />
                  </Grid.Item>
                )}
              </Grid.Root>
            </Section>

            <Section title={t('account.section.signIn', 'Sign-in')}>
              <Grid.Root gap={5}>
                {info.password && (
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <SelectField
                      name="authentication"
                      label={label('authentication')}
                      disabled={readOnly}
                      value={values.authentication}
                      error={errors.authentication}
                      options={[
                        { value: 'oauth2', label: t('account.auth.oauth2', 'OAuth 2.0 (an OAuth2 token)') },
                        { value: 'password', label: t('account.auth.passwordLong', 'Password') },
                      ]}
                      onChange={(v) => set('authentication', v as 'password' | 'oauth2')}
                    />
                  </Grid.Item>
                )}
                {values.authentication === 'oauth2' && (
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <TokenSelect
                      value={values.oauthToken}
                      onChange={(v) => set('oauthToken', v)}
                      templates={tokenTemplates}
                      error={errors.oauthToken}
                      disabled={readOnly}
                      hint={t('inbound.token.hint', 'The token signs in to the mailbox (XOAUTH2 for IMAP and POP3).')}
                    />
                  </Grid.Item>
                )}
                {mailServer && (
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <TextField
                      name="login"
                      label={label('login')}
                      required={values.authentication === 'password'}
                      disabled={readOnly}
                      value={values.login}
                      error={errors.login}
                      placeholder="support@example.com"
                      hint={t('inbound.login.hint', 'The user name at the mail server, usually the mailbox’s address.')}
                      onChange={(v) => set('login', v)}
                    />
                  </Grid.Item>
                )}
                {values.authentication === 'password' && (
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
                {!mailServer && (
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <TextField
                      name="mailbox"
                      label={label('mailbox')}
                      disabled={readOnly}
                      value={values.mailbox}
                      error={errors.mailbox}
                      placeholder="support@example.com"
                      hint={t('inbound.mailbox.hint', 'Another user’s or a shared mailbox; needed with an app-only token. Empty: the mailbox of whoever granted the token.')}
                      onChange={(v) => set('mailbox', v)}
                    />
                  </Grid.Item>
                )}
              </Grid.Root>
            </Section>

            <Section title={t('inbound.section.delivery', 'Fetching and delivery')}>
              <Grid.Root gap={5}>
                {info.protocol === 'imap' && (
                  <Grid.Item col={12} direction="column" alignItems="flex-start">
                    <CheckboxField
                      name="idle"
                      label={t('inbound.field.idle', 'Wait for new mail (IMAP IDLE): hand each message on within seconds of its arrival; while the connection is down, or with this off, mail is fetched every poll interval')}
                      checked={values.idle}
                      disabled={readOnly}
                      onChange={(v) => set('idle', v)}
                    />
                  </Grid.Item>
                )}
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <NumberField name="pollInterval" label={label('pollInterval')} disabled={readOnly} value={values.pollInterval} error={errors.pollInterval} onChange={(v) => set('pollInterval', v)} />
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <NumberField name="maxMessagesPerPoll" label={label('maxMessagesPerPoll')} disabled={readOnly} value={values.maxMessagesPerPoll} error={errors.maxMessagesPerPoll} onChange={(v) => set('maxMessagesPerPoll', v)} />
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <TextField name="queue" label={label('queue')} disabled={readOnly} value={values.queue} error={errors.queue} hint={t('inbound.queue.hint', 'Where the helpdesk files the tickets of this mailbox.')} onChange={(v) => set('queue', v)} />
                </Grid.Item>
                <AccountUsageFields
                  names={{ usage: 'scope', application: 'application' }}
                  usage={values.scope}
                  application={values.application}
                  applicationError={errors.application}
                  readOnly={readOnly}
                  onUsage={(v) => set('scope', v)}
                  onApplication={(v) => set('application', v)}
                />
                <Grid.Item col={12} direction="column" alignItems="flex-start">
                  <CheckboxField
                    name="trusted"
                    label={t('inbound.field.trusted', 'Trusted: keep the X- headers of its messages (only for a mailbox nobody outside can write to)')}
                    checked={values.trusted}
                    disabled={readOnly}
                    onChange={(v) => set('trusted', v)}
                  />
                </Grid.Item>
              </Grid.Root>
            </Section>

            <AccountAboutSection values={values} errors={errors} readOnly={readOnly} activeLabel={t('inbound.field.active', 'Active: fetched on schedule')} onChange={(about) => setValues({ ...values, ...about })} />
          </Flex>
        </form>
      </Layouts.Content>
    </Page.Main>
  );
};
