/**
 * Hostile and broken input over the wire: pastes no one should send, payloads Slack would never send. The app
 * acknowledges or refuses each with a 4xx, never crashes, never echoes a ping, and keeps answering afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeWebApi, HttpSender } from "../../src/emulator/index.js";
import { appMentionEvent, messageEvent, slashCommand } from "../../src/emulator/payloads.js";
import { checkLimits } from "../../src/reply/blocks.js";
import { startHttpApp } from "./harness.js";

const DM = "D0BADINPUT1";
const CHANNEL = "C0BADINPUT1";
const BOT = "U0KBTRIAGE";
const USER = "U0HOSTILE01";
const SYSTEM_53 = "System error 53 has occurred. The network path was not found.";

let api: FakeWebApi;
let send: HttpSender;
let stop: () => Promise<void>;
let ts = 1_732_600_000;
const nextTs = () => `${ts++}.000100`;

beforeAll(async () => {
  ({ api, send, stop } = await startHttpApp());
});
afterAll(async () => {
  await stop();
});

const PASTES: Record<string, string> = {
  empty: "",
  whitespace: " \t\n\u00a0\u2003\n ",
  "emoji only": "🔥🔥💥😱🙈".repeat(20),
  "40,000 characters": `${SYSTEM_53} `.repeat(700).slice(0, 40_000),
  "1 MB": "x".repeat(1_048_576),
  "10,000 lines": Array.from({ length: 10_000 }, (_, i) => `at frame${i} (file${i}.js:${i}:1)`).join("\n"),
  "NUL and control characters": `Sys\u0000tem error 53\u0001\u0007\u001b[31m has occurred.\u0008\u007f`,
  "lone surrogates": `error \ud800 53 \udfff has \ud83d occurred`,
  "right-to-left": "\u202eSystem error 53 has occurred.\u202c خطأ في الشبكة 53 \u200f",
  "regex bait": `${"a".repeat(5000)}!${"0x".repeat(5000)}${"(".repeat(3000)}${"&amp;".repeat(3000)}${"<".repeat(2000)}`,
  pings:
    "<!channel> <!here> <!everyone> @everyone @here <!subteam^S123|@admins> System error 53 has occurred.",
  "forged link": "<https://evil.example|https://intranet/reset> <@U0KBTRIAGE> <#C0GENERAL01> System error 53",
};

/** A mention is always answered, in the thread of the message: each paste gets exactly one reply to check. */
async function mention(text: string) {
  const messageTs = nextTs();
  const result = await send.sendEvent(
    appMentionEvent({ channel: CHANNEL, user: USER, text: `<@${BOT}> ${text}`, ts: messageTs }),
  );
  expect(result.status).toBe(200);
  return api.waitForCall("chat.postMessage", (c) => c.args.thread_ts === messageTs, 15_000);
}

const PINGS = /<!channel>|<!here>|<!everyone>|<!subteam|(?<![`\w])@everyone|(?<![`\w])@here/;

describe("hostile pastes mentioning the bot (always answered)", () => {
  for (const [name, text] of Object.entries(PASTES)) {
    it(`acknowledges ${name}, answers within Slack's limits, and echoes no ping`, async () => {
      const reply = await mention(text);
      expect(reply.ok).toBe(true);
      expect(checkLimits({ text: String(reply.args.text), blocks: reply.args.blocks as never[] })).toEqual(
        [],
      );
      expect(JSON.stringify([reply.args.text, reply.args.blocks])).not.toMatch(PINGS);
    }, 30_000);
  }

  it("also acknowledges them as plain DM messages, then still answers a normal paste", async () => {
    for (const text of Object.values(PASTES)) {
      expect(
        (await send.sendEvent(messageEvent({ channel: DM, user: USER, text, ts: nextTs() }))).status,
      ).toBe(200);
    }
    const reply = await mention(SYSTEM_53);
    expect(JSON.stringify(reply.args.blocks)).toContain("KT1007");
  }, 60_000);
});

describe("/triage with hostile text", () => {
  for (const [name, text] of Object.entries(PASTES)) {
    it(`answers ${name} privately, within limits, without pings`, async () => {
      const result = await send.sendCommand({
        text: text.slice(0, 8000),
        channel_id: "C0BADINPUT1",
        user_id: USER,
      });
      expect(result.status).toBe(200);
      const reply = await api.waitForCall(
        "response_url",
        (c) => c.at >= Date.now() - 10_000 && JSON.stringify(c.args) !== "{}",
        15_000,
      );
      expect(JSON.stringify(reply.args)).not.toMatch(PINGS);
      api.calls.length = 0;
    }, 30_000);
  }
});

describe("payloads Slack would never send", () => {
  const refusedOrSkipped = (status: number, what = "") =>
    expect(status === 200 || (status >= 400 && status < 500), `${what}: HTTP ${status}`).toBe(true);

  it("skips events with missing fields and unknown types, and keeps answering", async () => {
    for (const event of [
      { type: "message" },
      { type: "message", channel: DM },
      { type: "message", channel: DM, user: USER, ts: nextTs() },
      { type: "message", channel: DM, user: USER, text: 42, ts: nextTs() },
      { type: "app_mention", channel: "C0BADINPUT1" },
      { type: "app_home_opened" },
      { type: "reaction_added", item: null },
      { type: "" },
    ]) {
      refusedOrSkipped((await send.sendEvent(event as { type: string })).status, JSON.stringify(event));
    }
    for (const body of [
      "null",
      "[]",
      "42",
      '"text"',
      "{}",
      '{"type":"event_callback"}',
      '{"type":"event_callback","event":null}',
      '{"type":"block_actions"}',
    ]) {
      refusedOrSkipped((await send.sendRaw(body, { "content-type": "application/json" })).status, body);
    }
    for (const payload of [
      '{"type":"block_actions","actions":null}',
      '{"type":"view_submission","view":{}}',
      "not json",
    ]) {
      refusedOrSkipped(
        (
          await send.sendRaw(new URLSearchParams({ payload }).toString(), {
            "content-type": "application/x-www-form-urlencoded",
          })
        ).status,
        payload,
      );
    }
    const command = slashCommand({ text: "x" }) as unknown as Record<string, string>;
    delete command.user_id;
    refusedOrSkipped(
      (
        await send.sendRaw(new URLSearchParams(command).toString(), {
          "content-type": "application/x-www-form-urlencoded",
        })
      ).status,
    );
    expect(JSON.stringify((await mention(SYSTEM_53)).args.blocks)).toContain("KT1007");
  });

  it("refuses or skips a huge body without falling over", async () => {
    const huge = JSON.stringify({
      type: "event_callback",
      event: { type: "message", text: "x".repeat(5_000_000) },
    });
    const result = await send
      .sendRaw(huge, { "content-type": "application/json" })
      .catch(() => ({ status: 413 }));
    refusedOrSkipped(result.status);
    expect(JSON.stringify((await mention(SYSTEM_53)).args.blocks)).toContain("KT1007");
  });
});
