import type { OutboundPreset, SmtpSecurity } from '../../api/outbound';
import { AllowInsecureAuthField } from '../../components/accounts/AllowInsecureAuthField';
import { bindFields } from '../../components/form/boundFields';
import { useT } from '../../utils/useT';
import type { AccountFieldsProps } from '../accounts/accountDirection';
import { DEFAULT_PORT, signInOf, type OutboundFormValues } from './outboundFormModel';

/** An outbound account's Connection fields after its type: for SMTP the server, its security and certificates; the APIs need none. */
export const OutboundConnectionFields = (props: AccountFieldsProps<OutboundFormValues, OutboundPreset[]>) => {
  const { values, setValues, set, readOnly } = props;
  const t = useT();
  const field = bindFields(props);
  if (values.type !== 'smtp') return null;
  return (
    <>
      {field.select(
        'security',
        [
          { value: 'starttls', label: t('outbound.security.starttls', 'STARTTLS (usually port 587)') },
          { value: 'tls', label: t('outbound.security.tls', 'TLS from the start (usually port 465)') },
          { value: 'none', label: t('outbound.security.none', 'None: plain text (usually port 25)') },
        ],
        // Another security mode has another usual port.
        { onChange: (v) => setValues({ ...values, security: v as SmtpSecurity, port: DEFAULT_PORT[v as SmtpSecurity] }) }
      )}
      {field.text('host', { required: true, placeholder: 'smtp.example.com', cols: 4 })}
      {field.port('port')}
      {field.text('domain', { hint: t('outbound.domain.hint', 'The name Strapi gives itself in EHLO; empty: this machine’s host name.') })}
      {values.security === 'none' && signInOf(values) !== 'none' && (
        <AllowInsecureAuthField checked={values.allowInsecureAuth} readOnly={readOnly} onChange={(v) => set('allowInsecureAuth', v)} />
      )}
      {values.security !== 'none' && (
        <>
          {field.checkbox('verifyCertificate', t('outbound.field.verifyCertificate', 'Check the server’s certificate'))}
          {field.text('trustedCertificate', {
            cols: 12,
            multiline: true,
            placeholder: '-----BEGIN CERTIFICATE-----',
            hint: t('outbound.trustedCertificate.hint', 'Your own CA or the server’s self-signed certificate, trusted besides the public ones.'),
          })}
        </>
      )}
    </>
  );
};
