/** Escalate with only a ticketing webhook configured: signed JSON out, the ticket linked back in the thread. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeWebApi, HttpSender } from "../../src/emulator/index.js";
import { blockAction, messageEvent } from "../../src/emulator/payloads.js";
import { ACTIONS } from "../../src/reply/ids.js";
import { startHttpApp } from "./harness.js";

const CHANNEL = "C0HOOK0001";
const USER = "U0HOOK0001";

let api: FakeWebApi;
let send: HttpSender;
let stop: () => Promise<void>;
let hook: Server;
const received: unknown[] = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ signature: req.headers["x-kb-triage-signature"], body: JSON.parse(body) });
      res
        .writeHead(201, { "content-type": "application/json" })
        .end('{"ticket_url":"https://tickets.example/HD-7"}');
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
  ({ api, send, stop } = await startHttpApp({
    escalationWebhook: {
      url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
      secret: "hook-secret-0123456789",
    },
  }));
});
afterAll(async () => {
  await stop?.();
  await new Promise<void>((resolve) => hook.close(() => resolve()));
});

describe("Escalate with ESCALATION_WEBHOOK_URL", () => {
  it("posts the signed summary to the ticketing system and links the ticket in the thread", async () => {
    const event = messageEvent({
      channel: CHANNEL,
      user: USER,
      text: "System error 53 has occurred. on \\\\fs01\\share",
    });
    await send.sendEvent(event);
    const answer = await api.waitForCall("chat.postMessage", (c) => c.args.channel === CHANNEL);
    const found = JSON.stringify(answer.args.blocks).match(
      new RegExp(`"action_id":"${ACTIONS.escalate}","value":"((?:[^"\\\\]|\\\\.)*)"`),
    );
    expect(found?.[1]).toBeDefined();
    await send.sendInteraction(
      blockAction({
        action_id: ACTIONS.escalate,
        value: JSON.parse(`"${found?.[1]}"`) as string,
        user: USER,
        channel: CHANNEL,
        response_url: api.responseUrl({ channel: CHANNEL, user: USER }),
      }),
    );
    const told = await api.waitForCall(
      "chat.postMessage",
      (c) => c.args.thread_ts === event.ts && String(c.args.text).includes("HD-7"),
    );
    expect(String(told.args.text)).toContain("<https://tickets.example/HD-7|");
    expect(received).toHaveLength(1);
    const sent = received[0] as { signature: string; body: Record<string, unknown> };
    expect(sent.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(sent.body).toMatchObject({
      type: "kb_triage.escalation",
      version: 1,
      escalated_by: { user_id: USER },
      channel_id: CHANNEL,
      message_ts: event.ts,
      error_text: "System error 53 has occurred. on \\\\fs01\\share",
      verdict: "match",
    });
    expect(api.callsTo("chat.postMessage").some((c) => c.args.channel === "C0HELPDESK")).toBe(false);
  });
});
