import {
  Alert,
  Badge,
  Button,
  Field,
  Flex,
  Grid,
  NumberInput,
  Table,
  Tbody,
  Td,
  TextButton,
  TextInput,
  Th,
  Thead,
  Tr,
  Typography,
} from '@strapi/design-system';
import { Check } from '@strapi/icons';
import { Layouts, Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';

import { toApiFailure, type ApiFailure, type FieldErrors } from '../../api/errors';
import { getSettings, saveSettings, type SettingsInput, type SettingValue } from '../../api/settings';
import { Section } from '../../components/tokens/TokenForm';
import { useRemote } from '../../hooks/useRemote';
import { useTimeFormat } from '../../utils/time';
import { useT } from '../../utils/useT';
import { DismissibleAlert } from '../../components/DismissibleAlert';
import { changedSettings, settingsValues, validateSettings, type SettingsFormValues } from './settingsModel';

const FORM_ID = 'mail-auth-settings-form';

/** /plugins/mail-auth/settings: schedules, margin, this instance's jobs, the encryption key's status. */
export const SettingsPage = () => {
  const t = useT();
  const time = useTimeFormat();
  const client = useFetchClient();
  const { toggleNotification } = useNotification();
  const settings = useRemote(() => getSettings(client), 'settings');
  const [values, setValues] = useState<SettingsFormValues | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (settings.data && values === null) setValues(settingsValues(settings.data));
  }, [settings.data, values]);

  if (settings.isLoading || (settings.data && !values)) return <Page.Loading />;
  if (!settings.data || !values) return <Page.Error />;
  const current = settings.data;

  const send = async (input: SettingsInput) => {
    setSaving(true);
    setFailure(null);
    try {
      const saved = await saveSettings(client, input);
      settings.setData(saved);
      setValues(settingsValues(saved));
      setErrors({});
      toggleNotification({ type: 'success', message: t('settings.saved', 'Settings saved. The jobs of this instance follow them now.') });
    } catch (error) {
      const f = toApiFailure(error);
      setErrors(f.fields);
      setFailure(f);
    } finally {
      setSaving(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = validateSettings(t, values, current);
    setErrors(found);
    if (Object.keys(found).length) return;
    void send(changedSettings(values, current));
  };

  const fromConfig = <T,>(setting: SettingValue<T>) =>
    setting.saved
      ? t('settings.overridden', 'Saved here; config/plugins.ts says {value}.', { value: String(setting.default) })
      : t('settings.fromConfig', 'As in config/plugins.ts.');

  const resetButton = (key: keyof SettingsInput, setting: SettingValue<string | number>) =>
    setting.saved ? (
      <TextButton type="button" onClick={() => send({ [key]: null })} disabled={saving}>
        {t('settings.reset', 'Use the value of config/plugins.ts ({value})', { value: String(setting.default) })}
      </TextButton>
    ) : null;

  const schedule = (key: 'refreshSchedule' | 'pollSchedule', label: string, hint: string) => {
    const setting = current[key];
    if (!setting) return null;
    return (
      <Grid.Item col={6} s={12} direction="column" alignItems="stretch" gap={2}>
        <Field.Root name={key} error={errors[key]} hint={`${hint} ${fromConfig(setting)}`} required>
          <Field.Label>{label}</Field.Label>
          <TextInput value={values[key]} onChange={(e: ChangeEvent<HTMLInputElement>) => setValues({ ...values, [key]: e.target.value })} />
          <Field.Hint />
          <Field.Error />
        </Field.Root>
        {resetButton(key, setting)}
      </Grid.Item>
    );
  };

  const jobName = (name: string) =>
    ({
      refresh: t('settings.job.refresh', 'Refresh tokens'),
      postmaster: t('settings.job.postmaster', 'Fetch mail'),
      'activity-retention': t('settings.job.activity-retention', 'Delete old activity entries'),
    })[name] ?? name;

  return (
    <Page.Main>
      <Page.Title>{t('settings.title', 'Settings')}</Page.Title>
      <Layouts.Header
        title={t('settings.title', 'Settings')}
        subtitle={t('settings.subtitle', 'When the plugin works in the background, and how secrets are kept.')}
        primaryAction={
          <Button type="submit" form={FORM_ID} startIcon={<Check />} loading={saving} size="S">
            {t('common.save', 'Save')}
          </Button>
        }
      />
      <Layouts.Content>
        <form id={FORM_ID} onSubmit={submit} noValidate>
          <Flex direction="column" alignItems="stretch" gap={6}>
            {failure && (
              <Alert variant="danger" closeLabel={t('common.close', 'Close')} onClose={() => setFailure(null)} title={failure.message}>
                {failure.advice ?? ''}
              </Alert>
            )}
            <Section title={t('settings.schedules', 'Schedules')}>
              <Grid.Root gap={5}>
                {schedule(
                  'refreshSchedule',
                  t('settings.refreshSchedule', 'Refresh schedule'),
                  t('settings.refreshSchedule.hint', 'How often the job looks for tokens that expire soon (cron).')
                )}
                {current.refreshMargin && (
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch" gap={2}>
                    <Field.Root
                      name="refreshMargin"
                      error={errors.refreshMargin}
                      hint={`${t('settings.refreshMargin.hint', 'A token is refreshed when it expires within this many seconds.')} ${fromConfig(current.refreshMargin)}`}
                      required
                    >
                      <Field.Label>{t('settings.refreshMargin', 'Refresh margin (seconds)')}</Field.Label>
                      <NumberInput value={values.refreshMargin} onValueChange={(v: number | undefined) => setValues({ ...values, refreshMargin: v })} />
                      <Field.Hint />
                      <Field.Error />
                    </Field.Root>
                    {resetButton('refreshMargin', current.refreshMargin)}
                  </Grid.Item>
                )}
                {schedule(
                  'pollSchedule',
                  t('settings.pollSchedule', 'Fetch schedule'),
                  t('settings.pollSchedule.hint', 'How often inbound accounts that are due are fetched (cron, seconds allowed).')
                )}
              </Grid.Root>
              <Typography variant="pi" textColor="neutral600">
                {t('settings.cluster', 'Saved values apply at once on this instance; other instances of the same app apply them when they restart.')}
              </Typography>
            </Section>

            <Section title={t('settings.instance', 'This instance')}>
              <Flex gap={2}>
                <Typography textColor="neutral800">{t('settings.runJobs', 'Runs the plugin’s jobs:')}</Typography>
                <Badge variant={current.runJobs ? 'success' : 'neutral'} data-testid="settings-run-jobs">
                  {current.runJobs ? t('common.yes', 'yes') : t('common.no', 'no')}
                </Badge>
              </Flex>
              <Typography variant="pi" textColor="neutral600">
                {t('settings.runJobs.hint', 'Set per instance with runJobs in config/plugins.ts, e.g. on for one worker and off for the others.')}
              </Typography>
              {current.jobs.length > 0 && (
                <Table colCount={4} rowCount={current.jobs.length + 1}>
                  <Thead>
                    <Tr>
                      <Th><Typography variant="sigma">{t('settings.job', 'Job')}</Typography></Th>
                      <Th><Typography variant="sigma">{t('settings.job.schedule', 'Schedule')}</Typography></Th>
                      <Th><Typography variant="sigma">{t('settings.job.lastRun', 'Last run')}</Typography></Th>
                      <Th><Typography variant="sigma">{t('settings.job.lastError', 'Last error')}</Typography></Th>
                    </Tr>
                  </Thead>
                  <Tbody>
                    {current.jobs.map((job) => (
                      <Tr key={job.name}>
                        <Td><Typography textColor="neutral800">{jobName(job.name)}</Typography></Td>
                        <Td><Typography textColor="neutral800" style={{ fontFamily: "monospace" }}>{job.schedule}</Typography></Td>
                        <Td><Typography textColor="neutral800">{job.lastRunAt ? time.relative(job.lastRunAt) : '—'}</Typography></Td>
                        <Td><Typography textColor={job.lastError ? 'danger600' : 'neutral500'}>{job.lastError ?? '—'}</Typography></Td>
                      </Tr>
                    ))}
                  </Tbody>
                </Table>
              )}
            </Section>

            <Section title={t('settings.encryption', 'Encryption of secrets')}>
              {current.encryptionKey.configured ? (
                <Flex gap={2}>
                  <Badge variant="success" data-testid="settings-encryption-key">
                    {t('settings.key.set', 'key set')}
                  </Badge>
                  <Typography textColor="neutral800">
                    {current.encryptionKey.source === 'plugin'
                      ? t('settings.key.plugin', 'The plugin’s encryptionKey (config/plugins.ts) encrypts client secrets, passwords and tokens at rest.')
                      : t('settings.key.admin', 'Strapi’s admin.secrets.encryptionKey (config/admin.ts) encrypts client secrets, passwords and tokens at rest.')}
                  </Typography>
                </Flex>
              ) : (
                <DismissibleAlert variant="danger" title={t('settings.key.missing', 'No encryption key: secrets cannot be stored')}>
                  {t('settings.key.missing.advice', 'Set admin.secrets.encryptionKey in config/admin.ts (or the plugin’s encryptionKey in config/plugins.ts) to a long random value, then restart Strapi.')}
                </DismissibleAlert>
              )}
              <Typography variant="pi" textColor="neutral600">
                {t('settings.key.never', 'The key itself is never shown here. Changing it makes stored secrets unreadable: enter them again afterwards.')}
              </Typography>
            </Section>
          </Flex>
        </form>
      </Layouts.Content>
    </Page.Main>
  );
};
