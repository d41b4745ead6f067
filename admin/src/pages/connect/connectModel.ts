import type { ConnectInput, DiscoveredServer, Discovery, Security } from '../../api/connect';

/** How the mailbox signs in: through an OAuth2 token (one consent), or with its password. */
export type SignIn = 'oauth2' | 'password';

export interface ServerValues {
  type: string;
  host: string;
  port: number | undefined;
  security: Security;
}

/** Everything the wizard's details step edits; prefilled from discovery. */
export interface ConnectValues {
  signIn: SignIn;
  clientId: string;
  clientSecret: string;
  tenant: string;
  password: string;
  inbound: ServerValues;
  outbound: ServerValues;
  names: { token: string; inbound: string; outbound: string };
}

/** The REST APIs have no host: their root is a plugin option (graphBaseUrl, gmailBaseUrl). */
export const isRestApi = (type: string) => type === 'microsoft-graph' || type === 'gmail-api';

const serverValues = (server: DiscoveredServer | undefined, fallback: ServerValues): ServerValues =>
  server ? { type: server.type, host: server.host ?? '', port: server.port, security: server.security } : fallback;

/** Discovery lists IMAP before the REST API; the first server that speaks a mail protocol is proposed. */
const firstWithHost = (servers: DiscoveredServer[]) => servers.find((s) => s.host) ?? servers[0];

/** OAuth 2.0 when the provider offers it (Google, Microsoft, an autoconfig <oAuth2>), otherwise the password. */
export const initialValues = (discovery: Discovery): ConnectValues => ({
  signIn: discovery.oauth ? 'oauth2' : 'password',
  clientId: '',
  clientSecret: '',
  tenant: discovery.oauth?.tenant ?? '',
  password: '',
  inbound: serverValues(firstWithHost(discovery.inbound), { type: 'imaps', host: '', port: 993, security: 'tls' }),
  outbound: serverValues(firstWithHost(discovery.outbound), { type: 'smtp', host: '', port: 587, security: 'starttls' }),
  names: { token: discovery.address, inbound: `${discovery.address} (inbound)`, outbound: `${discovery.address} (outbound)` },
});

/** Password sign-in for a Microsoft 365 mailbox: Microsoft switched basic authentication off. */
export const passwordAtMicrosoft = (discovery: Discovery, values: ConnectValues) =>
  discovery.provider === 'microsoft' && values.signIn === 'password';

const server = (v: ServerValues) => (isRestApi(v.type) ? {} : { host: v.host.trim(), port: v.port });

/** The body of POST /connect: the discovered OAuth endpoints and scopes travel with the app registration. */
export const toConnectInput = (discovery: Discovery, values: ConnectValues): ConnectInput => {
  const oauth = discovery.oauth;
  const optional = (v: string | undefined) => (v ? v : undefined);
  return {
    address: discovery.address,
    names: values.signIn === 'oauth2' ? values.names : { inbound: values.names.inbound, outbound: values.names.outbound },
    ...(values.signIn === 'oauth2' && oauth
      ? {
          oauth: {
            template: oauth.template,
            clientId: values.clientId.trim(),
            clientSecret: optional(values.clientSecret),
            tenant: oauth.template === 'microsoft' ? optional(values.tenant.trim()) : undefined,
            issuer: optional(oauth.issuer),
            authorizationEndpoint: optional(oauth.authorizationEndpoint),
            tokenEndpoint: optional(oauth.tokenEndpoint),
            deviceAuthorizationEndpoint: optional(oauth.deviceAuthorizationEndpoint),
            // Google's and Microsoft's templates have a default scope that covers both directions.
            scope: oauth.template === 'generic' && oauth.scopes?.length ? oauth.scopes.join(' ') : undefined,
          },
        }
      : { password: values.password }),
    inbound: { type: values.inbound.type, ...server(values.inbound) },
    outbound: { type: values.outbound.type, ...server(values.outbound), ...(values.outbound.type === 'smtp' ? { security: values.outbound.security } : {}) },
  };
};
