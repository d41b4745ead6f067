import type { ImapFlow } from 'imapflow';

import { uidSet } from './keys';
import type { RecordedMessage } from './types';

export interface Relocated {
  /** Recorded key → the message's UID under the folder's current UIDVALIDITY. */
  found: Map<string, number>;
  /** No message in the folder has the recorded Message-ID (and size), or none was recorded. */
  missing: string[];
  /** More than one message qualifies: acting on a guess could delete mail never handed on. */
  ambiguous: string[];
}

/**
 * Finds recorded messages again after their folder's UIDVALIDITY changed (the folder was
 * rebuilt: the old UIDs name nothing). A message is the one whose Message-ID header
 * (`UID SEARCH HEADER Message-ID`) and RFC822.SIZE are the recorded ones; the size tells apart
 * copies of a message, and a resend under the same Message-ID.
 * imapflow answers a failed SEARCH or FETCH with false or throws: both throw here, so that the
 * keys stay pending rather than be called missing.
 */
export async function relocateByMessageId(client: ImapFlow, keys: string[], recorded: Map<string, RecordedMessage>): Promise<Relocated> {
  const result: Relocated = { found: new Map(), missing: [], ambiguous: [] };
  const claimed = new Map<number, string>();
  for (const key of keys) {
    const known = recorded.get(key);
    if (!known?.messageId) {
      result.missing.push(key);
      continue;
    }
    const uids = await client.search({ header: { 'Message-ID': known.messageId } }, { uid: true });
    if (!uids) throw Object.assign(new Error('SEARCH HEADER Message-ID failed'), { code: client.usable ? 'SEARCH_FAILED' : 'EConnectionClosed' });
    let candidates = uids;
    if (candidates.length && known.size != null) {
      const sizes = new Map<number, number>();
      for await (const m of client.fetch(uidSet(candidates), { uid: true, size: true }, { uid: true })) sizes.set(m.uid, m.size ?? -1);
      candidates = candidates.filter((uid) => sizes.get(uid) === known.size);
    }
    if (candidates.length === 0) result.missing.push(key);
    else if (candidates.length > 1) result.ambiguous.push(key);
    else {
      const uid = candidates[0];
      const other = claimed.get(uid);
      if (other !== undefined) {
        // Two recorded messages match one message on the server: neither is sure.
        result.found.delete(other);
        result.ambiguous.push(other, key);
      } else {
        claimed.set(uid, key);
        result.found.set(key, uid);
      }
    }
  }
  return result;
}
