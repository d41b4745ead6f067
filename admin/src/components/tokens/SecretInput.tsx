import { Field, TextInput } from '@strapi/design-system';

import { useT } from '../../utils/useT';

interface SecretInputProps {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  required?: boolean;
  /** Whether the server holds a value: then an empty input keeps it. */
  isSet: boolean;
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
}

/**
 * A write-only secret: the server never sends it back, so the input is empty and says whether
 * one is stored ("set — type to replace"); what is typed replaces it, an empty input keeps it.
 */
export const SecretInput = ({ name, label, hint, error, required, isSet, value, onChange, disabled }: SecretInputProps) => {
  const t = useT();
  return (
    <Field.Root name={name} hint={hint} error={error} required={required && !isSet}>
      <Field.Label>{label}</Field.Label>
      <TextInput
        type="password"
        autoComplete="new-password"
        value={value}
        disabled={disabled}
        onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange(e.target.value)}
        placeholder={isSet ? t('secret.set', 'set — type to replace') : t('secret.unset', 'not set')}
      />
      <Field.Hint />
      <Field.Error />
    </Field.Root>
  );
};
