import type { StepRecorder } from './step-recorder';
import { MailAuthError } from '../errors';
import type { FailureContext } from './advice';
import { folderMissing, mailboxAccessDenied } from './advice';
import { chunks, graphKey, keyId } from './keys';
import { RestClient, RestError } from './rest-client';
import type { FetchSession, FolderStatus, IncomingMail, MailSource, MessageCount, SourceSettings } from './types';

const CHUNK = 25;
const PAGE_SIZE = 50;

interface GraphFolder {
  id: string;
  displayName: string;
  totalItemCount?: number;
  unreadItemCount?: number;
}
interface DeltaPage {
  value: { id: string; '@removed'?: unknown }[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

const graphError = (body: unknown, status: number) => {
  const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return { code: error?.code ?? `http_${status}`, message: error?.message ?? `HTTP ${status}` };
};

/**
 * Microsoft Graph mail: `/users/{mailbox}/mailFolders/{folder}/messages/delta` finds new
 * messages (its next and delta links are the cursor), `/messages/{id}/$value` streams their
 * MIME, and PATCH isRead / move / DELETE is the action. A delegated token without a mailbox
 * address reads its own mailbox (`/me`); an app-only token needs the address.
 */
export class GraphSource implements MailSource {
  readonly protocol = 'graph' as const;
  private readonly rest: RestClient;
  private folder?: GraphFolder;
  private moveTarget?: string;

  constructor(
    private readonly options: SourceSettings,
    private readonly context: FailureContext
  ) {
    this.rest = RestClient.forSource(options, context, 'Microsoft Graph', graphError);
  }

  private get root(): string {
    const mailbox = this.options.mailbox || this.options.login;
    return mailbox ? `/v1.0/users/${encodeURIComponent(mailbox)}` : '/v1.0/me';
  }

  private translate(e: unknown, folder?: string): unknown {
    if (!(e instanceof RestError)) return e;
    if (e.status === 403 || e.providerCode === 'ErrorAccessDenied') return mailboxAccessDenied(this.context, `${e.providerCode}: ${e.message}`);
    if (e.providerCode === 'ErrorInvalidUser' || e.providerCode === 'MailboxNotEnabledForRESTAPI') {
      return new MailAuthError('MAILBOX_ACCESS_DENIED', `Mailbox ${this.options.mailbox || this.options.login} not found at Graph: ${e.message}`, {
        advice: 'Check the mailbox address: it must be the primary SMTP address (or user principal name) of an Exchange Online mailbox.',
        providerCode: e.providerCode,
      });
    }
    if (folder && e.status === 404) return folderMissing(this.context, folder);
    return new MailAuthError('PROVIDER_ERROR', `Graph answered ${e.status} ${e.providerCode}: ${e.message}`, { providerCode: e.providerCode });
  }

  async connect(_steps?: StepRecorder): Promise<void> {
    try {
      // The cheapest call that proves both the token and the access to the mailbox.
      await this.rest.json('GET', `${this.root}/mailFolders/inbox?$select=id`);
    } catch (e) {
      throw this.translate(e);
    }
  }

  private async resolveFolder(name: string): Promise<GraphFolder> {
    try {
      // Well-known names (inbox, archive …) and ids open directly.
      return await this.rest.json<GraphFolder>('GET', `${this.root}/mailFolders/${encodeURIComponent(name)}?$select=id,displayName,totalItemCount,unreadItemCount`);
    } catch (e) {
      if (!(e instanceof RestError) || e.status !== 404) throw this.translate(e, name);
    }
    const filter = encodeURIComponent(`displayName eq '${name.replace(/'/g, "''")}'`);
    let found: { value: GraphFolder[] };
    try {
      found = await this.rest.json('GET', `${this.root}/mailFolders?$filter=${filter}&$select=id,displayName,totalItemCount,unreadItemCount`);
    } catch (e) {
      throw this.translate(e, name);
    }
    if (!found.value.length) {
      let names: string[] | undefined;
      try {
        names = (await this.rest.json<{ value: GraphFolder[] }>('GET', `${this.root}/mailFolders?$select=displayName&$top=100`)).value.map((f) => f.displayName);
      } catch {
        names = undefined;
      }
      throw folderMissing(this.context, name, names);
    }
    return found.value[0];
  }

  async openFolder(): Promise<FolderStatus> {
    this.folder = await this.resolveFolder(this.options.folder);
    return { name: this.folder.displayName, messages: this.folder.totalItemCount };
  }

  async count(): Promise<MessageCount> {
    const f = await this.resolveFolder(this.folder?.id ?? this.options.folder);
    return { messages: f.totalItemCount ?? 0, unseen: f.unreadItemCount };
  }

  async checkMoveTarget(): Promise<void> {
    if (this.options.moveTo) this.moveTarget = (await this.resolveFolder(this.options.moveTo)).id;
  }

  async applyAction(keys: string[]): Promise<string[]> {
    const { action, identity } = this.options;
    if (action === 'keep') return keys;
    if (action === 'move' && !this.moveTarget) this.moveTarget = (await this.resolveFolder(this.options.moveTo!)).id;
    const done: string[] = [];
    for (const key of keys) {
      const id = keyId(key, 'graph', identity);
      if (!id) {
        done.push(key);
        continue;
      }
      const path = `${this.root}/messages/${encodeURIComponent(id)}`;
      try {
        if (action === 'mark-seen') await this.rest.json('PATCH', path, { json: { isRead: true } });
        else if (action === 'delete') await this.rest.request('DELETE', path);
        else await this.rest.json('POST', `${path}/move`, { json: { destinationId: this.moveTarget } });
      } catch (e) {
        // Gone already (deleted or moved by someone, or by us before a crash): nothing left to do.
        if (!(e instanceof RestError && e.status === 404)) throw this.translate(e);
      }
      done.push(key);
    }
    return done;
  }

  async fetchNew(session: FetchSession): Promise<void> {
    if (!this.folder) throw new Error('Graph folder not open');
    const start = `${this.root}/mailFolders/${encodeURIComponent(this.folder.id)}/messages/delta?$select=id,receivedDateTime`;
    let url = session.cursor.syncCursor || start;
    let left = session.limit;
    const key = (id: string) => graphKey(this.options.identity, id);
    for (;;) {
      let page: DeltaPage;
      try {
        page = await this.rest.json<DeltaPage>('GET', url, { headers: { prefer: `odata.maxpagesize=${PAGE_SIZE}` } });
      } catch (e) {
        if (url !== start && e instanceof RestError && (e.status === 400 || e.status === 404 || e.status === 410)) {
          // An expired or foreign delta link: start over; recorded messages are skipped by key.
          url = start;
          continue;
        }
        throw this.translate(e);
      }
      const ids = page.value.filter((m) => !m['@removed']).map((m) => m.id);
      const known = await session.known(ids.map(key));
      const pending = ids.map(key).filter((k) => known.get(k)?.actionDone === false);
      if (pending.length) await session.actionApplied(await this.applyAction(pending));
      const fresh = ids.filter((id) => !known.has(key(id)));
      const take = fresh.slice(0, left);
      for (const chunk of chunks(take, CHUNK)) {
        const recorded = await session.record(this.stream(chunk));
        await session.actionApplied(await this.applyAction(recorded));
      }
      left -= take.length;
      // Stopped inside this page: the cursor stays on it, and the next run reads it again.
      if (take.length < fresh.length) return;
      const link = page['@odata.nextLink'] ?? page['@odata.deltaLink'];
      if (!link) return;
      // Checked before it becomes the stored cursor: a link elsewhere would stop every later poll.
      const next = this.rest.checkLink(link);
      await session.saveCursor({ syncCursor: next });
      if (!page['@odata.nextLink'] || left <= 0) return;
      url = next;
    }
  }

  private async *stream(ids: string[]): AsyncGenerator<IncomingMail> {
    for (const id of ids) {
      let content;
      try {
        content = await this.rest.stream(`${this.root}/messages/${encodeURIComponent(id)}/$value`);
      } catch (e) {
        if (e instanceof RestError && e.status === 404) continue; // gone between listing and reading
        throw this.translate(e);
      }
      yield { key: graphKey(this.options.identity, id), content };
    }
  }

  async finish(): Promise<string[]> {
    return [];
  }

  async close(): Promise<void> {}
}
