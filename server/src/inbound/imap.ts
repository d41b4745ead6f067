import { ImapFlow, type ImapFlowOptions, type MailboxObject } from 'imapflow';

import type { StepRecorder } from './step-recorder';
import { MailAuthError } from '../errors';
import type { FailureContext } from './advice';
import { folderMissing } from './advice';
import type { Security } from './account-types';
import { classifyMailError } from './classify';
import { relocateByMessageId, type Relocated } from './imap-relocate';
import { chunks, imapKey, keyId, uidSet } from './keys';
import { tlsOptions } from './tls-options';
import type { FetchSession, FolderStatus, IncomingMail, MailSource, MessageCount, SourceSettings } from './types';

/** Messages fetched per FETCH command (and recorded per transaction). */
const CHUNK = 200;

export interface ImapSourceOptions extends SourceSettings {
  security: Security;
}

/**
 * IMAP through imapflow: password (AUTHENTICATE PLAIN/LOGIN) or token (OAUTHBEARER when the
 * server offers it, XOAUTH2 otherwise) with `user` = the mailbox address, so that a token of
 * one user opens a shared mailbox where the server allows it. New messages are those above
 * the last UID recorded under the folder's UIDVALIDITY; they are fetched in chunks, recorded,
 * and only then marked, moved or deleted.
 */
export class ImapSource implements MailSource {
  readonly protocol = 'imap' as const;
  private client?: ImapFlow;
  private mailbox?: MailboxObject;

  constructor(
    private readonly options: ImapSourceOptions,
    private readonly context: FailureContext
  ) {}

  private clientOptions(auth: ImapFlowOptions['auth']): ImapFlowOptions {
    const o = this.options;
    const ms = o.timeout * 1000;
    return {
      host: o.host,
      port: o.port,
      secure: o.security === 'tls',
      // STARTTLS only when asked for: opportunistic upgrades would hide a plain-text setting.
      doSTARTTLS: o.security === 'starttls',
      tls: tlsOptions(o),
      auth,
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: ms,
      greetingTimeout: ms,
      socketTimeout: Math.max(ms, 60_000),
    } as ImapFlowOptions;
  }

  private async open(auth: ImapFlowOptions['auth']): Promise<ImapFlow> {
    const client = new ImapFlow(this.clientOptions(auth));
    // Failures surface through the pending command; the event only must not go unhandled.
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (e) {
      client.close();
      throw e;
    }
    return client;
  }

  async connect(_steps?: StepRecorder): Promise<void> {
    const o = this.options;
    try {
      if (o.credentials.kind === 'password') {
        this.client = await this.open({ user: o.login, pass: o.credentials.password });
        return;
      }
      const user = o.mailbox || o.login;
      const tokens = o.credentials.tokens;
      try {
        this.client = await this.open({ user, accessToken: await tokens.get() });
      } catch (e) {
        if (!(e as { authenticationFailed?: boolean }).authenticationFailed) throw e;
        // A token the server refuses may have been revoked or expired early: renew once, retry once.
        const fresh = await tokens.refreshOnce();
        if (!fresh) throw e;
        this.client = await this.open({ user, accessToken: fresh });
      }
    } catch (e) {
      throw classifyMailError(e, this.context);
    }
  }

  private get imap(): ImapFlow {
    if (!this.client) throw new Error('IMAP source used before connect()');
    return this.client;
  }

  async openFolder(): Promise<FolderStatus> {
    return this.select(false);
  }

  /** SELECT, or EXAMINE (read-only: a watching connection takes no \Recent and changes nothing). */
  private async select(readOnly: boolean): Promise<FolderStatus> {
    try {
      this.mailbox = await this.imap.mailboxOpen(this.options.folder, { readOnly });
      return { name: this.mailbox.path, messages: this.mailbox.exists };
    } catch (e) {
      if ((e as { mailboxMissing?: boolean }).mailboxMissing || /NONEXISTENT|doesn't exist|does not exist|Mailbox not found/i.test(String((e as Error).message) + String((e as { responseText?: string }).responseText ?? ''))) {
        throw folderMissing(this.context, this.options.folder, await this.folderNames());
      }
      throw classifyMailError(e, this.context);
    }
  }

  private async folderNames(): Promise<string[] | undefined> {
    try {
      return (await this.imap.list()).map((m) => m.path);
    } catch {
      return undefined;
    }
  }

  async count(): Promise<MessageCount> {
    try {
      const status = await this.imap.status(this.mailbox?.path ?? this.options.folder, { messages: true, unseen: true });
      if (!status) throw new Error('STATUS gave no answer');
      return { messages: status.messages ?? 0, unseen: status.unseen };
    } catch (e) {
      throw classifyMailError(e, this.context);
    }
  }

