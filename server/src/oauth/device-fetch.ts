import type * as client from 'openid-client';

import { oauthFetch } from './http';

/**
 * The HTTP path of Sign in with a code: the token's fetch (oauthFetch by default), with Google's device authorization answer
 * made standard. Google answers `verification_url` where RFC 8628 says `verification_uri`
 * (https://developers.google.com/identity/protocols/oauth2/limited-input-device#step-2:-handle-the-authorization-server-response),
 * which openid-client rightly refuses as a response without `verification_uri`.
 */
export const deviceFetch =
  (deviceAuthorizationEndpoint: string, fetch: client.CustomFetch = oauthFetch): client.CustomFetch =>
  async (url, options) => {
    const answer = await fetch(url, options);
    if (url !== deviceAuthorizationEndpoint || answer.status !== 200) return answer;
    const text = await answer.text();
    const headers = new Headers(answer.headers);
    headers.delete('content-length');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return new Response(text, { status: answer.status, headers });
    }
    if (body.verification_uri === undefined && typeof body.verification_url === 'string') {
      body.verification_uri = body.verification_url;
      delete body.verification_url;
    }
    return new Response(JSON.stringify(body), { status: answer.status, headers });
  };
