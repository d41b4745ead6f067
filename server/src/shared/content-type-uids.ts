import { PLUGIN_ID } from '../plugin-id';

/** The plugin's content types by UID (their schemas are in content-types/). */
export const TOKEN_UID = `plugin::${PLUGIN_ID}.oauth-token` as const;
export const INBOUND_ACCOUNT_UID = `plugin::${PLUGIN_ID}.inbound-account` as const;
export const OUTBOUND_ACCOUNT_UID = `plugin::${PLUGIN_ID}.outbound-account` as const;
export const MESSAGE_UID = `plugin::${PLUGIN_ID}.message` as const;
export const RECEIPT_UID = `plugin::${PLUGIN_ID}.inbound-receipt` as const;
export const ACTIVITY_UID = `plugin::${PLUGIN_ID}.activity` as const;
export const AUTHORIZATION_UID = `plugin::${PLUGIN_ID}.oauth-authorization` as const;
export const DEVICE_GRANT_UID = `plugin::${PLUGIN_ID}.oauth-device-grant` as const;
