import { Grid } from '@strapi/design-system';

import type { OutboundPreset } from '../../api/outbound';
import { AccountUsageFields } from '../../components/accounts/AccountUsageFields';
import { bindFields } from '../../components/form/boundFields';
import { Section } from '../../components/tokens/TokenForm';
import { useT } from '../../utils/useT';
import type { AccountFieldsProps } from '../accounts/accountDirection';
import type { OutboundFormValues } from './outboundFormModel';

/** An outbound account's Sender section: the from address and name, Send As, and who may send through it. */
export const OutboundSenderSection = (props: AccountFieldsProps<OutboundFormValues, OutboundPreset[]>) => {
  const { values, set, errors, readOnly } = props;
  const t = useT();
  const field = bindFields(props);
  return (
    <Section title={t('outbound.section.sender', 'Sender')}>
      <Grid.Root gap={5}>
        {field.text('fromAddress', {
          required: true,
          placeholder: 'support@example.com',
          hint: t('outbound.fromAddress.hint', 'The envelope sender; for Graph also the mailbox that sends.'),
        })}
        {field.text('fromName', { placeholder: 'Example Support' })}
        {field.checkbox('sharedMailbox', t('outbound.field.sharedMailbox', 'A shared mailbox: the token’s user sends as this address (Send As rights)'))}
        <AccountUsageFields form={props} usage="usage" application="applicationName" />
      </Grid.Root>
    </Section>
  );
};