  async checkMoveTarget(): Promise<void> {
    const target = this.options.moveTo;
    if (!target) return;
    const names = await this.folderNames();
    if (names && !names.includes(target)) throw folderMissing(this.context, target, names);
  }

  private get uidValidity(): string {
    if (!this.mailbox) throw new Error('IMAP folder not open');
    return this.mailbox.uidValidity.toString();
  }

  async applyAction(keys: string[], session?: Pick<FetchSession, 'recordedMessages' | 'actionNotApplied'>): Promise<string[]> {
    const { action, moveTo, identity } = this.options;
    if (action === 'keep') return keys;
    const prefix = `${this.uidValidity}:`;
    const done: string[] = [];
    const uids: number[] = [];
    const rebuilt: string[] = [];
    const elsewhere: string[] = [];
    for (const key of keys) {
      const id = keyId(key, 'imap', identity);
      if (id === undefined) elsewhere.push(key);
      else if (id.startsWith(prefix)) {
        done.push(key);
        uids.push(Number(id.slice(prefix.length)));
      } else rebuilt.push(key); // another UIDVALIDITY: the folder was rebuilt, its old UIDs name nothing
    }
    // Without a session nothing can be looked up: such keys stay pending.
    if (session && rebuilt.length) {
      let relocated: Relocated;
      try {
        relocated = await relocateByMessageId(this.imap, rebuilt, await session.recordedMessages(rebuilt));
      } catch (e) {
        throw classifyMailError(e, this.context);
      }
      for (const [key, uid] of relocated.found) {
        done.push(key);
        uids.push(uid);
      }
      await session.actionNotApplied(relocated.missing, 'message-not-found');
      await session.actionNotApplied(relocated.ambiguous, 'message-ambiguous');
    }
    if (session && elsewhere.length) await session.actionNotApplied(elsewhere, 'source-changed');
    if (!uids.length) return done;
    const range = uidSet(uids);
    // imapflow answers a failed STORE, EXPUNGE or MOVE with false, not an error: a dropped
    // connection must not pass for a done action.
    let acted: unknown;
    try {
      if (action === 'mark-seen') acted = await this.imap.messageFlagsAdd(range, ['\\Seen'], { uid: true });
      else if (action === 'delete') acted = await this.imap.messageDelete(range, { uid: true });
      else acted = await this.imap.messageMove(range, moveTo!, { uid: true });
    } catch (e) {
      throw classifyMailError(e, this.context);
    }
    if (!acted) {
      if (!this.imap.usable) {
        throw classifyMailError(Object.assign(new Error(`the connection was lost during ${action}`), { code: 'EConnectionClosed' }), this.context);
      }
      const names = await this.folderNames();
      if (action === 'move' && names && !names.includes(moveTo!)) throw folderMissing(this.context, moveTo!, names);
      throw classifyMailError(new Error(`the server refused to ${action} messages ${range}`), this.context);
    }
    return done;
  }

  async fetchNew(session: FetchSession): Promise<void> {
    const validity = this.uidValidity;
    const sameValidity = session.cursor.imapUidValidity === validity;
    let lastUid = sameValidity ? Number(session.cursor.imapLastUid ?? 0) : 0;
    if (!sameValidity) await session.saveCursor({ imapUidValidity: validity, imapLastUid: 0 });

    let found: number[];
    try {
      // "n:*" always matches the highest message, even below n: filter.
      const result = await this.imap.search({ uid: `${lastUid + 1}:*` }, { uid: true });
      // false is imapflow's word for a failed SEARCH (also a lost connection), not for no messages
      if (!result) throw Object.assign(new Error('SEARCH failed'), { code: this.imap.usable ? 'SEARCH_FAILED' : 'EConnectionClosed' });
      found = result.filter((uid) => uid > lastUid);
    } catch (e) {
      throw classifyMailError(e, this.context);
    }
    found.sort((a, b) => a - b);
    const key = (uid: number) => imapKey(this.options.identity, validity, uid);
    const known = await session.known(found.map(key));

    // Recorded in an earlier run that ended before their action: apply it now.
    const pending = found.filter((uid) => known.get(key(uid))?.actionDone === false).map(key);
    if (pending.length) await session.actionApplied(await this.applyAction(pending, session));

    const fresh = found.filter((uid) => !known.has(key(uid))).slice(0, session.limit);
    const parts = chunks(fresh, CHUNK);
    let next = parts.length ? this.prefetch(parts[0], validity) : undefined;
    try {
      for (let i = 0; i < parts.length; i++) {
        const current = next!;
        next = undefined;
        const recording = session.record(current.messages);
        recording.catch(() => {}); // awaited below; meanwhile not an unhandled rejection
        // The next chunk's FETCH goes out once this one's has arrived, so that it streams while
        // this chunk is parsed and stored (at most two chunks in hand). It only reads
        // (BODY.PEEK); this chunk's action is sent after it is recorded, as before.
        if (i + 1 < parts.length && (await current.done)) next = this.prefetch(parts[i + 1], validity);
        const recorded = await recording;
        await session.actionApplied(await this.applyAction(recorded, session));
        lastUid = Math.max(lastUid, parts[i][parts[i].length - 1]);
        await session.saveCursor({ imapUidValidity: validity, imapLastUid: lastUid });
      }
    } finally {
      // after a failure: a FETCH still under way ends with the connection, which the caller closes
      next?.abandon();
    }
    // Everything up to here is recorded: later runs need not look at it again.
    const limited = found.filter((uid) => !known.has(key(uid))).length > fresh.length;
    const highest = limited ? lastUid : Math.max(lastUid, found[found.length - 1] ?? 0);
    if (highest > lastUid) await session.saveCursor({ imapUidValidity: validity, imapLastUid: highest });
  }

