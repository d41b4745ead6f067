import { Grid } from '@strapi/design-system';

import { useT } from '../../utils/useT';
import { CheckboxField } from '../form/fields';

/** For a server without TLS: whether the password or token may still be sent. */
export const AllowInsecureAuthField = ({ checked, readOnly, onChange }: { checked: boolean; readOnly: boolean; onChange: (checked: boolean) => void }) => {
  const t = useT();
  return (
    <Grid.Item col={12} direction="column" alignItems="flex-start">
      <CheckboxField
        name="allowInsecureAuth"
        label={t('account.field.allowInsecureAuth', 'Send the password or token unencrypted (only to a server on a network you trust; not needed for localhost)')}
        checked={checked}
        disabled={readOnly}
        onChange={onChange}
      />
    </Grid.Item>
  );
};
