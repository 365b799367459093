/**
 * Triages, feedback and escalations survive a database that goes away for a while (a PostgreSQL restart or
 * failover): a write that fails for a reason that can pass is queued and retried in order until it succeeds,
 * and every later write waits behind it (feedback must follow its triage). The queue is bounded in length and
 * age; what falls off it is logged as lost. Answers never wait for any of this: callers write in the background.
 *
 * Used for PostgreSQL only: SQLite lives in the process (a failure there is a full disk or a lock held by
 * another program), and a retried write against a locked SQLite file would block the event loop each time.
 */
import type { Logger } from "pino";
import type { TriageStore } from "./store.js";

export interface RetriedWritesOptions {
  logger: Logger;
  /** Writes kept waiting at most; the oldest are dropped (and logged) beyond it. */
  maxQueued?: number;
  /** A write still failing after this long is dropped (and logged). */
  maxAgeMs?: number;
  /** Pause between attempts while the database is away. */
  retryMs?: number;
}

export interface RetriedStore extends TriageStore {
  /** Writes waiting for the database. */
  readonly pending: number;
}

interface Queued {
  what: string;
  write: () => Promise<void>;
  since: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Errors that will not pass by retrying: the row itself is refused (a constraint, bad data). */
export function isPermanentWriteError(error: unknown): boolean {
  const code = String((error as { code?: unknown }).code ?? "");
  // PostgreSQL SQLSTATE class 22 (data exception) and 23 (integrity constraint violation); SQLite constraints.
  return /^2[23]/.test(code) || code.startsWith("SQLITE_CONSTRAINT") || code === "SQLITE_MISMATCH";
}

export function withRetriedWrites(store: TriageStore, options: RetriedWritesOptions): RetriedStore {
  const maxQueued = options.maxQueued ?? 20_000;
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  const retryMs = options.retryMs ?? 1_000;
  const queue: Queued[] = [];
  let draining = false;
  let closed = false;
  let failedSince = 0;
  let dropped = 0;

  const drop = (item: Queued, why: string) => {
    dropped += 1;
    item.reject(new Error(`${item.what} was not recorded: ${why}`));
  };

  const drain = async () => {
    if (draining) return;
    draining = true;
    try {
      while (queue.length > 0) {
        const head = queue[0] as Queued;
        if (Date.now() - head.since > maxAgeMs) {
          queue.shift();
          drop(head, `the database was unavailable for over ${Math.round(maxAgeMs / 60_000)} minutes`);
          continue;
        }
        try {
          await head.write();
          queue.shift();
          head.resolve();
        } catch (error) {
          if (isPermanentWriteError(error)) {
            queue.shift();
            head.reject(error);
            continue;
          }
          if (closed) return;
          await new Promise((r) => setTimeout(r, retryMs).unref());
        }
      }
      if (failedSince) {
        options.logger.info(
          { downMs: Date.now() - failedSince, dropped },
          "the database is back: the writes queued meanwhile are recorded",
        );
        failedSince = 0;
        dropped = 0;
      }
    } finally {
      draining = false;
    }
  };

  const enqueue = (what: string, write: () => Promise<void>, firstError?: unknown) =>
    new Promise<void>((resolve, reject) => {
      if (!failedSince) {
        failedSince = Date.now();
        options.logger.warn(
          { err: firstError },
          "the database is unavailable: triages, feedback and escalations are queued and retried until it is back",
        );
      }
      queue.push({ what, write, since: Date.now(), resolve, reject });
      while (queue.length > maxQueued)
        drop(queue.shift() as Queued, `more than ${maxQueued} writes were waiting`);
      void drain();
    });

  const retried =
    <A>(what: string, write: (arg: A) => Promise<void>) =>
    async (arg: A): Promise<void> => {
      const attempt = () => write(arg);
      // Behind a queue, in order; otherwise straight to the database, queued only when that fails.
      if (queue.length > 0) return enqueue(what, attempt);
      try {
        await attempt();
      } catch (error) {
        if (isPermanentWriteError(error) || closed) throw error;
        return enqueue(what, attempt, error);
      }
    };

  return {
    ...store,
    get pending() {
      return queue.length;
    },
    recordTriage: retried("the triage", (row) => store.recordTriage(row)),
    recordFeedback: retried("the feedback", (row) => store.recordFeedback(row)),
    recordEscalation: retried("the escalation", (row) => store.recordEscalation(row)),
    async close() {
      // A last chance for what is queued (the shutdown drain gives replies 5 s; this takes at most 3 s more).
      const deadline = Date.now() + 3_000;
      while (queue.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      closed = true;
      for (const item of queue.splice(0)) drop(item, "the app stopped before the database came back");
      await store.close();
    },
  };
}
