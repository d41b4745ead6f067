import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  bearerToken, close, handler, listen, parseMime, randomToken, readBody, send, sendEmpty, sendJson, strictBase64,
  Throttle, HostileAnswers, type Address, type ParsedMime,
} from './http-util';

/**
 * A local stand-in for the mail part of Microsoft Graph v1.0 (`graph.microsoft.com/v1.0`), built
 * from the Graph API reference: mail folders, messages (list with $top/$select/$orderby/$skip
 * paging, delta with @odata.deltaLink, MIME via $value, PATCH isRead, move, delete), sendMail in
 * JSON and MIME form, and Graph's error JSON. Bearer tokens are checked with a caller-supplied
 * `verifyToken`, so it works with the oidc-provider harness or the Microsoft stand-in.
 *
 * Sources: learn.microsoft.com/graph/api/user-sendmail, message-move, message-delta,
 * graph/delta-query-messages, graph/throttling, graph/errors; error bodies as quoted in
 * microsoftgraph issue threads (InvalidAuthenticationToken, ErrorAccessDenied).
 */

export interface GraphTokenInfo {
  active: boolean;
  /** The signed-in user; absent for app-only tokens, which may open every mailbox. */
  email?: string;
}

export interface GraphServerOptions {
  verifyToken(token: string): Promise<GraphTokenInfo> | GraphTokenInfo;
  /** Mailboxes that exist from the start (a token's own mailbox is created when first used). */
  mailboxes?: string[];
  /** Shared mailbox → users who may open it (delegated access). */
  delegations?: Record<string, string[]>;
  /** Put what sendMail sends into the inbox of recipients that have a mailbox here. Default false. */
  deliverLocally?: boolean;
}

export interface GraphStoredMessage {
  id: string;
  /** Well-known name of the folder (`inbox`, `sentitems`, …) or its display name. */
  folder: string;
  folderId: string;
  subject: string;
  from?: Address;
  to: Address[];
  isRead: boolean;
  receivedDateTime: string;
  raw: string;
}

export interface GraphSentMail {
  /** The mailbox it was sent from (the `/users/{id}` or `/me` of the request). */
  mailbox: string;
  format: 'json' | 'mime';
  saveToSentItems: boolean;
  subject: string;
  from?: Address;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  body: string;
  /** The decoded MIME (mime format). */
  mime?: string;
  /** The `message` object as posted (json format). */
  message?: Record<string, unknown>;
}

export interface GraphRequestLog { method: string; path: string; status: number }

export interface GraphServer {
  /** Stands for `https://graph.microsoft.com` (append `/v1.0`). */
  url: string;
  sent: GraphSentMail[];
  requests: GraphRequestLog[];
  addMessage(mailbox: string, rawMime: string | Buffer, folder?: string, opts?: { isRead?: boolean }): string;
  messages(mailbox: string, folder?: string): GraphStoredMessage[];
  addFolder(mailbox: string, displayName: string): string;
  folderId(mailbox: string, folder: string): string;
  delegate(mailbox: string, user: string): void;
  /** The next `count` authenticated requests answer 429 with `Retry-After`. */
  throttleNext(count: number, retryAfterSeconds: number): void;
  /** The next `count` authenticated requests answer this status (500, 503, 504 …). */
  failNext(status: number, count?: number): void;
  /** Huge and never-ending answers to the next authenticated requests (see HostileAnswers). */
  hostile: HostileAnswers;
  /** Paging and delta links go through `rewrite` before they are sent (a hostile server's links); undefined: as they are. */
  rewriteLinks(rewrite: ((link: string) => string) | undefined): void;
  stop(): Promise<void>;
}

const WELL_KNOWN: Record<string, string> = {
  inbox: 'Inbox', sentitems: 'Sent Items', deleteditems: 'Deleted Items', drafts: 'Drafts',
  junkemail: 'Junk Email', archive: 'Archive', outbox: 'Outbox',
};
const PAGE = 10; // Graph's default page size for messages

