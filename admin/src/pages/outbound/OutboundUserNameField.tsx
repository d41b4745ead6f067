import { Grid } from '@strapi/design-system';

import type { OutboundPreset } from '../../api/outbound';
import { TextField } from '../../components/form/fields';
import { useT } from '../../utils/useT';
import type { AccountFieldsProps } from '../accounts/accountDirection';
import { signInOf, type OutboundFormValues } from './outboundFormModel';

/** Who signs in to an SMTP server; the APIs sign in as the token's user. */
export const OutboundUserNameField = ({ values, set, errors, readOnly, label }: AccountFieldsProps<OutboundFormValues, OutboundPreset[]>) => {
  const t = useT();
  if (values.type !== 'smtp' || signInOf(values) === 'none') return null;
  return (
    <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
      <TextField
        name="username"
        label={label('username')}
        disabled={readOnly}
        value={values.username}
        error={errors.username}
        hint={t('outbound.username.hint', 'The SMTP login; empty: the from address.')}
        onChange={(v) => set('username', v)}
      />
    </Grid.Item>
  );
};
