import { Alert, Button, Flex, Link, Typography } from '@strapi/design-system';
import { ArrowClockwise, ArrowLeft, Check, Key, Phone } from '@strapi/icons';
import { Layouts, Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import { useEffect, useState } from 'react';
import { Link as RouterLink, useNavigate, useParams } from 'react-router-dom';

import { toApiFailure, type ApiFailure, type FieldErrors } from '../../api/errors';
import { deleteToken, getToken, refreshToken, updateToken, type Token } from '../../api/tokens';
import { ConfirmDeleteButton } from '../../components/ConfirmDeleteButton';
import { DismissibleAlert } from '../../components/DismissibleAlert';
import { refreshNotifications } from '../../components/ExpiryBanner/notificationStore';
import { redirectUriHelp } from '../../components/tokens/fieldText';
import { DeviceSignInPanel } from '../../components/tokens/DeviceSignInPanel';
import { GenerateTokensFeedback } from '../../components/tokens/GenerateTokensFeedback';
import { RedirectUriField } from '../../components/tokens/RedirectUriField';
import { StatusBadge } from '../../components/tokens/StatusBadge';
import { Section, TOKEN_FORM_ID, TokenForm } from '../../components/tokens/TokenForm';
import { destinationChanged, initialValues, serverFieldErrors, toInput, validateToken, type TokenFormValues } from '../../components/tokens/tokenFormModel';
import { TokenStatusCard } from '../../components/tokens/TokenStatusCard';
import { useDeviceSignIn } from '../../hooks/useDeviceSignIn';
import { useGenerateTokens } from '../../hooks/useGenerateTokens';
import { usePluginPermissions } from '../../hooks/usePluginPermissions';
import { useRemote } from '../../hooks/useRemote';
import { useTemplates } from '../../hooks/useTemplates';
import { PLUGIN_ID } from '../../pluginId';
import { useT } from '../../utils/useT';

/** A failed action of this page (refresh, delete, save) and what to do about it. */
const FailureAlert = ({ failure, onClose }: { failure: ApiFailure; onClose: () => void }) => {
  const t = useT();
  return (
    <Alert variant="danger" closeLabel={t('common.close', 'Close')} onClose={onClose} title={failure.message} data-testid="token-action-failure">
      {[
        failure.blockers.length ? t('token.delete.usedBy', 'Used by: {accounts}.', { accounts: failure.blockers.join(', ') }) : null,
        failure.advice,
      ]
        .filter(Boolean)
        .join(' ')}
    </Alert>
  );
};

/** /plugins/mail-auth/tokens/:id: the token's state, Generate tokens, Refresh now, edit, delete. */
export const TokenPage = () => {
  const t = useT();
  const { id } = useParams<{ id: string }>();
  const navigate = useNavigate();
  const client = useFetchClient();
  const { toggleNotification } = useNotification();
  const permissions = usePluginPermissions();
  const templates = useTemplates();
  const token = useRemote(() => getToken(client, id!), id ?? '');
  const [values, setValues] = useState<TokenFormValues | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [busy, setBusy] = useState<'save' | 'refresh' | null>(null);

  const onTokenChanged = (next: Token) => token.setData(next);
  const generate = useGenerateTokens(token.data, onTokenChanged);
  const device = useDeviceSignIn(token.data, onTokenChanged);

  const template = templates.data?.results.find((x) => x.id === token.data?.template);
  // The form starts from the token as loaded (again after a save).
  useEffect(() => {
    if (token.data && template && values === null) setValues(initialValues(template, token.data));
  }, [token.data, template, values]);

  if (token.isLoading || templates.isLoading || permissions.isLoading) return <Page.Loading />;
  if (!token.data) {
    return token.failure?.status === 404 ? <Page.NoData content={t('token.notFound', 'This token does not exist (any more).')} /> : <Page.Error />;
  }
  const current = token.data;
  // Another issuer or endpoint: the server keeps neither the stored client secret nor the grant.
  const moved = Boolean(template && values && destinationChanged(values, initialValues(template, current)));
  const secretKept = current.hasClientSecret && !moved;
  const movedNotice = moved
    ? t('token.destinationChanged', 'The issuer or endpoints changed: enter the client secret again (a stored secret is never sent to a new server). Saving drops the access and refresh tokens: click Generate tokens afterwards.')
    : undefined;

  const save = async () => {
    if (!template || !values) return;
    const found = validateToken(t, values, template, { hasClientSecret: secretKept });
    if (moved && current.hasClientSecret && !values.clientSecret) found.clientSecret = movedNotice!;
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length) return;
    setBusy('save');
    try {
      const saved = await updateToken(client, current.id, toInput(values, template, 'edit'));
      token.setData(saved);
      setValues(initialValues(template, saved));
      toggleNotification({ type: 'success', message: t('token.saved', 'Saved.') });
      void refreshNotifications();
    } catch (error) {
      const f = toApiFailure(error);
      setErrors(serverFieldErrors(t, f.fields));
      setFailure(f);
    } finally {
      setBusy(null);
    }
  };

  const refresh = async () => {
    setBusy('refresh');
    setFailure(null);
    try {
      const refreshed = await refreshToken(client, current.id);
      token.setData(refreshed);
      toggleNotification({ type: 'success', message: t('token.refreshed', 'A new access token was issued.') });
    } catch (error) {
      setFailure(toApiFailure(error));
      await token.reload();
    } finally {
      setBusy(null);
      void refreshNotifications();
    }
  };

  const remove = async () => {
    setFailure(null);
    try {
      await deleteToken(client, current.id);
      toggleNotification({ type: 'success', message: t('token.deleted', 'Token “{name}” deleted.', { name: current.name }) });
      void refreshNotifications();
      navigate(`/plugins/${PLUGIN_ID}`);
    } catch (error) {
      setFailure(toApiFailure(error));
    }
  };

  const signsIn = current.grantType === 'authorization_code';
  const canRefresh = permissions.canAuthorize && (!signsIn || current.hasRefreshToken);
  const waiting = generate.state.phase === 'starting' || generate.state.phase === 'waiting';
  // Sign in with a code: where the template or the token names a device endpoint, or the issuer's discovery may.
  const deviceFlow = template?.deviceFlow;
  const canSignInWithCode =
    signsIn && permissions.canAuthorize && Boolean(deviceFlow && (deviceFlow.endpoint === 'template' || current.deviceAuthorizationEndpoint || current.issuer));
  const showingCode = device.state.phase === 'starting' || (device.state.phase === 'following' && device.state.grant.state === 'pending');

  return (
    <Page.Main>
      <Page.Title>{current.name}</Page.Title>
      <Layouts.Header
        title={current.name}
        subtitle={template?.name ?? current.template}
        secondaryAction={<StatusBadge status={current.status} />}
        navigationAction={
          <Link tag={RouterLink} to={`/plugins/${PLUGIN_ID}`} startIcon={<ArrowLeft />}>
            {t('common.back', 'Back')}
          </Link>
        }
        primaryAction={
          permissions.canUpdate ? (
            <Button type="submit" form={TOKEN_FORM_ID} startIcon={<Check />} loading={busy === 'save'} size="S">
              {t('common.save', 'Save')}
            </Button>
          ) : undefined
        }
      />
      <Layouts.Action
        startActions={
          <Flex gap={2}>
            {signsIn && permissions.canAuthorize && (
              <Button startIcon={<Key />} onClick={generate.start} loading={waiting} size="S">
                {t('token.generate', 'Generate tokens')}
              </Button>
            )}
            {canSignInWithCode && (
              <Button variant="secondary" startIcon={<Phone />} onClick={device.start} loading={showingCode} size="S">
                {t('token.signInWithCode', 'Sign in with a code')}
              </Button>
            )}
            {canRefresh && (
              <Button variant="secondary" startIcon={<ArrowClockwise />} onClick={refresh} loading={busy === 'refresh'} size="S">
                {signsIn ? t('token.refresh', 'Refresh now') : t('token.acquire', 'Get an access token now')}
              </Button>
            )}
            <Link tag={RouterLink} to={`/plugins/${PLUGIN_ID}/activity?subjectType=token&subjectId=${current.id}`}>
              {t('token.activity', 'Activity of this token')}
            </Link>
          </Flex>
        }
        endActions={
          permissions.canDelete ? (
            <ConfirmDeleteButton
              onConfirm={remove}
              title={t('token.delete.title', 'Delete this token?')}
              consequence={t('token.delete.body', 'Mail accounts cannot use “{name}” any more. A token in use by an account cannot be deleted.', { name: current.name })}
            />
          ) : undefined
        }
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          {failure && <FailureAlert failure={failure} onClose={() => setFailure(null)} />}
          <GenerateTokensFeedback state={generate.state} onOpenBlocked={generate.openBlocked} onStop={generate.stop} />
          <DeviceSignInPanel state={device.state} onStop={device.stop} />
          {signsIn && current.status === 'not-authorized' && generate.state.phase === 'idle' && device.state.phase === 'idle' && (
            <DismissibleAlert variant="default" title={t('token.next.title', 'Next: Generate tokens')}>
              {permissions.canAuthorize
                ? t('token.next.body', 'Register the redirect URI below in the provider’s console, then click Generate tokens and sign in with the mailbox’s account.')
                : t('token.next.readOnly', 'An administrator who may generate tokens has to sign in at the provider.')}
            </DismissibleAlert>
          )}
          <TokenStatusCard token={current} hideLastError={generate.state.phase === 'done' && !generate.state.outcome.ok} />
          {template && values ? (
            <TokenForm
              template={template}
              values={values}
              onChange={setValues}
              errors={errors}
              onSubmit={save}
              hasClientSecret={secretKept}
              clientSecretNotice={movedNotice}
              readOnly={!permissions.canUpdate}
              templateLocked
            >
              {signsIn && (
                <Section title={t('redirectUri.section', 'Redirect URI')}>
                  <Typography variant="omega" textColor="neutral600">
                    {redirectUriHelp(t, current.template)}
                  </Typography>
                  <RedirectUriField redirectUri={current.redirectUri} warning={current.redirectUriWarning} />
                </Section>
              )}
            </TokenForm>
          ) : (
            !template && (
              <DismissibleAlert variant="warning" title={t('token.unknownTemplate', 'Unknown template “{template}”', { template: current.template })}>
                {t('token.unknownTemplate.body', 'This version of the plugin does not know the token’s template; it cannot be edited here.')}
              </DismissibleAlert>
            )
          )}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};
