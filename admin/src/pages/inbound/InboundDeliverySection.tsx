import { Grid } from '@strapi/design-system';

import type { InboundPresets } from '../../api/inbound';
import { AccountUsageFields } from '../../components/accounts/AccountUsageFields';
import { bindFields } from '../../components/form/boundFields';
import { Section } from '../../components/tokens/TokenForm';
import { useT } from '../../utils/useT';
import type { AccountFieldsProps } from '../accounts/accountDirection';
import { typeInfo, type InboundFormValues } from './inboundFormModel';

/** An inbound account's Fetching and delivery section: IDLE, how often and how much, and where its mail goes. */
export const InboundDeliverySection = (props: AccountFieldsProps<InboundFormValues, InboundPresets>) => {
  const { values, set, errors, readOnly, presets } = props;
  const t = useT();
  const field = bindFields(props);
  return (
    <Section title={t('inbound.section.delivery', 'Fetching and delivery')}>
      <Grid.Root gap={5}>
        {typeInfo(presets, values.type).protocol === 'imap' &&
          field.checkbox(
            'idle',
            t('inbound.field.idle', 'Wait for new mail (IMAP IDLE): hand each message on within seconds of its arrival; while the connection is down, or with this off, mail is fetched every poll interval')
          )}
        {field.number('pollInterval')}
        {field.number('maxMessagesPerPoll')}
        {field.text('queue', { hint: t('inbound.queue.hint', 'Where the helpdesk files the tickets of this mailbox.') })}
        <AccountUsageFields form={props} usage="scope" application="application" />
        {field.checkbox('trusted', t('inbound.field.trusted', 'Trusted: keep the X- headers of its messages (only for a mailbox nobody outside can write to)'))}
      </Grid.Root>
    </Section>
  );
};
