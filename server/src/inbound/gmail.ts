import type { StepRecorder } from './step-recorder';
import { MailAuthError } from '../errors';
import type { FailureContext } from './advice';
import { folderMissing, mailboxAccessDenied } from './advice';
import { chunks, gmailKey, keyId } from './keys';
import { RestClient, RestError } from './rest-client';
import type { FetchSession, FolderStatus, IncomingMail, MailSource, MessageCount, SourceSettings } from './types';

const CHUNK = 25;
const PAGE_SIZE = 500;
/**
 * Gmail holds messages of up to 50 MB; format=raw sends them base64url (4/3 larger) inside JSON.
 * A larger answer is no message Gmail would hold, and is not read into memory.
 */
const MAX_RAW_MESSAGE_JSON = 72 * 1024 * 1024;

interface Label {
  id: string;
  name: string;
  type?: string;
  messagesTotal?: number;
  messagesUnread?: number;
}
interface ListPage {
  messages?: { id: string }[];
  nextPageToken?: string;
}
interface HistoryPage {
  history?: {
    messagesAdded?: { message: { id: string; labelIds?: string[] } }[];
    labelsAdded?: { message: { id: string }; labelIds?: string[] }[];
  }[];
  nextPageToken?: string;
  historyId: string;
}

const gmailError = (body: unknown, status: number) => {
  const error = (body as { error?: { message?: string; status?: string; errors?: { reason?: string }[] } } | undefined)?.error;
  return { code: error?.errors?.[0]?.reason ?? error?.status ?? `http_${status}`, message: error?.message ?? `HTTP ${status}` };
};

/**
 * The Gmail API: the first run lists the label's messages (`users.messages.list`), later runs
 * read `users.history` from the history id where the last run ended (the cursor); messages
 * come as `format=raw`, and the action is a label change (UNREAD off, the folder's label
 * swapped for the target's) or `trash`.
 */
export class GmailSource implements MailSource {
  readonly protocol = 'gmail' as const;
  private readonly rest: RestClient;
  private label?: Label;
  private moveLabel?: Label;
  private labels?: Label[];
  private profileHistoryId?: string;

  constructor(
    private readonly options: SourceSettings,
    private readonly context: FailureContext
  ) {
    this.rest = RestClient.forSource(options, context, 'The Gmail API', gmailError);
  }

  private get root(): string {
    return `/gmail/v1/users/${encodeURIComponent(this.options.mailbox || 'me')}`;
  }

  private translate(e: unknown): unknown {
    if (!(e instanceof RestError)) return e;
    if (e.status === 403) return mailboxAccessDenied(this.context, `${e.providerCode}: ${e.message}`);
    return new MailAuthError('PROVIDER_ERROR', `Gmail answered ${e.status} ${e.providerCode}: ${e.message}`, { providerCode: e.providerCode });
  }

  async connect(_steps?: StepRecorder): Promise<void> {
    try {
      const profile = await this.rest.json<{ historyId: string }>('GET', `${this.root}/profile`);
      this.profileHistoryId = profile.historyId;
    } catch (e) {
      throw this.translate(e);
    }
  }

  private async findLabel(name: string): Promise<Label> {
    try {
      this.labels ??= (await this.rest.json<{ labels: Label[] }>('GET', `${this.root}/labels`)).labels;
    } catch (e) {
      throw this.translate(e);
    }
    const low = name.toLowerCase();
    const label = this.labels.find((l) => l.id === name) ?? this.labels.find((l) => l.type === 'system' && l.id.toLowerCase() === low) ?? this.labels.find((l) => l.name.toLowerCase() === low);
    if (!label) throw folderMissing(this.context, name, this.labels.filter((l) => l.type !== 'system' || l.id === 'INBOX').map((l) => l.name));
    return label;
  }

  async openFolder(): Promise<FolderStatus> {
    this.label = await this.findLabel(this.options.folder);
    return { name: this.label.name };
  }

  async count(): Promise<MessageCount> {
    try {
      const label = await this.rest.json<Label>('GET', `${this.root}/labels/${encodeURIComponent(this.label?.id ?? 'INBOX')}`);
      return { messages: label.messagesTotal ?? 0, unseen: label.messagesUnread };
    } catch (e) {
      throw this.translate(e);
    }
  }

  async checkMoveTarget(): Promise<void> {
    if (this.options.moveTo) this.moveLabel = await this.findLabel(this.options.moveTo);
  }

