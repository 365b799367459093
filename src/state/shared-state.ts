/**
 * State that several identical HTTP replicas must share: which Slack events were already claimed, which
 * Web API calls Slack asked to hold back, and "the knowledge base was reloaded" notices. With `REDIS_URL` it
 * lives in Redis; without, in this process (one replica). Redis is a helper here, never a dependency of
 * answering: when it is unreachable every operation falls back at once to what a single replica would do.
 */
import type { Logger } from "pino";
import { createMemoryState } from "./memory-state.js";
import { createRedisState } from "./redis-state.js";

export interface SharedState {
  readonly kind: "memory" | "redis";
  /**
   * True the first time `key` is claimed within `ttlMs`, across every replica sharing this state (Redis:
   * SET key NX PX). Redis unreachable: true unless this replica claimed `key` itself (at-least-once: a
   * duplicate beats a lost answer), with a warning at most once a minute.
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** Slack said "wait": calls in `scope` (a workspace + Web API method) must wait `ms`. Never throws. */
  rateLimited(scope: string, ms: number): Promise<void>;
  /**
   * How long to wait before calling in `scope`, in ms (0 when free). Redis unreachable: only what this
   * replica was told itself (usually 0: its Web API client waits out its own 429s anyway).
   */
  rateLimitWait(scope: string): Promise<number>;
  /**
   * Tells every OTHER replica that the knowledge base was reloaded (this one did it already). Never throws:
   * Redis down, the notice is lost and a warning logged. Memory: nothing to tell.
   */
  publishReload(version: string): Promise<void>;
  /**
   * `listener(version, fromReplicaId)` runs when another replica publishes a reload; never for this
   * instance's own `publishReload` (nor for another instance with the same replicaId). Returns an
   * unsubscribe. Redis: resubscribes after a reconnect, and then delivers the latest notice (kept in a key, as
   * pub/sub keeps nothing) in case one was published meanwhile; the listener compares versions.
   */
  onReload(listener: (version: string, from: string) => void): () => void;
  /** Redis answers PING (and the reload subscription, once there is one, is live); always true in memory. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface MemoryStateOptions {
  now?: () => number;
  /** Claims (and, separately, rate-limited scopes) remembered at most; the oldest go first. */
  maxKeys?: number;
}

export interface RedisStateOptions {
  logger: Logger;
  /** Unique per replica: tells our own reload notices from the others'. */
  replicaId: string;
  /** Prepended to every key and channel so several apps can share one Redis. Default "kb-triage:". */
  keyPrefix?: string;
  /** A command not answered within this fails (and falls back). Default 300 ms. */
  commandTimeoutMs?: number;
  /** Claims (and rate-limited scopes) held in this process at most: the memory state, or Redis's fallback. */
  maxLocalKeys?: number;
}

export interface SharedStateOptions extends RedisStateOptions {
  /** Redis when set (redis:// or rediss://), this process's memory when empty or absent. */
  redisUrl?: string | undefined;
}

/** Redis when `redisUrl` is set, in-process otherwise. */
export function createSharedState(options: SharedStateOptions): SharedState {
  const { redisUrl, ...redis } = options;
  return redisUrl
    ? createRedisState(redisUrl, redis)
    : createMemoryState(redis.maxLocalKeys ? { maxKeys: redis.maxLocalKeys } : {});
}

export { createMemoryState } from "./memory-state.js";
export { createRedisState, redisAddress } from "./redis-state.js";
