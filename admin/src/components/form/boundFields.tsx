import { Grid } from '@strapi/design-system';

import type { FieldErrors } from '../../api/errors';
import { CheckboxField, NumberField, PortField, SelectField, TextField } from './fields';

/** The names of V's fields whose values are of type T. */
export type KeysOf<V, T> = { [K in keyof V]: V[K] extends T ? K : never }[keyof V] & string;

export interface FormState<V> {
  values: V;
  set: <K extends keyof V>(key: K, value: V[K]) => void;
  errors: FieldErrors;
  readOnly: boolean;
  label: (field: string) => string;
}

interface TextOptions {
  /** Instead of the form's label of the field. */
  label?: string;
  required?: boolean;
  placeholder?: string;
  hint?: string;
  multiline?: boolean;
  /** How many of the row's 12 columns it takes (half the row unless said). */
  cols?: number;
}

/**
 * A form's fields bound to its values, errors, labels and read-only state, each in its grid
 * cell: a field is named once (the API's name, under which the server's errors come back).
 */
export const bindFields = <V,>({ values, set, errors, readOnly, label }: FormState<V>) => {
  const setter = <K extends keyof V>(name: K) => (value: unknown) => set(name, value as V[K]);
  return {
    text: (name: KeysOf<V, string>, { cols = 6, label: shown, ...options }: TextOptions = {}) => (
      <Grid.Item col={cols} s={12} direction="column" alignItems="stretch">
        <TextField name={name} label={shown ?? label(name)} disabled={readOnly} value={values[name] as string} error={errors[name]} onChange={setter(name)} {...options} />
      </Grid.Item>
    ),
    number: (name: KeysOf<V, number | undefined>) => (
      <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
        <NumberField name={name} label={label(name)} disabled={readOnly} value={values[name] as number | undefined} error={errors[name]} onChange={setter(name)} />
      </Grid.Item>
    ),
    /** A choice; `onChange` instead of setting the field alone (a choice that changes others too). */
    select: (name: KeysOf<V, string>, options: { value: string; label: string }[], { label: shown, onChange }: { label?: string; onChange?: (value: string) => void } = {}) => (
      <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
        <SelectField name={name} label={shown ?? label(name)} disabled={readOnly} value={values[name] as string} error={errors[name]} options={options} onChange={onChange ?? setter(name)} />
      </Grid.Item>
    ),
    /** A port beside its host (a sixth of the row). */
    port: (name: KeysOf<V, number | undefined>) => (
      <Grid.Item col={2} s={12} direction="column" alignItems="stretch">
        <PortField name={name} label={label(name)} required disabled={readOnly} value={values[name] as number | undefined} error={errors[name]} onChange={setter(name)} />
      </Grid.Item>
    ),
    /** A checkbox over the whole row; its label says what ticking it means. */
    checkbox: (name: KeysOf<V, boolean>, text: string) => (
      <Grid.Item col={12} direction="column" alignItems="flex-start">
        <CheckboxField name={name} label={text} checked={values[name] as boolean} disabled={readOnly} onChange={setter(name)} />
      </Grid.Item>
    ),
  };
};
