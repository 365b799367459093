/**
 * A paste with a secret in it, over the wire: the secret is matched on, stored, escalated and logged only as
 * `[redacted]`, and the person is told privately to rotate it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeWebApi, HttpSender } from "../../src/emulator/index.js";
import { appMentionEvent, blockAction, messageEvent } from "../../src/emulator/payloads.js";
import { ACTIONS } from "../../src/reply/ids.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import type { TriageStore } from "../../src/store/store.js";
import { capturingLogger, startHttpApp } from "./harness.js";

const CHANNEL = "C0SECRETS01";
const HELPDESK = "C0HELPDESK9";
const USER = "U0LEAKER001";
const PASSWORD = "Tr0ub4dor&3xyz";
const TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
const PASTE = `$ git push\nremote: Support for password authentication was removed on August 13, 2021.\nfatal: Authentication failed for 'https://x-access-token:${TOKEN}@github.com/acme/app.git/'\n(my .env has DB_PASSWORD=${PASSWORD})`;
const slackEscaped = PASTE.replace(/&/g, "&amp;");

let api: FakeWebApi;
let send: HttpSender;
let stop: () => Promise<void>;
let store: TriageStore;
let dir: string;
const captured = capturingLogger();
let ts = 1_732_800_000;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "kb-secrets-"));
  store = await openSqliteStore(dir);
  ({ api, send, stop } = await startHttpApp({ helpdeskChannel: HELPDESK }, store, captured.logger));
});
afterAll(async () => {
  await stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a paste with secrets", () => {
  it("is answered from the redacted text, stored and escalated redacted, and the person is told to rotate", async () => {
    const messageTs = `${ts++}.000100`;
    await send.sendEvent(
      appMentionEvent({ channel: CHANNEL, user: USER, text: `<@U0KBTRIAGE> ${slackEscaped}`, ts: messageTs }),
    );
    const answer = await api.waitForCall("chat.postMessage", (c) => c.args.thread_ts === messageTs);
    expect(JSON.stringify(answer.args.blocks)).toContain("KT1023");
    const warning = await api.waitForCall("chat.postEphemeral", (c) => c.args.user === USER);
    expect(String(warning.args.text)).toMatch(/rotate that secret/);
    expect(String(warning.args.text)).toMatch(/GitHub token/);

    const button = (answer.args.blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>)
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === ACTIONS.escalate);
    await send.sendInteraction(
      blockAction({
        action_id: ACTIONS.escalate,
        value: button?.value as string,
        user: USER,
        channel: CHANNEL,
        message: { type: "message", ts: String(answer.response.ts), thread_ts: messageTs },
        response_url: api.responseUrl({ channel: CHANNEL, user: USER }),
      }),
    );
    const escalation = await api.waitForCall("chat.postMessage", (c) => c.args.channel === HELPDESK);
    const posted = JSON.stringify(escalation.args);
    expect(posted).toContain("[redacted]");

    const stored = await store.triage((JSON.parse(button?.value as string) as { t: string }).t ?? "");
    for (const text of [posted, stored?.text ?? "", captured.text()]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain("Tr0ub4dor");
      expect(text).not.toContain(TOKEN);
    }
    expect(stored?.text).toContain("[redacted]");
  });

  it("warns in a channel even when the bot stays silent, and not about look-alikes", async () => {
    const leak = `${ts++}.000100`;
    api.calls.length = 0;
    await send.sendEvent(
      messageEvent({
        channel: CHANNEL,
        user: USER,
        text: `here is my config: password=${PASSWORD}`,
        ts: leak,
      }),
    );
    await api.waitForCall("chat.postEphemeral", (c) => c.args.user === USER);
    api.calls.length = 0;
    await send.sendEvent(
      messageEvent({
        channel: CHANNEL,
        user: USER,
        text: "Your password has expired and must be changed. Error 0x80070005 {6F9619FF-8B86-D011-B42D-00C04FC964FF}",
        ts: `${ts++}.000100`,
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(api.callsTo("chat.postEphemeral")).toEqual([]);
  });
});
