/**
 * Remembers keys for a while, so a retried Slack event (same `event_id`) or the second event about one
 * message (a mention arrives both as `message` and `app_mention`) is handled once. Bolt does not dedupe.
 */
export interface Deduper {
  /** True the first time a key is seen within the window; false for repeats. */
  firstTime(key: string): boolean;
  readonly size: number;
}

export function createDeduper({ ttlMs = 10 * 60_000, max = 50_000, now = Date.now } = {}): Deduper {
  // Insertion order is expiry order: the oldest entries are at the front of the Map.
  const seen = new Map<string, number>();
  const prune = (at: number) => {
    for (const [key, expires] of seen) {
      if (expires > at && seen.size <= max) break;
      seen.delete(key);
    }
  };
  return {
    firstTime(key: string): boolean {
      const at = now();
      prune(at);
      if (seen.has(key)) return false;
      seen.set(key, at + ttlMs);
      return true;
    },
    get size() {
      return seen.size;
    },
  };
}
