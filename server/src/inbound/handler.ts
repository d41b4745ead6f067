import type { Core } from '@strapi/strapi';

import type { ParsedMessage } from './parse';

/** The account a message came in through, as a handler sees it. */
export interface ReceivedVia {
  id: number;
  name: string;
  type: string;
  queue: string | null;
  trusted: boolean;
  scope: 'organization' | 'application';
  application: string | null;
}

export interface ReceivedMessage {
  account: ReceivedVia;
  /** Unique per account and message: the exactly-once key, for handlers with side effects outside Strapi's database. */
  key: string;
  message: ParsedMessage;
  /** The message source as received (RFC 5322). */
  raw: Buffer;
  strapi: Core.Strapi;
}

/**
 * The plugin config's `handler`: takes each message instead of the default `message` entry.
 * It runs inside the transaction that records the message, so its writes through Strapi
 * (strapi.db, strapi.documents) commit or roll back with that record: a message is handed on
 * exactly once. Throwing leaves the message on the server for the next poll. Side effects
 * outside the database should be keyed on `key`, as a retry after a crash can repeat them.
 */
export type MessageHandler = (received: ReceivedMessage) => Promise<unknown> | unknown;
