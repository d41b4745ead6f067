import type { Core } from '@strapi/strapi';

import { PLUGIN_ID } from '../plugin-id';
import { MESSAGE_UID, RECEIPT_UID } from '../shared/content-type-uids';
import { chunks, dedupeKey } from './keys';
import { actionAfterFetchOf, type AccountType, type ActionAfterFetch } from './account-types';
import type { ActionNotApplied, RecordedMessage } from './types';

const LOOKUP_CHUNK = 500;

const OUTCOME_TEXT: Record<ActionNotApplied, string> = {
  'message-not-found': 'the folder was rebuilt (its UIDVALIDITY changed) and no message in it has their Message-ID and size any more',
  'message-ambiguous': 'the folder was rebuilt (its UIDVALIDITY changed) and more than one message in it has their Message-ID and size',
  'source-changed': 'the account now points to another server, mailbox or folder',
};

const OUTCOME_ADVICE: Record<ActionNotApplied, string> = {
  'message-not-found': 'They were handed on before; nothing is lost. If they are still on the server (changed, or without a Message-ID), apply the action there by hand.',
  'message-ambiguous': 'They were handed on before. Apply the action by hand to the right copy on the server; the others are handed on as new messages.',
  'source-changed': 'They were handed on before. Apply the action by hand in the old folder, or point the account back to it for one fetch.',
};

/** Whether the account's action after fetch deletes: a message whose action is done is then gone from the server. */
export const removesMessages = (account: { type: AccountType; actionAfterFetch?: ActionAfterFetch | null }) =>
  actionAfterFetchOf(account) === 'delete';

/** What marks receipts whose action was applied. */
export const actionDoneData = (account: { type: AccountType; actionAfterFetch?: ActionAfterFetch | null }) =>
  removesMessages(account) ? { actionDone: true, actionOutcome: 'removed' as const } : { actionDone: true };

/** Message-ID and size of recorded messages (by key), read from their `message` entries. */
export async function recordedMessages(strapi: Core.Strapi, accountId: number, keys: string[]): Promise<Map<string, RecordedMessage>> {
  const found = new Map<string, RecordedMessage>();
  for (const part of chunks(keys, LOOKUP_CHUNK)) {
    const receipts = (await strapi.db.query(RECEIPT_UID).findMany({
      where: { dedupeKey: { $in: part.map((k) => dedupeKey(accountId, k)) } },
      select: ['sourceKey', 'messageEntryId'],
    })) as { sourceKey: string; messageEntryId: number | null }[];
    const entryIds = receipts.map((r) => r.messageEntryId).filter((id): id is number => id != null);
    const entries = entryIds.length
      ? ((await strapi.db.query(MESSAGE_UID).findMany({ where: { id: { $in: entryIds } }, select: ['id', 'messageId', 'rawSize'] })) as {
          id: number;
          messageId: string | null;
          rawSize: number | null;
        }[])
      : [];
    const byId = new Map(entries.map((e) => [e.id, e]));
    for (const r of receipts) {
      const entry = r.messageEntryId == null ? undefined : byId.get(r.messageEntryId);
      // A handler's message has no entry: nothing is known to find it by.
      found.set(r.sourceKey, { messageId: entry?.messageId ?? null, size: entry?.rawSize == null ? null : Number(entry.rawSize) });
    }
  }
  return found;
}

/**
 * Ends the pending state of receipts whose action cannot be applied, keeping why on each
 * receipt, and tells the admin in one activity entry (failure) that names the messages.
 */
export async function recordActionNotApplied(
  strapi: Core.Strapi,
  account: { id: number; name: string; actionAfterFetch?: string | null },
  keys: string[],
  outcome: ActionNotApplied
): Promise<void> {
  if (!keys.length) return;
  const messages = await recordedMessages(strapi, account.id, keys);
  const action = account.actionAfterFetch ?? 'the action';
  await strapi.plugin(PLUGIN_ID).service('activity').record({
    kind: 'inbound.action-not-applied',
    subjectType: 'inbound-account',
    subjectId: account.id,
    subjectName: account.name,
    outcome: 'failure',
    actor: 'system',
    code: outcome.toUpperCase().replace(/-/g, '_'),
    message: `The action after fetch (${action}) was not applied to ${keys.length} message(s) handed on before: ${OUTCOME_TEXT[outcome]}. ${OUTCOME_ADVICE[outcome]}`,
    details: { outcome, count: keys.length, messages: keys.slice(0, 100).map((key) => ({ key, messageId: messages.get(key)?.messageId ?? null })) },
  });
  // The entry first: a crash between the two repeats the entry at the next run, never loses it.
  for (const part of chunks(keys, LOOKUP_CHUNK)) {
    await strapi.db.query(RECEIPT_UID).updateMany({
      where: { dedupeKey: { $in: part.map((k) => dedupeKey(account.id, k)) } },
      data: { actionDone: true, actionOutcome: outcome },
    });
  }
}
