import { Grid } from '@strapi/design-system';

import type { InboundPresets } from '../../api/inbound';
import { AccountUsageFields } from '../../components/accounts/AccountUsageFields';
import { CheckboxField, NumberField, TextField } from '../../components/form/fields';
import { Section } from '../../components/tokens/TokenForm';
import { useT } from '../../utils/useT';
import type { AccountFieldsProps } from '../accounts/accountDirection';
import { typeInfo, type InboundFormValues } from './inboundFormModel';

/** An inbound account's Fetching and delivery section: IDLE, how often and how much, and where its mail goes. */
export const InboundDeliverySection = ({ values, set, errors, readOnly, label, presets }: AccountFieldsProps<InboundFormValues, InboundPresets>) => {
  const t = useT();
  return (
    <Section title={t('inbound.section.delivery', 'Fetching and delivery')}>
      <Grid.Root gap={5}>
        {typeInfo(presets, values.type).protocol === 'imap' && (
          <Grid.Item col={12} direction="column" alignItems="flex-start">
            <CheckboxField
              name="idle"
              label={t('inbound.field.idle', 'Wait for new mail (IMAP IDLE): hand each message on within seconds of its arrival; while the connection is down, or with this off, mail is fetched every poll interval')}
              checked={values.idle}
              disabled={readOnly}
              onChange={(v) => set('idle', v)}
            />
          </Grid.Item>
        )}
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <NumberField name="pollInterval" label={label('pollInterval')} disabled={readOnly} value={values.pollInterval} error={errors.pollInterval} onChange={(v) => set('pollInterval', v)} />
        </Grid.Item>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <NumberField name="maxMessagesPerPoll" label={label('maxMessagesPerPoll')} disabled={readOnly} value={values.maxMessagesPerPoll} error={errors.maxMessagesPerPoll} onChange={(v) => set('maxMessagesPerPoll', v)} />
        </Grid.Item>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <TextField name="queue" label={label('queue')} disabled={readOnly} value={values.queue} error={errors.queue} hint={t('inbound.queue.hint', 'Where the helpdesk files the tickets of this mailbox.')} onChange={(v) => set('queue', v)} />
        </Grid.Item>
        <AccountUsageFields
          names={{ usage: 'scope', application: 'application' }}
          usage={values.scope}
          application={values.application}
          applicationError={errors.application}
          readOnly={readOnly}
          onUsage={(v) => set('scope', v)}
          onApplication={(v) => set('application', v)}
        />
        <Grid.Item col={12} direction="column" alignItems="flex-start">
          <CheckboxField
            name="trusted"
            label={t('inbound.field.trusted', 'Trusted: keep the X- headers of its messages (only for a mailbox nobody outside can write to)')}
            checked={values.trusted}
            disabled={readOnly}
            onChange={(v) => set('trusted', v)}
          />
        </Grid.Item>
      </Grid.Root>
    </Section>
  );
};
