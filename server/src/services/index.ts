import activity from './activity';
import authorizations from './authorizations';
import oauth from './oauth';
import secrets from './secrets';
import templates from './templates';
import tokens from './tokens';
import transfer from './transfer';

export default {
  activity,
  authorizations,
  oauth,
  secrets,
  templates,
  tokens,
  transfer,
};
