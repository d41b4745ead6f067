import type { Translate } from '../../utils/useT';

/** The form label of a field both kinds of account have (the API's name); undefined for the others. */
export const accountFieldLabel = (t: Translate, field: string): string | undefined =>
  ({
    name: t('account.field.name', 'Name'),
    description: t('account.field.description', 'Description'),
    type: t('account.field.type', 'Type'),
    host: t('account.field.host', 'Server'),
    port: t('account.field.port', 'Port'),
    authentication: t('account.field.authentication', 'Sign-in with'),
    password: t('account.field.password', 'Password'),
    oauthToken: t('account.field.oauthToken', 'OAuth2 token'),
  })[field];
