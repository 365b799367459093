/**
 * Remembers keys for a while, so a retried Slack event (same `event_id`) or the second event about one
 * message (a mention arrives both as `message` and `app_mention`) is handled once. Bolt does not dedupe.
 * The keys live in the shared state: in this process for one replica, in Redis for several, so a retry that
 * reaches another replica is still answered once.
 */
import { createMemoryState, type SharedState } from "../state/shared-state.js";

export interface Deduper {
  /** True the first time a key is seen within the window (by any replica sharing the state); false for repeats. */
  firstTime(key: string): Promise<boolean>;
}

/** Slack retries an event for about an hour at most, three times; ten minutes covers the retries that matter. */
const DEDUPE_TTL_MS = 10 * 60_000;

export function createDeduper(state: SharedState = createMemoryState(), ttlMs = DEDUPE_TTL_MS): Deduper {
  return {
    firstTime: (key) => state.claim(`dedupe:${key}`, ttlMs),
  };
}
