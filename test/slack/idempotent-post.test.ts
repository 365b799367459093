/**
 * A retried chat.postMessage posts once: a real WebClient with the app's fetch against the fake Web API, made to
 * answer too late (the call reached "Slack", the client timed out and retries) or to fail.
 */
import { WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeWebApi, startFakeWebApi } from "../../src/emulator/index.js";
import { idempotentPostFetch, POST_EVENT_TYPE } from "../../src/slack/idempotent-post.js";
import { quietSlackLogger } from "../helpers/quiet-slack-logger.js";
import { capturingLogger } from "./harness.js";

const CHANNEL = "C0TRIAGE01";
let api: FakeWebApi;
let captured: ReturnType<typeof capturingLogger>;

/** The app's client settings, with a short timeout so a slow answer times out quickly. */
function client(): WebClient {
  return new WebClient(api.botToken, {
    slackApiUrl: api.url,
    logger: quietSlackLogger,
    timeout: 300,
    retryConfig: { retries: 3, factor: 1, minTimeout: 50, maxTimeout: 50 },
    fetch: idempotentPostFetch(globalThis.fetch, { logger: captured.logger }),
  });
}

const botMessages = <M extends { bot_id?: string }>(messages: M[]) =>
  messages.filter((m) => m.bot_id === api.botId);

beforeEach(async () => {
  api = await startFakeWebApi();
  captured = capturingLogger();
});
afterEach(async () => {
  await api.close();
});

describe("chat.postMessage retried after an attempt that reached Slack", () => {
  it("is posted once in a thread when the first answer came too late", async () => {
    const parent = api.addMessage({ channel: CHANNEL, user: "U0HUMAN0001", text: "VPN error 809" });
    api.failNext("chat.postMessage", { delayMs: 800 });
    const posted = await client().chat.postMessage({
      channel: CHANNEL,
      thread_ts: parent.ts,
      text: "the fix",
    });
    expect(posted.ok).toBe(true);
    const thread = api.workspace.thread(CHANNEL, parent.ts);
    expect(botMessages(thread).map((m) => m.text)).toEqual(["the fix"]);
    expect(posted.ts).toBe(botMessages(thread)[0]?.ts);
    await new Promise((r) => setTimeout(r, 800)); // the fake records the slow call when it answers
    expect(api.callsTo("chat.postMessage")).toHaveLength(1);
    expect(api.callsTo("conversations.replies")).toHaveLength(1);
    expect(captured.text()).toContain("had been posted; not posting it again");
  });

  it("is posted once in a channel (no thread), found in the channel's history", async () => {
    api.failNext("chat.postMessage", { delayMs: 800 });
    const posted = await client().chat.postMessage({ channel: CHANNEL, text: "top-level answer" });
    expect(posted.ok).toBe(true);
    expect(botMessages(api.workspace.messages(CHANNEL)).map((m) => m.text)).toEqual(["top-level answer"]);
    expect(api.callsTo("conversations.history")).toHaveLength(1);
  });

  it("is posted on the retry when the earlier attempt did not reach Slack (5xx)", async () => {
    const parent = api.addMessage({ channel: CHANNEL, user: "U0HUMAN0001", text: "error 53" });
    api.failNext("chat.postMessage", { status: 503, times: 2 });
    await client().chat.postMessage({ channel: CHANNEL, thread_ts: parent.ts, text: "answer" });
    expect(api.callsTo("chat.postMessage").map((c) => c.status)).toEqual([503, 503, 200]);
    expect(botMessages(api.workspace.thread(CHANNEL, parent.ts))).toHaveLength(1);
  });

  it("posts again, and logs it, when the check itself fails: a duplicate rather than a lost answer", async () => {
    const parent = api.addMessage({ channel: CHANNEL, user: "U0HUMAN0001", text: "error 53" });
    api.failNext("chat.postMessage", { delayMs: 800 });
    api.failNext("conversations.replies", { error: "missing_scope" });
    await client().chat.postMessage({ channel: CHANNEL, thread_ts: parent.ts, text: "answer" });
    expect(botMessages(api.workspace.thread(CHANNEL, parent.ts))).toHaveLength(2);
    const warning = captured.entries().find((l) => l.msg.startsWith("could not check whether an earlier"));
    expect(JSON.stringify(warning)).toContain("conversations.replies answered missing_scope");
  });
});

describe("chat.postMessage in the ordinary case", () => {
  it("is posted once without any look-up, tagged with metadata people do not see", async () => {
    const web = client();
    await web.chat.postMessage({ channel: CHANNEL, text: "one" });
    await web.chat.postMessage({ channel: CHANNEL, text: "one" }); // the same text again is a new message
    expect(api.callsTo("conversations.history")).toHaveLength(0);
    const history = await web.conversations.history({ channel: CHANNEL, include_all_metadata: true });
    expect(history.messages?.map((m) => m.metadata?.event_type)).toEqual([POST_EVENT_TYPE, POST_EVENT_TYPE]);
    const plain = await web.conversations.history({ channel: CHANNEL });
    expect(plain.messages?.every((m) => m.metadata === undefined)).toBe(true);
  });

  it("leaves a call that brings its own metadata as it is", async () => {
    await client().chat.postMessage({
      channel: CHANNEL,
      text: "mine",
      metadata: { event_type: "other_app", event_payload: { id: "1" } },
    });
    expect(api.callsTo("chat.postMessage")[0]?.args.metadata).toEqual({
      event_type: "other_app",
      event_payload: { id: "1" },
    });
  });

  it("does not change other methods", async () => {
    await client().chat.postEphemeral({ channel: CHANNEL, user: "U0HUMAN0001", text: "private" });
    expect(api.callsTo("chat.postEphemeral")[0]?.args.metadata).toBeUndefined();
  });
});
