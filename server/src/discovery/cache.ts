/**
 * Answers by key for a while, bounded in number (the oldest goes first). A pending answer is
 * shared by the callers that ask meanwhile; `keep` decides once it settles whether it stays.
 */
export class TtlCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; expiresAt: number }>();

  constructor(private readonly maxEntries = 1000) {}

  /** The cached or pending answer for `key`, else `build()`'s; `hit` says which. */
  get(key: string, ttlMs: number, build: () => Promise<T>, keep: (value: T) => boolean): { value: Promise<T>; hit: boolean } {
    const now = Date.now();
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > now) return { value: entry.value, hit: true };
    this.entries.delete(key);
    const value = build();
    if (ttlMs <= 0) return { value, hit: false };
    this.entries.set(key, { value, expiresAt: now + ttlMs });
    const forget = () => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    };
    value.then((v) => keep(v) || forget(), forget);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return { value, hit: false };
  }

  clear(): void {
    this.entries.clear();
  }
}
