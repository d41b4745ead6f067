import { pop3Key } from '../keys';

/** What the receipts say of a key: recorded, its action applied, the message gone from the server. */
export interface KnownReceipt {
  actionDone: boolean;
  /** The recorded message is no longer on the server (deleted by the action, or found gone). */
  removed?: boolean;
}

/**
 * RFC 1939 lets a server give a UIDL again once the message it named is gone (Dovecot with
 * `pop3_uidl_format = %u` after a mailbox is recreated, servers that number messages by a
 * counter that restarts). A message is therefore keyed by its UIDL and a generation: the n-th
 * message the server named so; the first keeps the plain key (what was stored before).
 * A space cannot occur in a UIDL (0x21–0x7E), so the two never collide.
 */
export const generationKey = (identity: string, uidl: string, generation: number) =>
  generation <= 1 ? pop3Key(identity, uidl) : `${pop3Key(identity, uidl)} ${generation}`;

/** The UIDL a key's id (the part after the identity) names on the server. */
export const uidlOf = (id: string) => id.split(' ')[0];

/**
 * For each UIDL on the server, the key of the message it names now: the first generation that
 * is not recorded, or recorded and not known to be gone. A recorded message that is gone cannot
 * be the one on the server under its UIDL: that one is new. Asks `known` once per generation
 * looked at (almost always once; twice for a UIDL given again).
 */
export async function currentKeys(
  uidls: string[],
  identity: string,
  known: (keys: string[]) => Promise<Map<string, KnownReceipt>>
): Promise<{ keys: Map<string, string>; known: Map<string, KnownReceipt> }> {
  const keys = new Map(uidls.map((u) => [u, generationKey(identity, u, 1)]));
  const all = new Map<string, KnownReceipt>();
  let open = uidls;
  for (let generation = 1; open.length; generation++) {
    const found = await known(open.map((u) => keys.get(u)!));
    for (const [k, v] of found) all.set(k, v);
    open = open.filter((u) => found.get(keys.get(u)!)?.removed === true);
    for (const u of open) keys.set(u, generationKey(identity, u, generation + 1));
  }
  return { keys, known: all };
}

/** The Message-ID header in a message's header lines (TOP n 0), unfolded; null when it has none. */
export function messageIdHeader(lines: string[]): string | null {
  const unfolded: string[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && unfolded.length) unfolded[unfolded.length - 1] += ` ${line.trim()}`;
    else unfolded.push(line);
  }
  const header = unfolded.find((l) => /^message-id\s*:/i.test(l));
  return header ? header.slice(header.indexOf(':') + 1).trim() || null : null;
}

/**
 * Whether the message on the server under a pending key's UIDL is another one than the one
 * recorded: only when both Message-IDs are known and differ. Otherwise it is taken as the same
 * message (a deletion that did not complete), as before.
 */
export const isAnotherMessage = (recorded: string | null | undefined, onServer: string | null) =>
  Boolean(recorded && onServer && recorded !== onServer);
