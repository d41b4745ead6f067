import activity from './activity';
import authorizations from './authorizations';
import inboundAccounts from './inbound-accounts';
import notifications from './notifications';
import oauth from './oauth';
import postmaster from './postmaster';
import refresher from './refresher';
import scheduler from './scheduler';
import secrets from './secrets';
import templates from './templates';
import tokens from './tokens';

export default {
  activity,
  authorizations,
  'inbound-accounts': inboundAccounts,
  notifications,
  oauth,
  postmaster,
  refresher,
  scheduler,
  secrets,
  templates,
  tokens,
};
