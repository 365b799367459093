import { ErrorCode, type WebAPIPlatformError, WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEFAULTS,
  type FakeWebApi,
  type FakeWorkspace,
  OAUTH_CODE_TTL_MS,
  startFakeWebApi,
} from "../../src/emulator/index.js";
import { quietSlackLogger } from "../helpers/quiet-slack-logger.js";

const REDIRECT = "http://127.0.0.1:3999/slack/oauth_redirect";

let api: FakeWebApi;
let b: FakeWorkspace;
let now = 1_750_000_000_000;

beforeEach(async () => {
  now = 1_750_000_000_000;
  api = await startFakeWebApi({ now: () => now });
  b = api.addWorkspace({ teamId: "T0SECOND01", teamName: "Second Co", botUserId: "U0BOTSECND" });
});

afterEach(async () => {
  await api.close();
});

function client(token?: string): WebClient {
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

/** The browser's visit to Slack's authorize page: the fake answers as the user, without following. */
async function authorize(params: Record<string, string>): Promise<Response> {
  const query = new URLSearchParams({ client_id: api.clientId, redirect_uri: REDIRECT, ...params });
  return fetch(`${api.authorizeUrl}?${query}`, { redirect: "manual" });
}

async function codeFor(params: Record<string, string> = {}): Promise<string> {
  const res = await authorize({ scope: "chat:write,channels:history", state: "st", ...params });
  const code = new URL(res.headers.get("location") ?? "http://x/").searchParams.get("code");
  if (!code) throw new Error(`no code in ${res.status} ${res.headers.get("location")}`);
  return code;
}

function exchange(code: string, extra: Record<string, string> = {}) {
  return client().oauth.v2.access({
    client_id: api.clientId,
    client_secret: api.clientSecret,
    code,
    redirect_uri: REDIRECT,
    ...extra,
  });
}

describe("OAuth v2 install flow", () => {
  it("installs into workspace B: authorize, redirect with code, oauth.v2.access, a token for B only", async () => {
    expect(b.installed).toBe(false);
    const state = "opaque/state+with=odd chars";
    const res = await authorize({ scope: "chat:write,channels:history", state, team: "T0SECOND01" });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect([...location.searchParams.keys()]).toEqual(["code", "state"]);
    expect(location.searchParams.get("state")).toBe(state);
    const code = location.searchParams.get("code") ?? "";
    expect(code).toMatch(/^\d+\.\d+\.[0-9a-f]{64}$/);

    const access = await exchange(code);
    expect(access).toEqual({
      ok: true,
      app_id: api.appId,
      authed_user: { id: DEFAULTS.userId },
      scope: "chat:write,channels:history",
      token_type: "bot",
      access_token: expect.stringMatching(/^xoxb-\d+-\d+-\w+$/),
      bot_user_id: "U0BOTSECND",
      team: { id: "T0SECOND01", name: "Second Co" },
      enterprise: null,
      is_enterprise_install: false,
      response_metadata: expect.anything(),
    });
    expect(b.installed).toBe(true);
    const token = access.access_token ?? "";
    expect(token).toBe(b.botToken);
    expect(token).not.toBe(api.botToken);

    const web = client(token);
    expect(await web.auth.test()).toMatchObject({ team_id: "T0SECOND01", user_id: "U0BOTSECND" });
    api.addMessage({ channel: "C0TRIAGE01", text: "A only" });
    expect(await platformError(web.conversations.history({ channel: "C0TRIAGE01" }))).toBe(
      "channel_not_found",
    );
    // The default token still works for the default workspace.
    expect((await client(api.botToken).auth.test()).team_id).toBe(DEFAULTS.teamId);

    expect(api.callsTo("oauth/v2/authorize")[0]).toMatchObject({ team: "T0SECOND01", status: 302, ok: true });
    expect(api.callsTo("oauth.v2.access")[0]).toMatchObject({ team: "T0SECOND01", ok: true });
  });

  it("installs where nextInstall says, else into the default workspace, and issues user tokens on request", async () => {
    api.nextInstall({ teamId: "T0SECOND01", userId: "U0INSTALLR" });
    const access = await exchange(await codeFor({ user_scope: "search:read" }));
    expect(access.team?.id).toBe("T0SECOND01");
    expect(access.authed_user).toEqual({
      id: "U0INSTALLR",
      scope: "search:read",
      access_token: expect.stringMatching(/^xoxp-/),
      token_type: "user",
    });
    const asUser = await client(access.authed_user?.access_token).auth.test();
    expect(asUser).toMatchObject({ team_id: "T0SECOND01", user_id: "U0INSTALLR" });
    expect(asUser).not.toHaveProperty("bot_id");

    // Nothing queued and no team: the default workspace, whose install keeps its token.
    const again = await exchange(await codeFor());
    expect(again.team?.id).toBe(DEFAULTS.teamId);
    expect(again.access_token).toBe(api.botToken);
    // An unknown `team` falls back the same way; nextInstall refuses unknown teams outright.
    expect((await exchange(await codeFor({ team: "T0NOWHERE1" }))).team?.id).toBe(DEFAULTS.teamId);
    expect(() => api.nextInstall({ teamId: "T0NOWHERE1" })).toThrow(/no workspace/);
  });

  it("keeps the bot token on a reinstall and adds the new scopes", async () => {
    const first = await exchange(await codeFor({ team: "T0SECOND01", scope: "chat:write" }));
    const second = await exchange(await codeFor({ team: "T0SECOND01", scope: "reactions:write" }));
    expect(second.access_token).toBe(first.access_token);
    expect(second.scope).toBe("chat:write,reactions:write");
  });

  it("accepts the client credentials as HTTP Basic auth", async () => {
    const code = await codeFor({ team: "T0SECOND01" });
    const res = await fetch(`${api.url}oauth.v2.access`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${api.clientId}:${api.clientSecret}`).toString("base64")}`,
      },
      body: new URLSearchParams({ code, redirect_uri: REDIRECT }).toString(),
    });
    expect(await res.json()).toMatchObject({ ok: true, team: { id: "T0SECOND01" } });
  });

  it("refuses a code twice, an unknown code and an expired one", async () => {
    const code = await codeFor({ team: "T0SECOND01" });
    await exchange(code);
    expect(await platformError(exchange(code))).toBe("invalid_code");
    expect(await platformError(exchange("123.456.deadbeef"))).toBe("invalid_code");

    const late = await codeFor();
    now += OAUTH_CODE_TTL_MS - 1;
    const inTime = await codeFor();
    now += 1;
    expect(await platformError(exchange(late))).toBe("invalid_code");
    expect((await exchange(inTime)).ok).toBe(true);
  });

  it("refuses a wrong secret, client id or redirect_uri, leaving the code usable", async () => {
    const code = await codeFor({ team: "T0SECOND01" });
    expect(await platformError(exchange(code, { client_secret: "wrong" }))).toBe("bad_client_secret");
    expect(await platformError(exchange(code, { client_id: "1.2" }))).toBe("invalid_client_id");
    expect(await platformError(exchange(code, { redirect_uri: "http://127.0.0.1:3999/other" }))).toBe(
      "bad_redirect_uri",
    );
    expect(await platformError(exchange(code, { grant_type: "password" }))).toBe("invalid_grant_type");
    expect((await exchange(code)).team?.id).toBe("T0SECOND01");
  });

  it("shows Slack's error page, not a redirect, for an unknown client_id or no scopes", async () => {
    const unknown = await authorize({ client_id: "999.999", scope: "chat:write", state: "st" });
    expect(unknown.status).toBe(200);
    expect(unknown.headers.get("location")).toBeNull();
    expect(await unknown.text()).toContain("Invalid client_id parameter");
    const noScopes = await authorize({ state: "st" });
    expect(noScopes.headers.get("location")).toBeNull();
    expect(await noScopes.text()).toContain("Invalid permissions requested");
    expect(api.callsTo("oauth/v2/authorize").map((c) => c.error)).toEqual([
      "invalid_client_id",
      "invalid_scope",
    ]);
  });

  it("redirects with error=access_denied when the user clicks Cancel", async () => {
    api.nextInstall({ teamId: "T0SECOND01", deny: true });
    const res = await authorize({ scope: "chat:write", state: "st-1" });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get("location") ?? "");
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("state")).toBe("st-1");
    expect(back.searchParams.has("code")).toBe(false);
    expect(b.installed).toBe(false);
    // The choice is used up: the next visit installs.
    expect((await exchange(await codeFor())).ok).toBe(true);
  });

  it("revokes every token of an uninstalled workspace and returns the events Slack sends", async () => {
    api.nextInstall({ teamId: "T0SECOND01", userId: "U0INSTALLR" });
    const access = await exchange(await codeFor({ user_scope: "search:read" }));
    const bot = access.access_token ?? "";
    const user = access.authed_user?.access_token ?? "";

    const gone = api.uninstall("T0SECOND01");
    expect(gone).toEqual({
      teamId: "T0SECOND01",
      revoked: { oauth: ["U0INSTALLR"], bot: ["U0BOTSECND"] },
      events: [
        { type: "tokens_revoked", tokens: { oauth: ["U0INSTALLR"], bot: ["U0BOTSECND"] } },
        { type: "app_uninstalled" },
      ],
      from: expect.objectContaining({ teamId: "T0SECOND01", botUserId: "U0BOTSECND", appId: api.appId }),
    });
    expect(await platformError(client(bot).auth.test())).toBe("account_inactive");
    expect(await platformError(client(user).auth.test())).toBe("token_revoked");
    expect(b.installed).toBe(false);
    expect((await client(api.botToken).auth.test()).ok).toBe(true);

    // Installing again issues a new bot token; the old one stays dead.
    const back = await exchange(await codeFor({ team: "T0SECOND01" }));
    expect(back.access_token).not.toBe(bot);
    expect((await client(back.access_token).auth.test()).team_id).toBe("T0SECOND01");
    expect(await platformError(client(bot).auth.test())).toBe("account_inactive");
  });

  it("revokes a single token with auth.revoke", async () => {
    const token = (await exchange(await codeFor({ team: "T0SECOND01" }))).access_token ?? "";
    expect(await client(token).auth.revoke({ test: true })).toMatchObject({ ok: true, revoked: false });
    expect((await client(token).auth.test()).ok).toBe(true);
    expect(await client(token).auth.revoke()).toMatchObject({ ok: true, revoked: true });
    expect(await platformError(client(token).auth.test())).toBe("token_revoked");
    expect(await platformError(client(token).chat.postMessage({ channel: "C0B1", text: "x" }))).toBe(
      "token_revoked",
    );
    expect(api.callsTo("auth.test").at(-1)?.team).toBe("T0SECOND01");
    // Other workspaces' tokens are untouched.
    expect((await client(api.botToken).auth.test()).ok).toBe(true);
  });
});

