import activity from './activity';
import authorizations from './authorizations';
import connect from './connect';
import discovery from './discovery';
import deviceGrants from './device-grants';
import idleWatcher from './idle-watcher';
import inboundAccounts from './inbound-accounts';
import notifications from './notifications';
import oauth from './oauth';
import outbound from './outbound';
import outboundAccounts from './outbound-accounts';
import postmaster from './postmaster';
import refresher from './refresher';
import scheduler from './scheduler';
import secrets from './secrets';
import settings from './settings';
import templates from './templates';
import tokens from './tokens';
import transfer from './transfer';

export default {
  activity,
  authorizations,
  connect,
  discovery,
  'device-grants': deviceGrants,
  'idle-watcher': idleWatcher,
  'inbound-accounts': inboundAccounts,
  notifications,
  oauth,
  postmaster,
  refresher,
  scheduler,
  secrets,
  settings,
  templates,
  tokens,
  transfer,
  outbound,
  'outbound-accounts': outboundAccounts,
};
