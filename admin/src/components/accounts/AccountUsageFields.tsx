import { Grid } from '@strapi/design-system';

import { useT } from '../../utils/useT';
import { SelectField, TextField } from '../form/fields';

type Usage = 'organization' | 'application';

interface AccountUsageFieldsProps {
  /** The form's names of the two fields (the API's field names, so that its errors land beside them). */
  names: { usage: string; application: string };
  usage: Usage;
  application: string;
  applicationError?: string;
  readOnly: boolean;
  onUsage: (usage: Usage) => void;
  onApplication: (application: string) => void;
}

/** Who may use the account: the whole organisation, or one named application. */
export const AccountUsageFields = ({ names, usage, application, applicationError, readOnly, onUsage, onApplication }: AccountUsageFieldsProps) => {
  const t = useT();
  return (
    <>
      <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
        <SelectField
          name={names.usage}
          label={t('account.field.scope', 'Used by')}
          disabled={readOnly}
          value={usage}
          options={[
            { value: 'organization', label: t('account.scope.organization', 'The whole organisation') },
            { value: 'application', label: t('account.scope.application', 'One application') },
          ]}
          onChange={(v) => onUsage(v as Usage)}
        />
      </Grid.Item>
      {usage === 'application' && (
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <TextField
            name={names.application}
            label={t('account.field.application', 'Application')}
            required
            disabled={readOnly}
            value={application}
            error={applicationError}
            onChange={onApplication}
          />
        </Grid.Item>
      )}
    </>
  );
};
