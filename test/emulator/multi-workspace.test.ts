import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ErrorCode, type WebAPIPlatformError, WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createHttpSender,
  DEFAULTS,
  type EventCallback,
  type FakeWebApi,
  type FakeWorkspace,
  messageEvent,
  startFakeWebApi,
} from "../../src/emulator/index.js";
import { quietSlackLogger } from "../helpers/quiet-slack-logger.js";

let api: FakeWebApi;
let b: FakeWorkspace;

beforeEach(async () => {
  api = await startFakeWebApi();
  b = api.addWorkspace({
    teamId: "T0SECOND01",
    teamName: "Second Co",
    teamDomain: "second-co",
    botUserId: "U0BOTSECND",
    botId: "B0BOTSECND",
    enterpriseId: "E0GRIDORG1",
    installed: true,
  });
});

afterEach(async () => {
  await api.close();
});

function client(token: string): WebClient {
  return new WebClient(token, {
    slackApiUrl: api.url,
    logger: quietSlackLogger,
    retryConfig: { retries: 0 },
  });
}

async function platformError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as WebAPIPlatformError;
    if (e.code === ErrorCode.PlatformError) return e.data.error;
    throw err;
  }
  throw new Error("expected the call to fail");
}

describe("a fake Web API with several workspaces", () => {
  it("keeps the default workspace as api.workspace and finds the others by team id", () => {
    expect(api.teamId).toBe(DEFAULTS.teamId);
    expect(api.workspace.teamId).toBe(DEFAULTS.teamId);
    expect(api.workspaceFor("T0SECOND01")).toBe(b);
    expect(api.workspaces().map((w) => w.teamId)).toEqual([DEFAULTS.teamId, "T0SECOND01"]);
    expect(() => api.workspaceFor("T0NOWHERE1")).toThrow(/No workspace T0NOWHERE1/);
    expect(() => api.addWorkspace({ teamId: "T0SECOND01" })).toThrow(/exists already/);
    // Unnamed workspaces get fresh Slack-shaped ids, the same app, and a #general of their own.
    const c = api.addWorkspace();
    expect(c.teamId).toMatch(/^T[A-Z0-9]{10}$/);
    expect(c.botUserId).toMatch(/^U[A-Z0-9]{10}$/);
    expect(c.botToken).toMatch(/^xoxb-\d+-\d+-\w+$/);
    expect(c.appId).toBe(api.appId);
    expect(c.generalChannelId).not.toBe(DEFAULTS.channelId);
    expect(c.channel(c.generalChannelId)).toMatchObject({ name: "general", is_general: true });
  });

  it("answers auth.test with the identity of the workspace the token belongs to", async () => {
    expect(await client(b.botToken).auth.test()).toMatchObject({
      ok: true,
      team_id: "T0SECOND01",
      team: "Second Co",
      user_id: "U0BOTSECND",
      bot_id: "B0BOTSECND",
      url: "https://second-co.slack.com/",
      enterprise_id: "E0GRIDORG1",
      is_enterprise_install: false,
    });
    const a = await client(api.botToken).auth.test();
    expect(a).toMatchObject({ team_id: DEFAULTS.teamId, user_id: DEFAULTS.botUserId });
    expect(a).not.toHaveProperty("enterprise_id");
  });

  it("lets a token see only its own workspace's channels and messages", async () => {
    const web = client(b.botToken);
    api.addMessage({ channel: "C0TRIAGE01", text: "A's private business" });
    expect(await platformError(web.conversations.history({ channel: "C0TRIAGE01" }))).toBe(
      "channel_not_found",
    );
    expect(await platformError(web.chat.postMessage({ channel: "C0TRIAGE01", text: "x" }))).toBe(
      "channel_not_found",
    );
    expect(await platformError(web.conversations.info({ channel: DEFAULTS.channelId }))).toBe(
      "channel_not_found",
    );

    b.addMessage({ channel: "C0BHELPDSK", text: "printer on fire" });
    const posted = await web.chat.postMessage({ channel: "C0BHELPDSK", text: "Try turning it off" });
    expect(posted.message).toMatchObject({ user: "U0BOTSECND", bot_id: "B0BOTSECND", team: "T0SECOND01" });
    expect(b.messages("C0BHELPDSK").map((m) => m.text)).toEqual(["printer on fire", "Try turning it off"]);
    expect(api.messages("C0BHELPDSK")).toEqual([]);
    // ...and the other way round: B's channel does not exist for A's token.
    expect(await platformError(client(api.botToken).conversations.history({ channel: "C0BHELPDSK" }))).toBe(
      "channel_not_found",
    );
    expect(api.messages("C0TRIAGE01").map((m) => m.text)).toEqual(["A's private business"]);
  });

  it("records which workspace each call was for", async () => {
    await client(api.botToken).auth.test();
    await client(b.botToken).auth.test();
    await platformError(client("xoxb-unknown").auth.test());
    expect(api.callsTo("auth.test").map((c) => c.team)).toEqual([DEFAULTS.teamId, "T0SECOND01", undefined]);
    expect(api.callsTo("auth.test", "T0SECOND01")).toHaveLength(1);
    const seen: Array<string | undefined> = [];
    const off = api.onCall((c) => seen.push(c.team));
    await client(b.botToken).chat.postMessage({ channel: "C0BHELPDSK", text: "hi" });
    off();
    expect(seen).toEqual(["T0SECOND01"]);
    const call = await api.waitForCall("chat.postMessage", (c) => c.team === "T0SECOND01");
    expect(call.token).toBe(b.botToken);
  });

  it("injects failures into one workspace's calls when failNext names its team", async () => {
    api.failNext("chat.postMessage", { error: "channel_is_archived", team: "T0SECOND01" });
    await client(api.botToken).chat.postMessage({ channel: "C0TRIAGE01", text: "A is fine" });
    expect(
      await platformError(client(b.botToken).chat.postMessage({ channel: "C0BHELPDSK", text: "x" })),
    ).toBe("channel_is_archived");
    await client(b.botToken).chat.postMessage({ channel: "C0BHELPDSK", text: "only once" });
    expect(() => api.failNext("chat.postMessage", { team: "T0NOWHERE1" })).toThrow(/No workspace/);
  });

  it("serves a response_url made for a workspace into that workspace", async () => {
    const url = api.responseUrl({ channel: "C0BHELPDSK", user: "U0HUMAN0001", team: "T0SECOND01" });
    expect(url).toContain("/hooks/commands/T0SECOND01/");
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ response_type: "in_channel", text: "Answer for B" }),
    });
    expect(res.status).toBe(200);
    expect(b.messages("C0BHELPDSK").map((m) => m.text)).toEqual(["Answer for B"]);
    expect(api.messages("C0BHELPDSK")).toEqual([]);
    expect(api.callsTo("response_url")[0]?.team).toBe("T0SECOND01");
  });

  it("serves a workspace's files only with that workspace's token", async () => {
    const file = b.addFile({ name: "b.log", content: "B's log" });
    const get = (token: string) =>
      fetch(file.url_private, { headers: { authorization: `Bearer ${token}` }, redirect: "manual" });
    expect((await get(api.botToken)).status).toBe(302);
    const ok = await get(b.botToken);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("B's log");
  });

  it("refuses the bot token of a workspace the app is not installed in yet", async () => {
    const fresh = api.addWorkspace({ teamId: "T0NOTYET01" });
    expect(fresh.installed).toBe(false);
    expect(await platformError(client(fresh.botToken).auth.test())).toBe("invalid_auth");
  });

  it("restores every workspace's install on reset", async () => {
    api.uninstall("T0SECOND01");
    expect(await platformError(client(b.botToken).auth.test())).toBe("account_inactive");
    api.reset();
    expect(api.workspaceFor("T0SECOND01")).toBe(b);
    expect((await client(b.botToken).auth.test()).team_id).toBe("T0SECOND01");
  });
});

