import { Layouts, Page } from '@strapi/strapi/admin';
import { Route, Routes } from 'react-router-dom';

import { BannerHost } from '../components/ExpiryBanner/BannerHost';
import { PluginNav } from '../components/PluginNav';
import { PERMISSIONS } from '../permissions';
import { ActivityPage } from './activity/ActivityPage';
import { ConnectPage } from './connect/ConnectPage';
import { AccountListPage } from './accounts/AccountListPage';
import { AccountPage } from './accounts/AccountPage';
import { inboundDirection } from './inbound/inboundDirection';
import { outboundDirection } from './outbound/outboundDirection';
import { SettingsPage } from './settings/SettingsPage';
import { TokenCreatePage } from './tokens/TokenCreatePage';
import { TokenPage } from './tokens/TokenPage';
import { TokensListPage } from './tokens/TokensListPage';

/**
 * The plugin's pages under /plugins/mail-auth. The banner host is mounted here as well as in
 * the menu icon: on narrow screens the left menu does not render the icon, and the plugin's
 * own pages should still show the banner (only one host renders it). The account pages are
 * one component for both kinds: each route keys it by kind, so that going from an inbound page
 * to an outbound one mounts it afresh (its hooks and state belong to one kind).
 */
const App = () => (
  <Page.Protect permissions={PERMISSIONS.read}>
    <BannerHost />
    <Layouts.Root sideNav={<PluginNav />}>
      <Routes>
        <Route index element={<TokensListPage />} />
        <Route path="connect" element={<ConnectPage />} />
        <Route path="tokens/new" element={<TokenCreatePage />} />
        <Route path="tokens/:id" element={<TokenPage />} />
        <Route path="inbound" element={<AccountListPage key="inbound" direction={inboundDirection} />} />
        <Route path="inbound/new" element={<AccountPage key="inbound-new" direction={inboundDirection} />} />
        <Route path="inbound/:id" element={<AccountPage key="inbound" direction={inboundDirection} />} />
        <Route path="outbound" element={<AccountListPage key="outbound" direction={outboundDirection} />} />
        <Route path="outbound/new" element={<AccountPage key="outbound-new" direction={outboundDirection} />} />
        <Route path="outbound/:id" element={<AccountPage key="outbound" direction={outboundDirection} />} />
        <Route path="activity" element={<ActivityPage />} />
        <Route
          path="settings"
          element={
            <Page.Protect permissions={PERMISSIONS.settings}>
              <SettingsPage />
            </Page.Protect>
          }
        />
        <Route path="*" element={<Page.Error />} />
      </Routes>
    </Layouts.Root>
  </Page.Protect>
);

export default App;
