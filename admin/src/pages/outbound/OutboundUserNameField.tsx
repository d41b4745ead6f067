import type { OutboundPreset } from '../../api/outbound';
import { bindFields } from '../../components/form/boundFields';
import { useT } from '../../utils/useT';
import type { AccountFieldsProps } from '../accounts/accountDirection';
import { signInOf, type OutboundFormValues } from './outboundFormModel';

/** Who signs in to an SMTP server; the APIs sign in as the token's user. */
export const OutboundUserNameField = (props: AccountFieldsProps<OutboundFormValues, OutboundPreset[]>) => {
  const t = useT();
  if (props.values.type !== 'smtp' || signInOf(props.values) === 'none') return null;
  return bindFields(props).text('username', { hint: t('outbound.username.hint', 'The SMTP login; empty: the from address.') });
};
