import { Divider } from '@strapi/design-system';
import { SubNav } from '@strapi/strapi/admin';
import { useMatch } from 'react-router-dom';

import { usePluginPermissions } from '../hooks/usePluginPermissions';
import { PLUGIN_ID } from '../pluginId';
import { useT } from '../utils/useT';

const BASE = `/plugins/${PLUGIN_ID}`;

/** The plugin's own navigation, as Settings and the Content Manager have theirs. */
export const PluginNav = () => {
  const t = useT();
  const { canSettings } = usePluginPermissions();
  // The tokens link stays marked on a token's page and on New token; NavLink alone cannot say so.
  const onTokenPage = useMatch(`${BASE}/tokens/*`);
  const active = (yes: unknown) => (yes ? 'active' : undefined);
  const label = t('plugin.name', 'Mail Auth');

  const links = [
    <SubNav.Link key="tokens" to={BASE} end className={active(onTokenPage)} label={t('nav.tokens', 'OAuth2 tokens')} />,
    <SubNav.Link key="inbound" to={`${BASE}/inbound`} label={t('nav.inbound', 'Inbound accounts')} />,
    <SubNav.Link key="outbound" to={`${BASE}/outbound`} label={t('nav.outbound', 'Outbound accounts')} />,
    <SubNav.Link key="activity" to={`${BASE}/activity`} label={t('nav.activity', 'Activity')} />,
  ];
  if (canSettings) links.push(<SubNav.Link key="settings" to={`${BASE}/settings`} label={t('nav.settings', 'Settings')} />);

  return (
    <SubNav.Main aria-label={label}>
      <SubNav.Header label={label} />
      <Divider />
      <SubNav.Content>
        <SubNav.Sections>
          {[
            <SubNav.Section key="mail" label={t('nav.section', 'Mail and sign-in')}>
              {links}
            </SubNav.Section>,
          ]}
        </SubNav.Sections>
      </SubNav.Content>
    </SubNav.Main>
  );
};
