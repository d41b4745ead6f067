import activity from './activity';
import inboundAccounts from './inbound-accounts';
import notifications from './notifications';
import oauthCallback from './oauth-callback';
import templates from './templates';
import tokens from './tokens';

export default {
  activity,
  'inbound-accounts': inboundAccounts,
  notifications,
  'oauth-callback': oauthCallback,
  templates,
  tokens,
};
