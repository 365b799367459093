/**
 * Shared state in a real redis-server, as two replicas see it (two SharedState instances on one Redis), and
 * when Redis goes away and comes back: calls fall back at once, one warning, and sharing resumes by itself.
 */
import { type AddressInfo, createConnection, createServer, type Server, type Socket } from "node:net";
import { Redis } from "ioredis";
import { afterEach, describe, expect, inject, it } from "vitest";
import { createRedisState, createSharedState, type SharedState } from "../../src/state/shared-state.js";
import { freeLoopbackPort, type RedisServer, startRedis } from "../helpers/servers.js";
import { captureLog, sleep, until, WARN } from "./capture-log.js";

const url = inject("redisUrl");
const UNREACHABLE = "Redis unreachable";
const INFO = 30;

let opened: SharedState[] = [];
afterEach(async () => {
  await Promise.all(opened.map((s) => s.close()));
  opened = [];
});

/** A fresh prefix per test, so tests on the run-wide Redis never see each other's keys. */
const freshPrefix = () => `kbtest-${process.pid}-${Math.random().toString(36).slice(2, 10)}:`;

function replica(redisUrl: string, replicaId: string, keyPrefix: string) {
  const log = captureLog();
  const state = createRedisState(redisUrl, { logger: log.logger, replicaId, keyPrefix });
  opened.push(state);
  return { state, log };
}

function listen(state: SharedState) {
  const heard: Array<{ version: string; from: string }> = [];
  const stop = state.onReload((version, from) => heard.push({ version, from }));
  return { heard, stop };
}

