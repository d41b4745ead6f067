import { Grid } from '@strapi/design-system';
import type { ComponentType } from 'react';

import { TokenSelect } from '../../components/accounts/TokenSelect';
import { SelectField } from '../../components/form/fields';
import { SecretInput } from '../../components/tokens/SecretInput';
import { Section } from '../../components/tokens/TokenForm';
import { useT, type Translate } from '../../utils/useT';
import type { AccountFieldsProps, AccountFormValues, SignIn } from './accountDirection';

const choiceLabel = (t: Translate, signIn: SignIn) =>
  ({
    oauth2: t('account.auth.oauth2', 'OAuth 2.0 (an OAuth2 token)'),
    password: t('account.auth.passwordLong', 'Password'),
    none: t('outbound.auth.none', 'No authentication (a relay that trusts this server)'),
  })[signIn];

interface SignInSectionProps<V extends AccountFormValues, P> {
  fields: AccountFieldsProps<V, P>;
  signIn: SignIn;
  /** The sign-ins to choose from; with fewer than two, no choice is shown. */
  choices: SignIn[];
  onSignIn: (signIn: SignIn) => void;
  tokenTemplates: string[];
  tokenHint: string;
  /** Whether the stored password still counts (useAccountEditor). */
  passwordKept: boolean;
  passwordHint: string | undefined;
  /** Who signs in (login, user name, mailbox): the kind's own fields. */
  AccountNameFields: ComponentType<AccountFieldsProps<V, P>>;
}

/** An account form's Sign-in section: how it signs in, the token or the password, and as whom. */
export const SignInSection = <V extends AccountFormValues, P>({
  fields,
  signIn,
  choices,
  onSignIn,
  tokenTemplates,
  tokenHint,
  passwordKept,
  passwordHint,
  AccountNameFields,
}: SignInSectionProps<V, P>) => {
  const t = useT();
  const { values, set, errors, readOnly, label } = fields;
  return (
    <Section title={t('account.section.signIn', 'Sign-in')}>
      <Grid.Root gap={5}>
        {choices.length > 1 && (
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
            <SelectField
              name="authentication"
              label={label('authentication')}
              disabled={readOnly}
              value={signIn}
              error={errors.authentication}
              options={choices.map((c) => ({ value: c, label: choiceLabel(t, c) }))}
              onChange={(v) => onSignIn(v as SignIn)}
            />
          </Grid.Item>
        )}
        {signIn === 'oauth2' && (
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
            <TokenSelect value={values.oauthToken} onChange={(v) => set('oauthToken', v as V['oauthToken'])} templates={tokenTemplates} error={errors.oauthToken} disabled={readOnly} hint={tokenHint} />
          </Grid.Item>
        )}
        <AccountNameFields {...fields} />
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
              onChange={(v) => set('password', v as V['password'])}
            />
          </Grid.Item>
        )}
      </Grid.Root>
    </Section>
  );
};
