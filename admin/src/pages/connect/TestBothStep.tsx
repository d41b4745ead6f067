import { Button, Flex, Typography } from '@strapi/design-system';
import { useFetchClient } from '@strapi/strapi/admin';
import { useState } from 'react';

import type { TestReport } from '../../api/accountTests';
import type { Connected } from '../../api/connect';
import { toApiFailure } from '../../api/errors';
import { inboundApi } from '../../api/inbound';
import { outboundApi } from '../../api/outbound';
import { TestReportView } from '../../components/accounts/TestReportView';
import { TextField } from '../../components/form/fields';
import { Section } from '../../components/tokens/TokenForm';
import { useT } from '../../utils/useT';

/** A call that failed as a whole (not a failed test): shown as a report with one failed step. */
const failedCall = (error: unknown): TestReport => {
  const f = toApiFailure(error);
  return { ok: false, steps: [{ name: 'request', ok: false, ms: 0, detail: f.message }], advice: f.advice, code: f.code };
};

/** One account's report under its name. */
const NamedReport = ({ testId, title, report }: { testId: string; title: string; report: TestReport }) => (
  <Flex direction="column" alignItems="stretch" gap={2} data-testid={testId}>
    <Typography variant="epsilon" fontWeight="bold">
      {title}
    </Typography>
    <TestReportView report={report} />
  </Flex>
);

/** Test & confirm on both accounts, one after the other, each report step by step. */
export const TestBothStep = ({ address, created }: { address: string; created: Connected }) => {
  const t = useT();
  const client = useFetchClient();
  const [to, setTo] = useState(address);
  const [running, setRunning] = useState(false);
  const [reports, setReports] = useState<{ inbound?: TestReport; outbound?: TestReport }>({});

  const run = async () => {
    setRunning(true);
    setReports({});
    const inbound = await inboundApi.test(client, created.inbound.id).catch(failedCall);
    setReports({ inbound });
    const outbound = await outboundApi.sendTest(client, created.outbound.id, to.trim()).catch(failedCall);
    setReports({ inbound, outbound });
    setRunning(false);
  };

  return (
    <Section title={t('connect.test.title', 'Test & confirm both accounts')}>
      <Typography textColor="neutral600">
        {t('connect.test.body', 'The plugin connects to both servers for real; the outgoing test sends one short message.')}
      </Typography>
      <Flex gap={4} alignItems="flex-end">
        <TextField
          name="to"
          label={t('connect.test.to', 'Send the test message to')}
          hint={t('connect.test.toHint', 'The mailbox itself unless you name another address.')}
          value={to}
          onChange={setTo}
        />
        <Button onClick={() => void run()} loading={running}>
          {t('connect.test.button', 'Test & confirm both')}
        </Button>
      </Flex>
      {reports.inbound && (
        <NamedReport testId="connect-test-inbound" title={t('connect.test.inboundOf', 'Incoming mail: {name}', { name: created.inbound.name })} report={reports.inbound} />
      )}
      {reports.outbound && (
        <NamedReport testId="connect-test-outbound" title={t('connect.test.outboundOf', 'Outgoing mail: {name}', { name: created.outbound.name })} report={reports.outbound} />
      )}
    </Section>
  );
};
