import type { StepRecorder } from '../step-recorder';
import type { Security } from '../account-types';
import type { FailureContext } from '../advice';
import { classifyMailError } from '../classify';
import { chunks, keyId } from '../keys';
import { tlsOptions } from '../tls-options';
import type { FetchSession, FolderStatus, IncomingMail, MailSource, MessageCount, SourceSettings } from '../types';
import { Pop3Client, type SaslInitialResponse } from './client';
import { currentKeys, isAnotherMessage, messageIdHeader, uidlOf } from './generations';

/** Messages retrieved per recorded chunk. */
const CHUNK = 50;

export interface Pop3SourceOptions extends SourceSettings {
  security: Security;
  /** How the token goes with AUTH (see Pop3Client.authenticateToken). */
  saslInitialResponse?: SaslInitialResponse;
}

/**
 * POP3: new messages are those whose UIDL is not recorded yet (the server's UIDL list is the
 * only state POP3 has), or recorded for a message known to be gone: a server may give a UIDL
 * again once its message is gone (see generations.ts). With `delete`, DELE marks recorded
 * messages and QUIT removes them; a connection lost before QUIT removes nothing, and the next
 * run deletes them (they are recorded, so they are not handed on again) — unless the message
 * under that UIDL now has another Message-ID (the QUIT had completed, and the server gave the
 * UIDL to a new message meanwhile).
 */
export class Pop3Source implements MailSource {
  readonly protocol = 'pop3' as const;
  private client?: Pop3Client;
  private numbers?: Map<string, number>;
  /** Marked with DELE in this session: removed at QUIT. */
  private marked = new Set<string>();

  constructor(
    private readonly options: Pop3SourceOptions,
    private readonly context: FailureContext
  ) {}

  private async open(): Promise<Pop3Client> {
    const o = this.options;
    return Pop3Client.connect({ host: o.host, port: o.port, security: o.security, tls: tlsOptions(o), timeout: o.timeout * 1000 });
  }

  async connect(_steps?: StepRecorder): Promise<void> {
    const o = this.options;
    try {
      this.client = await this.open();
      if (o.credentials.kind === 'password') {
        await this.client.login(o.login, o.credentials.password);
        return;
      }
      const user = o.mailbox || o.login;
      const tokens = o.credentials.tokens;
      try {
        await this.client.authenticateToken(user, await tokens.get(), { initialResponse: o.saslInitialResponse });
      } catch (e) {
        if (!(e as { authenticationFailed?: boolean }).authenticationFailed) throw e;
        const fresh = await tokens.refreshOnce();
        if (!fresh) throw e;
        // A failed AUTH leaves the session usable, but servers may close it: start afresh.
        this.client.destroy();
        this.client = await this.open();
        await this.client.authenticateToken(user, fresh, { initialResponse: o.saslInitialResponse });
      }
    } catch (e) {
      this.client?.destroy();
      this.client = undefined;
      throw classifyMailError(e, this.context);
    }
  }

  private get pop3(): Pop3Client {
    if (!this.client) throw new Error('POP3 source used before connect()');
    return this.client;
  }

  async openFolder(): Promise<FolderStatus> {
    // POP3 has one mailbox; the form allows no folder for it.
    return { name: 'INBOX' };
  }

  async count(): Promise<MessageCount> {
    try {
      return { messages: (await this.pop3.stat()).messages };
    } catch (e) {
      throw classifyMailError(e, this.context);
    }
  }

  async checkMoveTarget(): Promise<void> {
    // POP3 cannot move: the form refuses it.
  }

  private async uidls(): Promise<Map<string, number>> {
    if (!this.numbers) {
      try {
        this.numbers = new Map((await this.pop3.uidl()).map(({ number, uidl }) => [uidl, number]));
      } catch (e) {
        throw classifyMailError(e, this.context);
      }
    }
    return this.numbers;
  }

  /**
   * With a session (messages recorded in an earlier run), a message whose UIDL now names a
   * message with another Message-ID (TOP n 0) is not deleted: the one recorded is gone (its
   * QUIT completed unanswered) and the server gave its UIDL to a new message. It is returned as
   * done; the new message is found by fetchNew under the UIDL's next generation.
   */
  async applyAction(keys: string[], session?: Pick<FetchSession, 'recordedMessages'>): Promise<string[]> {
    if (this.options.action !== 'delete') return keys;
    const numbers = await this.uidls();
    const recorded = session && keys.length ? await session.recordedMessages(keys) : undefined;
    const gone: string[] = [];
    for (const key of keys) {
      const id = keyId(key, 'pop3', this.options.identity);
      const uidl = id === undefined ? undefined : uidlOf(id);
      if (this.marked.has(key)) continue; // DELE once per session: a second one is an error
      const number = uidl === undefined ? undefined : numbers.get(uidl);
      if (number === undefined) {
        gone.push(key); // not on the server (any more): nothing to delete
        continue;
      }
      try {
        const messageId = recorded?.get(key)?.messageId;
        if (messageId && isAnotherMessage(messageId, messageIdHeader(await this.pop3.headers(number)))) {
          gone.push(key);
          continue;
        }
        await this.pop3.delete(number);
      } catch (e) {
        throw classifyMailError(e, this.context);
      }
      this.marked.add(key);
    }
    return gone;
  }

  async fetchNew(session: FetchSession): Promise<void> {
    const numbers = await this.uidls();
    const all = [...numbers.keys()];
    const resolve = () => currentKeys(all, this.options.identity, (keys) => session.known(keys));
    let { keys, known } = await resolve();
    const pending = [...keys.values()].filter((k) => known.get(k)?.actionDone === false);
    if (pending.length) {
      const done = await this.applyAction(pending, session);
      await session.actionApplied(done);
      // Done without a DELE while their UIDL is on the server: the message there is a new one.
      if (done.some((k) => !this.marked.has(k))) ({ keys, known } = await resolve());
    }
    const fresh = all.filter((uidl) => !known.has(keys.get(uidl)!)).slice(0, session.limit);
    for (const chunk of chunks(fresh, CHUNK)) {
      const recorded = await session.record(this.stream(chunk, numbers, keys));
      await session.actionApplied(await this.applyAction(recorded));
    }
  }

  private async *stream(uidls: string[], numbers: Map<string, number>, keys: Map<string, string>): AsyncGenerator<IncomingMail> {
    for (const uidl of uidls) {
      let content;
      try {
        content = await this.pop3.retrieve(numbers.get(uidl)!);
      } catch (e) {
        throw classifyMailError(e, this.context);
      }
      yield { key: keys.get(uidl)!, content };
      // The consumer read it to the end, or the connection is gone with it.
      if (!content.readableEnded) content.destroy();
    }
  }

  async finish(): Promise<string[]> {
    try {
      await this.client?.quit();
    } catch (e) {
      // Without a clean QUIT the server keeps the messages: their deletion stays pending.
      this.marked.clear();
      throw classifyMailError(e, this.context);
    }
    const done = [...this.marked];
    this.marked.clear();
    return done;
  }

  async close(): Promise<void> {
    this.client?.destroy();
    this.client = undefined;
  }
}