  /**
   * Starts a chunk's FETCH now and keeps what arrives, at most a chunk (imapflow itself reads a
   * FETCH's answers as fast as they come). `done` settles when all has arrived: true, or false
   * after a failure, which `messages` throws where it happened.
   */
  private prefetch(uids: number[], validity: string): { messages: AsyncIterable<IncomingMail>; done: Promise<boolean>; abandon: () => void } {
    const arrived: IncomingMail[] = [];
    let ended = false;
    let failure: unknown;
    let abandoned = false;
    let wake: (() => void) | undefined;
    const done = (async () => {
      try {
        for await (const mail of this.stream(uids, validity)) {
          if (abandoned) break;
          arrived.push(mail);
          wake?.();
        }
        return true;
      } catch (e) {
        failure = e;
        return false;
      } finally {
        ended = true;
        wake?.();
      }
    })();
    async function* messages(): AsyncGenerator<IncomingMail> {
      for (;;) {
        if (arrived.length) {
          yield arrived.shift()!;
          continue;
        }
        if (ended) {
          if (failure) throw failure;
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    }
    return {
      messages: messages(),
      done,
      abandon: () => {
        abandoned = true;
        arrived.length = 0;
      },
    };
  }

  private async *stream(uids: number[], validity: string): AsyncGenerator<IncomingMail> {
    try {
      // BODY.PEEK[]: fetching does not set \Seen; the action does, once recorded.
      for await (const msg of this.imap.fetch(uidSet(uids), { uid: true, source: true, size: true }, { uid: true })) {
        if (!msg.source) continue;
        yield { key: imapKey(this.options.identity, validity, msg.uid), content: msg.source, size: msg.size };
      }
    } catch (e) {
      throw classifyMailError(e, this.context);
    }
  }

  /**
   * Waits for new mail in IDLE (RFC 2177) on the folder, opened read-only, until `stop` aborts.
   * Calls `onNewMail` once the folder is open (for what came before) and whenever the server
   * reports a changed message count. Only watches: the fetch runs on a connection of its own.
   * imapflow probes a connection that stays quiet for the socket timeout with a NOOP (which
   * ends that IDLE; it is started again here), so a dead peer is noticed within about a minute.
   * Resolves once stopped; rejects when the connection fails or the server ends it, and with
   * IDLE_UNSUPPORTED when the server has no IDLE.
   */
  async watch(onNewMail: () => void, stop: AbortSignal): Promise<void> {
    const client = this.imap;
    if (!client.capabilities.has('IDLE')) {
      throw new MailAuthError('IDLE_UNSUPPORTED', `${this.options.host} does not offer IMAP IDLE`, { advice: 'The account is fetched every poll interval instead.' });
    }
    await this.select(true);
    const changed = () => onNewMail();
    const end = () => {
      void client.logout().catch(() => {}).finally(() => client.close());
    };
    client.on('exists', changed);
    stop.addEventListener('abort', end, { once: true });
    try {
      onNewMail();
      while (!stop.aborted && client.usable) await client.idle();
    } catch (e) {
      if (!stop.aborted) throw classifyMailError(e, this.context);
    } finally {
      client.off('exists', changed);
      stop.removeEventListener('abort', end);
    }
    if (!stop.aborted) {
      throw classifyMailError(Object.assign(new Error('the IDLE connection was closed'), { code: 'EConnectionClosed' }), this.context);
    }
  }

  async finish(): Promise<string[]> {
    try {
      await this.client?.logout();
    } catch {
      // the work is recorded; a failed LOGOUT changes nothing
    }
    return [];
  }

  async close(): Promise<void> {
    try {
      this.client?.close();
    } catch {
      // already closed
    }
    this.client = undefined;
  }
}
