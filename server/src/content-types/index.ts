import activity from './activity';
import inboundAccount from './inbound-account';
import inboundReceipt from './inbound-receipt';
import message from './message';
import oauthAuthorization from './oauth-authorization';
import oauthDeviceGrant from './oauth-device-grant';
import oauthToken from './oauth-token';
import outboundAccount from './outbound-account';

export default {
  'oauth-token': oauthToken,
  'oauth-authorization': oauthAuthorization,
  'oauth-device-grant': oauthDeviceGrant,
  activity,
  'outbound-account': outboundAccount,
  'inbound-account': inboundAccount,
  'inbound-receipt': inboundReceipt,
  message,
};
