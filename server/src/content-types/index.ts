import activity from './activity';
import inboundAccount from './inbound-account';
import inboundReceipt from './inbound-receipt';
import message from './message';
import oauthAuthorization from './oauth-authorization';
import oauthToken from './oauth-token';

export default {
  'oauth-token': oauthToken,
  'oauth-authorization': oauthAuthorization,
  activity,
  'inbound-account': inboundAccount,
  'inbound-receipt': inboundReceipt,
  message,
};
