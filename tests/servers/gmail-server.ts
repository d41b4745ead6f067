import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  bearerToken, close, handler, listen, parseMime, readBody, sendEmpty, sendJson, Throttle, HostileAnswers, type Address, type ParsedMime,
} from './http-util';

/**
 * A local stand-in for the Gmail API v1 (`gmail.googleapis.com/gmail/v1`), built from its REST
 * reference: messages list (q, labelIds, maxResults, pageToken), get (raw/full/metadata/minimal),
 * modify, trash/untrash, delete, send (JSON `raw` and the media upload URL), labels, profile,
 * history; Google's JSON error shape. Bearer tokens are checked with a caller-supplied
 * `verifyToken`, so it works with the oidc-provider harness or the Google stand-in.
 *
 * Sources: developers.google.com/gmail/api/reference/rest/v1/users.messages (list, get, modify,
 * trash, send), users.labels, users.history, users/getProfile, guides/sending, guides/uploads;
 * error bodies as quoted in googleapis issue threads (401 authError, 429 rateLimitExceeded).
 */

export interface GmailTokenInfo {
  active: boolean;
  /** The signed-in user; absent for domain-wide (service account) tokens, which may open every mailbox. */
  email?: string;
}

export interface GmailServerOptions {
  verifyToken(token: string): Promise<GmailTokenInfo> | GmailTokenInfo;
  /** Mailboxes that exist from the start (a token's own mailbox is created when first used). */
  mailboxes?: string[];
  /** Put what is sent into the INBOX of recipients that have a mailbox here. Default false. */
  deliverLocally?: boolean;
}

export interface GmailStoredMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  subject: string;
  from?: Address;
  to: Address[];
  historyId: string;
  raw: string;
}

export interface GmailSentMail {
  user: string;
  id: string;
  threadId: string;
  via: 'json' | 'upload';
  subject: string;
  from?: Address;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  body: string;
  raw: string;
}

export interface GmailRequestLog { method: string; path: string; status: number }

export interface GmailServer {
  /** Stands for `https://gmail.googleapis.com` (paths start with `/gmail/v1` or `/upload/gmail/v1`). */
  url: string;
  sent: GmailSentMail[];
  requests: GmailRequestLog[];
  /** Default labels INBOX and UNREAD. */
  addMessage(user: string, rawMime: string | Buffer, labelIds?: string[]): string;
  /** Messages carrying the label (all without one), newest first. */
  messages(user: string, labelId?: string): GmailStoredMessage[];
  addLabel(user: string, name: string): string;
  /** History before now is gone: older startHistoryId values answer 404, as after a week at Google. */
  expireHistory(user: string): void;
  /** The next `count` authenticated requests answer 429 RESOURCE_EXHAUSTED with `Retry-After`. */
  throttleNext(count: number, retryAfterSeconds: number): void;
  /** The next `count` authenticated requests answer this status (500, 503 …). */
  failNext(status: number, count?: number): void;
  /** Huge and never-ending answers to the next authenticated requests (see HostileAnswers). */
  hostile: HostileAnswers;
  stop(): Promise<void>;
}

const SYSTEM_LABELS = ['INBOX', 'SENT', 'TRASH', 'SPAM', 'DRAFT', 'UNREAD', 'STARRED', 'IMPORTANT', 'CHAT',
  'CATEGORY_PERSONAL', 'CATEGORY_SOCIAL', 'CATEGORY_PROMOTIONS', 'CATEGORY_UPDATES', 'CATEGORY_FORUMS'];

interface Label { id: string; name: string; type: 'system' | 'user' }
interface Message { id: string; threadId: string; labels: Set<string>; raw: Buffer; parsed: ParsedMime; internalDate: number; historyId: number }
type HistoryKind = 'messagesAdded' | 'messagesDeleted' | 'labelsAdded' | 'labelsRemoved';
interface HistoryRecord { id: number; kind: HistoryKind; message: { id: string; threadId: string; labelIds: string[] }; labelIds?: string[] }
interface Mailbox {
  address: string; messages: Map<string, Message>; labels: Map<string, Label>; history: HistoryRecord[];
  historyId: number; historyFloor: number; nextLabel: number;
}

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE',
};

