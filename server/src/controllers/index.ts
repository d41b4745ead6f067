import activity from './activity';
import notifications from './notifications';
import oauthCallback from './oauth-callback';
import settings from './settings';
import templates from './templates';
import tokens from './tokens';

export default {
  activity,
  notifications,
  'oauth-callback': oauthCallback,
  settings,
  templates,
  tokens,
};