interface Folder { id: string; displayName: string; wellKnownName?: string }
interface Message {
  id: string; folderId: string; raw: Buffer; parsed: ParsedMime; isRead: boolean; categories: string[];
  received: Date; created: Date; modified: Date; version: number; conversationId: string; changeKey: string;
}
interface Mailbox {
  address: string; rootId: string; folders: Map<string, Folder>; messages: Map<string, Message>;
  tombstones: { id: string; folderId: string; version: number }[];
}
/**
 * A delta round covers the changes with a version in (since, until]; a page continues after the
 * version of the last one it returned, so that what the client changes while it pages (marking
 * a message read gives it a new version, reported in the next round) moves nothing under its feet
 * — as Graph's opaque skip tokens behave.
 */
interface DeltaState { folderId: string; since: number; until: number; after: number; select?: string }

class GraphError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}
const notFound = () => new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const recipients = (list: Address[]) => list.map((a) => ({ emailAddress: { name: a.name || a.address, address: a.address } }));

export async function startGraphServer(opts: GraphServerOptions): Promise<GraphServer> {
  const mailboxes = new Map<string, Mailbox>();
  const delegations = new Map<string, Set<string>>();
  for (const [box, users] of Object.entries(opts.delegations ?? {})) delegations.set(box.toLowerCase(), new Set(users.map((u) => u.toLowerCase())));
  const sent: GraphSentMail[] = [];
  const requests: GraphRequestLog[] = [];
  const throttle = new Throttle();
  const hostile = new HostileAnswers();
  let rewriteLink: (link: string) => string = (link) => link;
  const failures: number[] = [];
  let clock = 0;

  const server = createServer();
  const url = await listen(server);

  function mailbox(address: string, create = true): Mailbox | undefined {
    const key = address.toLowerCase();
    let box = mailboxes.get(key);
    if (!box && create) {
      box = { address, rootId: `AAMkRoot${randomToken(12)}`, folders: new Map(), messages: new Map(), tombstones: [] };
      for (const [wk, name] of Object.entries(WELL_KNOWN)) {
        const id = `AAMkFolder${randomToken(16)}`;
        box.folders.set(id, { id, displayName: name, wellKnownName: wk });
      }
      mailboxes.set(key, box);
    }
    return box;
  }
  for (const m of [...(opts.mailboxes ?? []), ...Object.keys(opts.delegations ?? {})]) mailbox(m);

  function findFolder(box: Mailbox, ref: string): Folder | undefined {
    const low = ref.toLowerCase();
    for (const f of box.folders.values()) if (f.id === ref || f.wellKnownName === low) return f;
    return undefined;
  }
  const folderName = (f: Folder) => f.wellKnownName ?? f.displayName;
  /** For the test helpers: an id, a well-known name, or a display name. */
  const helperFolder = (box: Mailbox, ref: string) =>
    findFolder(box, ref) ?? [...box.folders.values()].find((f) => f.displayName.toLowerCase() === ref.toLowerCase());

  function store(box: Mailbox, raw: Buffer, folderId: string, isRead: boolean, received = new Date()): Message {
    const parsed = parseMime(raw);
    const ref = parsed.inReplyTo ?? parsed.references.at(-1);
    const parent = ref ? [...box.messages.values()].find((m) => m.parsed.messageId === ref) : undefined;
    const now = new Date();
    const msg: Message = {
      id: `AAMkAG${randomToken(32)}`, folderId, raw, parsed, isRead, categories: [], received: parsed.date ?? received,
      created: now, modified: now, version: ++clock, conversationId: parent?.conversationId ?? `AAQk${randomToken(16)}`,
      changeKey: `CQAAA${randomToken(9)}`,
    };
    box.messages.set(msg.id, msg);
    return msg;
  }
  function remove(box: Mailbox, msg: Message) {
    box.messages.delete(msg.id);
    box.tombstones.push({ id: msg.id, folderId: msg.folderId, version: ++clock });
  }
  function touch(msg: Message) {
    msg.version = ++clock;
    msg.modified = new Date();
    msg.changeKey = `CQAAA${randomToken(9)}`;
  }

  function messageJson(m: Message, select?: string): Record<string, unknown> {
    const p = m.parsed;
    const html = /text\/html/i.test(p.headers['content-type'] ?? '');
    const text = p.body.trim();
    const full: Record<string, unknown> = {
      '@odata.etag': `W/"${m.changeKey}"`,
      id: m.id,
      createdDateTime: iso(m.created),
      lastModifiedDateTime: iso(m.modified),
      changeKey: m.changeKey,
      categories: m.categories,
      receivedDateTime: iso(m.received),
      sentDateTime: iso(p.date ?? m.received),
      hasAttachments: /multipart\/mixed/i.test(p.headers['content-type'] ?? ''),
      internetMessageId: p.messageId ?? null,
      subject: p.subject,
      bodyPreview: text.replace(/<[^>]*>/g, '').replace(/\s+/g, ' ').slice(0, 255),
      importance: 'normal',
      parentFolderId: m.folderId,
      conversationId: m.conversationId,
      isDeliveryReceiptRequested: false,
      isReadReceiptRequested: false,
      isRead: m.isRead,
      isDraft: false,
      body: { contentType: html ? 'html' : 'text', content: p.body },
      sender: p.from ? recipients([p.from])[0] : null,
      from: p.from ? recipients([p.from])[0] : null,
      toRecipients: recipients(p.to),
      ccRecipients: recipients(p.cc),
      bccRecipients: recipients(p.bcc),
      replyTo: [],
      flag: { flagStatus: 'notFlagged' },
    };
    if (!select) return full;
    const keep = new Set(['@odata.etag', 'id', ...select.split(',').map((s) => s.trim())]);
    return Object.fromEntries(Object.entries(full).filter(([k]) => keep.has(k)));
  }

  function folderJson(box: Mailbox, f: Folder) {
    const inFolder = [...box.messages.values()].filter((m) => m.folderId === f.id);
    return {
      id: f.id, displayName: f.displayName, parentFolderId: box.rootId, childFolderCount: 0,
      unreadItemCount: inFolder.filter((m) => !m.isRead).length, totalItemCount: inFolder.length, isHidden: false,
    };
  }

  function listMessages(box: Mailbox, folder: Folder | undefined, q: URLSearchParams, reqUrl: URL, context: string) {
    let list = [...box.messages.values()].filter((m) => !folder || m.folderId === folder.id);
    const filter = q.get('$filter');
    if (filter) {
      const m = /^\s*isRead\s+eq\s+(true|false)\s*$/i.exec(filter);
      if (!m) throw new GraphError(400, 'ErrorInvalidUrlQueryFilter', `The query filter '${filter}' is not supported by this test server.`);
      list = list.filter((x) => x.isRead === (m[1].toLowerCase() === 'true'));
    }
    const order = (q.get('$orderby') ?? 'receivedDateTime desc').trim();
    const om = /^receivedDateTime(\s+(asc|desc))?$/i.exec(order);
    if (!om) throw new GraphError(400, 'ErrorInvalidProperty', `The property in $orderby '${order}' is not supported by this test server.`);
    // OData sorts ascending unless told; without any $orderby Graph lists newest first
    const dir = om[2] ? (om[2].toLowerCase() === 'desc' ? -1 : 1) : (q.has('$orderby') ? 1 : -1);
    list.sort((a, b) => dir * (a.received.getTime() - b.received.getTime() || a.version - b.version));
    const top = Math.min(Number(q.get('$top') ?? PAGE) || PAGE, 1000);
    const skip = Number(q.get('$skip') ?? 0) || 0;
    const page = list.slice(skip, skip + top);
    const out: Record<string, unknown> = {
      '@odata.context': context,
      value: page.map((m) => messageJson(m, q.get('$select') ?? undefined)),
    };
    if (skip + top < list.length) {
      const next = new URL(reqUrl);
      next.searchParams.set('$skip', String(skip + top));
      if (!next.searchParams.has('$top')) next.searchParams.set('$top', String(top));
      out['@odata.nextLink'] = rewriteLink(next.href);
    }
    return out;
  }

  function delta(box: Mailbox, folder: Folder, req: IncomingMessage, q: URLSearchParams, base: string) {
    let state: DeltaState;
    const token = q.get('$deltatoken') ?? q.get('$skiptoken');
    if (token) {
      try {
        state = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as DeltaState;
      } catch {
        throw new GraphError(400, 'BadRequest', 'The delta or skip token is not valid.');
      }
      if (state.folderId !== folder.id) throw new GraphError(400, 'BadRequest', 'The delta token belongs to another folder.');
      if (q.has('$deltatoken')) state = { ...state, since: state.until, until: clock, after: state.until };
    } else {
      state = { folderId: folder.id, since: 0, until: clock, after: 0, select: q.get('$select') ?? undefined };
    }
    const max = Number(/odata\.maxpagesize=(\d+)/.exec(String(req.headers.prefer ?? ''))?.[1] ?? PAGE) || PAGE;
    const from = Math.max(state.since, state.after);
    const inRound = (version: number) => version > from && version <= state.until;
    const changed: { version: number; json: Record<string, unknown> }[] = [
      ...[...box.messages.values()].filter((m) => m.folderId === folder.id && inRound(m.version)).map((m) => ({ version: m.version, json: messageJson(m, state.select) })),
      // messages deleted or moved out since the last round
      ...box.tombstones
        .filter((t) => t.folderId === folder.id && inRound(t.version) && !box.messages.has(t.id))
        .map((t) => ({ version: t.version, json: { '@odata.type': '#microsoft.graph.message', id: t.id, '@removed': { reason: 'deleted' } } })),
    ].sort((a, b) => a.version - b.version);
    const page = changed.slice(0, max);
    const out: Record<string, unknown> = { '@odata.context': `${url}/v1.0/$metadata#Collection(message)`, value: page.map((c) => c.json) };
    const link = (key: string, s: DeltaState) => `${base}/messages/delta?${key}=${Buffer.from(JSON.stringify(s)).toString('base64url')}`;
    if (changed.length > max) out['@odata.nextLink'] = rewriteLink(link('$skiptoken', { ...state, after: page[page.length - 1].version }));
    else out['@odata.deltaLink'] = rewriteLink(link('$deltatoken', { ...state, after: state.until }));
    return out;
  }

  function canOpen(who: GraphTokenInfo, address: string) {
    if (!who.email) return true; // application permission: every mailbox of the tenant
    if (who.email.toLowerCase() === address.toLowerCase()) return true;
    return delegations.get(address.toLowerCase())?.has(who.email.toLowerCase()) ?? false;
  }

  async function sendMail(box: Mailbox, req: IncomingMessage) {
    const bodyBuf = await readBody(req);
    const isMime = /^text\/plain/i.test(req.headers['content-type'] ?? '');
    let record: GraphSentMail;
    let raw: Buffer;
    if (isMime) {
      const decoded = strictBase64(bodyBuf.toString('latin1'));
      if (!decoded) throw new GraphError(400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.');
      const p = parseMime(decoded);
      record = {
        mailbox: box.address, format: 'mime', saveToSentItems: true, subject: p.subject, from: p.from ?? { name: '', address: box.address },
        to: p.to, cc: p.cc, bcc: p.bcc, body: p.body, mime: decoded.toString('utf8'),
      };
      raw = decoded;
    } else {
      if (!bodyBuf.length) throw new GraphError(400, 'BadRequest', 'Empty Payload. JSON content expected.');
      let json: { message?: Record<string, unknown>; saveToSentItems?: boolean | string };
      try { json = JSON.parse(bodyBuf.toString('utf8')) as typeof json; } catch {
        throw new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
      }
      const m = json.message;
      if (!m || typeof m !== 'object') throw new GraphError(400, 'ErrorInvalidParameter', "The value of the parameter 'Message' is empty.");
      const addr = (list: unknown): Address[] => (Array.isArray(list) ? list : [])
        .map((r: { emailAddress?: { name?: string; address?: string } }) => ({ name: r?.emailAddress?.name ?? '', address: r?.emailAddress?.address ?? '' }))
        .filter((a) => a.address);
      const body = (m.body ?? {}) as { contentType?: string; content?: string };
      record = {
        mailbox: box.address, format: 'json', saveToSentItems: String(json.saveToSentItems ?? 'true').toLowerCase() !== 'false',
        subject: String(m.subject ?? ''), from: addr([m.from])[0] ?? { name: '', address: box.address },
        to: addr(m.toRecipients), cc: addr(m.ccRecipients), bcc: addr(m.bccRecipients), body: body.content ?? '', message: m,
      };
      const hdr = (name: string, list: Address[]) => (list.length ? `${name}: ${list.map((a) => (a.name ? `"${a.name}" <${a.address}>` : a.address)).join(', ')}\r\n` : '');
      raw = Buffer.from(`From: ${record.from!.address}\r\n${hdr('To', record.to)}${hdr('Cc', record.cc)}Subject: ${record.subject}\r\n`
        + `Date: ${new Date().toUTCString()}\r\nMessage-ID: <${randomUUID()}@graph.test>\r\nMIME-Version: 1.0\r\n`
        + `Content-Type: ${body.contentType?.toLowerCase() === 'html' ? 'text/html' : 'text/plain'}; charset=utf-8\r\n\r\n${record.body}`);
    }
    if (!record.to.length && !record.cc.length && !record.bcc.length) {
      throw new GraphError(400, 'ErrorInvalidRecipients', "At least one recipient isn't valid., A message can't be sent because it contains no recipients.");
    }
    sent.push(record);
    if (record.saveToSentItems) store(box, raw, findFolder(box, 'sentitems')!.id, true);
    if (opts.deliverLocally) {
      for (const r of [...record.to, ...record.cc, ...record.bcc]) {
        const target = mailbox(r.address, false);
        if (target) store(target, raw, findFolder(target, 'inbox')!.id, false);
      }
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse, who: GraphTokenInfo, reqUrl: URL) {
    const segs = reqUrl.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (segs[0] !== 'v1.0') throw new GraphError(400, 'BadRequest', 'Invalid version.');
    let address: string;
    let rest: string[];
    let base: string;
    if (segs[1] === 'me') {
      if (!who.email) throw new GraphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
      address = who.email;
      rest = segs.slice(2);
      base = `${url}/v1.0/me`;
    } else if (segs[1] === 'users' && segs[2]) {
      address = segs[2];
      rest = segs.slice(3);
      base = `${url}/v1.0/users/${encodeURIComponent(address)}`;
    } else {
      throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${segs[1] ?? ''}'.`);
    }
    if (!canOpen(who, address)) throw new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    const own = who.email?.toLowerCase() === address.toLowerCase();
    const box = mailbox(address, own);
    if (!box) throw new GraphError(404, 'ErrorInvalidUser', `The requested user '${address}' is invalid.`);
    const q = reqUrl.searchParams;
    const m = req.method ?? 'GET';
    const ctx = (what: string) => `${url}/v1.0/$metadata#users('${encodeURIComponent(box.address)}')/${what}`;

    if (rest[0] === 'sendMail' && rest.length === 1 && m === 'POST') {
      await sendMail(box, req);
      return sendEmpty(res, 202);
    }
    if (rest[0] === 'mailFolders') {
      if (rest.length === 1 && m === 'GET') {
        let folders = [...box.folders.values()];
        const filter = q.get('$filter');
        if (filter) {
          const fm = /^\s*displayName\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(filter);
          if (!fm) throw new GraphError(400, 'ErrorInvalidUrlQueryFilter', `The query filter '${filter}' is not supported by this test server.`);
          folders = folders.filter((f) => f.displayName === fm[1].replace(/''/g, "'"));
        }
        return sendJson(res, 200, { '@odata.context': ctx('mailFolders'), value: folders.map((f) => folderJson(box, f)) });
      }
      if (rest.length === 1 && m === 'POST') {
        const body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as { displayName?: string };
        if (!body.displayName) throw new GraphError(400, 'ErrorInvalidParameter', 'The parameter DisplayName is required.');
        if ([...box.folders.values()].some((f) => f.displayName.toLowerCase() === body.displayName!.toLowerCase())) {
          throw new GraphError(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
        }
        const id = `AAMkFolder${randomToken(16)}`;
        box.folders.set(id, { id, displayName: body.displayName });
        return sendJson(res, 201, { '@odata.context': `${ctx('mailFolders')}/$entity`, ...folderJson(box, box.folders.get(id)!) });
      }
      const folder = findFolder(box, rest[1]);
      if (!folder) throw notFound();
      if (rest.length === 2 && m === 'GET') return sendJson(res, 200, { '@odata.context': `${ctx('mailFolders')}/$entity`, ...folderJson(box, folder) });
      if (rest[2] === 'messages' && rest.length === 3 && m === 'GET') {
        return sendJson(res, 200, listMessages(box, folder, q, reqUrl, ctx(`mailFolders('${rest[1]}')/messages`)));
      }
      if (rest[2] === 'messages' && rest[3] === 'delta' && rest.length === 4 && m === 'GET') {
        return sendJson(res, 200, delta(box, folder, req, q, `${base}/mailFolders/${encodeURIComponent(rest[1])}`));
      }
      if (rest[2] === 'messages' && rest[3]) return messageRoute(req, res, box, rest.slice(3), folder, q, ctx);
      throw new GraphError(400, 'BadRequest', 'Unsupported segment (test server).');
    }
    if (rest[0] === 'messages') {
      if (rest.length === 1 && m === 'GET') return sendJson(res, 200, listMessages(box, undefined, q, reqUrl, ctx('messages')));
      return messageRoute(req, res, box, rest.slice(1), undefined, q, ctx);
    }
    throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${rest[0] ?? ''}'.`);
  }

  async function messageRoute(
    req: IncomingMessage, res: ServerResponse, box: Mailbox, rest: string[], folder: Folder | undefined,
    q: URLSearchParams, ctx: (what: string) => string,
  ) {
    const msg = box.messages.get(rest[0]);
    if (!msg || (folder && msg.folderId !== folder.id)) throw notFound();
    const m = req.method ?? 'GET';
    if (rest.length === 1 && m === 'GET') return sendJson(res, 200, { '@odata.context': `${ctx('messages')}/$entity`, ...messageJson(msg, q.get('$select') ?? undefined) });
    if (rest.length === 2 && rest[1] === '$value' && m === 'GET') return send(res, 200, msg.raw, 'text/plain');
    if (rest.length === 1 && m === 'PATCH') {
      let patch: Record<string, unknown>;
      try { patch = JSON.parse((await readBody(req)).toString('utf8')) as Record<string, unknown>; } catch {
        throw new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
      }
      if (typeof patch.isRead === 'boolean') msg.isRead = patch.isRead;
      if (Array.isArray(patch.categories)) msg.categories = patch.categories.map(String);
      touch(msg);
      return sendJson(res, 200, { '@odata.context': `${ctx('messages')}/$entity`, ...messageJson(msg) });
    }
    if (rest.length === 1 && m === 'DELETE') {
      remove(box, msg);
      return sendEmpty(res, 204);
    }
    if (rest.length === 2 && rest[1] === 'move' && m === 'POST') {
      let body: { destinationId?: string };
      try { body = JSON.parse((await readBody(req)).toString('utf8')) as typeof body; } catch { body = {}; }
      if (!body.destinationId) throw new GraphError(400, 'ErrorInvalidParameter', "The value of the parameter 'DestinationId' is empty.");
      const dest = findFolder(box, body.destinationId);
      if (!dest) throw notFound();
      // documented: a move makes a new copy in the destination (new id) and removes the original
      remove(box, msg);
      const moved = store(box, msg.raw, dest.id, msg.isRead, msg.received);
      moved.received = msg.received;
      moved.conversationId = msg.conversationId;
      return sendJson(res, 201, { '@odata.context': `${ctx('messages')}/$entity`, ...messageJson(moved) });
    }
    throw new GraphError(405, 'ErrorInvalidRequest', 'The OData request is not supported.');
  }

  server.on('request', handler(async (req, res) => {
    const reqUrl = new URL(req.url ?? '/', url);
    const requestId = randomUUID();
    const clientRequestId = String(req.headers['client-request-id'] ?? requestId);
    const ids = { 'request-id': requestId, 'client-request-id': clientRequestId };
    const graphError = (e: GraphError) => sendJson(res, e.status, {
      error: { code: e.code, message: e.message, innerError: { date: iso(new Date()), ...ids } },
    }, { ...ids, ...e.headers });
    res.on('finish', () => requests.push({ method: req.method ?? 'GET', path: reqUrl.pathname + reqUrl.search, status: res.statusCode }));
    try {
      const token = bearerToken(req);
      const challenge = { 'www-authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"' };
      if (!token) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.', challenge);
      const who = await opts.verifyToken(token);
      if (!who.active) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.', challenge);
      const retryAfter = throttle.take();
      if (retryAfter !== undefined) {
        throw new GraphError(429, 'TooManyRequests', 'Too many requests. Please try again later.', { 'retry-after': String(retryAfter) });
      }
      const status = failures.shift();
      if (status !== undefined) {
        const code = status === 503 ? 'serviceNotAvailable' : status === 504 ? 'timeout' : 'generalException';
        throw new GraphError(status, code, 'Simulated failure (test server).');
      }
      if (hostile.take(res)) return;
      res.setHeader('request-id', requestId);
      res.setHeader('client-request-id', clientRequestId);
      await route(req, res, who, reqUrl);
    } catch (e) {
      if (e instanceof GraphError) graphError(e);
      else throw e;
    }
  }));

  return {
    url,
    sent,
    requests,
    addMessage(address, rawMime, folder = 'inbox', o = {}) {
      const box = mailbox(address)!;
      const f = helperFolder(box, folder);
      if (!f) throw new Error(`graph test server: no folder ${folder} in ${address}`);
      return store(box, Buffer.isBuffer(rawMime) ? rawMime : Buffer.from(rawMime), f.id, o.isRead ?? false).id;
    },
    messages(address, folder = 'inbox') {
      const box = mailbox(address, false);
      const f = box && helperFolder(box, folder);
      if (!box || !f) return [];
      return [...box.messages.values()].filter((m) => m.folderId === f.id).sort((a, b) => a.version - b.version).map((m) => ({
        id: m.id, folder: folderName(f), folderId: f.id, subject: m.parsed.subject, from: m.parsed.from, to: m.parsed.to,
        isRead: m.isRead, receivedDateTime: iso(m.received), raw: m.raw.toString('utf8'),
      }));
    },
    addFolder(address, displayName) {
      const box = mailbox(address)!;
      const id = `AAMkFolder${randomToken(16)}`;
      box.folders.set(id, { id, displayName });
      return id;
    },
    folderId(address, folder) {
      const f = helperFolder(mailbox(address)!, folder);
      if (!f) throw new Error(`graph test server: no folder ${folder} in ${address}`);
      return f.id;
    },
    delegate(box, user) {
      const key = box.toLowerCase();
      if (!delegations.has(key)) delegations.set(key, new Set());
      delegations.get(key)!.add(user.toLowerCase());
      mailbox(box);
    },
    throttleNext: (count, retryAfterSeconds) => throttle.next(count, retryAfterSeconds),
    failNext(status, count = 1) { for (let i = 0; i < count; i++) failures.push(status); },
    hostile,
    rewriteLinks(rewrite) { rewriteLink = rewrite ?? ((link) => link); },
    stop: () => close(server),
  };
}
