import { Grid } from '@strapi/design-system';

import type { FieldErrors } from '../../api/errors';
import { useT } from '../../utils/useT';
import { CheckboxField, TextField } from '../form/fields';
import { Section } from '../tokens/TokenForm';

interface About {
  name: string;
  description: string;
  active: boolean;
}

interface AccountAboutSectionProps {
  values: About;
  errors: FieldErrors;
  readOnly: boolean;
  /** What "active" means for this kind of account. */
  activeLabel: string;
  onChange: (values: About) => void;
}

/** The last section of an account form: name, description, and whether it is in use. */
export const AccountAboutSection = ({ values, errors, readOnly, activeLabel, onChange }: AccountAboutSectionProps) => {
  const t = useT();
  return (
    <Section title={t('form.section.about', 'Name and use')}>
      <Grid.Root gap={5}>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <TextField
            name="name"
            label={t('account.field.name', 'Name')}
            required
            disabled={readOnly}
            value={values.name}
            error={errors.name}
            onChange={(v) => onChange({ ...values, name: v })}
          />
        </Grid.Item>
        <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
          <TextField
            name="description"
            label={t('account.field.description', 'Description')}
            multiline
            disabled={readOnly}
            value={values.description}
            error={errors.description}
            onChange={(v) => onChange({ ...values, description: v })}
          />
        </Grid.Item>
        <Grid.Item col={12} direction="column" alignItems="flex-start">
          <CheckboxField name="active" label={activeLabel} checked={values.active} disabled={readOnly} onChange={(v) => onChange({ ...values, active: v })} />
        </Grid.Item>
      </Grid.Root>
    </Section>
  );
};
