import { Alert, Box, Button, Field, Flex, Link, SingleSelect, SingleSelectOption, Typography } from '@strapi/design-system';
import { ArrowLeft, Check, ExternalLink } from '@strapi/icons';
import { Layouts, Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import { useState } from 'react';
import { Link as RouterLink, useNavigate } from 'react-router-dom';

import { toApiFailure, type ApiFailure, type FieldErrors } from '../../api/errors';
import type { Template } from '../../api/templates';
import { createToken } from '../../api/tokens';
import { refreshNotifications } from '../../components/ExpiryBanner/notificationStore';
import { redirectUriHelp } from '../../components/tokens/fieldText';
import { RedirectUriField } from '../../components/tokens/RedirectUriField';
import { Section, TOKEN_FORM_ID, TokenForm } from '../../components/tokens/TokenForm';
import { initialValues, serverFieldErrors, toInput, validateToken, type TokenFormValues } from '../../components/tokens/tokenFormModel';
import { usePluginPermissions } from '../../hooks/usePluginPermissions';
import { useTemplates } from '../../hooks/useTemplates';
import { PLUGIN_ID } from '../../pluginId';
import { useT, type Translate } from '../../utils/useT';

export const templateDescription = (t: Translate, template: Template): string =>
  template.grantType === 'client_credentials'
    ? t('template.clientCredentials', 'App-only: Strapi signs in as the app itself (client credentials). No browser sign-in, no refresh token.')
    : t('template.authorizationCode', 'A person signs in at the provider once (Generate tokens); Strapi then keeps the tokens fresh.');

/** /plugins/mail-auth/tokens/new: a template first, then exactly its fields. */
export const TokenCreatePage = () => {
  const t = useT();
  const navigate = useNavigate();
  const client = useFetchClient();
  const { toggleNotification } = useNotification();
  const permissions = usePluginPermissions();
  const templates = useTemplates();
  const [template, setTemplate] = useState<Template | null>(null);
  const [values, setValues] = useState<TokenFormValues | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [saving, setSaving] = useState(false);

  if (templates.isLoading || permissions.isLoading) return <Page.Loading />;
  if (!permissions.canCreate) return <Page.NoPermissions />;
  if (!templates.data) return <Page.Error />;
  const { results, redirectUri, redirectUriWarning } = templates.data;

  const chooseTemplate = (id: string) => {
    const next = results.find((x) => x.id === id) ?? null;
    setTemplate(next);
    // Keep what was typed that the new template also has.
    setValues((old) => (next ? { ...initialValues(next), ...(old ? { name: old.name, description: old.description, clientId: old.clientId } : {}) } : null));
    setErrors({});
    setFailure(null);
  };

  const submit = async () => {
    if (!template || !values) return;
    const found = validateToken(t, values, template, { hasClientSecret: false });
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length) return;
    setSaving(true);
    try {
      const created = await createToken(client, toInput(values, template, 'create'));
      toggleNotification({ type: 'success', message: t('tokens.created', 'Token “{name}” created.', { name: created.name }) });
      void refreshNotifications();
      navigate(`/plugins/${PLUGIN_ID}/tokens/${created.id}`);
    } catch (error) {
      const f = toApiFailure(error);
      setErrors(serverFieldErrors(t, f.fields));
      setFailure(f);
    } finally {
      setSaving(false);
    }
  };

  const errorCount = Object.keys(errors).length;

  return (
    <Page.Main>
      <Page.Title>{t('tokens.new.title', 'New OAuth2 token')}</Page.Title>
      <Layouts.Header
        title={t('tokens.new.title', 'New OAuth2 token')}
        subtitle={t('tokens.new.subtitle', 'Choose the provider’s template: the form then asks for exactly what it needs.')}
        navigationAction={
          <Link tag={RouterLink} to={`/plugins/${PLUGIN_ID}`} startIcon={<ArrowLeft />}>
            {t('common.back', 'Back')}
          </Link>
        }
        primaryAction={
          template ? (
            <Button type="submit" form={TOKEN_FORM_ID} startIcon={<Check />} loading={saving} size="S">
              {t('tokens.create', 'Create token')}
            </Button>
          ) : undefined
        }
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          {(failure || errorCount > 0) && (
            <Alert
              variant="danger"
              closeLabel={t('common.close', 'Close')}
              title={errorCount ? t('form.invalid', 'Some fields need attention.') : t('form.failed', 'The token could not be saved.')}
              onClose={() => setFailure(null)}
            >
              {(errorCount ? [failure?.advice] : [failure?.message, failure?.advice]).filter(Boolean).join(' ')}
            </Alert>
          )}
          <Section title={t('tokens.new.templateSection', 'Template')}>
            <Field.Root name="template" error={errors.template} hint={template ? templateDescription(t, template) : undefined} required>
              <Field.Label>{t('field.template', 'Template')}</Field.Label>
              <SingleSelect
                placeholder={t('tokens.new.chooseTemplate', 'Choose a provider')}
                value={template?.id ?? null}
                onChange={(id: string | number) => chooseTemplate(String(id))}
              >
                {results.map((x) => (
                  <SingleSelectOption key={x.id} value={x.id}>
                    {x.name}
                  </SingleSelectOption>
                ))}
              </SingleSelect>
              <Field.Hint />
              <Field.Error />
            </Field.Root>
            {template && (
              <Typography variant="pi" textColor="neutral600">
                <Link href={template.docs} isExternal endIcon={<ExternalLink />}>
                  {t('tokens.new.docs', 'The provider’s guide to registering an app')}
                </Link>
              </Typography>
            )}
          </Section>
          {template && values && (
            <TokenForm template={template} values={values} onChange={setValues} errors={errors} onSubmit={submit} hasClientSecret={false}>
              {template.grantType === 'authorization_code' && (
                <Section title={t('redirectUri.section', 'Redirect URI')}>
                  <Typography variant="omega" textColor="neutral600">
                    {redirectUriHelp(t, template.id)}
                  </Typography>
                  <RedirectUriField redirectUri={redirectUri} warning={redirectUriWarning} />
                </Section>
              )}
            </TokenForm>
          )}
          {!template && (
            <Box>
              <Typography textColor="neutral600">
                {t('tokens.new.first', 'First register an app at the provider; its console gives the client ID and secret that the form asks for.')}
              </Typography>
            </Box>
          )}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};
