import activity from './activity';
import oauthAuthorization from './oauth-authorization';
import oauthToken from './oauth-token';

export default {
  'oauth-token': oauthToken,
  'oauth-authorization': oauthAuthorization,
  activity,
};
