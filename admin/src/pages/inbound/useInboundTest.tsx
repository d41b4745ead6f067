import { Alert, Button } from '@strapi/design-system';
import { ArrowClockwise, Play } from '@strapi/icons';
import { useState } from 'react';

import type { TestReport } from '../../api/accountTests';
import { inboundApi, type FetchReport, type InboundAccount, type InboundAccountInput } from '../../api/inbound';
import { DismissibleAlert } from '../../components/DismissibleAlert';
import { withCode } from '../../components/tokens/TokenStatusCard';
import type { AccountEditor } from '../../hooks/useAccountEditor';
import { useT } from '../../utils/useT';
import type { AccountTestParts } from '../accounts/accountDirection';
import type { InboundFormValues } from './inboundFormModel';

/** An inbound account's Test & confirm and Fetch now: the buttons, the note while testing, and the fetch's answer. */
export const useInboundTest = (
  editor: AccountEditor<InboundAccount, InboundFormValues, InboundAccountInput>,
  showReport: (report: TestReport | null) => void
): AccountTestParts => {
  const t = useT();
  const [fetched, setFetched] = useState<FetchReport | null>(null);
  const { client, busy } = editor;

  const runTest = async () => {
    showReport(null);
    const answer = await editor.run('test', (id) => inboundApi.test(client, id));
    if (answer) showReport(answer);
  };

  const runFetch = async () => {
    setFetched(null);
    const answer = await editor.run('fetch', (id) => inboundApi.fetchNow(client, id));
    if (answer) setFetched(answer);
  };

  return {
    actions: editor.permissions.canTest && (
      <>
        <Button startIcon={<Play />} onClick={runTest} loading={busy === 'test'} size="S">
          {t('account.test', 'Test & confirm')}
        </Button>
        <Button variant="secondary" startIcon={<ArrowClockwise />} onClick={runFetch} loading={busy === 'fetch'} size="S">
          {t('inbound.fetch', 'Fetch now')}
        </Button>
      </>
    ),
    panel: busy === 'test' && (
      <Alert variant="default" closeLabel={t('common.close', 'Close')} title={t('test.running', 'Testing…')}>
        {t('inbound.test.running', 'Connecting, securing the connection, signing in and opening the folder. This takes a few seconds.')}
      </Alert>
    ),
    results: fetched && (
      <DismissibleAlert
        variant={fetched.errors.length ? 'danger' : 'success'}
        title={t('inbound.fetched', 'Fetched {fetched} new, skipped {skipped}', { fetched: fetched.fetched, skipped: fetched.skipped })}
        data-testid="fetch-result"
      >
        {fetched.errors.map((x) => [withCode(x.code, x.message), x.advice].filter(Boolean).join(' ')).join(' ')}
      </DismissibleAlert>
    ),
  };
};
