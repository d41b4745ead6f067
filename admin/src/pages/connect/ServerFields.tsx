import { Grid } from '@strapi/design-system';

import type { DiscoveredServer } from '../../api/connect';
import type { FieldErrors } from '../../api/errors';
import { PortField, SelectField, TextField } from '../../components/form/fields';
import { Section } from '../../components/tokens/TokenForm';
import { useT, type Translate } from '../../utils/useT';
import { isRestApi, type ServerValues } from './connectModel';

const typeLabels = (t: Translate): Record<string, string> => ({
  imaps: t('connect.type.imaps', 'IMAP over TLS (imaps)'),
  'imap-starttls': t('connect.type.imap-starttls', 'IMAP with STARTTLS'),
  imap: t('connect.type.imap', 'IMAP, plain text'),
  pop3s: t('connect.type.pop3s', 'POP3 over TLS (pop3s)'),
  'pop3-starttls': t('connect.type.pop3-starttls', 'POP3 with STLS'),
  pop3: t('connect.type.pop3', 'POP3, plain text'),
  'microsoft-graph': t('connect.type.microsoft-graph', 'Microsoft Graph (REST API)'),
  'gmail-api': t('connect.type.gmail-api', 'Gmail API (REST API)'),
  smtp: t('connect.type.smtp', 'SMTP'),
});
const INBOUND_TYPES = ['imaps', 'imap-starttls', 'imap', 'pop3s', 'pop3-starttls', 'pop3', 'microsoft-graph', 'gmail-api'];
const OUTBOUND_TYPES = ['smtp', 'microsoft-graph', 'gmail-api'];

interface ServerFieldsProps {
  direction: 'inbound' | 'outbound';
  values: ServerValues;
  /** What discovery proposed: picking one fills the fields. */
  discovered: DiscoveredServer[];
  onChange: (values: ServerValues) => void;
  errors: FieldErrors;
}

/** One direction's server, prefilled from discovery and editable (type, host, port, and SMTP's security). */
export const ServerFields = ({ direction, values, discovered, onChange, errors }: ServerFieldsProps) => {
  const t = useT();
  const inbound = direction === 'inbound';
  const labels = typeLabels(t);
  const types = (inbound ? INBOUND_TYPES : OUTBOUND_TYPES).map((value) => ({ value, label: labels[value] }));
  const set = (patch: Partial<ServerValues>) => onChange({ ...values, ...patch });
  const pick = (type: string) => {
    const match = discovered.find((s) => s.type === type);
    set(match ? { type, host: match.host ?? '', port: match.port, security: match.security } : { type });
  };
  return (
    <Section title={inbound ? t('connect.inbound.title', 'Incoming mail') : t('connect.outbound.title', 'Outgoing mail')}>
      <Grid.Root gap={4}>
        <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
          <SelectField
            name={`${direction}.type`}
            label={t('connect.server.type', 'Type')}
            value={values.type}
            options={types}
            onChange={pick}
            error={errors[`${direction}.type`]}
            required
          />
        </Grid.Item>
        {!isRestApi(values.type) && (
          <>
            <Grid.Item col={5} s={12} direction="column" alignItems="stretch">
              <TextField
                name={`${direction}.host`}
                label={t('connect.server.host', 'Host')}
                value={values.host}
                onChange={(host) => set({ host })}
                error={errors[`${direction}.host`]}
                required
              />
            </Grid.Item>
            <Grid.Item col={3} s={12} direction="column" alignItems="stretch">
              <PortField
                name={`${direction}.port`}
                label={t('connect.server.port', 'Port')}
                value={values.port}
                onChange={(port) => set({ port })}
                error={errors[`${direction}.port`]}
                required
              />
            </Grid.Item>
          </>
        )}
        {!inbound && values.type === 'smtp' && (
          <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
            <SelectField
              name="outbound.security"
              label={t('connect.server.security', 'Security')}
              value={values.security}
              options={[
                { value: 'tls', label: t('outbound.security.tls', 'TLS from the start (usually port 465)') },
                { value: 'starttls', label: t('outbound.security.starttls', 'STARTTLS (usually port 587)') },
                { value: 'none', label: t('outbound.security.none', 'None: plain text (usually port 25)') },
              ]}
              onChange={(security) => set({ security: security as ServerValues['security'] })}
              error={errors['outbound.security']}
            />
          </Grid.Item>
        )}
      </Grid.Root>
    </Section>
  );
};
