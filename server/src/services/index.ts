import activity from './activity';
import authorizations from './authorizations';
import notifications from './notifications';
import oauth from './oauth';
import refresher from './refresher';
import scheduler from './scheduler';
import secrets from './secrets';
import settings from './settings';
import templates from './templates';
import tokens from './tokens';

export default {
  activity,
  authorizations,
  notifications,
  oauth,
  refresher,
  scheduler,
  secrets,
  settings,
  templates,
  tokens,
};
