import { Alert, Box, Button, Flex, Grid, Link, Typography } from '@strapi/design-system';
import { ArrowLeft, Check, Search } from '@strapi/icons';
import { Layouts, Page, useFetchClient } from '@strapi/strapi/admin';
import { useState, type FormEvent } from 'react';
import { Link as RouterLink } from 'react-router-dom';

import { connectMailbox, discoverMailbox, type Connected, type Discovery } from '../../api/connect';
import { toApiFailure, type ApiFailure } from '../../api/errors';
import { refreshNotifications } from '../../components/ExpiryBanner/notificationStore';
import { TextField } from '../../components/form/fields';
import { Section } from '../../components/tokens/TokenForm';
import { usePluginPermissions } from '../../hooks/usePluginPermissions';
import { useTemplates } from '../../hooks/useTemplates';
import { PLUGIN_ID } from '../../pluginId';
import { useT } from '../../utils/useT';
import { ConsentStep } from './ConsentStep';
import { CreatedEntries } from './CreatedEntries';
import { CredentialsSection } from './CredentialsSection';
import { DiscoveryFindings } from './DiscoveryFindings';
import { initialValues, toConnectInput, type ConnectValues } from './connectModel';
import { ServerFields } from './ServerFields';
import { TestBothStep } from './TestBothStep';

/**
 * /plugins/mail-auth/connect: from an address to a confirmed inbound and outbound account.
 * Discovery fills everything it can; the admin adds the app registration or the password; one
 * call makes the three entries (all or nothing); one consent; Test & confirm on both.
 */
