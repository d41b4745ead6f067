import { useT } from '../../utils/useT';
import { bindFields, type FormState, type KeysOf } from '../form/boundFields';

type Usage = 'organization' | 'application';

interface AccountUsageFieldsProps<V> {
  form: FormState<V>;
  /** The form's names of the two fields (the API's field names, so that its errors land beside them). */
  usage: KeysOf<V, Usage>;
  application: KeysOf<V, string>;
}

/** Who may use the account: the whole organisation, or one named application. */
export const AccountUsageFields = <V,>({ form, usage, application }: AccountUsageFieldsProps<V>) => {
  const t = useT();
  const field = bindFields(form);
  return (
    <>
      {field.select(
        // a field of Usage is a field of string; TypeScript does not see it through the generic V
        usage as unknown as KeysOf<V, string>,
        [
          { value: 'organization', label: t('account.scope.organization', 'The whole organisation') },
          { value: 'application', label: t('account.scope.application', 'One application') },
        ],
        { label: t('account.field.scope', 'Used by') }
      )}
      {form.values[usage] === 'application' && field.text(application, { required: true, label: t('account.field.application', 'Application') })}
    </>
  );
};
