import { Badge, Flex, Typography } from '@strapi/design-system';

import type { Discovery, How } from '../../api/connect';
import { Section } from '../../components/tokens/TokenForm';
import { useT, type Translate } from '../../utils/useT';

const providerName = (t: Translate, discovery: Discovery) => {
  if (discovery.provider === 'google') return t('connect.provider.google', 'Google (Gmail or Google Workspace)');
  if (discovery.provider === 'microsoft') {
    return discovery.oauth?.tenant === 'consumers'
      ? t('connect.provider.outlook', 'Microsoft (Outlook.com, personal accounts)')
      : t('connect.provider.microsoft', 'Microsoft 365');
  }
  return t('connect.provider.other', 'Another provider ({domain})', { domain: discovery.displayDomain });
};

const howText = (t: Translate, how: How) => {
  switch (how) {
    case 'known-domain':
      return t('connect.how.known-domain', 'a domain the plugin knows');
    case 'mx':
      return t('connect.how.mx', 'the domain’s MX records');
    case 'openid-configuration':
      return t('connect.how.openid-configuration', 'Microsoft’s OpenID configuration of the domain');
    case 'autoconfig':
      return t('connect.how.autoconfig', 'the domain’s autoconfig file');
    case 'srv':
      return t('connect.how.srv', 'the domain’s SRV records');
  }
};

const whatText = (t: Translate, what: Discovery['found'][number]['what']) => {
  switch (what) {
    case 'provider':
      return t('connect.what.provider', 'Provider');
    case 'tenant':
      return t('connect.what.tenant', 'Tenant');
    case 'inbound':
      return t('connect.what.inbound', 'Incoming mail');
    case 'outbound':
      return t('connect.what.outbound', 'Outgoing mail');
    case 'oauth':
      return t('connect.what.oauth', 'OAuth 2.0 sign-in');
  }
};

/** The provider discovery found, and for each part how it was found (so the admin can judge it). */
export const DiscoveryFindings = ({ discovery }: { discovery: Discovery }) => {
  const t = useT();
  return (
    <Section title={t('connect.found.title', 'What was found for {address}', { address: discovery.address })}>
      <Flex gap={2} data-testid="connect-provider" data-provider={discovery.provider}>
        <Typography fontWeight="bold" textColor="neutral800">
          {providerName(t, discovery)}
        </Typography>
        {discovery.tenantId && <Badge>{t('connect.found.tenantId', 'tenant {id}', { id: discovery.tenantId })}</Badge>}
      </Flex>
      {discovery.found.length ? (
        <Flex tag="ul" direction="column" alignItems="stretch" gap={1} data-testid="connect-found">
          {discovery.found.map((f, i) => (
            <li key={`${f.what}-${i}`} data-what={f.what} data-how={f.how}>
              <Typography textColor="neutral700">
                {t('connect.found.line', '{what}: found in {how} ({detail})', { what: whatText(t, f.what), how: howText(t, f.how), detail: f.detail })}
              </Typography>
            </li>
          ))}
        </Flex>
      ) : (
        <Typography textColor="neutral600">
          {t('connect.found.nothing', 'Nothing was found about this domain: enter its servers below (your provider’s help pages name them).')}
        </Typography>
      )}
      {discovery.errors.map((e) => (
        <Typography key={e.lookup} variant="pi" textColor="neutral600">
          {t('connect.found.lookupFailed', 'Lookup {lookup} failed ({code}): {message}', { lookup: e.lookup, code: e.code, message: e.message })}
        </Typography>
      ))}
    </Section>
  );
};
