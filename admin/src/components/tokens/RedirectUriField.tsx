import { Field, Flex, IconButton, TextInput } from '@strapi/design-system';
import { Duplicate } from '@strapi/icons';
import { useClipboard, useNotification } from '@strapi/strapi/admin';

import { useT } from '../../utils/useT';
import { DismissibleAlert } from '../DismissibleAlert';

interface RedirectUriFieldProps {
  redirectUri: string;
  /** The server's warning when the URI is not https (providers refuse it except for localhost). */
  warning: string | null;
}

/** The redirect URI to register in the provider's console, with a copy button. */
export const RedirectUriField = ({ redirectUri, warning }: RedirectUriFieldProps) => {
  const t = useT();
  const { copy } = useClipboard();
  const { toggleNotification } = useNotification();

  const onCopy = async () => {
    const done = await copy(redirectUri);
    toggleNotification(
      done
        ? { type: 'success', message: t('redirectUri.copied', 'Redirect URI copied') }
        : { type: 'warning', message: t('redirectUri.copyFailed', 'Could not copy: select the text and copy it yourself.') }
    );
  };

  return (
    <Flex direction="column" alignItems="stretch" gap={3}>
      <Field.Root
        name="redirectUri"
        hint={t(
          'redirectUri.hint',
          'Register this exact address as a redirect URI (reply URL) of your app in the provider’s console, before you generate tokens.'
        )}
      >
        <Field.Label>{t('redirectUri.label', 'Redirect URI')}</Field.Label>
        <TextInput
          readOnly
          value={redirectUri}
          endAction={
            <IconButton label={t('redirectUri.copy', 'Copy the redirect URI')} variant="ghost" onClick={onCopy} type="button">
              <Duplicate />
            </IconButton>
          }
        />
        <Field.Hint />
      </Field.Root>
      {warning && (
        <DismissibleAlert variant="warning" title={t('redirectUri.warningTitle', 'Not an https address')}>
          {warning}
        </DismissibleAlert>
      )}
    </Flex>
  );
};
