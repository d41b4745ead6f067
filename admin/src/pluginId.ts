export const PLUGIN_ID = 'mail-auth';
