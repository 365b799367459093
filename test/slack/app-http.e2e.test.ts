/**
 * The whole app over the wire in HTTP mode: the real Bolt App and its HTTP receiver, signed requests as Slack
 * sends them, and the emulator's Web API recording every call.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createHttpSender,
  type FakeWebApi,
  type HttpSender,
  startFakeWebApi,
} from "../../src/emulator/index.js";
import { appMentionEvent, blockAction, messageEvent, messageShortcut } from "../../src/emulator/payloads.js";
import type { Article } from "../../src/knowledge/types.js";
import { ACTIONS, SHORTCUT_CALLBACK } from "../../src/reply/ids.js";
import type { SlackApp } from "../../src/slack/app.js";
import { WEB_API_METHODS } from "../../src/slack/surface.js";
import { appForTest, sampleArticles } from "./harness.js";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5".replace(/[yz]/g, "0");
const CHANNEL = "C0TRIAGE01";
const USER = "U0PASTER01";

let api: FakeWebApi;
let slack: SlackApp;
let send: HttpSender;
let articles: Article[];
let port: number;

/** An article's own quoted error, the way a person would paste it. */
const errorOf = (id: string) => {
  const article = articles.find((a) => a.id === id);
  if (!article?.errors[0]) throw new Error(`fixture ${id} has no quoted error`);
  return article.errors[0];
};
const slackEscape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const textOf = (args: Record<string, unknown>) => JSON.stringify([args.text, args.blocks]);
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

beforeAll(async () => {
  articles = await sampleArticles();
  api = await startFakeWebApi();
  slack = appForTest(
    articles,
    { slack: { mode: "http", botToken: api.botToken, signingSecret: SECRET }, slackApiUrl: api.url, port: 0 },
    "127.0.0.1",
  );
  ({ port } = await slack.start());
  send = createHttpSender({
    url: `http://127.0.0.1:${port}/slack/events`,
    signingSecret: SECRET,
    responseUrl: (context) => api.responseUrl(context),
  });
});

afterAll(async () => {
  await slack?.stop();
  await api?.close();
});

afterEach(async () => {
  // Let late follow-ups (deleting an ephemeral original) land in the test that caused them.
  await settle();
  // Whatever the app called, it is a method the manifest's scopes cover.
  const known = new Set([...Object.keys(WEB_API_METHODS), "auth.test", "response_url"]);
  expect(api.calls.map((c) => c.method).filter((m) => !known.has(m))).toEqual([]);
  api.reset();
});

describe("pasted errors in a channel", () => {
  it("answers a pasted error in the message's thread, naming the right article", async () => {
    const event = messageEvent({
      channel: CHANNEL,
      user: USER,
      text: `getting this when I map the drive:\n\`\`\`\n${slackEscape(errorOf("KT1007"))}\n\`\`\``,
    });
    const result = await send.sendEvent(event);
    expect(result.status).toBe(200);
    const reply = await api.waitForCall("chat.postMessage");
    expect(reply.args.channel).toBe(CHANNEL);
    expect(reply.args.thread_ts).toBe(event.ts);
    expect(textOf(reply.args)).toContain("KT1007");
  });

  it("replies once to an event Slack retries", async () => {
    const event = messageEvent({ channel: CHANNEL, user: USER, text: errorOf("KT1001") });
    await send.sendEvent(event, { eventId: "Ev0RETRY01" });
    await send.sendEvent(event, { eventId: "Ev0RETRY01", retryNum: 1, retryReason: "http_timeout" });
    await send.sendEvent(event, { eventId: "Ev0RETRY01", retryNum: 2, retryReason: "http_timeout" });
    await api.waitForCall("chat.postMessage");
    await settle();
    expect(api.callsTo("chat.postMessage")).toHaveLength(1);
  });

  it("ignores bots, itself, edits, joins and replies inside threads", async () => {
    const paste = errorOf("KT1001");
    await send.sendEvent(messageEvent({ channel: CHANNEL, text: paste, bot_id: "B0OTHERBOT" }));
    await send.sendEvent(messageEvent({ channel: CHANNEL, user: api.botUserId, text: paste }));
    await send.sendEvent(
      messageEvent({ channel: CHANNEL, user: USER, text: paste, subtype: "channel_join" }),
    );
    await send.sendEvent(
      messageEvent({
        channel: CHANNEL,
        user: USER,
        text: paste,
        ts: "1732500001.000200",
        thread_ts: "1732500000.000100",
      }),
    );
    await send.sendEvent({ type: "message", subtype: "message_changed", channel: CHANNEL, hidden: true });
    await settle();
    expect(api.callsTo("chat.postMessage")).toHaveLength(0);
  });

  it("stays silent on ordinary conversation and on errors the knowledge base does not cover", async () => {
    await send.sendEvent(messageEvent({ channel: CHANNEL, user: USER, text: "lunch at noon? :pizza:" }));
    await send.sendEvent(
      messageEvent({ channel: CHANNEL, user: USER, text: "ORA-00942: table or view does not exist" }),
    );
    await settle();
    expect(api.callsTo("chat.postMessage")).toHaveLength(0);
  });

  it("triages a long paste that Slack turned into a text snippet", async () => {
    const file = api.addFile({
      name: "error.txt",
      filetype: "text",
      content: `${"noise line\n".repeat(3)}${errorOf("KT1007")}\n`,
    });
    const event = messageEvent({ channel: CHANNEL, user: USER, text: "this came up", files: [file] });
    await send.sendEvent(event);
    const reply = await api.waitForCall("chat.postMessage");
    expect(textOf(reply.args)).toContain("KT1007");
  });
});

