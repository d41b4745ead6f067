import type { Readable } from 'node:stream';

import type { StepRecorder } from './step-recorder';
import type { ActionAfterFetch, Protocol } from './account-types';

/** Where a source left off; each protocol uses its own part. */
export interface SyncCursor {
  /** IMAP: the UIDVALIDITY the last UID belongs to. */
  imapUidValidity?: string | null;
  imapLastUid?: number | null;
  /** Graph: the delta (or next page) link; Gmail: the history id. */
  syncCursor?: string | null;
}

/** A recorded message as far as it can be recognised on the server again. */
export interface RecordedMessage {
  messageId: string | null;
  /** Bytes of the source as it was fetched (what IMAP calls RFC822.SIZE). */
  size: number | null;
}

/** What became of a recorded message's action after fetch, when more than "done" is to be said. */
export type ActionOutcome =
  /** Done: the message is no longer on the server (the `delete` action, or found gone then). */
  | 'removed'
  /** The folder was rebuilt (a new UIDVALIDITY) and no message in it has the Message-ID and size. */
  | 'message-not-found'
  /** After a rebuild, more than one message has the Message-ID and size: none is touched. */
  | 'message-ambiguous'
  /** The account points to another server, mailbox or folder now. */
  | 'source-changed';

/** The outcomes of an action that could not be applied. */
export type ActionNotApplied = Exclude<ActionOutcome, 'removed'>;

/** One message as the server hands it over. */
export interface IncomingMail {
  /** Unique within the account and stable across connections: what exactly-once is keyed on. */
  key: string;
  /** The message source (RFC 5322), streamed when the protocol allows it. */
  content: Readable | Buffer;
  /** Size the server reports, when it does. */
  size?: number;
}

/** What the PostMaster gives a source for one fetch run. */
export interface FetchSession {
  /** Most new messages to hand on in this run. */
  limit: number;
  cursor: SyncCursor;
  /**
   * Which of these keys are recorded already, whether their action was applied, and whether the
   * message is known to be gone from the server (the `delete` action completed, or it was not
   * found there when it was to be deleted).
   */
  known(keys: string[]): Promise<Map<string, { actionDone: boolean; removed?: boolean }>>;
  /**
   * Records messages (one chunk): consumes the whole iterable, hands each new message on and
   * stores its receipt. Returns the keys that are recorded now (new ones and duplicates).
   * Throws when a message could not be handed on; the ones before it stay recorded.
   */
  record(mails: AsyncIterable<IncomingMail>): Promise<string[]>;
  /** The action after fetch was applied on the server to these recorded messages (with `delete`: they are gone). */
  actionApplied(keys: string[]): Promise<void>;
  /** What was stored of these recorded messages to find them again (those stored as `message` entries). */
  recordedMessages(keys: string[]): Promise<Map<string, RecordedMessage>>;
  /**
   * The action after fetch cannot be applied to these recorded messages: the outcome is kept on
   * their receipts (no longer pending) and shown in the activity log, never passed off as done.
   */
  actionNotApplied(keys: string[], outcome: ActionNotApplied): Promise<void>;
  /** Saves where the source left off; called only once everything before it is recorded. */
  saveCursor(cursor: SyncCursor): Promise<void>;
}

export interface FolderStatus {
  /** The folder as the server names it. */
  name: string;
  /** Messages in it (when the protocol says so without a count step). */
  messages?: number;
}

export interface MessageCount {
  messages: number;
  unseen?: number;
}

/**
 * One inbound protocol. The PostMaster and Test & confirm drive every source the same way:
 * connect → openFolder → (count | applyAction(pending) → fetchNew) → finish, and close()
 * in any case. A message's action is applied only after `session.record` returned it.
 */
export interface MailSource {
  readonly protocol: Protocol;
  /** Connects, secures and authenticates (with a token: refreshing it once if refused). */
  connect(steps?: StepRecorder): Promise<void>;
  /** Opens the configured folder; a missing folder is a FOLDER_MISSING error. */
  openFolder(): Promise<FolderStatus>;
  count(): Promise<MessageCount>;
  /** For the `move` action: the target folder exists (FOLDER_MISSING otherwise). */
  checkMoveTarget(): Promise<void>;
  /**
   * Applies the action after fetch to recorded messages (by key). Returns the keys whose
   * action is complete (POP3 completes deletions only at `finish`). Keys the source can no
   * longer resolve (IMAP after a UIDVALIDITY change) it looks up through `session` and either
   * acts on what it finds or reports to `session.actionNotApplied`.
   */
  applyAction(keys: string[], session?: Pick<FetchSession, 'recordedMessages' | 'actionNotApplied'>): Promise<string[]>;
  /** Finds new messages, oldest first, and hands them to `session.record` chunk by chunk. */
  fetchNew(session: FetchSession): Promise<void>;
  /**
   * Sources whose server can tell when mail arrives (IMAP IDLE): waits on the folder until
   * `stop` aborts, calling `onNewMail` once it is open and whenever mail may have arrived; the
   * fetch itself goes through fetchNew on another connection. Resolves once stopped; rejects
   * when the connection is lost.
   */
  watch?(onNewMail: () => void, stop: AbortSignal): Promise<void>;
  /** Ends the session cleanly; returns keys whose action completed only now. */
  finish(): Promise<string[]>;
  /** Drops the connection (after a failure, or after finish). Never throws. */
  close(): Promise<void>;
}

/** How a source authenticates: a password, or an access token from the `tokens` service. */
export type Credentials =
  | { kind: 'password'; password: string }
  | { kind: 'token'; tokens: AccessTokens };

/** The account's access token; `refreshOnce` renews it once per run after a refusal. */
export interface AccessTokens {
  tokenName: string;
  /** The token's provider template (microsoft, microsoft-app-only, google, generic …). */
  template: string;
  grantType: 'authorization_code' | 'client_credentials';
  get(): Promise<string>;
  /** A renewed token, or undefined when this run already renewed it once. */
  refreshOnce(): Promise<string | undefined>;
}

/** Everything a source needs to know about the account. */
export interface SourceSettings {
  accountName: string;
  host: string;
  port: number;
  certificateValidation: boolean;
  /** CA (or self-signed server) certificate(s), PEM, trusted besides Node's roots. */
  trustedCertificate?: string | null;
  login: string;
  /** The mailbox to open when it is not the login's own (shared mailboxes). */
  mailbox?: string;
  folder: string;
  action: ActionAfterFetch;
  moveTo?: string;
  credentials: Credentials;
  /** Seconds: connecting and each answer. */
  timeout: number;
  /** Seconds: the longest Retry-After worth waiting for (REST). */
  maxRetryAfter: number;
  /** Graph and Gmail: the API's root URL. */
  baseUrl?: string;
  /** Distinguishes this account's server, mailbox and folder in keys (see keys.ts). */
  identity: string;
}