describe.skipIf(!url)("Redis shared state: two replicas on one Redis", () => {
  it("lets exactly one replica claim a key", async () => {
    const prefix = freshPrefix();
    const a = replica(url, "replica-a", prefix).state;
    const b = replica(url, "replica-b", prefix).state;
    expect(a.kind).toBe("redis");
    const results = await Promise.all([a.claim("event:Ev1", 60_000), b.claim("event:Ev1", 60_000)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await a.claim("event:Ev1", 60_000)).toBe(false);
    expect(await b.claim("event:Ev1", 60_000)).toBe(false);
    expect(await b.claim("event:Ev2", 60_000)).toBe(true);
  });

  it("lets a key be claimed again once its TTL is over", async () => {
    const prefix = freshPrefix();
    const a = replica(url, "replica-a", prefix).state;
    const b = replica(url, "replica-b", prefix).state;
    expect(await a.claim("event:Ev1", 200)).toBe(true);
    expect(await b.claim("event:Ev1", 200)).toBe(false);
    await sleep(300);
    expect(await b.claim("event:Ev1", 200)).toBe(true);
    expect(await a.claim("event:Ev1", 200)).toBe(false);
  });

  it("keeps apps with different key prefixes apart", async () => {
    const one = replica(url, "replica-a", freshPrefix()).state;
    const other = replica(url, "replica-b", freshPrefix()).state;
    expect(await one.claim("event:Ev1", 60_000)).toBe(true);
    expect(await other.claim("event:Ev1", 60_000)).toBe(true);
    await one.rateLimited("chat.postMessage:W1", 5_000);
    expect(await other.rateLimitWait("chat.postMessage:W1")).toBe(0);

    const heard = listen(other);
    listen(one);
    await until(async () => (await one.ping()) && (await other.ping()), "both subscriptions");
    await one.publishReload("v2");
    await sleep(200);
    expect(heard.heard).toEqual([]);

    const keys = new Redis(url);
    try {
      const stored = await keys.keys("kbtest-*claim:event:Ev1");
      expect(stored.length).toBeGreaterThanOrEqual(2);
    } finally {
      keys.disconnect();
    }
  });

  it("shares a rate limit with the other replica until it expires", async () => {
    const prefix = freshPrefix();
    const a = replica(url, "replica-a", prefix).state;
    const b = replica(url, "replica-b", prefix).state;
    await a.rateLimited("chat.postMessage:W1", 500);
    const wait = await b.rateLimitWait("chat.postMessage:W1");
    expect(wait).toBeGreaterThan(300);
    expect(wait).toBeLessThanOrEqual(500);
    expect(await b.rateLimitWait("chat.postMessage:W2")).toBe(0);
    expect(await b.rateLimitWait("chat.update:W1")).toBe(0);
    await sleep(600);
    expect(await b.rateLimitWait("chat.postMessage:W1")).toBe(0);
    expect(await a.rateLimitWait("chat.postMessage:W1")).toBe(0);
  });

  it("delivers A's reload notice to B, with A's replica id, and not back to A", async () => {
    const prefix = freshPrefix();
    const a = replica(url, "replica-a", prefix).state;
    const b = replica(url, "replica-b", prefix).state;
    const c = replica(url, "replica-c", prefix).state;
    const atA = listen(a);
    const atB = listen(b);
    const atC = listen(c);
    await until(async () => (await a.ping()) && (await b.ping()) && (await c.ping()), "subscriptions");
    await a.publishReload("kb-2024-06-01T10:00:00Z");
    await until(() => atB.heard.length > 0 && atC.heard.length > 0, "B and C to hear A");
    expect(atB.heard).toEqual([{ version: "kb-2024-06-01T10:00:00Z", from: "replica-a" }]);
    expect(atC.heard).toEqual([{ version: "kb-2024-06-01T10:00:00Z", from: "replica-a" }]);
    await sleep(200);
    expect(atA.heard).toEqual([]);

    // B answers: A hears it; B does not hear itself; C has unsubscribed.
    atC.stop();
    await b.publishReload("v3");
    await until(() => atA.heard.length > 0, "A to hear B");
    await sleep(200);
    expect(atA.heard).toEqual([{ version: "v3", from: "replica-b" }]);
    expect(atB.heard).toHaveLength(1);
    expect(atC.heard).toHaveLength(1);
  });

  it("catches up on a notice published while its subscription was down, once it is back", async () => {
    // A Redis of its own: every subscription on it is cut below, not only B's.
    const own = await startRedis();
    const prefix = freshPrefix();
    const b = replica(own.url, "replica-b", prefix).state;
    const atB = listen(b);
    await until(() => b.ping(), "B subscribed");
    // A published while B's subscription was down: the notice is in the key, and nothing reached B.
    const raw = new Redis(own.url);
    try {
      await raw.set(`${prefix}reload:latest`, JSON.stringify({ version: "v-missed", from: "replica-a" }));
      await raw.call("CLIENT", "KILL", "TYPE", "pubsub");
      await until(() => atB.heard.length > 0, "B to catch up after resubscribing");
      expect(atB.heard).toEqual([{ version: "v-missed", from: "replica-a" }]);
    } finally {
      raw.disconnect();
      await b.close();
      await own.stop();
    }
  });

  it("ignores a malformed notice, and a failing listener does not stop the others", async () => {
    const prefix = freshPrefix();
    const a = replica(url, "replica-a", prefix).state;
    const b = replica(url, "replica-b", prefix);
    b.state.onReload(() => {
      throw new Error("listener broke");
    });
    const atB = listen(b.state);
    await until(() => b.state.ping(), "B's subscription");
    const raw = new Redis(url);
    try {
      await raw.publish(`${prefix}reload`, "not json");
    } finally {
      raw.disconnect();
    }
    await a.publishReload("v2");
    await until(() => atB.heard.length > 0, "B to hear A");
    expect(atB.heard).toEqual([{ version: "v2", from: "replica-a" }]);
    expect(b.log.find(WARN, "not {version, from} JSON")).toHaveLength(1);
    expect(b.log.find(50, "a reload listener failed")).toHaveLength(1);
  });

  it("is what createSharedState makes with a Redis URL; ping answers", async () => {
    const { logger } = captureLog();
    const state = createSharedState({ redisUrl: url, logger, replicaId: "r1", keyPrefix: freshPrefix() });
    opened.push(state);
    expect(state.kind).toBe("redis");
    expect(await state.ping()).toBe(true);
    await state.close();
    expect(await state.ping()).toBe(false);
  });
});

describe("Redis shared state without a Redis", () => {
  it("falls back at once and never logs the URL's password", async () => {
    const port = await freeLoopbackPort(); // nothing listens there
    const { state, log } = replica(`redis://:s3cret-pass@127.0.0.1:${port}`, "replica-a", freshPrefix());
    const started = Date.now();
    expect(await state.claim("event:Ev1", 60_000)).toBe(true);
    expect(await state.claim("event:Ev1", 60_000)).toBe(false); // its own claim, remembered locally
    expect(await state.claim("event:Ev2", 60_000)).toBe(true);
    expect(await state.rateLimitWait("chat.postMessage:W1")).toBe(0);
    await state.rateLimited("chat.postMessage:W1", 1_000);
    expect(await state.rateLimitWait("chat.postMessage:W1")).toBeGreaterThan(0); // told to this replica
    expect(await state.rateLimitWait("chat.postMessage:W2")).toBe(0);
    await state.publishReload("v2");
    expect(await state.ping()).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    const warnings = log.find(WARN, UNREACHABLE);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.redis).toBe(`127.0.0.1:${port}`);
    expect(log.find(WARN, "could not tell the other replicas")).toHaveLength(1);
    expect(log.text()).not.toContain("s3cret");
  });
});

