import activity from './activity';
import oauthCallback from './oauth-callback';
import templates from './templates';
import tokens from './tokens';

export default {
  activity,
  'oauth-callback': oauthCallback,
  templates,
  tokens,
};
