import { Grid } from '@strapi/design-system';

import type { InboundPresets } from '../../api/inbound';
import { TextField } from '../../components/form/fields';
import { useT } from '../../utils/useT';
import type { AccountFieldsProps } from '../accounts/accountDirection';
import { isMailServer, typeInfo, type InboundFormValues } from './inboundFormModel';

/** Who signs in: the login at an IMAP or POP3 server, or the mailbox Graph or Gmail reads. */
export const InboundMailboxFields = ({ values, set, errors, readOnly, label, presets }: AccountFieldsProps<InboundFormValues, InboundPresets>) => {
  const t = useT();
  if (isMailServer(typeInfo(presets, values.type))) {
    return (
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
    );
  }
  return (
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
  );
};
