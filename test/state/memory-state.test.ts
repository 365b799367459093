/** The in-process shared state (one replica, no REDIS_URL): claims and rate limits expire; it is bounded. */
import { describe, expect, it } from "vitest";
import { createMemoryState, createSharedState } from "../../src/state/shared-state.js";
import { captureLog, sleep } from "./capture-log.js";

function clock(start = 1_000_000) {
  let at = start;
  return {
    now: () => at,
    advance(ms: number) {
      at += ms;
    },
  };
}

describe("memory shared state", () => {
  it("claims a key once within its TTL, and again after it", async () => {
    const time = clock();
    const state = createMemoryState({ now: time.now });
    expect(state.kind).toBe("memory");
    expect(await state.claim("event:Ev1", 1_000)).toBe(true);
    expect(await state.claim("event:Ev1", 1_000)).toBe(false);
    expect(await state.claim("event:Ev2", 1_000)).toBe(true);
    time.advance(999);
    expect(await state.claim("event:Ev1", 1_000)).toBe(false);
    time.advance(1);
    expect(await state.claim("event:Ev1", 1_000)).toBe(true);
    expect(await state.claim("event:Ev1", 1_000)).toBe(false);
  });

  it("honours each claim's own TTL", async () => {
    const time = clock();
    const state = createMemoryState({ now: time.now });
    await state.claim("long", 10_000);
    await state.claim("short", 100);
    time.advance(200);
    expect(await state.claim("short", 100)).toBe(true);
    expect(await state.claim("long", 10_000)).toBe(false);
  });

  it("is bounded: beyond maxKeys the oldest claims are forgotten", async () => {
    const state = createMemoryState({ maxKeys: 3 });
    for (const key of ["a", "b", "c", "d"]) expect(await state.claim(key, 60_000)).toBe(true);
    expect(await state.claim("d", 60_000)).toBe(false);
    expect(await state.claim("c", 60_000)).toBe(false);
    expect(await state.claim("a", 60_000)).toBe(true); // forgotten; claiming it again forgets "b"
    expect(await state.claim("b", 60_000)).toBe(true);
  });

  it("stays bounded under many distinct keys", async () => {
    const state = createMemoryState({ maxKeys: 1_000 });
    for (let i = 0; i < 20_000; i++) await state.claim(`k${i}`, 60_000);
    expect(await state.claim("k19999", 60_000)).toBe(false);
    expect(await state.claim("k18999", 60_000)).toBe(true); // 1,001st newest: gone
  });

  it("remembers a rate limit per scope until it expires", async () => {
    const time = clock();
    const state = createMemoryState({ now: time.now });
    expect(await state.rateLimitWait("chat.postMessage:T1")).toBe(0);
    await state.rateLimited("chat.postMessage:T1", 1_000);
    expect(await state.rateLimitWait("chat.postMessage:T1")).toBe(1_000);
    expect(await state.rateLimitWait("chat.postMessage:T2")).toBe(0);
    expect(await state.rateLimitWait("chat.update:T1")).toBe(0);
    time.advance(600);
    expect(await state.rateLimitWait("chat.postMessage:T1")).toBe(400);
    time.advance(400);
    expect(await state.rateLimitWait("chat.postMessage:T1")).toBe(0);
    await state.rateLimited("chat.postMessage:T1", 0); // nothing to wait: ignored
    expect(await state.rateLimitWait("chat.postMessage:T1")).toBe(0);
  });

  it("never delivers its own reload notice (there are no other replicas)", async () => {
    const state = createMemoryState();
    const heard: string[] = [];
    const stop = state.onReload((version) => heard.push(version));
    await state.publishReload("v2");
    await sleep(20);
    expect(heard).toEqual([]);
    stop();
    expect(await state.ping()).toBe(true);
    await state.close();
  });

  it("is what createSharedState makes without a Redis URL", async () => {
    const { logger } = captureLog();
    const state = createSharedState({ redisUrl: "", logger, replicaId: "r1" });
    expect(state.kind).toBe("memory");
    await state.close();
  });
});
