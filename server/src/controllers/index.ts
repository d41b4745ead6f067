import activity from './activity';
import connect from './connect';
import discovery from './discovery';
import inboundAccounts from './inbound-accounts';
import notifications from './notifications';
import oauthCallback from './oauth-callback';
import outboundAccounts from './outbound-accounts';
import settings from './settings';
import templates from './templates';
import tokens from './tokens';
import transfer from './transfer';

export default {
  activity,
  connect,
  discovery,
  'inbound-accounts': inboundAccounts,
  notifications,
  'oauth-callback': oauthCallback,
  settings,
  templates,
  tokens,
  transfer,
  'outbound-accounts': outboundAccounts,
};
