import { Layouts, Page } from '@strapi/strapi/admin';
import { Route, Routes } from 'react-router-dom';

import { BannerHost } from '../components/ExpiryBanner/BannerHost';
import { PluginNav } from '../components/PluginNav';
import { PERMISSIONS } from '../permissions';
import { ActivityPage } from './activity/ActivityPage';
import { ConnectPage } from './connect/ConnectPage';
import { InboundAccountPage } from './inbound/InboundAccountPage';
import { InboundListPage } from './inbound/InboundListPage';
import { OutboundAccountPage } from './outbound/OutboundAccountPage';
import { OutboundListPage } from './outbound/OutboundListPage';
import { SettingsPage } from './settings/SettingsPage';
import { TokenCreatePage } from './tokens/TokenCreatePage';
import { TokenPage } from './tokens/TokenPage';
import { TokensListPage } from './tokens/TokensListPage';

/**
 * The plugin's pages under /plugins/mail-auth. The banner host is mounted here as well as in
 * the menu icon: on narrow screens the left menu does not render the icon, and the plugin's
 * own pages should still show the banner (only one host renders it).
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
        <Route path="inbound" element={<InboundListPage />} />
        <Route path="inbound/new" element={<InboundAccountPage key="new" />} />
        <Route path="inbound/:id" element={<InboundAccountPage />} />
        <Route path="outbound" element={<OutboundListPage />} />
        <Route path="outbound/new" element={<OutboundAccountPage key="new" />} />
        <Route path="outbound/:id" element={<OutboundAccountPage />} />
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
