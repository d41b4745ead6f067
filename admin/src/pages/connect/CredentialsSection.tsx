import { Button, Flex, Typography } from '@strapi/design-system';

import type { Discovery } from '../../api/connect';
import type { FieldErrors } from '../../api/errors';
import { DismissibleAlert } from '../../components/DismissibleAlert';
import { SelectField, TextField } from '../../components/form/fields';
import { RedirectUriField } from '../../components/tokens/RedirectUriField';
import { SecretInput } from '../../components/tokens/SecretInput';
import { Section } from '../../components/tokens/TokenForm';
import { redirectUriHelp } from '../../components/tokens/fieldText';
import { useT } from '../../utils/useT';
import { passwordAtMicrosoft, type ConnectValues } from './connectModel';

interface CredentialsSectionProps {
  discovery: Discovery;
  values: ConnectValues;
  onChange: (values: ConnectValues) => void;
  errors: FieldErrors;
  redirectUri: string;
  redirectUriWarning: string | null;
}

/**
 * What discovery cannot find: the app registration (client id and secret, Microsoft's tenant
 * filled in) with the redirect URI to register, or the mailbox's password.
 */
export const CredentialsSection = ({ discovery, values, onChange, errors, redirectUri, redirectUriWarning }: CredentialsSectionProps) => {
  const t = useT();
  const set = (patch: Partial<ConnectValues>) => onChange({ ...values, ...patch });
  const oauth = discovery.oauth;
  const choices = [
    ...(oauth ? [{ value: 'oauth2', label: t('connect.signIn.oauth2', 'OAuth 2.0 (one sign-in and consent)') }] : []),
    { value: 'password', label: t('connect.signIn.password', 'The mailbox’s password') },
  ];
  return (
    <Section title={t('connect.credentials.title', 'Sign-in')}>
      {choices.length > 1 && (
        <SelectField
          name="signIn"
          label={t('connect.signIn.label', 'The plugin signs in with')}
          value={values.signIn}
          options={choices}
          onChange={(signIn) => set({ signIn: signIn as ConnectValues['signIn'] })}
        />
      )}
      {passwordAtMicrosoft(discovery, values) && (
        <DismissibleAlert
          variant="warning"
          title={t('warning.MICROSOFT_BASIC_AUTH', 'Password sign-in is switched off at Microsoft 365')}
          action={
            <Button size="S" variant="secondary" onClick={() => set({ signIn: 'oauth2' })}>
              {t('connect.useOAuth', 'Use the OAuth 2.0 preset instead')}
            </Button>
          }
          data-warning="MICROSOFT_BASIC_AUTH"
        >
          {t('connect.microsoftPassword', 'This domain’s mail is at Microsoft 365, which refuses passwords for IMAP, POP and SMTP (basic authentication). Sign in with OAuth 2.0 instead.')}
        </DismissibleAlert>
      )}
      {values.signIn === 'oauth2' && oauth ? (
        <Flex direction="column" alignItems="stretch" gap={4}>
          <Typography textColor="neutral600">{redirectUriHelp(t, oauth.template)}</Typography>
          <RedirectUriField redirectUri={redirectUri} warning={redirectUriWarning} />
          <TextField
            name="oauth.clientId"
            label={t('field.clientId', 'Client ID')}
            value={values.clientId}
            onChange={(clientId) => set({ clientId })}
            error={errors['oauth.clientId']}
            required
          />
          <SecretInput
            name="oauth.clientSecret"
            label={t('field.clientSecret', 'Client secret')}
            isSet={false}
            value={values.clientSecret}
            onChange={(clientSecret) => set({ clientSecret })}
            error={errors['oauth.clientSecret']}
            required={oauth.template !== 'generic'}
          />
          {oauth.template === 'microsoft' && (
            <TextField
              name="oauth.tenant"
              label={t('field.tenant', 'Tenant')}
              hint={t('connect.tenantHint', 'Filled in from discovery: the directory (tenant) id of the domain, or organizations / consumers.')}
              value={values.tenant}
              onChange={(tenant) => set({ tenant })}
              error={errors['oauth.tenant']}
              required
            />
          )}
        </Flex>
      ) : (
        <SecretInput
          name="password"
          label={t('connect.password', 'Password of {address}', { address: discovery.address })}
          isSet={false}
          value={values.password}
          onChange={(password) => set({ password })}
          error={errors.password}
          required
        />
      )}
    </Section>
  );
};