  async applyAction(keys: string[]): Promise<string[]> {
    const { action, identity } = this.options;
    if (action === 'keep') return keys;
    if (action === 'move') this.moveLabel ??= await this.findLabel(this.options.moveTo!);
    const done: string[] = [];
    for (const key of keys) {
      const id = keyId(key, 'gmail', identity);
      if (!id) {
        done.push(key);
        continue;
      }
      const path = `${this.root}/messages/${encodeURIComponent(id)}`;
      try {
        if (action === 'delete') await this.rest.json('POST', `${path}/trash`);
        else if (action === 'mark-seen') await this.rest.json('POST', `${path}/modify`, { json: { removeLabelIds: ['UNREAD'] } });
        else await this.rest.json('POST', `${path}/modify`, { json: { addLabelIds: [this.moveLabel!.id], removeLabelIds: [this.label!.id] } });
      } catch (e) {
        if (!(e instanceof RestError && e.status === 404)) throw this.translate(e);
      }
      done.push(key);
    }
    return done;
  }

  /** Ids added to the label since the history id, oldest first; undefined when that history is gone. */
  private async historySince(historyId: string): Promise<{ ids: string[]; historyId: string } | undefined> {
    const ids: string[] = [];
    let pageToken: string | undefined;
    let latest = historyId;
    do {
      const q = new URLSearchParams({ startHistoryId: historyId, labelId: this.label!.id, maxResults: String(PAGE_SIZE) });
      // New mail, and mail filed under the label later (by a filter or a person).
      q.append('historyTypes', 'messageAdded');
      q.append('historyTypes', 'labelAdded');
      if (pageToken) q.set('pageToken', pageToken);
      let page: HistoryPage;
      try {
        page = await this.rest.json<HistoryPage>('GET', `${this.root}/history?${q}`);
      } catch (e) {
        if (e instanceof RestError && e.status === 404) return undefined;
        throw this.translate(e);
      }
      for (const h of page.history ?? []) {
        for (const added of h.messagesAdded ?? []) ids.push(added.message.id);
        for (const labelled of h.labelsAdded ?? []) if (labelled.labelIds?.includes(this.label!.id)) ids.push(labelled.message.id);
      }
      latest = page.historyId;
      pageToken = page.nextPageToken;
    } while (pageToken);
    return { ids: [...new Set(ids)], historyId: latest };
  }

  /** Every id with the label, oldest first (the API lists newest first). */
  private async listAll(): Promise<string[]> {
    const ids: string[] = [];
    let pageToken: string | undefined;
    do {
      const q = new URLSearchParams({ labelIds: this.label!.id, maxResults: String(PAGE_SIZE) });
      if (pageToken) q.set('pageToken', pageToken);
      let page: ListPage;
      try {
        page = await this.rest.json<ListPage>('GET', `${this.root}/messages?${q}`);
      } catch (e) {
        throw this.translate(e);
      }
      for (const m of page.messages ?? []) ids.push(m.id);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return ids.reverse();
  }

  async fetchNew(session: FetchSession): Promise<void> {
    if (!this.label) throw new Error('Gmail label not open');
    // Taken before listing: whatever arrives while we list is found again by the next history read.
    let nextCursor = this.profileHistoryId;
    let ids: string[];
    const history = session.cursor.syncCursor ? await this.historySince(session.cursor.syncCursor) : undefined;
    if (history) {
      ids = history.ids;
      nextCursor = history.historyId;
    } else {
      ids = await this.listAll();
    }
    const key = (id: string) => gmailKey(this.options.identity, id);
    const known = await session.known(ids.map(key));
    const pending = ids.map(key).filter((k) => known.get(k)?.actionDone === false);
    if (pending.length) await session.actionApplied(await this.applyAction(pending));
    const fresh = ids.filter((id) => !known.has(key(id)));
    const take = fresh.slice(0, session.limit);
    for (const chunk of chunks(take, CHUNK)) {
      const recorded = await session.record(this.stream(chunk));
      await session.actionApplied(await this.applyAction(recorded));
    }
    // Only when everything up to the cursor is recorded may the next run start from it.
    if (take.length === fresh.length && nextCursor) await session.saveCursor({ syncCursor: nextCursor });
  }

  private async *stream(ids: string[]): AsyncGenerator<IncomingMail> {
    for (const id of ids) {
      let message: { raw?: string; sizeEstimate?: number };
      try {
        message = await this.rest.json('GET', `${this.root}/messages/${encodeURIComponent(id)}?format=raw`, { maxBytes: MAX_RAW_MESSAGE_JSON });
      } catch (e) {
        if (e instanceof RestError && e.status === 404) continue;
        throw this.translate(e);
      }
      // format=raw is base64url inside JSON: the API offers no streamed form.
      yield { key: gmailKey(this.options.identity, id), content: Buffer.from(message.raw ?? '', 'base64url'), size: message.sizeEstimate };
    }
  }

  async finish(): Promise<string[]> {
    return [];
  }

  async close(): Promise<void> {}
}
