import { App, LogLevel, SocketModeReceiver } from "@slack/bolt";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  appMentionEvent,
  blockAction,
  type FakeSocketMode,
  type FakeWebApi,
  startFakeSocketMode,
  startFakeWebApi,
} from "../../src/emulator/index.js";

let api: FakeWebApi | undefined;
let socket: FakeSocketMode | undefined;
let app: App | undefined;

afterEach(async () => {
  // Stop the app first: a Socket Mode client that loses its server tries to reconnect.
  await app?.stop();
  await socket?.close();
  await api?.close();
  app = undefined;
  socket = undefined;
  api = undefined;
});

async function startFakes(): Promise<{ api: FakeWebApi; socket: FakeSocketMode }> {
  socket = await startFakeSocketMode();
  const sm = socket;
  api = await startFakeWebApi({ socketUrl: () => sm.url });
  return { api, socket };
}

describe("fake Socket Mode endpoint", () => {
  it("greets a raw client with hello and rejects unknown tickets", async () => {
    const { socket } = await startFakes();
    const ws = new WebSocket(socket.url);
    const hello = await new Promise<unknown>((resolve, reject) => {
      ws.once("message", (data) => resolve(JSON.parse(String(data))));
      ws.once("error", reject);
    });
    expect(hello).toMatchObject({
      type: "hello",
      num_connections: 1,
      debug_info: { host: expect.any(String) },
      connection_info: { app_id: "A0KBTRIAGE" },
    });
    await socket.connected();

    const ack = socket.sendInteraction({ type: "block_actions" });
    const envelope = await new Promise<{ envelope_id: string; type: string }>((resolve) =>
      ws.once("message", (data) => resolve(JSON.parse(String(data)))),
    );
    expect(envelope.type).toBe("interactive");
    ws.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { ok: 1 } }));
    expect(await ack).toEqual({ envelope_id: envelope.envelope_id, payload: { ok: 1 } });
    ws.close();

    const bogus = new WebSocket(socket.url.replace(/ticket=[^&]+/, "ticket=forged"));
    const status = await new Promise<number | undefined>((resolve) => {
      bogus.once("unexpected-response", (_req, res) => resolve(res.statusCode));
      bogus.once("error", () => resolve(undefined));
    });
    expect(status).toBe(401);
  });

  it("rejects a send when no ack arrives in time", async () => {
    const { socket } = await startFakes();
    const ws = new WebSocket(socket.url);
    await socket.connected();
    await expect(socket.sendEvent(appMentionEvent({ text: "hi" }), { timeoutMs: 50 })).rejects.toThrow(
      /No ack for events_api envelope .* within 50ms/,
    );
    ws.close();
  });
});

describe("Bolt in Socket Mode against the fakes", () => {
  it("connects, acks an events_api envelope and replies through the fake Web API", async () => {
    const { api, socket } = await startFakes();
    // App-level clientOptions reach the SocketModeClient too (Bolt passes them as installerOptions.clientOptions).
    app = new App({
      token: api.botToken,
      appToken: api.appToken,
      socketMode: true,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: api.url },
    });
    const retries: Array<number | undefined> = [];
    app.event("app_mention", async ({ event, say, context }) => {
      retries.push(context.retryNum);
      await say({ text: "On it", thread_ts: event.ts });
    });

    await app.start(); // resolves on `hello`
    expect(socket.connections).toBe(1);
    const open = await api.waitForCall("apps.connections.open");
    expect(open.token).toBe(api.appToken);

    const event = appMentionEvent({ channel: "C0TRIAGE01", text: "printer on fire" });
    const ack = await socket.sendEvent(event);
    expect(ack.envelope_id).toBe(socket.envelopes[0]?.envelope_id);
    expect(socket.envelopes[0]).toMatchObject({
      type: "events_api",
      accepts_response_payload: false,
      retry_attempt: 0,
      retry_reason: "",
      payload: { type: "event_callback", event: { type: "app_mention", ts: event.ts } },
    });

    const reply = await api.waitForCall("chat.postMessage");
    expect(reply.args).toMatchObject({ channel: "C0TRIAGE01", thread_ts: event.ts, text: "On it" });
    expect(reply.token).toBe(api.botToken);

    await socket.sendEvent(event, { retryAttempt: 2, retryReason: "timeout" });
    await api.waitForCall("chat.postMessage", () => api.callsTo("chat.postMessage").length === 2);
    expect(retries).toEqual([0, 2]);
  });

  it("carries a slash command's ack payload back over the socket", async () => {
    const { api, socket } = await startFakes();
    app = new App({
      token: api.botToken,
      appToken: api.appToken,
      socketMode: true,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: api.url },
    });
    app.command("/triage", async ({ command, ack }) => {
      await ack({ response_type: "ephemeral", text: `Searching for ${command.text}` });
    });
    app.action("resolve", async ({ ack }) => {
      await ack();
    });
    await app.start();

    const ack = await socket.sendCommand({ command: "/triage", text: "error 809" });
    expect(ack.payload).toEqual({ response_type: "ephemeral", text: "Searching for error 809" });
    expect(socket.envelopes[0]).toMatchObject({ type: "slash_commands", accepts_response_payload: true });

    const click = await socket.sendInteraction(blockAction({ action_id: "resolve", value: "KB-809" }));
    expect(click.payload).toEqual({});
  });

  it("reconnects through apps.connections.open after a disconnect request (custom receiver)", async () => {
    const { api, socket } = await startFakes();
    // A custom receiver is the only way to shorten the reconnect delay (clientPingTimeout × attempts, 5 s default).
    const receiver = new SocketModeReceiver({
      appToken: api.appToken,
      logLevel: LogLevel.ERROR,
      clientPingTimeout: 300,
      installerOptions: { clientOptions: { slackApiUrl: api.url } },
    });
    app = new App({
      token: api.botToken,
      receiver,
      logLevel: LogLevel.ERROR,
      clientOptions: { slackApiUrl: api.url },
    });
    app.event("app_mention", async ({ say }) => {
      await say("back again");
    });
    await app.start();
    const first = await api.waitForCall("apps.connections.open");

    socket.disconnect("refresh_requested");
    await api.waitForCall("apps.connections.open", (c) => c !== first);
    await socket.connected();

    await socket.sendEvent(appMentionEvent({ text: "still there?" }));
    expect((await api.waitForCall("chat.postMessage")).args.text).toBe("back again");
  });
});
