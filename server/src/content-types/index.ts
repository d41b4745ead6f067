import activity from './activity';
import oauthAuthorization from './oauth-authorization';
import oauthToken from './oauth-token';
import outboundAccount from './outbound-account';

export default {
  'oauth-token': oauthToken,
  'oauth-authorization': oauthAuthorization,
  activity,
  'outbound-account': outboundAccount,
};
