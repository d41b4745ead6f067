import { Grid } from '@strapi/design-system';

import type { OutboundPreset } from '../../api/outbound';
import { AccountUsageFields } from '../../components/accounts/AccountUsageFields';
import { CheckboxField, TextField } from '../../components/form/fields';
import { Section } from '../../components/tokens/TokenForm';
import { useT } from '../../utils/useT';
import type { AccountFieldsProps } from '../accounts/accountDirection';
import type { OutboundFormValues } from './outboundFormModel';

/** An outbound account's Sender section: the from address and name, Send As, and who may send through it. */
export const OutboundSenderSection = ({ values, set, errors, readOnly, label }: AccountFieldsProps<OutboundFormValues, OutboundPreset[]>) => {
  const t = useT();
  return (
    <Section title={t('outbound.section.sender', 'Sender')}>
      <Grid.Root gap={5}>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <TextField
            name="fromAddress"
            label={label('fromAddress')}
            required
            disabled={readOnly}
            value={values.fromAddress}
            error={errors.fromAddress}
            placeholder="support@example.com"
            hint={t('outbound.fromAddress.hint', 'The envelope sender; for Graph also the mailbox that sends.')}
            onChange={(v) => set('fromAddress', v)}
          />
        </Grid.Item>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <TextField name="fromName" label={label('fromName')} disabled={readOnly} value={values.fromName} error={errors.fromName} placeholder="Example Support" onChange={(v) => set('fromName', v)} />
        </Grid.Item>
        <Grid.Item col={12} direction="column" alignItems="flex-start">
          <CheckboxField
            name="sharedMailbox"
            label={t('outbound.field.sharedMailbox', 'A shared mailbox: the token’s user sends as this address (Send As rights)')}
            checked={values.sharedMailbox}
            disabled={readOnly}
            onChange={(v) => set('sharedMailbox', v)}
          />
        </Grid.Item>
        <AccountUsageFields
          names={{ usage: 'usage', application: 'applicationName' }}
          usage={values.usage}
          application={values.applicationName}
          applicationError={errors.applicationName}
          readOnly={readOnly}
          onUsage={(v) => set('usage', v)}
          onApplication={(v) => set('applicationName', v)}
        />
      </Grid.Root>
    </Section>
  );
};