describe("events sent from a second workspace", () => {
  let receiver: Server;
  let url: string;
  const bodies: EventCallback[] = [];

  beforeEach(async () => {
    bodies.length = 0;
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as EventCallback);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/slack/events`;
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  it("carry B's team, enterprise and bot user when sent with B's identity", async () => {
    const sender = createHttpSender({ url, signingSecret: "s3cret" });
    const from = b.identity();
    await sender.sendEvent(messageEvent({ ...from, channel: "C0BHELPDSK", text: "help" }), from);
    await sender.sendEvent(messageEvent({ text: "from A" }));
    const [fromB, fromA] = bodies;
    expect(fromB).toMatchObject({
      team_id: "T0SECOND01",
      context_team_id: "T0SECOND01",
      context_enterprise_id: "E0GRIDORG1",
      api_app_id: api.appId,
      event: { type: "message", team: "T0SECOND01", channel: "C0BHELPDSK" },
      authorizations: [
        { team_id: "T0SECOND01", user_id: "U0BOTSECND", enterprise_id: "E0GRIDORG1", is_bot: true },
      ],
    });
    expect(fromA).toMatchObject({
      team_id: DEFAULTS.teamId,
      context_enterprise_id: null,
      authorizations: [{ team_id: DEFAULTS.teamId, user_id: DEFAULTS.botUserId, enterprise_id: null }],
    });
  });

  it("tell the app about an uninstall of B with tokens_revoked and app_uninstalled", async () => {
    const sender = createHttpSender({ url, signingSecret: "s3cret" });
    const gone = api.uninstall("T0SECOND01");
    for (const event of gone.events) await sender.sendEvent(event, gone.from);
    expect(bodies).toMatchObject([
      {
        team_id: "T0SECOND01",
        event: { type: "tokens_revoked", tokens: { oauth: [], bot: ["U0BOTSECND"] } },
        authorizations: [{ team_id: "T0SECOND01", user_id: "U0BOTSECND" }],
      },
      { team_id: "T0SECOND01", event: { type: "app_uninstalled" }, api_app_id: api.appId },
    ]);
  });

  it("can come from a sender bound to B", async () => {
    const sender = createHttpSender({ url, signingSecret: "s3cret", ...b.identity() });
    const { envelope } = await sender.sendEvent({ type: "app_home_opened", user: "U0HUMAN0001" });
    expect(envelope.team_id).toBe("T0SECOND01");
    expect(bodies[0]?.authorizations[0]).toMatchObject({ user_id: "U0BOTSECND", team_id: "T0SECOND01" });
  });
});
