/**
 * The whole app in Socket Mode: the real Bolt App and SocketModeReceiver connect through the emulator's
 * `apps.connections.open` to its WebSocket server, which delivers envelopes and checks the acks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FakeSocketMode,
  type FakeWebApi,
  startFakeSocketMode,
  startFakeWebApi,
} from "../../src/emulator/index.js";
import { messageEvent } from "../../src/emulator/payloads.js";
import type { SlackApp } from "../../src/slack/app.js";
import { appForTest, freePort, sampleArticles } from "./harness.js";

let socket: FakeSocketMode;
let api: FakeWebApi;
let slack: SlackApp;
let port: number;

beforeAll(async () => {
  const articles = await sampleArticles();
  socket = await startFakeSocketMode({ responseUrl: (context) => api.responseUrl(context) });
  api = await startFakeWebApi({ socketUrl: () => socket.url });
  port = await freePort();
  slack = appForTest(articles, {
    slack: { mode: "socket", botToken: api.botToken, appToken: api.appToken },
    slackApiUrl: api.url,
    port,
    triageChannels: ["C0EVERY001"],
  });
  await slack.start();
  await socket.connected();
});

afterAll(async () => {
  await slack?.stop();
  await socket?.close();
  await api?.close();
});

describe("Socket Mode", () => {
  it("acks an events_api envelope and answers the paste in its thread", async () => {
    const event = messageEvent({
      channel: "C0SOCKET01",
      user: "U0SOCKET01",
      text: "```\nSystem error 53 has occurred.\n\nThe network path was not found.\n```",
    });
    const ack = await socket.sendEvent(event);
    expect(ack.envelope_id).toBeTruthy();
    const reply = await api.waitForCall("chat.postMessage");
    expect(reply.args.thread_ts).toBe(event.ts);
    expect(JSON.stringify(reply.args.blocks)).toContain("KT1007");
  });

  it("acks a slash command envelope and answers through the response URL", async () => {
    const ack = await socket.sendCommand({
      command: "/triage",
      text: "getting 0x8004de40 again",
      user_id: "U0SOCKET01",
    });
    expect(ack.envelope_id).toBeTruthy();
    const answer = await api.waitForCall("response_url");
    expect(answer.args.response_type).toBe("ephemeral");
    expect(JSON.stringify(answer.args.blocks)).toContain("KM2005");
  });

  it("offers candidates for any message in a triage-everything channel, even one not shaped like an error", async () => {
    api.reset();
    await socket.sendEvent(
      messageEvent({
        channel: "C0EVERY001",
        user: "U0SOCKET01",
        text: "outlook keeps asking for my password over and over",
      }),
    );
    const reply = await api.waitForCall("chat.postMessage");
    expect(reply.args.channel).toBe("C0EVERY001");
  });

  for (const [how, cut] of [
    ["when Slack asks it to (disconnect: refresh_requested)", () => socket.disconnect("refresh_requested")],
    ["when the connection drops without a word", () => socket.drop()],
  ] as const) {
    it(`reconnects ${how} and answers the next paste`, async () => {
      cut();
      const deadline = Date.now() + 20_000;
      while (socket.connections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await socket.connected(20_000);
      const ts = `${Date.now() / 1000}`.replace(
        /^(\d+)\.?(\d{0,6}).*$/,
        (_, a: string, b: string) => `${a}.${b.padEnd(6, "0")}`,
      );
      const ack = await socket.sendEvent(
        messageEvent({
          channel: "C0EVERY001",
          user: "U0SOCKET01",
          text: "System error 53 has occurred. The network path was not found.",
          ts,
        }),
      );
      expect(ack.envelope_id).toBeTruthy();
      await api.waitForCall("chat.postMessage", (c) => c.args.thread_ts === ts);
    }, 45_000);
  }

  it("serves /healthz on PORT while connected", async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, slack: true });
  });
});
