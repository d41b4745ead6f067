import { MailAuthError } from '../errors';

/**
 * The URL a bearer token may be sent to: a path under `base`, or a link the server gave (a
 * paging or delta link) on exactly the base's origin — scheme, host and port compared by
 * `URL.origin`, never by string prefix: `https://graph.microsoft.com.evil.example/…`,
 * `https://graph.microsoft.com@evil.example/…` and `https://graph.microsoft.com:8443/…` all
 * start with `https://graph.microsoft.com` and are all somewhere else. A link with user
 * information is refused too, whatever its host: nothing legitimate sends one.
 */
export function urlOnOrigin(base: string, pathOrUrl: string): URL {
  const root = new URL(base);
  let url: URL;
  try {
    url = /^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl) ? new URL(pathOrUrl) : new URL(root.href.replace(/\/+$/, '') + pathOrUrl);
  } catch {
    throw new MailAuthError('PROTOCOL_ERROR', 'The server sent a link that is not a valid URL; it was not followed');
  }
  if (url.origin !== root.origin || url.username || url.password) {
    // Only the host is named: the link itself may carry anything, and goes to the logs.
    throw new MailAuthError('PROTOCOL_ERROR', `The server sent a link to another origin (${url.protocol}//${url.host}, expected ${root.origin}); it was not followed, and the token was not sent`);
  }
  return url;
}
