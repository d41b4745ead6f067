import type { InboundPresets } from '../../api/inbound';
import { bindFields } from '../../components/form/boundFields';
import { useT } from '../../utils/useT';
import type { AccountFieldsProps } from '../accounts/accountDirection';
import { isMailServer, typeInfo, type InboundFormValues } from './inboundFormModel';

/** Who signs in: the login at an IMAP or POP3 server, or the mailbox Graph or Gmail reads. */
export const InboundMailboxFields = (props: AccountFieldsProps<InboundFormValues, InboundPresets>) => {
  const t = useT();
  const field = bindFields(props);
  return isMailServer(typeInfo(props.presets, props.values.type))
    ? field.text('login', {
        required: props.values.authentication === 'password',
        placeholder: 'support@example.com',
        hint: t('inbound.login.hint', 'The user name at the mail server, usually the mailbox’s address.'),
      })
    : field.text('mailbox', {
        placeholder: 'support@example.com',
        hint: t('inbound.mailbox.hint', 'Another user’s or a shared mailbox; needed with an app-only token. Empty: the mailbox of whoever granted the token.'),
      });
};