export const ConnectPage = () => {
  const t = useT();
  const client = useFetchClient();
  const permissions = usePluginPermissions();
  const templates = useTemplates();
  const [address, setAddress] = useState('');
  const [discovering, setDiscovering] = useState(false);
  const [discovery, setDiscovery] = useState<Discovery | null>(null);
  const [values, setValues] = useState<ConnectValues | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Connected | null>(null);
  const [granted, setGranted] = useState(false);

  if (permissions.isLoading || templates.isLoading) return <Page.Loading />;
  if (!permissions.canCreate) return <Page.NoPermissions />;

  const discover = async (event?: FormEvent) => {
    event?.preventDefault();
    setDiscovering(true);
    setFailure(null);
    try {
      const found = await discoverMailbox(client, address.trim());
      setDiscovery(found);
      setValues(initialValues(found));
    } catch (error) {
      setFailure(toApiFailure(error));
    } finally {
      setDiscovering(false);
    }
  };

  const connect = async () => {
    if (!discovery || !values) return;
    setCreating(true);
    setFailure(null);
    try {
      setCreated(await connectMailbox(client, toConnectInput(discovery, values)));
      void refreshNotifications();
    } catch (error) {
      setFailure(toApiFailure(error));
    } finally {
      setCreating(false);
    }
  };

  const errors = failure?.fields ?? {};
  const errorCount = Object.keys(errors).length;
  const names = values?.names;
  const setName = (part: keyof ConnectValues['names']) => (name: string) =>
    values && setValues({ ...values, names: { ...values.names, [part]: name } });
  const locked = Boolean(created);
  const title = t('connect.title', 'Connect a mailbox');

  return (
    <Page.Main>
      <Page.Title>{title}</Page.Title>
      <Layouts.Header
        title={title}
        subtitle={t('connect.subtitle', 'From an address to a confirmed incoming and outgoing account: the plugin finds the servers, you add the sign-in.')}
        navigationAction={
          <Link tag={RouterLink} to={`/plugins/${PLUGIN_ID}`} startIcon={<ArrowLeft />}>
            {t('common.back', 'Back')}
          </Link>
        }
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          {failure && (
            <Alert
              variant="danger"
              closeLabel={t('common.close', 'Close')}
              onClose={() => setFailure(null)}
              title={
                failure.status === 409
                  ? t('connect.failed.taken', 'A name is already taken: nothing was created')
                  : errorCount
                    ? t('connect.failed.fields', 'Some fields need attention: nothing was created')
                    : t('connect.failed.title', 'That did not work')
              }
              data-testid="connect-failure"
            >
              {errorCount ? Object.values(errors).join(' ') : [failure.message, failure.advice].filter(Boolean).join(' ')}
            </Alert>
          )}
          <Section title={t('connect.address.title', 'Mailbox')}>
            <form onSubmit={discover}>
              <Flex gap={4} alignItems="flex-end">
                <Box flex="1">
                  <TextField
                    name="address"
                    type="email"
                    label={t('connect.address.label', 'Address of the mailbox')}
                    placeholder="support@example.com"
                    value={address}
                    onChange={setAddress}
                    error={errors.address}
                    disabled={locked}
                    required
                  />
                </Box>
                <Button type="submit" startIcon={<Search />} loading={discovering} disabled={locked || !address.trim()}>
                  {t('connect.address.discover', 'Find the settings')}
                </Button>
              </Flex>
            </form>
          </Section>

          {discovery && values && names && (
            <>
              <DiscoveryFindings discovery={discovery} />
              <fieldset disabled={locked} style={{ border: 0, padding: 0, margin: 0 }}>
                <Flex direction="column" alignItems="stretch" gap={6}>
                  <CredentialsSection
                    discovery={discovery}
                    values={values}
                    onChange={setValues}
                    errors={errors}
                    redirectUri={templates.data?.redirectUri ?? ''}
                    redirectUriWarning={templates.data?.redirectUriWarning ?? null}
                  />
                  <ServerFields direction="inbound" values={values.inbound} discovered={discovery.inbound} onChange={(inbound) => setValues({ ...values, inbound })} errors={errors} />
                  <ServerFields direction="outbound" values={values.outbound} discovered={discovery.outbound} onChange={(outbound) => setValues({ ...values, outbound })} errors={errors} />
                  <Section title={t('connect.names.title', 'Names of the entries')}>
                    <Grid.Root gap={4}>
                      {values.signIn === 'oauth2' && (
                        <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
                          <TextField name="names.token" label={t('connect.names.token', 'OAuth2 token')} value={names.token} onChange={setName('token')} error={errors['names.token']} />
                        </Grid.Item>
                      )}
                      <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
                        <TextField name="names.inbound" label={t('connect.names.inbound', 'Inbound account')} value={names.inbound} onChange={setName('inbound')} error={errors['names.inbound']} />
                      </Grid.Item>
                      <Grid.Item col={4} s={12} direction="column" alignItems="stretch">
                        <TextField name="names.outbound" label={t('connect.names.outbound', 'Outbound account')} value={names.outbound} onChange={setName('outbound')} error={errors['names.outbound']} />
                      </Grid.Item>
                    </Grid.Root>
                  </Section>
                </Flex>
              </fieldset>
              {!created && (
                <Flex justifyContent="flex-end">
                  <Button startIcon={<Check />} loading={creating} onClick={() => void connect()}>
                    {values.signIn === 'oauth2'
                      ? t('connect.create.oauth', 'Create the token and both accounts')
                      : t('connect.create.password', 'Create both accounts')}
                  </Button>
                </Flex>
              )}
            </>
          )}

          {created && (
            <>
              <Section title={t('connect.created.section', 'Created')}>
                <CreatedEntries created={created} />
                {created.token && !granted && (
                  <Typography variant="pi" textColor="neutral600">
                    {t('connect.created.untilConsent', 'The accounts work once the token is granted: sign in and consent below. Until then they stay as they are, unconfirmed.')}
                  </Typography>
                )}
              </Section>
              {created.token && <ConsentStep tokenId={created.token.id} onGranted={() => setGranted(true)} />}
              {(!created.token || granted) && <TestBothStep address={discovery?.address ?? ''} created={created} />}
            </>
          )}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};
