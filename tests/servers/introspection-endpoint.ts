import { createServer } from 'node:http';

import { basicCredentials, close, handler, listen, readForm, sendJson } from './http-util';

/**
 * An OAuth 2.0 token introspection endpoint (RFC 7662) on 127.0.0.1 for the Google and Microsoft
 * stand-ins, which check their tokens in-process only (`introspect()`): Dovecot's oauth2 passdb
 * asks over HTTP, as a resource server asks its authorization server. Each `introspect` is asked
 * in turn; the first that knows the token as active answers. Callers authenticate with the
 * returned client (form fields or HTTP Basic), as Dovecot is configured to.
 */
export interface IntrospectionEndpoint {
  url: string;
  client: { clientId: string; clientSecret: string };
  stop(): Promise<void>;
}

type Introspect = (token: string) => { active: boolean; email?: string } | Promise<{ active: boolean; email?: string }>;

export async function startIntrospectionEndpoint(introspectors: Introspect[]): Promise<IntrospectionEndpoint> {
  const client = { clientId: 'mailbox-servers', clientSecret: 'mailbox-servers-secret' };
  const server = createServer(
    handler(async (req, res) => {
      const form = await readForm(req);
      const basic = basicCredentials(req);
      const id = basic?.user ?? form.get('client_id');
      const secret = basic?.pass ?? form.get('client_secret');
      if (id !== client.clientId || secret !== client.clientSecret) return sendJson(res, 401, { error: 'invalid_client' });
      const token = form.get('token') ?? '';
      for (const introspect of introspectors) {
        const info = await introspect(token);
        if (info.active) return sendJson(res, 200, { ...info, active: true });
      }
      sendJson(res, 200, { active: false });
    })
  );
  const url = await listen(server);
  return { url, client, stop: () => close(server) };
}
