/** The shared state of a single replica: the same answers as Redis would give, held in this process. */
import type { MemoryStateOptions, SharedState } from "./shared-state.js";

/**
 * A Map of key → expiry, bounded. Insertion order is roughly expiry order (TTLs differ per call), so pruning
 * from the front stops at the first live entry; an expired entry left behind is still treated as absent.
 */
function expiringKeys(max: number, now: () => number) {
  const entries = new Map<string, number>();
  const prune = (at: number) => {
    for (const [key, expires] of entries) {
      if (expires > at && entries.size <= max) break;
      entries.delete(key);
    }
  };
  return {
    /** Milliseconds until `key` expires; 0 when absent or expired. */
    remaining(key: string): number {
      const expires = entries.get(key);
      const left = expires === undefined ? 0 : expires - now();
      return Math.max(left, 0);
    },
    set(key: string, ttlMs: number): void {
      const at = now();
      entries.delete(key); // re-set goes to the back, with the newer expiry
      entries.set(key, at + ttlMs);
      prune(at);
    },
  };
}

export function createMemoryState({
  now = Date.now,
  maxKeys = 50_000,
}: MemoryStateOptions = {}): SharedState {
  const claims = expiringKeys(maxKeys, now);
  const limits = expiringKeys(maxKeys, now);
  return {
    kind: "memory",
    async claim(key, ttlMs) {
      if (claims.remaining(key) > 0) return false;
      claims.set(key, ttlMs);
      return true;
    },
    async rateLimited(scope, ms) {
      if (ms > 0) limits.set(scope, ms);
    },
    async rateLimitWait(scope) {
      return limits.remaining(scope);
    },
    // One replica: nobody else to tell, and our own notices are never delivered back.
    async publishReload() {},
    onReload() {
      return () => {};
    },
    async ping() {
      return true;
    },
    async close() {},
  };
}
