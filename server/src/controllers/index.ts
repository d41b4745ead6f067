import activity from './activity';
import oauthCallback from './oauth-callback';
import templates from './templates';
import tokens from './tokens';
import transfer from './transfer';

export default {
  activity,
  'oauth-callback': oauthCallback,
  templates,
  tokens,
  transfer,
};
