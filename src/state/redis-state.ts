/**
 * Shared state in Redis. Slack requests must never wait long or fail because of it, so commands fail fast
 * (no offline queue, a short command timeout, no resend after a lost connection) and fall back to what a lone
 * replica would do (this process's own claims and rate limits, kept in memory alongside), while the client
 * keeps reconnecting in the background; once it is back, state is shared again without a restart. Pub/sub
 * has its own connection: a subscribed connection cannot run other commands.
 */
import { Redis, type RedisOptions } from "ioredis";
import { createMemoryState } from "./memory-state.js";
import type { RedisStateOptions, SharedState } from "./shared-state.js";

/** The "Redis unreachable" warning is logged at most this often, however many calls fall back. */
const WARN_EVERY_MS = 60_000;
/** Until the first connection is up (start-up), calls wait up to this long for it instead of falling back. */
const FIRST_CONNECT_WAIT_MS = 1_000;
/** Reconnect backoff: 100 ms doubling, at most this (plus jitter so replicas do not reconnect in step). */
const MAX_BACKOFF_MS = 2_000;

const UNREACHABLE =
  "Redis unreachable: events may be handled twice, rate limits and reloads are not shared until it is back";

/** host:port of a Redis URL, for logs: never the URL itself, which may carry a password. */
export function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || "localhost"}:${parsed.port || "6379"}`;
  } catch {
    return "(unparsable Redis URL)";
  }
}

interface ReloadNotice {
  version: string;
  from: string;
}

function isReloadNotice(value: unknown): value is ReloadNotice {
  if (typeof value !== "object" || value === null) return false;
  const notice = value as Record<string, unknown>;
  return typeof notice.version === "string" && typeof notice.from === "string";
}

/** Redis wants a positive whole number of milliseconds. */
const px = (ms: number) => Math.max(1, Math.ceil(ms));

export function createRedisState(url: string, options: RedisStateOptions): SharedState {
  const { logger, replicaId, keyPrefix = "kb-triage:", commandTimeoutMs = 300, maxLocalKeys } = options;
  const address = redisAddress(url);
  const log = logger.child({ component: "shared-state", redis: address });
  const claimKey = (key: string) => `${keyPrefix}claim:${key}`;
  const rateKey = (scope: string) => `${keyPrefix}rate:${scope}`;
  const reloadChannel = `${keyPrefix}reload`;
  const latestReloadKey = `${keyPrefix}reload:latest`;

  const clientOptions: RedisOptions = {
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // Subscribed on every "ready" below instead: also covers a SUBSCRIBE that failed the first time.
    autoResubscribe: false,
    connectTimeout: 2_000,
    // A Redis that stopped answering (no RST, e.g. a vanished host) is dropped and reconnected.
    socketTimeout: 2_000,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), MAX_BACKOFF_MS) + Math.random() * 100,
  };

  let closed = false;
  let lastWarnAt = Number.NEGATIVE_INFINITY;
  let failuresSinceWarning = 0;
  let warned = false;
  const unreachable = (operation: string, error: unknown) => {
    if (closed) return;
    failuresSinceWarning++;
    const at = Date.now();
    if (at - lastWarnAt < WARN_EVERY_MS) return;
    log.warn({ err: error, operation, failures: failuresSinceWarning }, UNREACHABLE);
    lastWarnAt = at;
    failuresSinceWarning = 0;
    warned = true;
  };

  const client = new Redis(url, { ...clientOptions });
  client.on("error", (error: unknown) => unreachable("connection", error));
  client.on("ready", () => {
    if (!warned) return;
    warned = false;
    log.info("Redis reachable again: claims, rate limits and reloads are shared again");
  });

  // Without this, calls made while the app starts (connection not up yet) would all fall back and warn.
  let firstConnect: Promise<void> | undefined = new Promise<void>((resolve) => {
    const events = ["ready", "error", "close", "end"];
    const done = () => {
      firstConnect = undefined;
      clearTimeout(timer);
      for (const event of events) client.off(event, done);
      resolve();
    };
    const timer = setTimeout(done, FIRST_CONNECT_WAIT_MS);
    timer.unref();
    for (const event of events) client.on(event, done);
  });

  const listeners = new Set<(version: string, from: string) => void>();
  let subscriber: Redis | undefined;
  let subscribed = false;

  const deliver = (message: string) => {
    let notice: unknown;
    try {
      notice = JSON.parse(message);
    } catch {
      notice = undefined;
    }
    if (!isReloadNotice(notice)) {
      log.warn({ channel: reloadChannel }, "ignored a reload notice that is not {version, from} JSON");
      return;
    }
    if (notice.from === replicaId) return; // ours: this replica reloaded already
    for (const listener of [...listeners]) {
      try {
        listener(notice.version, notice.from);
      } catch (error) {
        log.error({ err: error, version: notice.version, from: notice.from }, "a reload listener failed");
      }
    }
  };

  // Pub/sub keeps nothing: a notice published while this replica's subscription was down would be missed. The
  // latest notice is also kept in a key, and read once the subscription is back (not on the first subscribe:
  // a replica that just started loads its folder anyway).
  let hadSubscribed = false;
  const catchUp = async () => {
    try {
      const latest = await client.get(latestReloadKey);
      if (latest) deliver(latest);
    } catch (error) {
      unreachable("reload catch-up", error);
    }
  };

  const subscribe = async (connection: Redis) => {
    try {
      await connection.subscribe(reloadChannel);
      subscribed = true;
      if (hadSubscribed) await catchUp();
      hadSubscribed = true;
    } catch (error) {
      unreachable("subscribe", error);
      if (!closed && connection.status === "ready")
        setTimeout(() => void subscribe(connection), 1_000).unref();
    }
  };

  const ensureSubscriber = () => {
    if (subscriber || closed) return;
    const connection = new Redis(url, { ...clientOptions });
    subscriber = connection;
    connection.on("error", (error: unknown) => unreachable("subscription", error));
    connection.on("ready", () => void subscribe(connection));
    connection.on("close", () => {
      subscribed = false;
    });
    connection.on("message", (channel: string, message: string) => {
      if (channel === reloadChannel) deliver(message);
    });
  };

  // What this replica claimed and was told itself: while Redis is unreachable, it answers as a lone replica.
  const local = createMemoryState(maxLocalKeys ? { maxKeys: maxLocalKeys } : {});

  const settled = async () => {
    if (firstConnect) await firstConnect;
  };

  return {
    kind: "redis",
    async claim(key, ttlMs) {
      await settled();
      try {
        const claimed = (await client.set(claimKey(key), replicaId, "PX", px(ttlMs), "NX")) === "OK";
        if (claimed) await local.claim(key, ttlMs);
        return claimed;
      } catch (error) {
        unreachable("claim", error);
        // True unless this replica claimed it itself: the other replicas' claims are unknown (at-least-once).
        return local.claim(key, ttlMs);
      }
    },
    async rateLimited(scope, ms) {
      if (ms <= 0) return;
      await settled();
      try {
        // The latest "wait" from Slack wins; Redis's clock times it, so replicas' clocks need not agree.
        await local.rateLimited(scope, ms);
        await client.set(rateKey(scope), replicaId, "PX", px(ms));
      } catch (error) {
        unreachable("rate limit", error);
      }
    },
    async rateLimitWait(scope) {
      await settled();
      try {
        const left = await client.pttl(rateKey(scope));
        return Math.max(left, 0);
      } catch (error) {
        unreachable("rate limit", error);
        return local.rateLimitWait(scope); // only the limits this replica was given itself
      }
    },
    async publishReload(version) {
      await settled();
      try {
        const notice = JSON.stringify({ version, from: replicaId } satisfies ReloadNotice);
        await client.set(latestReloadKey, notice);
        await client.publish(reloadChannel, notice);
      } catch (error) {
        // Rare (once per reload), so logged every time: the other replicas keep their older version.
        log.warn(
          { err: error, version },
          "could not tell the other replicas that the knowledge base was reloaded",
        );
      }
    },
    onReload(listener) {
      listeners.add(listener);
      ensureSubscriber();
      return () => {
        listeners.delete(listener);
      };
    },
    async ping() {
      if (closed) return false;
      await settled();
      try {
        await client.ping();
        if (subscriber) {
          if (!subscribed) return false;
          await subscriber.ping();
        }
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      await Promise.all(
        [client, subscriber].map((c) =>
          c?.quit().then(
            () => undefined,
            () => c.disconnect(),
          ),
        ),
      );
    },
  };
}
