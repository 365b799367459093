import { ErrorCode, type WebAPIPlatformError, WebClient, WebClientEvent } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeWebApi, startFakeWebApi } from "../../src/emulator/index.js";
import { quietSlackLogger } from "../helpers/quiet-slack-logger.js";

let api: FakeWebApi;

beforeEach(async () => {
  api = await startFakeWebApi();
});

afterEach(async () => {
  await api.close();
});

function client(token: string = api.botToken): WebClient {
  return new WebClient(token, {
    slackApiUrl: api.url,
    logger: quietSlackLogger,
    retryConfig: { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 10 },
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

describe("fake Web API with a real WebClient", () => {
  it("answers auth.test with the bot identity", async () => {
    const res = await client().auth.test();
    expect(res).toMatchObject({ ok: true, user_id: api.botUserId, bot_id: api.botId, team_id: api.teamId });
    expect(res.url).toMatch(/^https:\/\/.+\.slack\.com\/$/);
  });

  it("stores a posted thread reply and returns it from conversations.replies", async () => {
    const parent = api.addMessage({ channel: "C0TRIAGE01", user: "U0HUMAN0001", text: "VPN error 809" });
    const web = client();
    const posted = await web.chat.postMessage({
      channel: "C0TRIAGE01",
      thread_ts: parent.ts,
      text: "Try the IKEv2 fix",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "*Try* the IKEv2 fix" } }],
    });
    expect(posted.ok).toBe(true);
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(posted.ts)).toBeGreaterThan(Number(parent.ts));
    expect(posted.message).toMatchObject({ bot_id: api.botId, user: api.botUserId, thread_ts: parent.ts });

    const replies = await web.conversations.replies({ channel: "C0TRIAGE01", ts: parent.ts });
    expect(replies.messages?.map((m) => m.text)).toEqual(["VPN error 809", "Try the IKEv2 fix"]);
    expect(replies.messages?.[0]).toMatchObject({
      thread_ts: parent.ts,
      reply_count: 1,
      latest_reply: posted.ts,
    });
    expect(replies.messages?.[1]?.blocks).toEqual([
      { type: "section", text: { type: "mrkdwn", text: "*Try* the IKEv2 fix" } },
    ]);

    // The form-encoded call is recorded with blocks decoded and the token split out.
    const call = await api.waitForCall("chat.postMessage");
    expect(call.token).toBe(api.botToken);
    expect(call.args).not.toHaveProperty("token");
    expect(Array.isArray(call.args.blocks)).toBe(true);
  });

  it("lists top-level messages newest first in conversations.history", async () => {
    const first = api.addMessage({ channel: "C0TRIAGE01", text: "one" });
    api.addMessage({ channel: "C0TRIAGE01", text: "reply", thread_ts: first.ts });
    api.addMessage({ channel: "C0TRIAGE01", text: "two" });
    const history = await client().conversations.history({ channel: "C0TRIAGE01" });
    expect(history.messages?.map((m) => m.text)).toEqual(["two", "one"]);
  });

  it("retries after an injected 429 and succeeds", async () => {
    api.failNext("chat.postMessage", { status: 429, retryAfter: 0 });
    const web = client();
    let rateLimited = 0;
    web.on(WebClientEvent.RATE_LIMITED, () => {
      rateLimited += 1;
    });
    const res = await web.chat.postMessage({ channel: "C0TRIAGE01", text: "hello" });
    expect(res.ok).toBe(true);
    expect(rateLimited).toBe(1);
    expect(api.callsTo("chat.postMessage").map((c) => c.status)).toEqual([429, 200]);
    expect(api.messages("C0TRIAGE01")).toHaveLength(1);
  });

  it("injects ok:false errors and HTTP 500s", async () => {
    api.failNext("chat.postMessage", { error: "channel_is_archived" });
    expect(await platformError(client().chat.postMessage({ channel: "C0TRIAGE01", text: "x" }))).toBe(
      "channel_is_archived",
    );
    api.failNext("chat.update", { status: 500, times: 3 });
    await expect(
      client().chat.update({ channel: "C0TRIAGE01", ts: "1.000001", text: "x" }),
    ).rejects.toMatchObject({
      code: ErrorCode.HTTPError,
      statusCode: 500,
    });
  });

  it("rejects missing and invalid tokens like Slack", async () => {
    expect(await platformError(client("xoxb-not-a-real-token").auth.test())).toBe("invalid_auth");
    expect(await platformError(new WebClient(undefined, { slackApiUrl: api.url }).auth.test())).toBe(
      "not_authed",
    );
    // An app-level token is only good for apps.* methods, and vice versa.
    expect(await platformError(client(api.appToken).chat.postMessage({ channel: "C1X", text: "x" }))).toBe(
      "not_allowed_token_type",
    );
    expect(await platformError(client().apps.connections.open())).toBe("not_allowed_token_type");
  });

  it("reports unknown methods and missing arguments with Slack's error names", async () => {
    const web = client();
    expect(await platformError(web.apiCall("chat.fly"))).toBe("unknown_method");
    expect(await platformError(web.chat.postMessage({ channel: "", text: "x" }))).toBe("channel_not_found");
    expect(await platformError(web.apiCall("chat.postMessage", { channel: "C0TRIAGE01" }))).toBe("no_text");
    expect(await platformError(web.conversations.replies({ channel: "C0TRIAGE01", ts: "1.000001" }))).toBe(
      "thread_not_found",
    );
  });

  it("rejects blocks Slack would reject", async () => {
    const err = await client()
      .chat.postMessage({
        channel: "C0TRIAGE01",
        text: "long",
        blocks: [{ type: "section", text: { type: "mrkdwn", text: "x".repeat(3001) } }],
      })
      .catch((e: WebAPIPlatformError) => e);
    expect((err as WebAPIPlatformError).data).toMatchObject({
      error: "invalid_blocks",
      response_metadata: {
        messages: ["[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"],
      },
    });
  });

  it("accepts JSON bodies with a bearer token but ignores a token inside the JSON", async () => {
    const post = (headers: Record<string, string>, body: object) =>
      fetch(`${api.url}chat.postMessage`, { method: "POST", headers, body: JSON.stringify(body) }).then(
        (r) => r.json() as Promise<{ ok: boolean; error?: string }>,
      );
    const json = { "content-type": "application/json; charset=utf-8" };
    expect(
      await post({ ...json, authorization: `Bearer ${api.botToken}` }, { channel: "C0TRIAGE01", text: "hi" }),
    ).toMatchObject({
      ok: true,
    });
    expect(await post(json, { token: api.botToken, channel: "C0TRIAGE01", text: "hi" })).toEqual({
      ok: false,
      error: "not_authed",
    });
  });

  it("updates, deletes, links and reacts to messages", async () => {
    const web = client();
    const { ts } = await web.chat.postMessage({ channel: "C0TRIAGE01", text: "draft" });
    if (!ts) throw new Error("no ts");
    const updated = await web.chat.update({ channel: "C0TRIAGE01", ts, text: "final" });
    expect(updated).toMatchObject({ ts, text: "final" });
    expect(api.messages("C0TRIAGE01")[0]?.edited?.user).toBe(api.botUserId);

    const human = api.addMessage({ channel: "C0TRIAGE01", text: "not yours" });
    expect(await platformError(web.chat.update({ channel: "C0TRIAGE01", ts: human.ts, text: "x" }))).toBe(
      "cant_update_message",
    );

    const link = await web.chat.getPermalink({ channel: "C0TRIAGE01", message_ts: ts });
    expect(link.permalink).toBe(`https://kb-triage.slack.com/archives/C0TRIAGE01/p${ts.replace(".", "")}`);

    await web.reactions.add({ channel: "C0TRIAGE01", timestamp: human.ts, name: "eyes" });
    expect(
      await platformError(web.reactions.add({ channel: "C0TRIAGE01", timestamp: human.ts, name: "eyes" })),
    ).toBe("already_reacted");
    expect(api.reactions("C0TRIAGE01", human.ts)).toEqual([
      { name: "eyes", count: 1, users: [api.botUserId] },
    ]);
    await web.reactions.remove({ channel: "C0TRIAGE01", timestamp: human.ts, name: "eyes" });
    expect(
      await platformError(web.reactions.remove({ channel: "C0TRIAGE01", timestamp: human.ts, name: "eyes" })),
    ).toBe("no_reaction");

    await web.chat.delete({ channel: "C0TRIAGE01", ts });
    expect(api.messages("C0TRIAGE01").map((m) => m.text)).toEqual(["not yours"]);
  });

  it("posts ephemerals and describes channels and users", async () => {
    const web = client();
    const eph = await web.chat.postEphemeral({
      channel: "C0TRIAGE01",
      user: "U0HUMAN0001",
      text: "only you",
    });
    expect(eph.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(api.ephemerals).toMatchObject([{ channel: "C0TRIAGE01", user: "U0HUMAN0001", text: "only you" }]);
    expect((await web.conversations.info({ channel: "D0DIRECT01" })).channel).toMatchObject({
      is_im: true,
      is_channel: false,
      is_private: true,
    });
    expect((await web.conversations.info({ channel: "G0PRIVATE1" })).channel).toMatchObject({
      is_channel: false,
      is_group: true,
      is_private: true,
    });
    expect((await web.conversations.info({ channel: "C0TRIAGE01" })).channel).toMatchObject({
      is_channel: true,
      is_private: false,
    });
    expect((await web.users.info({ user: "U0HUMAN0001" })).user).toMatchObject({
      name: "alice",
      is_bot: false,
    });
    expect((await web.users.info({ user: api.botUserId })).user).toMatchObject({ is_bot: true });
  });

  it("opens, updates and publishes views", async () => {
    const web = client();
    const view = {
      type: "modal" as const,
      callback_id: "triage_modal",
      title: { type: "plain_text" as const, text: "Triage" },
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "Loading…" } }],
    };
    const opened = await web.views.open({ trigger_id: "1.2.abc", view });
    expect(opened.view).toMatchObject({
      id: expect.stringMatching(/^V/),
      callback_id: "triage_modal",
      type: "modal",
    });
    const id = opened.view?.id ?? "";
    const updated = await web.views.update({ view_id: id, hash: opened.view?.hash ?? "", view });
    expect(updated.view?.id).toBe(id);
    expect(await platformError(web.views.update({ view_id: id, hash: "stale", view }))).toBe("hash_conflict");
    expect(await platformError(web.views.open({ trigger_id: "", view }))).toBe("invalid_arguments");
    const home = await web.views.publish({ user_id: "U0HUMAN0001", view: { type: "home", blocks: [] } });
    expect(home.view).toMatchObject({ type: "home" });
  });

  it("serves registered files at url_private only with the bot token", async () => {
    const file = api.addFile({
      name: "vpn.log",
      filetype: "text",
      content: "Error 809: the network connection…",
    });
    const content = "Error 809: the network connection…";
    expect(file).toMatchObject({
      mimetype: "text/plain",
      filetype: "text",
      size: Buffer.byteLength(content),
    });
    const info = await client().files.info({ file: file.id });
    expect(info.file?.url_private).toBe(file.url_private);

    const authed = await fetch(file.url_private, { headers: { authorization: `Bearer ${api.botToken}` } });
    expect(authed.status).toBe(200);
    expect(authed.headers.get("content-type")).toBe("text/plain");
    expect(await authed.text()).toBe(content);

    // Without the token Slack answers with its sign-in page, not the file.
    const anonymous = await fetch(file.url_private_download);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("returns the socket URL from apps.connections.open for an app token", async () => {
    api.setSocketUrl(() => "ws://127.0.0.1:1/link/?ticket=t");
    const res = await client(api.appToken).apps.connections.open();
    expect(res.url).toBe("ws://127.0.0.1:1/link/?ticket=t");
  });

  it("completes custom functions with a workflow token", async () => {
    const web = client("xwfp-T0KBTRIAGE-123");
    await web.functions.completeSuccess({ function_execution_id: "Fx1", outputs: { answer: "42" } });
    const call = await api.waitForCall("functions.completeSuccess");
    expect(call.args.outputs).toEqual({ answer: "42" });
  });

  it("waits for future calls and explains timeouts", async () => {
    const later = api.waitForCall("chat.postMessage", (c) => c.args.text === "second");
    const web = client();
    await web.chat.postMessage({ channel: "C0TRIAGE01", text: "first" });
    await web.chat.postMessage({ channel: "C0TRIAGE01", text: "second" });
    expect((await later).args.text).toBe("second");

    await expect(api.waitForCall("views.open", undefined, 50)).rejects.toThrow(
      /Timed out after 50ms waiting for a views\.open call\.\nCalls seen:\n {2}chat\.postMessage .*"first"/,
    );
  });

  it("records response_url posts and stores in_channel replies", async () => {
    const url = api.responseUrl({ channel: "C0TRIAGE01", user: "U0HUMAN0001" });
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ response_type: "in_channel", text: "Posted for everyone" }),
    });
    expect(res.status).toBe(200);
    expect((await api.waitForCall("response_url")).args.text).toBe("Posted for everyone");
    expect(api.messages("C0TRIAGE01").map((m) => m.text)).toEqual(["Posted for everyone"]);
  });

  it("replaces or deletes the message a response_url came from, as Slack does for replace_original", async () => {
    const post = (url: string, body: object) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const { ts } = await client().chat.postMessage({ channel: "C0TRIAGE01", text: "answer" });
    await post(api.responseUrl({ channel: "C0TRIAGE01", user: "U0HUMAN0001", messageTs: ts }), {
      replace_original: true,
      text: "answer, confirmed",
    });
    expect(api.messages("C0TRIAGE01").map((m) => m.text)).toEqual(["answer, confirmed"]);
    expect(api.messages("C0TRIAGE01")[0]?.edited).toBeDefined();

    await post(api.responseUrl({ channel: "C0TRIAGE01", user: "U0HUMAN0001" }), { text: "just for you" });
    const ephemeralTs = api.ephemerals[0]?.message_ts as string;
    const fromEphemeral = api.responseUrl({ channel: "C0TRIAGE01", user: "U0HUMAN0001", ephemeralTs });
    await post(fromEphemeral, { replace_original: true, text: "still just for you" });
    expect(api.ephemerals.map((e) => e.text)).toEqual(["still just for you"]);
    await post(fromEphemeral, { response_type: "in_channel", text: "shared", replace_original: false });
    await post(fromEphemeral, { delete_original: true });
    expect(api.ephemerals).toEqual([]);
    expect(api.messages("C0TRIAGE01").map((m) => m.text)).toEqual(["answer, confirmed", "shared"]);

    await post(api.responseUrl({ channel: "C0TRIAGE01", user: "U0HUMAN0001", messageTs: ts }), {
      delete_original: true,
    });
    expect(api.messages("C0TRIAGE01").map((m) => m.text)).toEqual(["shared"]);
  });

  it("posts replies that are not replacements in the thread the response_url came from", async () => {
    const post = (url: string, body: object) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const parent = api.addMessage({ channel: "C0TRIAGE01", text: "parent" });
    const url = api.responseUrl({ channel: "C0TRIAGE01", user: "U0HUMAN0001", threadTs: parent.ts });
    await post(url, { response_type: "in_channel", text: "in the thread" });
    await post(url, { text: "private, in the thread" });
    expect(api.thread("C0TRIAGE01", parent.ts).map((m) => m.text)).toEqual(["parent", "in the thread"]);
    expect(api.ephemerals[0]?.thread_ts).toBe(parent.ts);
  });

  it("tells listeners about every call", async () => {
    const seen: string[] = [];
    const stop = api.onCall((call) => seen.push(call.method));
    await client().chat.postMessage({ channel: "C0TRIAGE01", text: "x" });
    stop();
    await client().chat.postMessage({ channel: "C0TRIAGE01", text: "y" });
    expect(seen).toEqual(["chat.postMessage"]);
  });

  it("forgets everything on reset", async () => {
    await client().chat.postMessage({ channel: "C0TRIAGE01", text: "x" });
    api.reset();
    expect(api.calls).toEqual([]);
    expect(api.messages("C0TRIAGE01")).toEqual([]);
  });
});
