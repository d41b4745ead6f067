import activity from './activity';
import authorizations from './authorizations';
import notifications from './notifications';
import oauth from './oauth';
import outbound from './outbound';
import outboundAccounts from './outbound-accounts';
import refresher from './refresher';
import scheduler from './scheduler';
import secrets from './secrets';
import templates from './templates';
import tokens from './tokens';
import transfer from './transfer';

export default {
  activity,
  authorizations,
  notifications,
  oauth,
  refresher,
  scheduler,
  secrets,
  templates,
  tokens,
  transfer,
  outbound,
  'outbound-accounts': outboundAccounts,
};
