import { Grid } from '@strapi/design-system';

import type { OutboundPreset, SmtpSecurity } from '../../api/outbound';
import { AllowInsecureAuthField } from '../../components/accounts/AllowInsecureAuthField';
import { ServerAddressFields } from '../../components/accounts/ServerAddressFields';
import { CheckboxField, SelectField, TextField } from '../../components/form/fields';
import { useT } from '../../utils/useT';
import type { AccountFieldsProps } from '../accounts/accountDirection';
import { DEFAULT_PORT, signInOf, type OutboundFormValues } from './outboundFormModel';

/** An outbound account's Connection fields after its type: for SMTP the server, its security and certificates; the APIs need none. */
export const OutboundConnectionFields = ({ values, setValues, set, errors, readOnly, label }: AccountFieldsProps<OutboundFormValues, OutboundPreset[]>) => {
  const t = useT();
  if (values.type !== 'smtp') return null;
  return (
    <>
      <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
        <SelectField
          name="security"
          label={label('security')}
          disabled={readOnly}
          value={values.security}
          options={[
            { value: 'starttls', label: t('outbound.security.starttls', 'STARTTLS (usually port 587)') },
            { value: 'tls', label: t('outbound.security.tls', 'TLS from the start (usually port 465)') },
            { value: 'none', label: t('outbound.security.none', 'None: plain text (usually port 25)') },
          ]}
          onChange={(v) => setValues({ ...values, security: v as SmtpSecurity, port: DEFAULT_PORT[v as SmtpSecurity] })}
        />
      </Grid.Item>
      <ServerAddressFields
        host={values.host}
        port={values.port}
        errors={errors}
        readOnly={readOnly}
        label={label}
        placeholder="smtp.example.com"
        onHost={(v) => set('host', v)}
        onPort={(v) => set('port', v)}
      />
      <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
        <TextField
          name="domain"
          label={label('domain')}
          disabled={readOnly}
          value={values.domain}
          error={errors.domain}
          hint={t('outbound.domain.hint', 'The name Strapi gives itself in EHLO; empty: this machine’s host name.')}
          onChange={(v) => set('domain', v)}
        />
      </Grid.Item>
      {values.security === 'none' && signInOf(values) !== 'none' && (
        <AllowInsecureAuthField checked={values.allowInsecureAuth} readOnly={readOnly} onChange={(v) => set('allowInsecureAuth', v)} />
      )}
      {values.security !== 'none' && (
        <>
          <Grid.Item col={12} direction="column" alignItems="flex-start">
            <CheckboxField
              name="verifyCertificate"
              label={t('outbound.field.verifyCertificate', 'Check the server’s certificate')}
              checked={values.verifyCertificate}
              disabled={readOnly}
              onChange={(v) => set('verifyCertificate', v)}
            />
          </Grid.Item>
          <Grid.Item col={12} direction="column" alignItems="stretch">
            <TextField
              name="trustedCertificate"
              label={label('trustedCertificate')}
              multiline
              disabled={readOnly}
              value={values.trustedCertificate}
              error={errors.trustedCertificate}
              placeholder="-----BEGIN CERTIFICATE-----"
              hint={t('outbound.trustedCertificate.hint', 'Your own CA or the server’s self-signed certificate, trusted besides the public ones.')}
              onChange={(v) => set('trustedCertificate', v)}
            />
          </Grid.Item>
        </>
      )}
    </>
  );
};
