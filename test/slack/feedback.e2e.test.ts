/**
 * The helpdesk loop over the wire: answer buttons clicked as Slack sends them, into the real Bolt app, with a
 * real SQLite store in a temp folder and the emulator's Web API.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FakeWebApi, HttpSender } from "../../src/emulator/index.js";
import { blockAction, messageEvent } from "../../src/emulator/payloads.js";
import { ACTIONS } from "../../src/reply/ids.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import type { TriageStore } from "../../src/store/store.js";
import { startHttpApp } from "./harness.js";

const CHANNEL = "C0LOOP0001";
const HELPDESK = "C0HELPDESK";
const USER = "U0LOOP0001";
const PASTE = "`System error 53 has occurred.` &lt;again&gt; on \\\\fs01\\share";

let api: FakeWebApi;
let send: HttpSender;
let stop: () => Promise<void>;
let store: TriageStore;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "kb-triage-loop-"));
  store = await openSqliteStore(dir);
  ({ api, send, stop } = await startHttpApp(
    { helpdeskChannel: HELPDESK, adminUsers: ["U0ADMIN001"] },
    store,
  ));
});
afterAll(async () => {
  await stop?.();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await new Promise((resolve) => setTimeout(resolve, 100));
  api.reset();
});

/** Pastes the error in the channel; returns the message ts and the answer's button value for `actionId`. */
async function pasteAndAnswer(actionId: string): Promise<{ ts: string; value: string }> {
  const event = messageEvent({ channel: CHANNEL, user: USER, text: PASTE });
  await send.sendEvent(event);
  const answer = await api.waitForCall("chat.postMessage", (c) => c.args.channel === CHANNEL);
  const blocks = JSON.stringify(answer.args.blocks);
  const match = blocks.match(new RegExp(`"action_id":"${actionId}","value":"((?:[^"\\\\]|\\\\.)*)"`));
  if (!match?.[1]) throw new Error(`no ${actionId} button in ${blocks.slice(0, 400)}`);
  return { ts: event.ts, value: JSON.parse(`"${match[1]}"`) as string };
}

const click = (actionId: string, value: string) =>
  send.sendInteraction(
    blockAction({
      action_id: actionId,
      value,
      user: USER,
      channel: CHANNEL,
      response_url: api.responseUrl({ channel: CHANNEL, user: USER }),
    }),
  );

const triageIdOf = (value: string) => (JSON.parse(value) as { t: string }).t;

describe("answer buttons", () => {
  it("records Fixed it, adds ✅ to the original message and says who confirmed it", async () => {
    const { ts, value } = await pasteAndAnswer(ACTIONS.fixed);
    await click(ACTIONS.fixed, value);
    const reaction = await api.waitForCall("reactions.add");
    expect(reaction.args).toMatchObject({ channel: CHANNEL, timestamp: ts, name: "white_check_mark" });
    const updated = await api.waitForCall("response_url", (c) => c.args.replace_original === true);
    expect(JSON.stringify(updated.args.blocks)).toContain(`confirmed by <@${USER}>`);
    expect(JSON.stringify(updated.args.blocks)).not.toContain(ACTIONS.fixed);
    const feedback = await store.feedbackFor(triageIdOf(value));
    expect(feedback).toEqual([expect.objectContaining({ kind: "fixed", user: USER, articleId: "KT1007" })]);
    const triage = await store.triage(triageIdOf(value));
    expect(triage).toMatchObject({
      source: "channel",
      verdict: "match",
      topArticle: "KT1007",
      channel: CHANNEL,
    });
  });

  it("records Not it and offers the next candidates, each with This one", async () => {
    const { value } = await pasteAndAnswer(ACTIONS.notIt);
    await click(ACTIONS.notIt, value);
    const next = await api.waitForCall("response_url");
    expect(next.args.response_type).toBe("ephemeral");
    const body = JSON.stringify(next.args.blocks ?? next.args.text);
    expect(body).not.toContain('"a":"KT1007"');
    expect((await store.feedbackFor(triageIdOf(value))).map((f) => f.kind)).toEqual(["not_it"]);
    expect(body).toMatch(/This one|no other article/);
  });

  it("escalates to the helpdesk channel with the paste as written, and tells the thread", async () => {
    const { ts, value } = await pasteAndAnswer(ACTIONS.escalate);
    await click(ACTIONS.escalate, value);
    const posted = await api.waitForCall("chat.postMessage", (c) => c.args.channel === HELPDESK);
    const summary = JSON.stringify(posted.args.blocks);
    expect(summary).toContain(`<@${USER}>`);
    expect(summary).toContain("System error 53 has occurred.");
    expect(summary).toContain("fs01"); // as written, not masked
    expect(summary).toContain("KT1007");
    expect(summary).not.toMatch(/<!(channel|here|everyone)>/);
    const told = await api.waitForCall(
      "chat.postMessage",
      (c) => c.args.channel === CHANNEL && c.args.thread_ts === ts && String(c.args.text).includes(HELPDESK),
    );
    expect(String(told.args.text)).toContain(`<#${HELPDESK}>`);
    expect((await store.stats(1)).escalated).toBeGreaterThanOrEqual(1);
  });
});