describe.skipIf(!url)("Redis shared state when Redis stops and comes back", () => {
  let server: RedisServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it("falls back while Redis is down, warns once, shares again (pub/sub too) once it is back", async () => {
    server = await startRedis();
    const prefix = freshPrefix();
    const a = replica(server.url, "replica-a", prefix);
    const b = replica(server.url, "replica-b", prefix);
    const atA = listen(a.state);
    const atB = listen(b.state);
    await until(async () => (await a.state.ping()) && (await b.state.ping()), "both replicas connected");
    expect(await a.state.claim("event:Ev1", 60_000)).toBe(true);
    expect(await b.state.claim("event:Ev1", 60_000)).toBe(false);

    await server.stop();
    const started = Date.now();
    expect(await a.state.claim("event:Ev2", 60_000)).toBe(true);
    const tookMs = Date.now() - started;
    expect(tookMs).toBeLessThan(2_000);
    expect(await b.state.claim("event:Ev2", 60_000)).toBe(true); // not shared now: handled twice, not lost
    for (let i = 0; i < 20; i++) expect(await a.state.claim(`event:EvX${i}`, 60_000)).toBe(true);
    // A lone replica still knows its own claims; B never claimed Ev1 (A did), so B cannot refuse it.
    expect(await a.state.claim("event:Ev1", 60_000)).toBe(false);
    expect(await b.state.claim("event:Ev1", 60_000)).toBe(true);
    await a.state.rateLimited("chat.postMessage:W1", 5_000);
    expect(await b.state.rateLimitWait("chat.postMessage:W1")).toBe(0);
    expect(await a.state.ping()).toBe(false);
    expect(await b.state.ping()).toBe(false);
    await a.state.publishReload("lost");
    await sleep(1_500); // a few reconnect attempts fail meanwhile: still one warning
    expect(a.log.find(WARN, UNREACHABLE)).toHaveLength(1);
    expect(b.log.find(WARN, UNREACHABLE)).toHaveLength(1);
    expect(a.log.find(WARN, "could not tell the other replicas")).toHaveLength(1);

    await server.start(); // same port, empty
    await until(async () => (await a.state.ping()) && (await b.state.ping()), "both replicas reconnected");
    expect(await b.state.claim("event:Ev3", 60_000)).toBe(true);
    expect(await a.state.claim("event:Ev3", 60_000)).toBe(false);
    await a.state.rateLimited("chat.postMessage:W1", 5_000);
    expect(await b.state.rateLimitWait("chat.postMessage:W1")).toBeGreaterThan(0);

    await a.state.publishReload("v4");
    await until(() => atB.heard.length > 0, "B to hear A after the restart (resubscribed)");
    expect(atB.heard).toEqual([{ version: "v4", from: "replica-a" }]);
    await b.state.publishReload("v5");
    await until(() => atA.heard.length > 0, "A to hear B after the restart");
    expect(atA.heard).toEqual([{ version: "v5", from: "replica-b" }]);

    expect(a.log.find(INFO, "Redis reachable again")).toHaveLength(1);
    expect(a.log.find(WARN, UNREACHABLE)).toHaveLength(1);
    expect(a.log.text()).not.toContain("redis://");
  });
});

/** A TCP proxy to Redis that can be frozen: connections stay open but nothing gets through (a hung Redis). */
async function freezableProxy(target: string) {
  const { hostname, port } = new URL(target);
  let frozen = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((downstream) => {
    sockets.add(downstream);
    downstream.on("close", () => sockets.delete(downstream));
    downstream.on("error", () => undefined);
    if (frozen) return; // accepted, never answered
    const upstream = createConnection(Number(port), hostname);
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => downstream.destroy());
    downstream.on("data", (chunk) => {
      if (!frozen) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!frozen) downstream.write(chunk);
    });
    downstream.on("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
      for (const socket of sockets) socket.destroy(); // the hung connections go; new ones get through
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe.skipIf(!url)("Redis shared state when Redis hangs (connected, never answering)", () => {
  it("gives up on a call after the command timeout, and recovers once Redis answers again", async () => {
    const proxy = await freezableProxy(url);
    try {
      const prefix = freshPrefix();
      const a = replica(proxy.url, "replica-a", prefix);
      const b = replica(url, "replica-b", prefix).state; // straight to Redis
      await until(() => a.state.ping(), "A connected through the proxy");
      expect(await a.state.claim("event:Ev1", 60_000)).toBe(true);

      proxy.freeze();
      const started = Date.now();
      expect(await a.state.claim("event:Ev2", 60_000)).toBe(true);
      expect(await a.state.rateLimitWait("chat.postMessage:W1")).toBe(0);
      expect(Date.now() - started).toBeLessThan(2_000); // two calls, ~300 ms each
      expect(await a.state.ping()).toBe(false);
      expect(a.log.find(WARN, UNREACHABLE)).toHaveLength(1);

      proxy.thaw();
      await until(() => a.state.ping(), "A reconnected");
      expect(await b.claim("event:Ev3", 60_000)).toBe(true);
      expect(await a.state.claim("event:Ev3", 60_000)).toBe(false);
    } finally {
      await proxy.close();
    }
  });
});