describe("mentions and DMs", () => {
  it("answers a mention with an unknown error honestly, in the thread", async () => {
    const event = appMentionEvent({
      channel: CHANNEL,
      user: USER,
      text: `<@${api.botUserId}> Flux capacitor overheated: code FC-88 on reactor 3`,
    });
    await send.sendEvent(event);
    const reply = await api.waitForCall("chat.postMessage");
    expect(reply.args.thread_ts).toBe(event.ts);
    expect(textOf(reply.args)).toMatch(/couldn.t find|no article|not find/i);
  });

  it("answers a mention once although Slack also sends it as a channel message", async () => {
    const text = `<@${api.botUserId}> ${errorOf("KT1001")}`;
    const ts = "1732500100.000100";
    await send.sendEvent(messageEvent({ channel: CHANNEL, user: USER, text, ts }));
    await send.sendEvent(appMentionEvent({ channel: CHANNEL, user: USER, text, ts }));
    await api.waitForCall("chat.postMessage");
    await settle();
    expect(api.callsTo("chat.postMessage")).toHaveLength(1);
  });

  it("triages the thread's first message for a bare mention inside a thread", async () => {
    const parent = api.addMessage({ channel: CHANNEL, user: USER, text: errorOf("KT1007") });
    await send.sendEvent(
      appMentionEvent({
        channel: CHANNEL,
        user: "U0HELPER01",
        text: `<@${api.botUserId}>`,
        thread_ts: parent.ts,
      }),
    );
    const reply = await api.waitForCall("chat.postMessage");
    expect(reply.args.thread_ts).toBe(parent.ts);
    expect(textOf(reply.args)).toContain("KT1007");
  });

  it("always answers a DM, also when nothing matches", async () => {
    await send.sendEvent(
      messageEvent({ channel: "D0DIRECT01", user: USER, text: "hello there", channel_type: "im" }),
    );
    const reply = await api.waitForCall("chat.postMessage");
    expect(reply.args.channel).toBe("D0DIRECT01");
  });
});

describe("/triage, the shortcut and the buttons", () => {
  it("answers /triage ephemerally with Share in channel and Other matches, ids only in the buttons", async () => {
    const paste = errorOf("KT1007");
    const result = await send.sendCommand({
      command: "/triage",
      text: paste,
      user_id: USER,
      channel_id: CHANNEL,
    });
    expect(result.status).toBe(200);
    const answer = await api.waitForCall("response_url");
    expect(answer.args.response_type).toBe("ephemeral");
    const body = textOf(answer.args);
    expect(body).toContain("KT1007");
    expect(body).toContain(ACTIONS.share);
    expect(body).toContain(ACTIONS.otherMatches);
    const values = JSON.stringify(answer.args.blocks).match(/"value":"((?:[^"\\]|\\.)*)"/g) ?? [];
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(value).not.toContain("network path");
  });

  it("shows the usage for a bare /triage and /triage help", async () => {
    await send.sendCommand({ command: "/triage", text: "", user_id: USER, channel_id: CHANNEL });
    await send.sendCommand({ command: "/triage", text: "help", user_id: USER, channel_id: CHANNEL });
    await settle();
    const posts = api.callsTo("response_url");
    expect(posts).toHaveLength(2);
    for (const post of posts) expect(textOf(post.args)).toContain("/triage");
  });

  it("shares an answer into the channel with who shared it", async () => {
    await send.sendCommand({
      command: "/triage",
      text: errorOf("KT1007"),
      user_id: USER,
      channel_id: CHANNEL,
    });
    const answer = await api.waitForCall("response_url");
    const share = findButton(answer.args.blocks, ACTIONS.share);
    api.reset();
    await send.sendInteraction(
      blockAction({
        action_id: ACTIONS.share,
        value: share,
        user: USER,
        channel: CHANNEL,
        response_url: api.responseUrl({ channel: CHANNEL, user: USER }),
      }),
    );
    const shared = await api.waitForCall("response_url", (c) => c.args.response_type === "in_channel");
    expect(textOf(shared.args)).toContain(`<@${USER}>`);
    expect(textOf(shared.args)).toContain("KT1007");
  });

  it("triages a message from the shortcut and posts the answer in its thread on request", async () => {
    const message = api.addMessage({ channel: CHANNEL, user: USER, text: errorOf("KT1001") });
    await send.sendInteraction(
      messageShortcut({
        callback_id: SHORTCUT_CALLBACK,
        message: { type: "message", user: USER, text: message.text, ts: message.ts },
        channel: CHANNEL,
        user: "U0HELPER01",
        response_url: api.responseUrl({ channel: CHANNEL, user: "U0HELPER01" }),
      }),
    );
    const answer = await api.waitForCall("response_url", (c) => c.args.response_type === "ephemeral");
    const post = findButton(answer.args.blocks, ACTIONS.postInThread);
    await send.sendInteraction(
      blockAction({
        action_id: ACTIONS.postInThread,
        value: post,
        user: "U0HELPER01",
        channel: CHANNEL,
        response_url: api.responseUrl({ channel: CHANNEL, user: "U0HELPER01" }),
      }),
    );
    const posted = await api.waitForCall("chat.postMessage");
    expect(posted.args.thread_ts).toBe(message.ts);
    expect(textOf(posted.args)).toContain("KT1001");
  });

  it("opens the full article in a modal", async () => {
    await send.sendCommand({
      command: "/triage",
      text: errorOf("KT1007"),
      user_id: USER,
      channel_id: CHANNEL,
    });
    const answer = await api.waitForCall("response_url");
    await send.sendInteraction(
      blockAction({
        action_id: ACTIONS.fullArticle,
        value: findButton(answer.args.blocks, ACTIONS.fullArticle),
        user: USER,
        channel: CHANNEL,
        trigger_id: "1337.42.abcd",
        response_url: api.responseUrl({ channel: CHANNEL, user: USER }),
      }),
    );
    const opened = await api.waitForCall("views.open");
    expect(opened.args.trigger_id).toBe("1337.42.abcd");
    expect(JSON.stringify(opened.args.view)).toContain("KT1007");
  });

  it("explains politely when a button refers to a triage it no longer knows", async () => {
    await send.sendInteraction(
      blockAction({
        action_id: ACTIONS.otherMatches,
        value: JSON.stringify({ t: "gone-triage-id" }),
        user: USER,
        channel: CHANNEL,
        response_url: api.responseUrl({ channel: CHANNEL, user: USER }),
      }),
    );
    const reply = await api.waitForCall("response_url");
    expect(reply.args.response_type).toBe("ephemeral");
    expect(textOf(reply.args)).toMatch(/too old/);
  });
});

