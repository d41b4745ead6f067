import {
  Box,
  Checkbox,
  Field,
  Flex,
  Grid,
  SingleSelect,
  SingleSelectOption,
  TextInput,
  Textarea,
  Toggle,
  Typography,
} from '@strapi/design-system';
import type { ChangeEvent, FormEvent, ReactNode } from 'react';

import type { FieldErrors } from '../../api/errors';
import type { Template, TemplateField } from '../../api/templates';
import { useT } from '../../utils/useT';
import { fieldHelp, fieldLabel, type FormField } from './fieldText';
import { SecretInput } from './SecretInput';
import type { TokenFormValues } from './tokenFormModel';

export const TOKEN_FORM_ID = 'mail-auth-token-form';

const OTHER_TENANT = '__tenant-id__';

interface TokenFormProps {
  template: Template;
  values: TokenFormValues;
  onChange: (values: TokenFormValues) => void;
  errors: FieldErrors;
  onSubmit: () => void;
  /** Whether the server holds a client secret (edit). */
  hasClientSecret: boolean;
  /** Said beside the client secret instead of its usual help (the token now points elsewhere). */
  clientSecretNotice?: string;
  /** The admin may look but not change (no update permission). */
  readOnly?: boolean;
  /** Edit: the template is shown, read-only (a token's template never changes). */
  templateLocked?: boolean;
  /** Shown above the fields, e.g. the redirect URI. */
  children?: ReactNode;
}

/** A card of the admin panel's kind: white, rounded, shadowed, with a heading. */
export const Section = ({ title, children }: { title: string; children: ReactNode }) => (
  <Box background="neutral0" hasRadius shadow="filterShadow" paddingTop={6} paddingBottom={6} paddingLeft={7} paddingRight={7}>
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Typography variant="delta" tag="h2">
        {title}
      </Typography>
      {children}
    </Flex>
  </Box>
);

/**
 * The fields of an OAuth2 token: exactly those its template asks for, each with where to
 * find the value in the provider's console. Controlled: the page owns values and errors.
 */
