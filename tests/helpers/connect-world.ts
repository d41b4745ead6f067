import { autoconfigXml, startAutoconfigServer, type AutoconfigServer } from '../servers/autoconfig-server';
import { startDnsServer, type LocalDnsServer } from '../servers/dns-server';
import { startDovecot, type DovecotServer } from '../servers/dovecot';
import { startGoogleIdentity, type GoogleIdentityServer } from '../servers/google-identity';
import { startIntrospectionEndpoint, type IntrospectionEndpoint } from '../servers/introspection-endpoint';
import { startMicrosoftIdentity, type MicrosoftIdentityServer } from '../servers/microsoft-identity';
import { startSmtpServer, type SmtpTestServer } from '../servers/smtp';
import { startE2e, type E2eFixture } from './e2e';

/** The three mailboxes of the wizard's runs, one per provider kind. */
export const MAILBOXES = {
  microsoft: 'helpdesk@contoso.test',
  google: 'support@fabrikam.test',
  password: 'bob@example.test',
} as const;
export const PASSWORD = 'bobpass';
/** The host example.test's autoconfig file names (with the local servers' ports). */
export const AUTOCONFIG_HOST = 'mail.example.test';
export const TENANT = '7c0c36f5-1b6b-4a8e-9b5e-3f6d1e2a4c58';
export const MS_CLIENT = { clientId: '4a1f7b0e-2c3d-4e5f-8a9b-0c1d2e3f4a5b', clientSecret: 'contoso-app-secret~5e1b' };
export const GOOGLE_CLIENT = { clientId: 'fabrikam-helpdesk.apps.googleusercontent.test', clientSecret: 'GOCSPX-fabrikam-secret' };

export interface ConnectWorld {
  e2e: E2eFixture;
  dns: LocalDnsServer;
  web: AutoconfigServer;
  ms: MicrosoftIdentityServer;
  google: GoogleIdentityServer;
  dovecot: DovecotServer;
  smtp: SmtpTestServer;
  stop(): Promise<void>;
}

/**
 * What the wizard meets, all on 127.0.0.1: a DNS server (contoso.test's MX is Microsoft 365's,
 * fabrikam.test's Google's), the Microsoft stand-in (contoso.test's tenant and its OpenID
 * configuration), the Google stand-in (its endpoints given to discovery by the googleOAuth
 * option), an autoconfig server (example.test's file names mail.example.test at the local Dovecot's
 * and SMTP server's ports), and
 * one Dovecot and one SMTP server for all three mailboxes: the real IMAP and SMTP hosts of
 * Google and Microsoft cannot be reached here, so their tokens are checked by these two
 * servers through an introspection endpoint that asks the stand-ins.
 */
export async function startConnectWorld(): Promise<ConnectWorld> {
  const [dns, web, ms, google] = await Promise.all([
    startDnsServer(),
    startAutoconfigServer(),
    startMicrosoftIdentity({ tenantId: TENANT, domains: ['contoso.test'], users: [MAILBOXES.microsoft] }),
    startGoogleIdentity({ users: [MAILBOXES.google] }),
  ]);
  const introspection: IntrospectionEndpoint = await startIntrospectionEndpoint([(t) => ms.introspect(t), (t) => google.introspect(t)]);
  const introspect = async (token: string) => {
    for (const info of [ms.introspect(token), google.introspect(token)]) if (info.active) return info;
    return { active: false };
  };
  const users = { [MAILBOXES.microsoft]: 'unused-password-1', [MAILBOXES.google]: 'unused-password-2', [MAILBOXES.password]: PASSWORD };
  const [dovecot, smtp] = await Promise.all([
    startDovecot({ oauth: { introspectionUrl: introspection.url, ...introspection.client }, users, oauthMechanisms: ['XOAUTH2'] }),
    startSmtpServer({ security: 'none', users, introspect }),
  ]);

  dns.mx('contoso.test', [{ exchange: 'contoso-test.mail.protection.outlook.com', priority: 0 }]);
  dns.mx('fabrikam.test', [{ exchange: 'aspmx.l.google.com', priority: 1 }]);
  web.publish(
    'example.test',
    autoconfigXml({
      domain: 'example.test',
      incoming: [{ type: 'imap', host: AUTOCONFIG_HOST, port: dovecot.ports.imap, socketType: 'plain' }],
      outgoing: [{ host: AUTOCONFIG_HOST, port: smtp.port, socketType: 'plain' }],
    })
  );

  const e2e = await startE2e({
    env: {
      MAIL_AUTH_RUN_JOBS: 'false',
      MAIL_AUTH_MAIL_TIMEOUT: '5',
      MAIL_AUTH_SMTP_TIMEOUT: '5',
      MAIL_AUTH_DISCOVERY_DNS_SERVERS: dns.address,
      MAIL_AUTH_DISCOVERY_AUTOCONFIG_URLS: web.templates.join(','),
      MAIL_AUTH_DISCOVERY_MICROSOFT_LOGIN_BASE_URL: ms.url,
      MAIL_AUTH_DISCOVERY_GOOGLE_OAUTH: JSON.stringify({ issuer: google.url, authorizationEndpoint: google.authorizationEndpoint, tokenEndpoint: google.tokenEndpoint }),
      MAIL_AUTH_DISCOVERY_TIMEOUT: '2',
    },
  });
  const redirectUris = [`${e2e.app.url}/mail-auth/oauth/callback`];
  ms.addClient({ ...MS_CLIENT, redirectUris });
  google.addClient({ ...GOOGLE_CLIENT, redirectUris });

  return {
    e2e, dns, web, ms, google, dovecot, smtp,
    async stop() {
      await e2e.stop();
      await Promise.all([dovecot.stop(), smtp.stop(), introspection.stop(), dns.stop(), web.stop(), ms.stop(), google.stop()]);
    },
  };
}
