import { Grid } from '@strapi/design-system';

import type { FieldErrors } from '../../api/errors';
import { useT } from '../../utils/useT';
import { bindFields } from '../form/boundFields';
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
  const label = (field: string) => (field === 'name' ? t('account.field.name', 'Name') : t('account.field.description', 'Description'));
  const field = bindFields<About>({ values, errors, readOnly, label, set: (key, value) => onChange({ ...values, [key]: value }) });
  return (
    <Section title={t('form.section.about', 'Name and use')}>
      <Grid.Root gap={5}>
        {field.text('name', { required: true })}
        {field.text('description', { multiline: true })}
        {field.checkbox('active', activeLabel)}
      </Grid.Root>
    </Section>
  );
};