export const TokenForm = ({ template, values, onChange, errors, onSubmit, hasClientSecret, clientSecretNotice, readOnly, templateLocked, children }: TokenFormProps) => {
  const t = useT();
  const has = (field: TemplateField) => template.fields.includes(field);
  const isRequired = (field: FormField) => field === 'name' || field === 'clientId' || template.required.includes(field as TemplateField);
  const set = <K extends keyof TokenFormValues>(key: K, value: TokenFormValues[K]) => onChange({ ...values, [key]: value });

  const textField = (field: FormField & keyof TokenFormValues, options: { placeholder?: string; multiline?: boolean } = {}) => (
    <Field.Root name={field} error={errors[field]} hint={fieldHelp(t, template.id, field)} required={isRequired(field)}>
      <Field.Label>{fieldLabel(t, field)}</Field.Label>
      {options.multiline ? (
        <Textarea
          value={String(values[field])}
          disabled={readOnly}
          placeholder={options.placeholder}
          onChange={(e: ChangeEvent<HTMLTextAreaElement>) => set(field, e.target.value as never)}
        />
      ) : (
        <TextInput
          value={String(values[field])}
          disabled={readOnly}
          placeholder={options.placeholder}
          onChange={(e: ChangeEvent<HTMLInputElement>) => set(field, e.target.value as never)}
        />
      )}
      <Field.Hint />
      <Field.Error />
    </Field.Root>
  );

  const choices = template.tenantChoices ?? [];
  const tenantChoice = choices.includes(values.tenant) ? values.tenant : OTHER_TENANT;
  const tenantChoiceLabel = (choice: string) => {
    switch (choice) {
      case 'common':
        return t('tenant.common', 'common — work, school and personal accounts');
      case 'organizations':
        return t('tenant.organizations', 'organizations — work or school accounts');
      case 'consumers':
        return t('tenant.consumers', 'consumers — personal accounts');
      default:
        return choice;
    }
  };

  const scopeUses = Object.entries(template.scopes);
  const scopeUseLabel = (use: string) => {
    switch (use) {
      case 'mail':
        return t('scopeUse.mail', 'IMAP, POP3 and SMTP');
      case 'imap':
        return t('scopeUse.imap', 'IMAP only');
      case 'pop3':
        return t('scopeUse.pop3', 'POP3 only');
      case 'smtp':
        return t('scopeUse.smtp', 'SMTP only');
      case 'graph':
        return t('scopeUse.graph', 'Microsoft Graph mail');
      case 'gmail-api':
        return t('scopeUse.gmail-api', 'Gmail API');
      case 'app-only':
        return t('scopeUse.app-only', 'Exchange Online (IMAP, POP3, SMTP)');
      default:
        return use;
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!readOnly) onSubmit();
  };

  return (
    <form id={TOKEN_FORM_ID} onSubmit={submit} noValidate aria-label={t('form.label', 'OAuth2 token')}>
      <Flex direction="column" alignItems="stretch" gap={6}>
        {children}

        <Section title={t('form.section.provider', 'Provider: {template}', { template: template.name })}>
          <Grid.Root gap={5}>
            {templateLocked && (
              <Grid.Item col={12} direction="column" alignItems="stretch">
                <Field.Root
                  name="template"
                  error={errors.template}
                  hint={t('help.templateLocked', 'A token keeps its template. For another provider, create a new token.')}
                >
                  <Field.Label>{fieldLabel(t, 'template')}</Field.Label>
                  <TextInput value={template.name} disabled readOnly />
                  <Field.Hint />
                  <Field.Error />
                </Field.Root>
              </Grid.Item>
            )}
            <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
              {textField('clientId')}
            </Grid.Item>
            {has('clientSecret') && (
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <SecretInput
                  name="clientSecret"
                  label={fieldLabel(t, 'clientSecret')}
                  hint={clientSecretNotice ?? fieldHelp(t, template.id, 'clientSecret')}
                  error={errors.clientSecret}
                  required={isRequired('clientSecret')}
                  isSet={hasClientSecret}
                  value={values.clientSecret}
                  disabled={readOnly}
                  onChange={(v) => set('clientSecret', v)}
                />
              </Grid.Item>
            )}
            {has('clientSecret') && (
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <Field.Root
                  name="clientSecretExpiresOn"
                  error={errors.clientSecretExpiresOn}
                  hint={fieldHelp(t, template.id, 'clientSecretExpiresOn')}
                >
                  <Field.Label>{fieldLabel(t, 'clientSecretExpiresOn')}</Field.Label>
                  <TextInput
                    type="date"
                    value={values.clientSecretExpiresOn}
                    disabled={readOnly}
                    onChange={(e: ChangeEvent<HTMLInputElement>) => set('clientSecretExpiresOn', e.target.value)}
                  />
                  <Field.Hint />
                  <Field.Error />
                </Field.Root>
              </Grid.Item>
            )}
            {has('tenant') && choices.length > 0 && (
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <Field.Root name="tenantChoice" hint={fieldHelp(t, template.id, 'tenant')} required>
                  <Field.Label>{fieldLabel(t, 'tenant')}</Field.Label>
                  <SingleSelect
                    value={tenantChoice}
                    disabled={readOnly}
                    onChange={(v: string | number) => set('tenant', v === OTHER_TENANT ? '' : String(v))}
                  >
                    {choices.map((choice) => (
                      <SingleSelectOption key={choice} value={choice}>
                        {tenantChoiceLabel(choice)}
                      </SingleSelectOption>
                    ))}
                    <SingleSelectOption value={OTHER_TENANT}>{t('tenant.other', 'One organisation (tenant ID or domain)')}</SingleSelectOption>
                  </SingleSelect>
                  <Field.Hint />
                </Field.Root>
              </Grid.Item>
            )}
            {has('tenant') && (choices.length === 0 || tenantChoice === OTHER_TENANT) && (
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <Field.Root
                  name="tenant"
                  error={errors.tenant}
                  hint={choices.length ? t('help.tenantId', 'Directory (tenant) ID, a GUID, or a verified domain such as contoso.onmicrosoft.com.') : fieldHelp(t, template.id, 'tenant')}
                  required={isRequired('tenant')}
                >
                  <Field.Label>{choices.length ? t('field.tenantId', 'Tenant ID or domain') : fieldLabel(t, 'tenant')}</Field.Label>
                  <TextInput
                    value={values.tenant}
                    disabled={readOnly}
                    placeholder="00000000-0000-0000-0000-000000000000"
                    onChange={(e: ChangeEvent<HTMLInputElement>) => set('tenant', e.target.value)}
                  />
                  <Field.Hint />
                  <Field.Error />
                </Field.Root>
              </Grid.Item>
            )}
            {has('issuer') && (
              <Grid.Item col={12} direction="column" alignItems="stretch">
                {textField('issuer', { placeholder: 'https://login.example.com' })}
              </Grid.Item>
            )}
            {has('authorizationEndpoint') && template.grantType === 'authorization_code' && (
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                {textField('authorizationEndpoint', { placeholder: 'https://login.example.com/oauth2/authorize' })}
              </Grid.Item>
            )}
            {has('tokenEndpoint') && (
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                {textField('tokenEndpoint', { placeholder: 'https://login.example.com/oauth2/token' })}
              </Grid.Item>
            )}
            {has('deviceAuthorizationEndpoint') && template.grantType === 'authorization_code' && (
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                {textField('deviceAuthorizationEndpoint', { placeholder: 'https://login.example.com/oauth2/device' })}
              </Grid.Item>
            )}
            {has('scope') && (
              <Grid.Item col={12} direction="column" alignItems="stretch">
                <Flex direction="column" alignItems="stretch" gap={2}>
                  {textField('scope', { multiline: true })}
                  {scopeUses.length > 0 && !readOnly && (
                    <Field.Root name="scopeUse" hint={t('scopeUse.hint', 'Fills the scope with what the provider needs for that use.')}>
                      <Field.Label>{t('scopeUse.label', 'Proposed scopes')}</Field.Label>
                      <SingleSelect
                        placeholder={t('scopeUse.placeholder', 'Choose a use')}
                        value={scopeUses.find(([, scope]) => scope === values.scope)?.[0] ?? null}
                        onChange={(use: string | number) => set('scope', template.scopes[String(use)] ?? values.scope)}
                      >
                        {scopeUses.map(([use]) => (
                          <SingleSelectOption key={use} value={use}>
                            {scopeUseLabel(use)}
                          </SingleSelectOption>
                        ))}
                      </SingleSelect>
                      <Field.Hint />
                    </Field.Root>
                  )}
                </Flex>
              </Grid.Item>
            )}
            {has('extraAuthorizationParams') && (
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                {textField('extraAuthorizationParams', { multiline: true, placeholder: 'prompt=consent' })}
              </Grid.Item>
            )}
            {has('pkce') && (
              <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                <Field.Root name="pkce" hint={fieldHelp(t, template.id, 'pkce')}>
                  <Field.Label>{fieldLabel(t, 'pkce')}</Field.Label>
                  <Toggle
                    onLabel={t('common.on', 'On')}
                    offLabel={t('common.off', 'Off')}
                    checked={values.pkce}
                    disabled={readOnly}
                    onChange={(e: ChangeEvent<HTMLInputElement>) => set('pkce', e.target.checked)}
                  />
                  <Field.Hint />
                </Field.Root>
              </Grid.Item>
            )}
          </Grid.Root>
        </Section>

        <Section title={t('form.section.about', 'Name and use')}>
          <Grid.Root gap={5}>
            <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
              {textField('name')}
            </Grid.Item>
            <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
              {textField('description', { multiline: true })}
            </Grid.Item>
            <Grid.Item col={12} direction="column" alignItems="stretch">
              <Flex direction="column" alignItems="flex-start" gap={3}>
                <Checkbox
                  name="active"
                  checked={values.active}
                  disabled={readOnly}
                  onCheckedChange={(checked: boolean | 'indeterminate') => set('active', checked === true)}
                >
                  {t('form.active', 'Active: refreshed by the job and usable by mail accounts')}
                </Checkbox>
                <Checkbox
                  name="notifyOnExpiredToken"
                  checked={values.notifyOnExpiredToken}
                  disabled={readOnly}
                  onCheckedChange={(checked: boolean | 'indeterminate') => set('notifyOnExpiredToken', checked === true)}
                >
                  {t('form.notifyOnExpiredToken', 'Show a banner when its access token has expired and could not be refreshed')}
                </Checkbox>
                <Checkbox
                  name="notifyOnExpiredRefreshToken"
                  checked={values.notifyOnExpiredRefreshToken}
                  disabled={readOnly}
                  onCheckedChange={(checked: boolean | 'indeterminate') => set('notifyOnExpiredRefreshToken', checked === true)}
                >
                  {t('form.notifyOnExpiredRefreshToken', 'Show a banner when it must be authorized again')}
                </Checkbox>
              </Flex>
            </Grid.Item>
          </Grid.Root>
        </Section>
      </Flex>
    </form>
  );
};
