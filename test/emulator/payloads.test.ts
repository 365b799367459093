import { describe, expect, it } from "vitest";
import {
  appMentionEvent,
  blockAction,
  DEFAULTS,
  eventCallback,
  messageEvent,
  messageShortcut,
  slackSignature,
  slashCommand,
} from "../../src/emulator/index.js";

describe("payload builders", () => {
  it("builds a user's channel message like Slack's message event", () => {
    const e = messageEvent({
      channel: "C0TRIAGE01",
      user: "U0HUMAN0002",
      text: "hi <@U0KBTRIAGE>",
      ts: "1732500000.000100",
    });
    expect(e).toMatchObject({
      type: "message",
      channel: "C0TRIAGE01",
      user: "U0HUMAN0002",
      text: "hi <@U0KBTRIAGE>",
      ts: "1732500000.000100",
      event_ts: "1732500000.000100",
      channel_type: "channel",
      team: DEFAULTS.teamId,
      client_msg_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(e).not.toHaveProperty("subtype");
    expect(e.blocks).toMatchObject([
      {
        type: "rich_text",
        elements: [
          {
            type: "rich_text_section",
            elements: [
              { type: "text", text: "hi " },
              { type: "user", user_id: "U0KBTRIAGE" },
            ],
          },
        ],
      },
    ]);
  });

  it("derives channel_type, thread and file fields", () => {
    expect(messageEvent({ channel: "D0DIRECT01", text: "x" }).channel_type).toBe("im");
    expect(messageEvent({ channel: "G0PRIVATE1", text: "x" }).channel_type).toBe("group");
    const reply = messageEvent({
      text: "x",
      thread_ts: "1732500000.000100",
      user: "U2",
      parent_user_id: "U1",
    });
    expect(reply).toMatchObject({ thread_ts: "1732500000.000100", parent_user_id: "U1" });
    const bot = messageEvent({ text: "x", bot_id: DEFAULTS.botId });
    expect(bot).toMatchObject({ bot_id: DEFAULTS.botId, user: DEFAULTS.botUserId, app_id: DEFAULTS.appId });
    expect(bot).not.toHaveProperty("client_msg_id");
    const withFile = messageEvent({ text: "log attached", files: [] });
    expect(withFile).not.toHaveProperty("subtype");
  });

  it("mentions the bot in app_mention text", () => {
    expect(appMentionEvent({ text: "help" }).text).toBe(`<@${DEFAULTS.botUserId}> help`);
    expect(appMentionEvent({ text: `hey <@${DEFAULTS.botUserId}>` }).text).toBe(
      `hey <@${DEFAULTS.botUserId}>`,
    );
  });

  it("wraps events in an event_callback with authorizations for the bot", () => {
    const body = eventCallback(appMentionEvent({ text: "x" }), { eventId: "Ev0TEST0001" });
    expect(body).toMatchObject({
      type: "event_callback",
      event_id: "Ev0TEST0001",
      team_id: DEFAULTS.teamId,
      api_app_id: DEFAULTS.appId,
      authorizations: [{ team_id: DEFAULTS.teamId, user_id: DEFAULTS.botUserId, is_bot: true }],
    });
    expect(body.event_context).toMatch(/^4-/);
  });

  it("makes slash command bodies of strings only", () => {
    const body = slashCommand({ text: "error 809" });
    expect(Object.values(body).every((v) => typeof v === "string")).toBe(true);
    expect(body).toMatchObject({ command: "/triage", text: "error 809", is_enterprise_install: "false" });
    expect(body.response_url).toMatch(/^https:\/\/hooks\.slack\.com\/commands\//);
  });

  it("strips channel-only fields from messages inside interactivity payloads", () => {
    const message = messageEvent({ text: "crash", ts: "1732500000.000200" });
    const shortcut = messageShortcut({ callback_id: "triage_message", message });
    expect(shortcut).toMatchObject({
      type: "message_action",
      message_ts: "1732500000.000200",
      enterprise: null,
    });
    expect(shortcut.message).not.toHaveProperty("channel");
    expect(shortcut.message).not.toHaveProperty("event_ts");

    const click = blockAction({ action_id: "resolve", value: "KB-1", message, channel: "C0TRIAGE01" });
    expect(click.container).toEqual({
      type: "message",
      message_ts: "1732500000.000200",
      channel_id: "C0TRIAGE01",
      is_ephemeral: false,
    });
    expect(click.actions[0]).toMatchObject({ action_id: "resolve", value: "KB-1", type: "button" });
  });

  it("signs requests the way Slack documents", () => {
    // Example from Slack's "Verifying requests from Slack" guide.
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    expect(slackSignature("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body)).toBe(
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
  });
});