describe("App Home", () => {
  it("publishes the deflection figures and the KB gaps when a user opens the Home tab", async () => {
    await send.sendEvent(
      messageEvent({ channel: CHANNEL, user: USER, text: "Error 0x8badf00d: the flux capacitor failed" }),
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    await send.sendEvent({
      type: "app_home_opened",
      user: USER,
      channel: "D0HOME0001",
      tab: "home",
      event_ts: "1.1",
    });
    const published = await api.waitForCall("views.publish");
    expect(published.args.user_id).toBe(USER);
    const view = JSON.stringify(published.args.view);
    expect(view).toMatch(/\d+ errors triaged/);
    expect(view).toContain("flux capacitor");
    expect(view).toContain("Deflection rate");
  });
});

describe("channel settings", () => {
  const settings = async (user: string, text: string, channel = "C0SET00001") => {
    await send.sendCommand({ command: "/triage", text, user_id: user, channel_id: channel });
    const reply = await api.waitForCall("response_url", (c) => String(c.args.text).includes("Settings for"));
    api.reset();
    return String(reply.args.text);
  };
  const paste = async (channel: string, text = PASTE) => {
    const event = messageEvent({ channel, user: USER, text });
    await send.sendEvent(event);
    await new Promise((resolve) => setTimeout(resolve, 200));
    return event;
  };

  it("shows the settings to anyone, and lets only admins change them", async () => {
    expect(await settings(USER, "settings")).toMatch(/Mode: all error pastes[\s\S]*Only helpdesk admins/);
    expect(await settings(USER, "settings mode off")).toMatch(/^Only helpdesk admins can change/);
    expect(await settings("U0ADMIN001", "settings mode off")).toMatch(/^Saved\.[\s\S]*Mode: off/);
    expect((await store.channelSettings("C0SET00001"))?.mode).toBe("off");
  });

  it("stays silent in a channel switched off, also when mentioned", async () => {
    await settings("U0ADMIN001", "settings mode off", "C0OFF00001");
    await paste("C0OFF00001");
    await send.sendEvent({
      type: "app_mention",
      channel: "C0OFF00001",
      user: USER,
      text: `<@${api.botUserId}> ${PASTE}`,
      ts: "1732500999.000100",
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(api.callsTo("chat.postMessage")).toHaveLength(0);
  });

  it("points a repeated error to the earlier answer within the cooldown", async () => {
    await settings("U0ADMIN001", "settings cooldown 15", "C0COOL0001");
    const first = await paste("C0COOL0001");
    const second = await paste("C0COOL0001");
    const posts = api.callsTo("chat.postMessage");
    expect(posts).toHaveLength(2);
    expect(posts[0]?.args.thread_ts).toBe(first.ts);
    expect(String(posts[1]?.args.text)).toMatch(/^Same error as <[^|]+\|this earlier message> \(1 min ago\)/);
    expect(posts[1]?.args.thread_ts).toBe(second.ts);
  });

  it("offers candidates instead of an answer below the channel's confidence", async () => {
    await settings("U0ADMIN001", "settings min-score 1", "C0STRICT01");
    await paste("C0STRICT01");
    const reply = await api.waitForCall("chat.postMessage");
    expect(JSON.stringify(reply.args.blocks)).toContain(ACTIONS.pick);
    expect(JSON.stringify(reply.args.blocks)).not.toContain(ACTIONS.fixed);
  });
});

describe("buttons after a restart", () => {
  it("finds a triage the bot answered before it restarted in the database", async () => {
    // Only in the database, as after a restart (the in-memory cache never saw it).
    await store.recordTriage({
      id: "before-restart-1",
      at: Date.now() - 3600_000,
      team: null,
      channel: CHANNEL,
      user: USER,
      source: "channel",
      text: "System error 53 has occurred.",
      textHash: "x",
      verdict: "match",
      topArticle: "KT1007",
      score: 0.95,
      latencyMs: 2,
      messageTs: "1732500500.000100",
    });
    await click(ACTIONS.fixed, JSON.stringify({ t: "before-restart-1", a: "KT1007" }));
    const updated = await api.waitForCall("response_url", (c) => c.args.replace_original === true);
    expect(JSON.stringify(updated.args.blocks)).toContain("confirmed by");
    const reaction = await api.waitForCall("reactions.add");
    expect(reaction.args.timestamp).toBe("1732500500.000100");
    expect((await store.feedbackFor("before-restart-1")).map((f) => f.kind)).toEqual(["fixed"]);
  });

  it("explains politely when the triage is gone from the database too", async () => {
    await click(ACTIONS.fixed, JSON.stringify({ t: "purged-long-ago", a: "KT1007" }));
    const reply = await api.waitForCall("response_url");
    expect(String(reply.args.text)).toMatch(/too old/);
  });
});

describe("channel settings from App Home", () => {
  it("lets an admin open the settings modal from Home and save a channel's settings", async () => {
    await send.sendEvent({
      type: "app_home_opened",
      user: "U0ADMIN001",
      channel: "D0HOME0002",
      tab: "home",
      event_ts: "1.2",
    });
    const home = await api.waitForCall("views.publish", (c) => c.args.user_id === "U0ADMIN001");
    expect(JSON.stringify(home.args.view)).toContain(ACTIONS.editSettings);
    await send.sendInteraction(
      blockAction({
        action_id: ACTIONS.editSettings,
        value: "settings",
        user: "U0ADMIN001",
        container: { type: "view", view_id: "V0HOME0001" },
        trigger_id: "42.42.home",
      }),
    );
    const opened = await api.waitForCall("views.open");
    expect(opened.args.trigger_id).toBe("42.42.home");
    const modal = opened.args.view as { callback_id: string; blocks: unknown[] };
    expect(modal.callback_id).toBe("triage_settings");
    api.reset();
    const submitted = await send.sendInteraction({
      type: "view_submission",
      team: { id: "T0TEAM0001", domain: "test" },
      user: { id: "U0ADMIN001", username: "admin", name: "admin", team_id: "T0TEAM0001" },
      api_app_id: "A0APP00001",
      token: "verification",
      trigger_id: "42.43.home",
      view: {
        id: "V0MODAL001",
        type: "modal",
        callback_id: "triage_settings",
        blocks: modal.blocks,
        state: {
          values: {
            settings_channel: {
              channel: { type: "conversations_select", selected_conversation: "C0FROMHOME" },
            },
            settings_mode: { mode: { type: "static_select", selected_option: { value: "mentions" } } },
            settings_min_score: { min_score: { type: "plain_text_input", value: "0.9" } },
            settings_cooldown: { cooldown: { type: "plain_text_input", value: "5" } },
          },
        },
        private_metadata: "",
        hash: "h",
        title: { type: "plain_text", text: "Channel settings" },
      },
    });
    expect(submitted.status).toBe(200);
    await api.waitForCall("views.publish", (c) => c.args.user_id === "U0ADMIN001");
    expect(await store.channelSettings("C0FROMHOME")).toMatchObject({
      mode: "mentions",
      minScore: 0.9,
      cooldownMinutes: 5,
      updatedBy: "U0ADMIN001",
    });
  });

  it("shows the settings read-only to everyone else", async () => {
    await send.sendEvent({
      type: "app_home_opened",
      user: USER,
      channel: "D0HOME0003",
      tab: "home",
      event_ts: "1.3",
    });
    const home = await api.waitForCall("views.publish", (c) => c.args.user_id === USER);
    const view = JSON.stringify(home.args.view);
    expect(view).not.toContain(ACTIONS.editSettings);
    expect(view).toContain("Only helpdesk admins");
  });
});
