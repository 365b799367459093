import type { AddressInfo } from "node:net";
import { App, LogLevel } from "@slack/bolt";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  appMentionEvent,
  blockAction,
  createHttpSender,
  type FakeWebApi,
  functionExecuted,
  type HttpSender,
  messageEvent,
  messageShortcut,
  startFakeWebApi,
} from "../../src/emulator/index.js";

const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

let api: FakeWebApi;
let app: App;
let slack: HttpSender;
const seen: Array<{ kind: string; retryNum?: number; retryReason?: string; text?: string }> = [];

beforeAll(async () => {
  // The fake must be up before `new App`: with a token, Bolt calls auth.test from the constructor.
  api = await startFakeWebApi();
  app = new App({
    token: api.botToken,
    signingSecret: SIGNING_SECRET,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: api.url },
  });

  app.event("app_mention", async ({ event, say, context }) => {
    seen.push({
      kind: "app_mention",
      text: event.text,
      ...(context.retryNum !== undefined ? { retryNum: context.retryNum } : {}),
      ...(context.retryReason !== undefined ? { retryReason: context.retryReason } : {}),
    });
    await say({ text: `Looking into: ${event.text}`, thread_ts: event.ts });
  });
  app.message(async ({ message }) => {
    seen.push({ kind: "message", ...("text" in message && message.text ? { text: message.text } : {}) });
  });
  app.command("/triage", async ({ command, ack, respond }) => {
    await ack({ response_type: "ephemeral", text: `Searching for "${command.text}"…` });
    await respond({ response_type: "in_channel", text: `Best match for "${command.text}": KB-809` });
  });
  app.action("resolve", async ({ ack, body, client }) => {
    await ack();
    if (body.type !== "block_actions" || !body.message || !body.channel) return;
    await client.chat.update({
      channel: body.channel.id,
      ts: body.message.ts,
      text: "Resolved ✅",
      blocks: [],
    });
  });
  app.shortcut("triage_message", async ({ ack, shortcut, client }) => {
    await ack();
    await client.views.open({
      trigger_id: shortcut.trigger_id,
      view: { type: "modal", title: { type: "plain_text", text: "Triage" }, blocks: [] },
    });
  });

  app.function("kb_lookup", async ({ inputs, complete }) => {
    await complete({ outputs: { article: `KB for ${String(inputs.query)}` } });
  });

  const server = await app.start({ port: 0, host: "127.0.0.1" });
  const { port } = server.address() as AddressInfo;
  slack = createHttpSender({
    url: `http://127.0.0.1:${port}/slack/events`,
    signingSecret: SIGNING_SECRET,
    responseUrl: (ctx) => api.responseUrl(ctx),
  });
});

afterAll(async () => {
  await app?.stop();
  await api?.close();
});

beforeEach(() => {
  api.reset();
  seen.length = 0;
});

describe("Bolt HTTP receiver driven by the signed sender", () => {
  it("answers url_verification with the challenge", async () => {
    const res = await slack.sendUrlVerification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" });
  });

  it("acks a signed app_mention and replies in its thread through the fake Web API", async () => {
    const event = appMentionEvent({ channel: "C0TRIAGE01", text: "VPN error 809 again" });
    const res = await slack.sendEvent(event);
    expect(res.status).toBe(200);
    expect(res.body).toBe("");

    const call = await api.waitForCall("chat.postMessage");
    expect(call.token).toBe(api.botToken);
    expect(call.args).toMatchObject({
      channel: "C0TRIAGE01",
      thread_ts: event.ts,
      text: `Looking into: <@${api.botUserId}> VPN error 809 again`,
    });
    expect(seen).toEqual([{ kind: "app_mention", text: event.text }]);
  });

  it("exposes Slack's retry headers to listeners", async () => {
    const event = appMentionEvent({ text: "retry me" });
    const first = await slack.sendEvent(event);
    await slack.sendEvent(event, {
      eventId: first.envelope.event_id,
      retryNum: 1,
      retryReason: "http_timeout",
    });
    await api.waitForCall("chat.postMessage", () => api.callsTo("chat.postMessage").length === 2);
    expect(seen.map((s) => s.retryNum)).toEqual([undefined, 1]);
    expect(seen[1]?.retryReason).toBe("http_timeout");
  });

  it("ignores messages the bot posted itself", async () => {
    await slack.sendEvent(messageEvent({ text: "from a human" }));
    await slack.sendEvent(messageEvent({ text: "from the bot", bot_id: api.botId }));
    await slack.sendEvent(messageEvent({ text: "from a human, again" }));
    await expect.poll(() => seen.length).toBe(2);
    expect(seen.map((s) => s.text)).toEqual(["from a human", "from a human, again"]);
  });

  it("rejects bad, stale and missing signatures with 401 and malformed bodies with 400", async () => {
    const body = JSON.stringify({ type: "event_callback", event: appMentionEvent({ text: "x" }) });
    expect((await slack.sendRaw(body, {}, { signWith: "not-the-secret" })).status).toBe(401);
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await slack.sendRaw(body, {}, { timestamp: sixMinutesAgo })).status).toBe(401);
    expect((await slack.sendRaw(body, {}, { unsigned: true })).status).toBe(401);
    expect((await slack.sendRaw("{not json")).status).toBe(400);
    expect(api.callsTo("chat.postMessage")).toEqual([]);
  });

  it("returns a slash command's ack body and follows up on the response_url", async () => {
    const res = await slack.sendCommand({ command: "/triage", text: "error 809", channel_id: "C0TRIAGE01" });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response_type: "ephemeral", text: 'Searching for "error 809"…' });

    const follow = await api.waitForCall("response_url");
    expect(follow.args).toEqual({ response_type: "in_channel", text: 'Best match for "error 809": KB-809' });
    expect(api.messages("C0TRIAGE01").map((m) => m.text)).toEqual(['Best match for "error 809": KB-809']);
  });

  it("handles a button click on the bot's message", async () => {
    const posted = api.addMessage({ channel: "C0TRIAGE01", text: "KB-809 may help", bot_id: api.botId });
    const res = await slack.sendInteraction(
      blockAction({ action_id: "resolve", value: "KB-809", channel: "C0TRIAGE01", message: posted }),
    );
    expect(res.status).toBe(200);
    await api.waitForCall("chat.update");
    expect(api.messages("C0TRIAGE01")[0]?.text).toBe("Resolved ✅");
  });

  it("opens a modal from a message shortcut with its trigger_id", async () => {
    const message = api.addMessage({ channel: "C0TRIAGE01", text: "Outlook keeps crashing" });
    const shortcut = messageShortcut({ callback_id: "triage_message", message, channel: "C0TRIAGE01" });
    expect((await slack.sendInteraction(shortcut)).status).toBe(200);
    const call = await api.waitForCall("views.open");
    expect(call.args.trigger_id).toBe(shortcut.trigger_id);
  });

  it("completes a custom function with the event's workflow token", async () => {
    const event = functionExecuted({ callback_id: "kb_lookup", inputs: { query: "error 809" } });
    expect((await slack.sendEvent(event)).status).toBe(200);
    const call = await api.waitForCall("functions.completeSuccess");
    expect(call.token).toBe(event.bot_access_token);
    expect(call.args).toMatchObject({
      function_execution_id: event.function_execution_id,
      outputs: { article: "KB for error 809" },
    });
  });
});
