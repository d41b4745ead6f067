import { Checkbox, Field, NumberInput, SingleSelect, SingleSelectOption, TextInput, Textarea } from '@strapi/design-system';
import type { ChangeEvent } from 'react';

/** What every field of the account forms takes. */
interface Common {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  required?: boolean;
  disabled?: boolean;
}

export const TextField = ({
  value,
  onChange,
  placeholder,
  multiline,
  type,
  ...field
}: Common & { value: string; onChange: (v: string) => void; placeholder?: string; multiline?: boolean; type?: string }) => (
  <Field.Root name={field.name} hint={field.hint} error={field.error} required={field.required}>
    <Field.Label>{field.label}</Field.Label>
    {multiline ? (
      <Textarea
        value={value}
        disabled={field.disabled}
        placeholder={placeholder}
        onChange={(e: ChangeEvent<HTMLTextAreaElement>) => onChange(e.target.value)}
      />
    ) : (
      <TextInput
        type={type}
        value={value}
        disabled={field.disabled}
        placeholder={placeholder}
        onChange={(e: ChangeEvent<HTMLInputElement>) => onChange(e.target.value)}
      />
    )}
    <Field.Hint />
    <Field.Error />
  </Field.Root>
);

export const NumberField = ({ value, onChange, ...field }: Common & { value: number | undefined; onChange: (v: number | undefined) => void }) => (
  <Field.Root name={field.name} hint={field.hint} error={field.error} required={field.required}>
    <Field.Label>{field.label}</Field.Label>
    <NumberInput value={value} disabled={field.disabled} onValueChange={onChange} />
    <Field.Hint />
    <Field.Error />
  </Field.Root>
);

export const SelectField = ({
  value,
  onChange,
  options,
  placeholder,
  ...field
}: Common & { value: string | null; onChange: (v: string) => void; options: { value: string; label: string }[]; placeholder?: string }) => (
  <Field.Root name={field.name} hint={field.hint} error={field.error} required={field.required}>
    <Field.Label>{field.label}</Field.Label>
    <SingleSelect value={value} disabled={field.disabled} placeholder={placeholder} onChange={(v: string | number) => onChange(String(v))}>
      {options.map((o) => (
        <SingleSelectOption key={o.value} value={o.value}>
          {o.label}
        </SingleSelectOption>
      ))}
    </SingleSelect>
    <Field.Hint />
    <Field.Error />
  </Field.Root>
);

export const CheckboxField = ({ name, label, checked, onChange, disabled }: { name: string; label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean }) => (
  <Checkbox name={name} checked={checked} disabled={disabled} onCheckedChange={(c: boolean | 'indeterminate') => onChange(c === true)}>
    {label}
  </Checkbox>
);

/** A port: digits only and no thousands separator (NumberInput would show 36,611). */
export const PortField = ({ value, onChange, ...field }: Common & { value: number | undefined; onChange: (v: number | undefined) => void }) => (
  <Field.Root name={field.name} hint={field.hint} error={field.error} required={field.required}>
    <Field.Label>{field.label}</Field.Label>
    <TextInput
      inputMode="numeric"
      value={value === undefined ? '' : String(value)}
      disabled={field.disabled}
      onChange={(e: ChangeEvent<HTMLInputElement>) => {
        const digits = e.target.value.replace(/\D/g, '').slice(0, 5);
        onChange(digits ? Number(digits) : undefined);
      }}
    />
    <Field.Hint />
    <Field.Error />
  </Field.Root>
);
