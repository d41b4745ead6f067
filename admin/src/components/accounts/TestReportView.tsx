import { Badge, Box, Flex, Typography } from '@strapi/design-system';

import type { TestReport } from '../../api/accountTests';
import { useT } from '../../utils/useT';
import { DismissibleAlert } from '../DismissibleAlert';
import { AccountWarnings } from './AccountWarnings';

/**
 * Test & confirm's answer: each step (connect, TLS, authenticate, folder / send) with its
 * time and what it found, then the advice when a step failed.
 */
export const TestReportView = ({ report }: { report: TestReport }) => {
  const t = useT();
  const failed = report.steps.find((s) => !s.ok);
  return (
    <Box background="neutral0" hasRadius shadow="filterShadow" padding={6} data-testid="test-report" data-ok={String(report.ok)}>
      <Flex direction="column" alignItems="stretch" gap={4}>
        <Typography variant="delta" tag="h2">
          {report.ok
            ? t('test.passed', 'Test passed: the account is confirmed')
            : t('test.failedAt', 'Test failed at “{step}”', { step: failed?.name ?? '' })}
        </Typography>
        <Flex tag="ol" direction="column" alignItems="stretch" gap={2}>
          {report.steps.map((step, index) => (
            <Flex key={`${index}-${step.name}`} tag="li" gap={3} alignItems="flex-start" data-step={step.name} data-step-ok={String(step.ok)}>
              <Box minWidth="6rem">
                <Badge variant={step.ok ? 'success' : 'danger'}>{step.ok ? t('test.step.ok', 'ok') : t('test.step.failed', 'failed')}</Badge>
              </Box>
              <Box minWidth="16rem">
                <Typography fontWeight="bold" textColor="neutral800">
                  {step.name}
                </Typography>
              </Box>
              <Box minWidth="6rem">
                <Typography textColor="neutral600">{t('test.ms', '{ms} ms', { ms: step.ms })}</Typography>
              </Box>
              <Typography textColor={step.ok ? 'neutral700' : 'danger600'} style={{ wordBreak: 'break-word' }}>
                {step.detail ?? ''}
              </Typography>
            </Flex>
          ))}
        </Flex>
        <AccountWarnings warnings={report.warnings ?? []} />
        {!report.ok && (report.advice || report.error) && (
          <DismissibleAlert variant="danger" title={report.code ?? t('test.failed', 'Test failed')} data-testid="test-advice">
            {[report.error?.message, report.advice].filter(Boolean).join(' ')}
          </DismissibleAlert>
        )}
      </Flex>
    </Box>
  );
};