describe("OAuth with configured Redirect URLs and credentials", () => {
  let custom: FakeWebApi;

  beforeEach(async () => {
    custom = await startFakeWebApi({
      clientId: "111.222",
      clientSecret: "shh",
      redirectUrls: ["https://app.example/slack/oauth_redirect"],
    });
  });

  afterEach(async () => {
    await custom.close();
  });

  it("uses the first Redirect URL when none is given and refuses one not configured", async () => {
    const visit = (extra: Record<string, string>) =>
      fetch(
        `${custom.authorizeUrl}?${new URLSearchParams({ client_id: "111.222", scope: "chat:write", ...extra })}`,
        {
          redirect: "manual",
        },
      );
    const plain = await visit({});
    expect(plain.headers.get("location")).toMatch(/^https:\/\/app\.example\/slack\/oauth_redirect\?code=/);
    const sub = await visit({ redirect_uri: "https://app.example/slack/oauth_redirect/team-b" });
    expect(sub.status).toBe(302);
    const elsewhere = await visit({ redirect_uri: "https://evil.example/cb" });
    expect(elsewhere.status).toBe(200);
    expect(await elsewhere.text()).toContain("redirect_uri did not match any configured URIs");

    // No redirect_uri at authorize: the exchange may omit it too.
    const code = new URL(plain.headers.get("location") ?? "").searchParams.get("code") ?? "";
    const web = new WebClient(undefined, { slackApiUrl: custom.url, logger: quietSlackLogger });
    expect(await web.oauth.v2.access({ client_id: "111.222", client_secret: "shh", code })).toMatchObject({
      ok: true,
      team: { id: DEFAULTS.teamId },
    });
  });
});
