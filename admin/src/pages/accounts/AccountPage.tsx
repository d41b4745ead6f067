import { Flex, Grid } from '@strapi/design-system';
import { Layouts, Page, useFetchClient } from '@strapi/strapi/admin';
import { useState } from 'react';

import type { TestReport } from '../../api/accountTests';
import { AccountAboutSection } from '../../components/accounts/AccountAboutSection';
import { AccountActionBar } from '../../components/accounts/AccountActionBar';
import { AccountFailureAlert } from '../../components/accounts/AccountFailureAlert';
import { AccountPageHeader } from '../../components/accounts/AccountPageHeader';
import { AccountStateSection } from '../../components/accounts/AccountStateSection';
import { AccountWarnings } from '../../components/accounts/AccountWarnings';
import { PresetSelect } from '../../components/accounts/PresetSelect';
import { TestReportView } from '../../components/accounts/TestReportView';
import { SelectField } from '../../components/form/fields';
import { Section } from '../../components/tokens/TokenForm';
import { useAccountEditor } from '../../hooks/useAccountEditor';
import { useRemote } from '../../hooks/useRemote';
import { PLUGIN_ID } from '../../pluginId';
import { useT } from '../../utils/useT';
import type { AccountFieldsProps, AccountFormValues, AccountPreset, DirectionProps, ShownAccount } from './accountDirection';
import { SignInSection } from './SignInSection';

/**
 * /plugins/mail-auth/<kind>/new and /<kind>/:id: an account's form, its state, Test & confirm
 * and Delete; what differs between inbound and outbound comes from `direction`. The tests and
 * their results stand outside the form, so that Enter in a test's own field does not save.
 */
export const AccountPage = <A extends ShownAccount, V extends AccountFormValues, I, P, Preset extends AccountPreset>({ direction }: DirectionProps<A, V, I, P, Preset>) => {
  const t = useT();
  const client = useFetchClient();
  const { kind, model } = direction;
  const texts = direction.texts(t);
  const base = `/plugins/${PLUGIN_ID}/${kind}`;
  const formId = `mail-auth-${kind}-form`;
  const presets = useRemote(() => direction.api.presets(client), `${kind}-presets`);
  const [preset, setPreset] = useState<Preset | null>(null);
  const [report, setReport] = useState<TestReport | null>(null);
  const editor = useAccountEditor<A, V, I>({
    base,
    load: direction.api.get,
    create: direction.api.create,
    update: direction.api.update,
    remove: direction.api.remove,
    toValues: model.fromAccount,
    initial: () => (presets.data ? model.empty(presets.data) : null),
    validate: (v, hasPassword) => model.validate(t, v, presets.data!, hasPassword),
    toInput: (v) => model.toInput(v, presets.data!),
    destination: model.destination,
    fieldLabel: (field) => model.fieldLabel(t, field),
    createdMessage: texts.createdMessage,
  });
  const test = direction.useTest(editor, setReport);
  const { isNew, permissions, current, readOnly, values, setValues, set, errors, setErrors, failure, setFailure, busy } = editor;

  const gate = editor.gate(presets);
  if (gate || !values || !presets.data) return gate;

  const fields: AccountFieldsProps<V, P> = {
    values,
    setValues,
    set,
    errors,
    readOnly,
    label: (field) => model.fieldLabel(t, field) ?? field,
    presets: presets.data,
  };
  const { ConnectionFields, KindSections, StateItems } = direction;

  return (
    <Page.Main>
      <AccountPageHeader
        account={current}
        newTitle={texts.newTitle}
        subtitle={current ? direction.subtitle(current, values, presets.data) : texts.newSubtitle}
        backTo={base}
        formId={formId}
        createLabel={texts.createLabel}
        saving={busy === 'save'}
        readOnly={readOnly}
      />
      {current && (
        <AccountActionBar
          account={current}
          subjectType={`${kind}-account`}
          onDelete={editor.remove}
          deleteConsequence={permissions.canDelete ? texts.deleteConsequence(current.name) : undefined}
          actions={test.actions}
        />
      )}
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          <AccountFailureAlert failure={failure} errorCount={Object.keys(errors).length} onClose={() => setFailure(null)} />
          {test.panel}
          {report && <TestReportView report={report} />}
          {!report && current && <AccountWarnings warnings={current.warnings} />}
          {test.results}
          {current && (
            <AccountStateSection account={current} showLastError={!report}>
              <StateItems account={current} />
            </AccountStateSection>
          )}

          <form id={formId} onSubmit={editor.save} noValidate>
            <Flex direction="column" alignItems="stretch" gap={6}>
              <Section title={t('account.section.connection', 'Connection')}>
                <Grid.Root gap={5}>
                  {isNew && (
                    <PresetSelect
                      presets={model.presetList(presets.data)}
                      chosen={preset}
                      scopeHint={preset ? model.scopeHint(preset) : undefined}
                      onChoose={(p) => {
                        setPreset(p);
                        if (p) setValues(model.applyPreset(values, p, presets.data!));
                        setErrors({});
                      }}
                    />
                  )}
                  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                    <SelectField
                      name="type"
                      label={fields.label('type')}
                      required
                      disabled={readOnly}
                      value={values.type}
                      error={errors.type}
                      options={model.typeOptions(t, presets.data)}
                      onChange={(v) => setValues(model.changeType(values, v, presets.data!))}
                    />
                  </Grid.Item>
                  <ConnectionFields {...fields} />
                </Grid.Root>
              </Section>

              <SignInSection
                fields={fields}
                signIn={model.signIn(values, presets.data)}
                choices={model.signInChoices(values, presets.data)}
                onSignIn={(choice) => setValues(model.withSignIn(values, choice))}
                tokenTemplates={model.tokenTemplates(values, preset)}
                tokenHint={texts.tokenHint}
                passwordKept={editor.passwordKept}
                passwordHint={editor.passwordHint}
                AccountNameFields={direction.AccountNameFields}
              />

              <KindSections {...fields} />

              <AccountAboutSection values={values} errors={errors} readOnly={readOnly} activeLabel={texts.activeLabel} onChange={(about) => setValues({ ...values, ...about })} />
            </Flex>
          </form>
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};