class GmailError extends Error {
  constructor(
    readonly code: number, message: string, readonly reason: string,
    readonly extra: Record<string, string> = {}, readonly headers: Record<string, string> = {}, readonly domain = 'global',
  ) { super(message); }
  body() {
    return {
      error: {
        code: this.code, message: this.message,
        errors: [{ message: this.extra.errorMessage ?? this.message, domain: this.domain, reason: this.reason, ...withoutErrorMessage(this.extra) }],
        status: STATUS[this.code] ?? 'UNKNOWN',
      },
    };
  }
}
function withoutErrorMessage(extra: Record<string, string>) {
  const { errorMessage: _unused, ...rest } = extra;
  return rest;
}
const notFound = () => new GmailError(404, 'Requested entity was not found.', 'notFound');
const invalid = (message: string) => new GmailError(400, message, 'invalidArgument');
const newId = () => randomBytes(8).toString('hex');

export async function startGmailServer(opts: GmailServerOptions): Promise<GmailServer> {
  const mailboxes = new Map<string, Mailbox>();
  const sent: GmailSentMail[] = [];
  const requests: GmailRequestLog[] = [];
  const throttle = new Throttle();
  const hostile = new HostileAnswers();
  const failures: number[] = [];

  const server = createServer();
  const url = await listen(server);

  function mailbox(address: string, create = true): Mailbox | undefined {
    const key = address.toLowerCase();
    let box = mailboxes.get(key);
    if (!box && create) {
      box = { address, messages: new Map(), labels: new Map(), history: [], historyId: 1000, historyFloor: 0, nextLabel: 1 };
      for (const id of SYSTEM_LABELS) box.labels.set(id, { id, name: id, type: 'system' });
      mailboxes.set(key, box);
    }
    return box;
  }
  for (const m of opts.mailboxes ?? []) mailbox(m);

  const brief = (m: Message) => ({ id: m.id, threadId: m.threadId, labelIds: [...m.labels] });
  function record(box: Mailbox, kind: HistoryKind, m: Message, labelIds?: string[]) {
    box.historyId++;
    m.historyId = box.historyId;
    box.history.push({ id: box.historyId, kind, message: brief(m), ...(labelIds ? { labelIds } : {}) });
  }

  function store(box: Mailbox, raw: Buffer, labelIds: string[], threadId?: string): Message {
    const parsed = parseMime(raw);
    const ref = parsed.inReplyTo ?? parsed.references.at(-1);
    const parent = ref ? [...box.messages.values()].find((m) => m.parsed.messageId === ref) : undefined;
    const id = newId();
    const m: Message = {
      id, threadId: threadId ?? parent?.threadId ?? id, labels: new Set(labelIds), raw, parsed,
      internalDate: parsed.date?.getTime() ?? Date.now(), historyId: 0,
    };
    box.messages.set(id, m);
    record(box, 'messagesAdded', m);
    return m;
  }

  function resolveLabel(box: Mailbox, ref: string): Label | undefined {
    const low = ref.toLowerCase();
    return box.labels.get(ref) ?? box.labels.get(ref.toUpperCase())
      ?? [...box.labels.values()].find((l) => l.name.toLowerCase() === low);
  }

  /** The subset of Gmail's search syntax that mail fetching uses; other words match subject or body. */
  function matches(box: Mailbox, m: Message, q: string): boolean {
    const terms = q.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
    return terms.every((term) => {
      const t = term.replace(/"/g, '');
      const op = /^(-?)(\w+):(.*)$/.exec(t);
      if (!op) return `${m.parsed.subject}\n${m.parsed.body}`.toLowerCase().includes(t.toLowerCase());
      const [, neg, key, value] = op;
      const v = value.toLowerCase();
      let ok: boolean;
      switch (key.toLowerCase()) {
        case 'is': ok = v === 'unread' ? m.labels.has('UNREAD') : v === 'read' ? !m.labels.has('UNREAD') : m.labels.has(v.toUpperCase()); break;
        case 'in': case 'label': { const l = resolveLabel(box, value); ok = !!l && m.labels.has(l.id); break; }
        case 'from': ok = (m.parsed.headers.from ?? '').toLowerCase().includes(v); break;
        case 'to': ok = (m.parsed.headers.to ?? '').toLowerCase().includes(v); break;
        case 'subject': ok = m.parsed.subject.toLowerCase().includes(v); break;
        case 'rfc822msgid': ok = (m.parsed.messageId ?? '').replace(/[<>]/g, '').toLowerCase() === v.replace(/[<>]/g, ''); break;
        case 'after': case 'before': {
          const when = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v.replace(/\//g, '-'));
          ok = key === 'after' ? m.internalDate > when : m.internalDate < when;
          break;
        }
        default: ok = `${m.parsed.subject}\n${m.parsed.body}`.toLowerCase().includes(t.toLowerCase());
      }
      return neg ? !ok : ok;
    });
  }

  function messageJson(m: Message, format: string) {
    const base: Record<string, unknown> = {
      id: m.id, threadId: m.threadId, labelIds: [...m.labels],
      snippet: m.parsed.body.replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').trim().slice(0, 100),
      sizeEstimate: m.raw.length, historyId: String(m.historyId), internalDate: String(m.internalDate),
    };
    if (format === 'raw') return { ...base, raw: m.raw.toString('base64url') };
    if (format === 'minimal') return base;
    const headers = Object.entries(m.parsed.headers).map(([name, value]) => ({ name: name.replace(/(^|-)\w/g, (c) => c.toUpperCase()), value }));
    const mimeType = (m.parsed.headers['content-type'] ?? 'text/plain').split(';')[0].trim();
    const body = Buffer.from(m.parsed.body);
    return {
      ...base,
      payload: {
        partId: '', mimeType, filename: '', headers,
        body: format === 'metadata' ? { size: body.length } : { size: body.length, data: body.toString('base64url') },
      },
    };
  }

  function list(box: Mailbox, q: URLSearchParams) {
    const labelIds = q.getAll('labelIds').flatMap((s) => s.split(',')).filter(Boolean);
    const query = q.get('q') ?? '';
    const includeSpamTrash = q.get('includeSpamTrash') === 'true'
      || labelIds.some((l) => l === 'TRASH' || l === 'SPAM') || /\bin:(trash|spam)\b/i.test(query);
    for (const l of labelIds) if (!box.labels.has(l)) throw invalid(`Invalid label: ${l}`);
    let all = [...box.messages.values()]
      .filter((m) => labelIds.every((l) => m.labels.has(l)))
      .filter((m) => includeSpamTrash || (!m.labels.has('TRASH') && !m.labels.has('SPAM')))
      .filter((m) => !query || matches(box, m, query));
    all = all.sort((a, b) => b.internalDate - a.internalDate || b.historyId - a.historyId);
    const max = Math.min(Number(q.get('maxResults') ?? 100) || 100, 500);
    const offset = Number(q.get('pageToken') ? Buffer.from(q.get('pageToken')!, 'base64url').toString() : 0) || 0;
    const page = all.slice(offset, offset + max);
    const out: Record<string, unknown> = {};
    if (page.length) out.messages = page.map((m) => ({ id: m.id, threadId: m.threadId }));
    if (offset + max < all.length) out.nextPageToken = Buffer.from(String(offset + max)).toString('base64url');
    out.resultSizeEstimate = all.length;
    return out;
  }

  function history(box: Mailbox, q: URLSearchParams) {
    const start = q.get('startHistoryId');
    if (!start || !/^\d+$/.test(start)) throw invalid('Invalid startHistoryId');
    if (Number(start) < box.historyFloor) throw notFound();
    const kinds = new Set(q.getAll('historyTypes').map((t) => `${t.replace(/^(message|label)/, '$1s')}`));
    const labelId = q.get('labelId');
    const records = box.history.filter((h) => h.id > Number(start)
      && (!kinds.size || kinds.has(h.kind))
      && (!labelId || h.message.labelIds.includes(labelId) || h.labelIds?.includes(labelId)));
    const max = Math.min(Number(q.get('maxResults') ?? 100) || 100, 500);
    const offset = Number(q.get('pageToken') ? Buffer.from(q.get('pageToken')!, 'base64url').toString() : 0) || 0;
    const page = records.slice(offset, offset + max);
    const out: Record<string, unknown> = {};
    if (page.length) {
      out.history = page.map((h) => {
        const message = { id: h.message.id, threadId: h.message.threadId };
        const entry = h.kind === 'messagesAdded' || h.kind === 'messagesDeleted'
          ? [{ message: h.message }]
          : [{ message: h.message, labelIds: h.labelIds }];
        return { id: String(h.id), messages: [message], [h.kind]: entry };
      });
    }
    if (offset + max < records.length) out.nextPageToken = Buffer.from(String(offset + max)).toString('base64url');
    out.historyId = String(box.historyId);
    return out;
  }

  function send(box: Mailbox, raw: Buffer, via: 'json' | 'upload', threadId?: string) {
    const p = parseMime(raw);
    if (!p.to.length && !p.cc.length && !p.bcc.length) throw invalid('Recipient address required');
    const thread = threadId && [...box.messages.values()].some((m) => m.threadId === threadId) ? threadId : undefined;
    const self = [...p.to, ...p.cc, ...p.bcc].some((a) => a.address.toLowerCase() === box.address.toLowerCase());
    const m = store(box, raw, self ? ['SENT', 'INBOX', 'UNREAD'] : ['SENT'], thread);
    sent.push({
      user: box.address, id: m.id, threadId: m.threadId, via, subject: p.subject, from: p.from ?? { name: '', address: box.address },
      to: p.to, cc: p.cc, bcc: p.bcc, body: p.body, raw: raw.toString('utf8'),
    });
    if (opts.deliverLocally) {
      for (const r of [...p.to, ...p.cc, ...p.bcc]) {
        const target = r.address.toLowerCase() !== box.address.toLowerCase() ? mailbox(r.address, false) : undefined;
        if (target) store(target, raw, ['INBOX', 'UNREAD']);
      }
    }
    return { id: m.id, threadId: m.threadId, labelIds: [...m.labels] };
  }

  async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    const text = (await readBody(req)).toString('utf8');
    if (!text) return {};
    try { return JSON.parse(text) as Record<string, unknown>; } catch {
      throw new GmailError(400, 'Invalid JSON payload received.', 'parseError');
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse, who: GmailTokenInfo, u: URL) {
    const upload = u.pathname.startsWith('/upload/');
    const segs = u.pathname.replace(/^\/upload/, '').split('/').filter(Boolean).map(decodeURIComponent);
    if (segs[0] !== 'gmail' || segs[1] !== 'v1' || segs[2] !== 'users' || !segs[3]) throw notFound();
    const userId = segs[3] === 'me' ? who.email : segs[3];
    if (!userId) throw invalid('Invalid user id specified in request/Delegation denied');
    if (who.email && userId.toLowerCase() !== who.email.toLowerCase()) {
      throw new GmailError(403, `Delegation denied for ${who.email}`, 'forbidden');
    }
    const box = mailbox(userId, !!who.email);
    if (!box) throw notFound();
    const rest = segs.slice(4);
    const method = req.method ?? 'GET';
    const q = u.searchParams;

    if (upload) {
      if (rest.join('/') !== 'messages/send' || method !== 'POST') throw notFound();
      if (q.get('uploadType') !== 'media') throw invalid(`Upload type '${q.get('uploadType') ?? ''}' is not supported by this test server (use media).`);
      if (!/^message\/rfc822/i.test(req.headers['content-type'] ?? '')) {
        throw invalid(`Media type '${req.headers['content-type'] ?? ''}' is not supported. Valid media types: [message/*]`);
      }
      return sendJson(res, 200, send(box, await readBody(req), 'upload'));
    }
    if (rest[0] === 'profile' && rest.length === 1 && method === 'GET') {
      const threads = new Set([...box.messages.values()].map((m) => m.threadId));
      return sendJson(res, 200, { emailAddress: box.address, messagesTotal: box.messages.size, threadsTotal: threads.size, historyId: String(box.historyId) });
    }
    if (rest[0] === 'history' && rest.length === 1 && method === 'GET') return sendJson(res, 200, history(box, q));
    if (rest[0] === 'labels') {
      if (rest.length === 1 && method === 'GET') {
        return sendJson(res, 200, { labels: [...box.labels.values()].map((l) => labelJson(box, l, false)) });
      }
      if (rest.length === 1 && method === 'POST') {
        const body = await jsonBody(req);
        const name = typeof body.name === 'string' ? body.name.trim() : '';
        if (!name) throw invalid('Invalid label name');
        if (SYSTEM_LABELS.includes(name.toUpperCase())) throw invalid('Invalid label name');
        if ([...box.labels.values()].some((l) => l.name.toLowerCase() === name.toLowerCase())) {
          throw new GmailError(409, 'Label name exists or conflicts', 'duplicate');
        }
        const label: Label = { id: `Label_${box.nextLabel++}`, name, type: 'user' };
        box.labels.set(label.id, label);
        return sendJson(res, 200, labelJson(box, label, false));
      }
      const label = rest.length === 2 ? box.labels.get(rest[1]) : undefined;
      if (!label) throw notFound();
      if (method === 'GET') return sendJson(res, 200, labelJson(box, label, true));
      if (method === 'DELETE' && label.type === 'user') {
        box.labels.delete(label.id);
        for (const m of box.messages.values()) m.labels.delete(label.id);
        return sendEmpty(res, 204);
      }
      throw invalid('Invalid request (test server).');
    }
    if (rest[0] !== 'messages') throw notFound();
    if (rest.length === 1 && method === 'GET') return sendJson(res, 200, list(box, q));
    if (rest.length === 2 && rest[1] === 'send' && method === 'POST') {
      const body = await jsonBody(req);
      if (typeof body.raw !== 'string' || !body.raw) {
        throw invalid("'raw' RFC822 payload message string or uploading message via /upload/* URL required");
      }
      return sendJson(res, 200, send(box, Buffer.from(body.raw, 'base64'), 'json', typeof body.threadId === 'string' ? body.threadId : undefined));
    }
    const m = box.messages.get(rest[1]);
    if (!/^[0-9a-f]+$/i.test(rest[1] ?? '')) throw invalid('Invalid id value');
    if (!m) throw notFound();
    if (rest.length === 2 && method === 'GET') {
      const format = q.get('format') ?? 'full';
      if (!['raw', 'full', 'metadata', 'minimal'].includes(format)) throw invalid(`Invalid value at 'format' (${format})`);
      return sendJson(res, 200, messageJson(m, format));
    }
    if (rest.length === 2 && method === 'DELETE') {
      box.messages.delete(m.id);
      record(box, 'messagesDeleted', m);
      return sendEmpty(res, 204);
    }
    if (rest.length === 3 && method === 'POST' && rest[2] === 'modify') {
      const body = await jsonBody(req);
      const add = Array.isArray(body.addLabelIds) ? body.addLabelIds.map(String) : [];
      const remove = Array.isArray(body.removeLabelIds) ? body.removeLabelIds.map(String) : [];
      if (!add.length && !remove.length) throw invalid('No label add or removes specified');
      for (const l of [...add, ...remove]) if (!box.labels.has(l)) throw invalid(`Invalid label: ${l}`);
      relabel(box, m, add, remove);
      return sendJson(res, 200, brief(m));
    }
    if (rest.length === 3 && method === 'POST' && rest[2] === 'trash') {
      relabel(box, m, ['TRASH'], ['INBOX', 'SPAM']);
      return sendJson(res, 200, messageJson(m, 'minimal'));
    }
    if (rest.length === 3 && method === 'POST' && rest[2] === 'untrash') {
      relabel(box, m, [], ['TRASH']);
      return sendJson(res, 200, messageJson(m, 'minimal'));
    }
    throw notFound();
  }

  function relabel(box: Mailbox, m: Message, add: string[], remove: string[]) {
    const added = add.filter((l) => !m.labels.has(l));
    const removed = remove.filter((l) => m.labels.has(l));
    for (const l of added) m.labels.add(l);
    for (const l of removed) m.labels.delete(l);
    if (added.length) record(box, 'labelsAdded', m, added);
    if (removed.length) record(box, 'labelsRemoved', m, removed);
  }

  function labelJson(box: Mailbox, l: Label, counts: boolean) {
    const out: Record<string, unknown> = { id: l.id, name: l.name, type: l.type };
    if (l.type === 'user') Object.assign(out, { messageListVisibility: 'show', labelListVisibility: 'labelShow' });
    if (counts) {
      const withLabel = [...box.messages.values()].filter((m) => m.labels.has(l.id));
      const threads = new Set(withLabel.map((m) => m.threadId));
      Object.assign(out, {
        messagesTotal: withLabel.length, messagesUnread: withLabel.filter((m) => m.labels.has('UNREAD')).length,
        threadsTotal: threads.size, threadsUnread: new Set(withLabel.filter((m) => m.labels.has('UNREAD')).map((m) => m.threadId)).size,
      });
    }
    return out;
  }

  server.on('request', handler(async (req, res) => {
    const u = new URL(req.url ?? '/', url);
    res.on('finish', () => requests.push({ method: req.method ?? 'GET', path: u.pathname + u.search, status: res.statusCode }));
    try {
      const token = bearerToken(req);
      const see = 'See https://developers.google.com/identity/sign-in/web/devconsole-project.';
      if (!token) {
        throw new GmailError(401, `Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${see}`,
          'required', { errorMessage: 'Login Required.', location: 'Authorization', locationType: 'header' }, { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' });
      }
      const who = await opts.verifyToken(token);
      if (!who.active) {
        throw new GmailError(401, `Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. ${see}`,
          'authError', { errorMessage: 'Invalid Credentials', location: 'Authorization', locationType: 'header' },
          { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' });
      }
      const retryAfter = throttle.take();
      if (retryAfter !== undefined) {
        const until = new Date(Date.now() + retryAfter * 1000).toISOString();
        throw new GmailError(429, `User-rate limit exceeded.  Retry after ${until}`, 'rateLimitExceeded', {}, { 'retry-after': String(retryAfter) }, 'usageLimits');
      }
      const status = failures.shift();
      if (status !== undefined) throw new GmailError(status, status === 503 ? 'The service is currently unavailable.' : 'Backend Error', 'backendError');
      if (hostile.take(res)) return;
      await route(req, res, who, u);
    } catch (e) {
      if (e instanceof GmailError) sendJson(res, e.code, e.body(), e.headers);
      else throw e;
    }
  }));

  return {
    url,
    sent,
    requests,
    addMessage(user, rawMime, labelIds = ['INBOX', 'UNREAD']) {
      const box = mailbox(user)!;
      for (const l of labelIds) if (!box.labels.has(l)) throw new Error(`gmail test server: no label ${l} in ${user}`);
      return store(box, Buffer.isBuffer(rawMime) ? rawMime : Buffer.from(rawMime), labelIds).id;
    },
    messages(user, labelId) {
      const box = mailbox(user, false);
      if (!box) return [];
      return [...box.messages.values()]
        .filter((m) => !labelId || m.labels.has(labelId))
        .sort((a, b) => b.internalDate - a.internalDate || b.historyId - a.historyId)
        .map((m) => ({
          id: m.id, threadId: m.threadId, labelIds: [...m.labels], subject: m.parsed.subject, from: m.parsed.from, to: m.parsed.to,
          historyId: String(m.historyId), raw: m.raw.toString('utf8'),
        }));
    },
    addLabel(user, name) {
      const box = mailbox(user)!;
      const label: Label = { id: `Label_${box.nextLabel++}`, name, type: 'user' };
      box.labels.set(label.id, label);
      return label.id;
    },
    expireHistory(user) {
      const box = mailbox(user)!;
      box.historyFloor = box.historyId;
    },
    throttleNext: (count, retryAfterSeconds) => throttle.next(count, retryAfterSeconds),
    failNext(status, count = 1) { for (let i = 0; i < count; i++) failures.push(status); },
    hostile,
    stop: () => close(server),
  };
}
