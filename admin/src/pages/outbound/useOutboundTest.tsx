import { Button, Field, Flex, TextInput } from '@strapi/design-system';
import { Play } from '@strapi/icons';
import { useState, type ChangeEvent } from 'react';

import type { TestReport } from '../../api/accountTests';
import { outboundApi, type OutboundAccount, type OutboundAccountInput } from '../../api/outbound';
import { Section } from '../../components/tokens/TokenForm';
import type { AccountEditor } from '../../hooks/useAccountEditor';
import { useT } from '../../utils/useT';
import type { AccountTestParts } from '../accounts/accountDirection';
import { EMAIL, type OutboundFormValues } from './outboundFormModel';

/** An outbound account's Test & confirm: a test message to a recipient typed beside the button. */
export const useOutboundTest = (
  editor: AccountEditor<OutboundAccount, OutboundFormValues, OutboundAccountInput>,
  showReport: (report: TestReport | null) => void
): AccountTestParts => {
  const t = useT();
  const [recipient, setRecipient] = useState('');
  const [recipientError, setRecipientError] = useState<string | undefined>();
  const { client, busy, current, permissions } = editor;

  const runTest = async () => {
    if (!EMAIL.test(recipient.trim())) {
      setRecipientError(t('validation.email', 'An email address, such as support@example.com.'));
      return;
    }
    setRecipientError(undefined);
    showReport(null);
    const answer = await editor.run(
      'test',
      (id) => outboundApi.sendTest(client, id, recipient.trim()),
      (f) => {
        // The server's word on the recipient goes beside the recipient field.
        if (!f.fields.to) return false;
        setRecipientError(f.fields.to);
        return true;
      }
    );
    if (answer) showReport(answer);
  };

  return {
    panel: current && permissions.canTest && (
      <Section title={t('outbound.test.section', 'Test & confirm: send a test message')}>
        <Flex gap={4} alignItems="flex-start">
          <Field.Root name="to" error={recipientError} hint={t('outbound.test.hint', 'A mailbox you can read; the message says it is a test.')} required>
            <Field.Label>{t('outbound.test.to', 'Test recipient')}</Field.Label>
            <TextInput value={recipient} placeholder="you@example.com" onChange={(e: ChangeEvent<HTMLInputElement>) => setRecipient(e.target.value)} />
            <Field.Hint />
            <Field.Error />
          </Field.Root>
          <Flex paddingTop={6}>
            <Button startIcon={<Play />} onClick={runTest} loading={busy === 'test'} size="M">
              {t('outbound.test.send', 'Send test message')}
            </Button>
          </Flex>
        </Flex>
      </Section>
    ),
  };
};
