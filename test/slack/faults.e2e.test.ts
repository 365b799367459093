/**
 * A misbehaving Slack: the fake Web API answers 429 with Retry-After, 5xx, slowly, or with channel errors. The
 * app retries a bounded number of times with backoff, logs what it gives up on once, and keeps answering.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FakeWebApi, HttpSender } from "../../src/emulator/index.js";
import { appMentionEvent } from "../../src/emulator/payloads.js";
import type { SlackApp } from "../../src/slack/app.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { capturingLogger, startHttpApp } from "./harness.js";

const CHANNEL = "C0FAULTS001";
const SYSTEM_53 = "System error 53 has occurred. The network path was not found.";
let api: FakeWebApi;
let slack: SlackApp;
let send: HttpSender;
let stop: () => Promise<void>;
let ts = 1_732_700_000;

const captured = capturingLogger();
const logs = () => captured.entries();

/** Mentions the bot (always answered in the thread) and returns the message ts. */
async function mention(): Promise<string> {
  const messageTs = `${ts++}.000100`;
  const result = await send.sendEvent(
    appMentionEvent({
      channel: CHANNEL,
      user: "U0FAULTS01",
      text: `<@U0KBTRIAGE> ${SYSTEM_53}`,
      ts: messageTs,
    }),
  );
  expect(result.status).toBe(200);
  return messageTs;
}
const postsFor = (messageTs: string) =>
  api.callsTo("chat.postMessage").filter((c) => c.args.thread_ts === messageTs);

beforeAll(async () => {
  // Web API calls time out after 2 s here (10 s in production), so a slow Slack is quick to test.
  ({ api, slack, send, stop } = await startHttpApp({}, undefined, captured.logger, {
    webApiTimeoutMs: 2_000,
  }));
});
afterAll(async () => {
  await stop();
});
beforeEach(() => {
  captured.lines.length = 0;
});

describe("a misbehaving Slack Web API", () => {
  it("waits for Retry-After on a 429, then posts the answer", async () => {
    api.failNext("chat.postMessage", { retryAfter: 1 });
    const messageTs = await mention();
    const posted = await api.waitForCall(
      "chat.postMessage",
      (c) => c.ok && c.args.thread_ts === messageTs,
      10_000,
    );
    const limited = postsFor(messageTs).find((c) => c.status === 429);
    expect(limited).toBeDefined();
    expect(posted.at - (limited?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it("retries 5xx with backoff and posts the answer when Slack recovers", async () => {
    api.failNext("chat.postMessage", { status: 503, times: 2 });
    const messageTs = await mention();
    await api.waitForCall("chat.postMessage", (c) => c.ok && c.args.thread_ts === messageTs, 15_000);
    expect(postsFor(messageTs).map((c) => c.status)).toEqual([503, 503, 200]);
  });

  it("gives up after 3 retries, logs it, and answers the next message", async () => {
    api.failNext("chat.postMessage", { status: 500, times: 4 });
    const messageTs = await mention();
    const deadline = Date.now() + 20_000;
    while (!logs().some((l) => l.msg === "listener failed") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(postsFor(messageTs).map((c) => c.status)).toEqual([500, 500, 500, 500]);
    const next = await mention();
    await api.waitForCall("chat.postMessage", (c) => c.ok && c.args.thread_ts === next);
  }, 30_000);

  it("retries a call that timed out without posting the answer twice when the first attempt reached Slack", async () => {
    // The fake posts at once and answers after 3 s: the client gives up at 2 s, and its retry finds the post.
    api.failNext("chat.postMessage", { delayMs: 3_000 });
    const messageTs = await mention();
    const deadline = Date.now() + 10_000;
    while (!captured.text().includes("not posting it again") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1_500)); // the slow first answer arrives, and nothing else
    const thread = api.workspace.thread(CHANNEL, messageTs).filter((m) => m.bot_id === api.botId);
    expect(thread).toHaveLength(1);
    expect(postsFor(messageTs)).toHaveLength(1);
    expect(api.callsTo("conversations.replies").some((c) => c.args.ts === messageTs)).toBe(true);
    expect(logs().some((l) => l.msg === "listener failed")).toBe(false);
  }, 20_000);

  it("retries a call that timed out before reaching Slack and posts the answer once", async () => {
    // A 503 after a long wait: nothing was posted, so the check finds nothing and the retry posts.
    api.failNext("chat.postMessage", { status: 503, delayMs: 2_500 });
    const messageTs = await mention();
    await api.waitForCall("chat.postMessage", (c) => c.ok && c.args.thread_ts === messageTs, 15_000);
    const thread = api.workspace.thread(CHANNEL, messageTs).filter((m) => m.bot_id === api.botId);
    expect(thread).toHaveLength(1);
  }, 20_000);

  it("does not retry not_in_channel and logs it once, not once per message", async () => {
    api.failNext("chat.postMessage", { error: "not_in_channel", times: 3 });
    const sent = [await mention(), await mention(), await mention()];
    const deadline = Date.now() + 5_000;
    while (sent.some((t) => postsFor(t).length === 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    for (const t of sent) expect(postsFor(t)).toHaveLength(1);
    expect(logs().filter((l) => l.error === "not_in_channel")).toHaveLength(1);
    expect(logs().some((l) => l.msg === "listener failed")).toBe(false);
  });
});

describe("shutting down", () => {
  it("lets a reply in progress finish before it reports drained", async () => {
    api.failNext("chat.postMessage", { delayMs: 1_500 });
    const messageTs = await mention();
    await new Promise((r) => setTimeout(r, 200));
    await slack.stop();
    expect(await slack.drain(5_000)).toBe(true);
    expect(postsFor(messageTs).some((c) => c.ok)).toBe(true);
  });
});

describe("a database that cannot be written", () => {
  it("still answers while the database is locked, logs the failed write, and records again once it is free", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "kb-busy-"));
    const store = await openSqliteStore(dir);
    const busy = capturingLogger();
    const app = await startHttpApp({}, store, busy.logger);
    const locker = new Database(path.join(dir, "triage.db"));
    try {
      locker.exec("BEGIN EXCLUSIVE");
      const messageTs = "1732790000.000100";
      await app.send.sendEvent(
        appMentionEvent({
          channel: CHANNEL,
          user: "U0FAULTS01",
          text: `<@U0KBTRIAGE> ${SYSTEM_53}`,
          ts: messageTs,
        }),
      );
      await app.api.waitForCall("chat.postMessage", (c) => c.ok && c.args.thread_ts === messageTs, 10_000);
      const deadline = Date.now() + 5_000;
      while (!busy.lines.some((l) => l.includes("could not record the triage")) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(busy.text()).toMatch(
        /could not record the triage.*SQLITE_BUSY|SQLITE_BUSY.*could not record the triage/s,
      );
      locker.exec("COMMIT");
      const next = "1732790001.000100";
      await app.send.sendEvent(
        appMentionEvent({
          channel: CHANNEL,
          user: "U0FAULTS01",
          text: `<@U0KBTRIAGE> ${SYSTEM_53}`,
          ts: next,
        }),
      );
      await app.api.waitForCall("chat.postMessage", (c) => c.ok && c.args.thread_ts === next);
      await new Promise((r) => setTimeout(r, 200));
      expect((await store.stats(1)).triaged).toBe(1);
    } finally {
      locker.close();
      await app.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