describe("the HTTP endpoint", () => {
  it("rejects a bad or stale signature with 401 and does nothing", async () => {
    const body = JSON.stringify({
      type: "event_callback",
      event_id: "Ev0FORGED1",
      event: messageEvent({ text: errorOf("KT1001") }),
    });
    const forged = await send.sendRaw(
      body,
      { "content-type": "application/json" },
      { signWith: "0".repeat(32) },
    );
    const stale = await send.sendRaw(
      body,
      { "content-type": "application/json" },
      {
        timestamp: Math.floor(Date.now() / 1000) - 600,
      },
    );
    expect(forged.status).toBe(401);
    expect(stale.status).toBe(401);
    await settle();
    expect(api.callsTo("chat.postMessage")).toHaveLength(0);
  });

  it("answers malformed bodies and unknown events without crashing", async () => {
    const malformed = await send.sendRaw("{not json", { "content-type": "application/json" });
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    expect(malformed.status).toBeLessThan(500);
    const unknown = await send.sendEvent({ type: "galaxy_collapsed", channel: CHANNEL });
    expect(unknown.status).toBe(200);
    const still = await send.sendEvent(
      messageEvent({ channel: CHANNEL, user: USER, text: errorOf("KT1001") }),
    );
    expect(still.status).toBe(200);
    await api.waitForCall("chat.postMessage");
  });

  it("keeps answering after a Web API failure", async () => {
    api.failNext("chat.postMessage", { error: "fatal_error" });
    await send.sendEvent(messageEvent({ channel: CHANNEL, user: USER, text: errorOf("KT1001") }));
    await api.waitForCall("chat.postMessage", (c) => !c.ok);
    await send.sendEvent(messageEvent({ channel: CHANNEL, user: USER, text: errorOf("KT1007") }));
    const ok = await api.waitForCall("chat.postMessage", (c) => c.ok);
    expect(textOf(ok.args)).toContain("KT1007");
  });

  it("serves /healthz once the knowledge is loaded and Slack is connected", async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, knowledge: true, slack: true });
    slack.health.knowledge = false;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(503);
    slack.health.knowledge = true;
  });
});

function findButton(blocks: unknown, actionId: string): string {
  const found = JSON.stringify(blocks).match(
    new RegExp(
      `"action_id":"${actionId}"[^}]*?"value":"((?:[^"\\\\]|\\\\.)*)"|"value":"((?:[^"\\\\]|\\\\.)*)"[^}]*?"action_id":"${actionId}"`,
    ),
  );
  const raw = found?.[1] ?? found?.[2];
  if (raw === undefined) throw new Error(`no ${actionId} button in ${JSON.stringify(blocks).slice(0, 300)}`);
  return JSON.parse(`"${raw}"`) as string;
}
