/**
 * A 429 one replica gets holds the other replicas back: real WebClients, each with the app's fetch on its own
 * SharedState over one Redis, against a small HTTP server that rate-limits chat.postMessage once.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebClient } from "@slack/web-api";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { rateLimitFetch, rateLimitScope } from "../../src/slack/rate-limit-fetch.js";
import { createMemoryState, createRedisState, type SharedState } from "../../src/state/shared-state.js";
import { quietSlackLogger } from "../helpers/quiet-slack-logger.js";
import { captureLog, until } from "../state/capture-log.js";

const redisUrl = inject("redisUrl");
const TOKEN_1 = "xoxb-1111-workspace-one";
const TOKEN_2 = "xoxb-2222-workspace-two";

interface Arrival {
  at: number;
  path: string;
  authorization: string;
  status: number;
}

/** Answers the first chat.postMessage with 429 + Retry-After: 1, everything else with ok. */
async function startSlack(): Promise<{
  api: string;
  origin: string;
  arrivals: Arrival[];
  close(): Promise<void>;
}> {
  const arrivals: Arrival[] = [];
  let limited = false;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const path = req.url ?? "";
      const status = path === "/api/chat.postMessage" && !limited ? 429 : 200;
      if (status === 429) limited = true;
      arrivals.push({ at: Date.now(), path, authorization: req.headers.authorization ?? "", status });
      if (status === 429) {
        res.writeHead(429, { "retry-after": "1", "content-type": "application/json" });
        res.end(JSON.stringify({ ok: false, error: "ratelimited" }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, channel: "C0TRIAGE01", ts: "1718000000.000100" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    api: `${origin}/api/`,
    origin,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let slack: Awaited<ReturnType<typeof startSlack>>;
let states: SharedState[] = [];
beforeEach(async () => {
  slack = await startSlack();
});
afterEach(async () => {
  await Promise.all(states.map((s) => s.close()));
  states = [];
  await slack.close();
});

function client(token: string, state: SharedState, logger = captureLog().logger): WebClient {
  return new WebClient(token, {
    slackApiUrl: slack.api,
    logger: quietSlackLogger,
    retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 10 },
    fetch: rateLimitFetch(globalThis.fetch, state, { logger }),
  });
}

describe.skipIf(!redisUrl)("rate limits shared between replicas through Redis", () => {
  it("holds another replica's call back on the same workspace and method, not on another", async () => {
    const keyPrefix = `kbtest-${process.pid}-${Math.random().toString(36).slice(2, 10)}:`;
    const logA = captureLog();
    const logB = captureLog();
    const stateA = createRedisState(redisUrl, { logger: logA.logger, replicaId: "replica-a", keyPrefix });
    const stateB = createRedisState(redisUrl, { logger: logB.logger, replicaId: "replica-b", keyPrefix });
    states.push(stateA, stateB);

    const first = client(TOKEN_1, stateA, logA.logger).chat.postMessage({
      channel: "C0TRIAGE01",
      text: "one",
    });
    await until(() => slack.arrivals.some((a) => a.status === 429), "the 429");
    const limitedAt = slack.arrivals[0]?.at ?? 0;
    // A's fetch records the limit right after the 429 reaches it: let that land before B calls.
    await until(
      async () => (await stateB.rateLimitWait(rateLimitScope("chat.postMessage", TOKEN_1))) > 0,
      "limit",
    );
    // The limit is in Redis (for 1 s), under the method and a hash: Redis never sees the token.
    const raw = new Redis(redisUrl);
    try {
      const keys = await raw.keys(`${keyPrefix}*`);
      expect(keys.some((k) => k.startsWith(`${keyPrefix}rate:chat.postMessage:`))).toBe(true);
      expect(keys.join(" ")).not.toContain("xoxb");
    } finally {
      raw.disconnect();
    }

    const otherWorkspaceStarted = Date.now();
    const [fromB, fromOtherWorkspace, fromA] = await Promise.all([
      client(TOKEN_1, stateB, logB.logger).chat.postMessage({ channel: "C0TRIAGE01", text: "two" }),
      client(TOKEN_2, stateB, logB.logger).chat.postMessage({ channel: "C0TRIAGE01", text: "three" }),
      first,
    ]);
    expect([fromA.ok, fromB.ok, fromOtherWorkspace.ok]).toEqual([true, true, true]);

    const posts = slack.arrivals.filter((a) => a.path === "/api/chat.postMessage");
    const workspaceOne = posts.filter((a) => a.authorization === `Bearer ${TOKEN_1}`);
    const workspaceTwo = posts.filter((a) => a.authorization === `Bearer ${TOKEN_2}`);
    // Workspace one: A's 429, then A's retry and B's call, both about 1 s later (and no 429 for B).
    expect(workspaceOne.map((a) => a.status)).toEqual([429, 200, 200]);
    for (const later of workspaceOne.slice(1)) expect(later.at - limitedAt).toBeGreaterThanOrEqual(800);
    expect(workspaceTwo).toHaveLength(1);
    expect((workspaceTwo[0]?.at ?? 0) - otherWorkspaceStarted).toBeLessThan(700); // not held back (~1 s)
    expect(logB.find(30, "waiting out a Slack rate limit")).toHaveLength(1);

    // Nor do the logs.
    expect(logA.text() + logB.text()).not.toContain("xoxb");
  });
});

describe("rate-limit fetch (in-process state)", () => {
  it("returns a 429 unchanged and records its Retry-After for the scope", async () => {
    const state = createMemoryState();
    const log = captureLog();
    const answer = new Response(JSON.stringify({ ok: false, error: "ratelimited" }), {
      status: 429,
      headers: { "retry-after": "2" },
    });
    const base = (async () => answer) as unknown as typeof fetch;
    const wrapped = rateLimitFetch(base, state, { logger: log.logger });
    const request = new Request(`${slack.api}chat.update`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN_1}` },
      body: "channel=C1",
    });
    expect(await wrapped(request)).toBe(answer);
    const wait = await state.rateLimitWait(rateLimitScope("chat.update", TOKEN_1));
    expect(wait).toBeGreaterThan(1_900);
    expect(wait).toBeLessThanOrEqual(2_000);
    expect(await state.rateLimitWait(rateLimitScope("chat.postMessage", TOKEN_1))).toBe(0);
    expect(rateLimitScope("chat.update", TOKEN_1)).not.toContain(TOKEN_1);
    expect(log.text()).not.toContain("xoxb");
  });

  it("passes other URLs, and calls without a bearer token, through untouched", async () => {
    const state = createMemoryState();
    const scopesAsked: string[] = [];
    const spyState: SharedState = {
      ...state,
      rateLimitWait: async (scope) => {
        scopesAsked.push(scope);
        return 60_000;
      },
    };
    const seen: Array<[unknown, unknown]> = [];
    const base = (async (input: unknown, init: unknown) => {
      seen.push([input, init]);
      return new Response("ok");
    }) as unknown as typeof fetch;
    const wrapped = rateLimitFetch(base, spyState, { logger: captureLog().logger });
    const init = { method: "POST", headers: { authorization: `Bearer ${TOKEN_1}` }, body: "{}" };
    const started = Date.now();
    for (const url of [
      "https://hooks.example.com/services/escalate",
      `${slack.origin}/upload/v1/abc`,
      "https://files.slack.com/files-pri/T1-F1/download/report.txt",
    ]) {
      await wrapped(url, init);
      expect(seen.at(-1)?.[0]).toBe(url);
      expect(seen.at(-1)?.[1]).toBe(init);
    }
    await wrapped(`${slack.api}oauth.v2.access`, { method: "POST", body: "code=1" });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(scopesAsked).toEqual([]);
  });

  it("waits at most maxWaitMs, and stops waiting when the caller aborts", async () => {
    const state = createMemoryState();
    await state.rateLimited(rateLimitScope("chat.postMessage", TOKEN_1), 60_000);
    let calls = 0;
    const base = (async () => {
      calls++;
      return new Response("{}");
    }) as unknown as typeof fetch;
    const init = { method: "POST", headers: { Authorization: `Bearer ${TOKEN_1}` }, body: "" };

    const capped = rateLimitFetch(base, state, { logger: captureLog().logger, maxWaitMs: 150 });
    let started = Date.now();
    await capped(`${slack.api}chat.postMessage`, init);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(calls).toBe(1);

    const patient = rateLimitFetch(base, state, { logger: captureLog().logger });
    started = Date.now();
    await expect(
      patient(`${slack.api}chat.postMessage`, { ...init, signal: AbortSignal.timeout(100) }),
    ).rejects.toMatchObject({ name: "TimeoutError" });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(calls).toBe(1);
  });
});
