// @slack/oauth's InstallProvider (what Bolt runs for /slack/install and /slack/oauth_redirect) against the fake:
// its authorize URL points at the fake's page and its WebClient at the fake's Web API.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Installation, InstallationStore } from "@slack/bolt";
import { InstallProvider } from "@slack/oauth";
import { WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeWebApi, startFakeWebApi } from "../../src/emulator/index.js";
import { quietSlackLogger } from "../helpers/quiet-slack-logger.js";

let api: FakeWebApi;
let server: Server;
let appOrigin: string;
let stored: Installation[];
let failures: Error[];

// The cancelled install is logged as an error by InstallProvider; the test asserts on it instead.

beforeEach(async () => {
  api = await startFakeWebApi();
  api.addWorkspace({
    teamId: "T0SECOND01",
    teamName: "Second Co",
    botUserId: "U0BOTSECND",
    botId: "B0BOTSECND",
  });
  stored = [];
  failures = [];
  const installationStore: InstallationStore = {
    storeInstallation: async (installation) => {
      stored.push(installation);
    },
    fetchInstallation: async () => {
      throw new Error("not used here");
    },
  };
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  appOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const installer = new InstallProvider({
    clientId: api.clientId,
    clientSecret: api.clientSecret,
    stateSecret: "kb-triage-state-secret",
    authorizationUrl: api.authorizeUrl,
    clientOptions: { slackApiUrl: api.url },
    directInstall: true,
    logger: quietSlackLogger,
    installationStore,
    installUrlOptions: {
      scopes: ["chat:write", "channels:history", "app_mentions:read"],
      userScopes: ["search:read"],
      redirectUri: `${appOrigin}/slack/oauth_redirect`,
    },
  });
  server.on("request", (req, res) => {
    const path = new URL(req.url ?? "/", appOrigin).pathname;
    if (path === "/slack/install") return void installer.handleInstallPath(req, res);
    if (path === "/slack/oauth_redirect") {
      return void installer.handleCallback(req, res, {
        success: (_installation, _options, _req, res) => res.writeHead(200).end("installed"),
        failure: (error, _options, _req, res) => {
          failures.push(error);
          res.writeHead(500).end(error.message);
        },
      });
    }
    res.writeHead(404).end();
  });
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await api.close();
});

/** The browser: /slack/install → Slack's authorize page → back to the redirect URL with the state cookie. */
async function installThroughBrowser(): Promise<Response> {
  const start = await fetch(`${appOrigin}/slack/install`, { redirect: "manual" });
  expect(start.status).toBe(302);
  const cookie = (start.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const authorizeAt = start.headers.get("location") ?? "";
  expect(authorizeAt.startsWith(api.authorizeUrl)).toBe(true);
  const allowed = await fetch(authorizeAt, { redirect: "manual" });
  expect(allowed.status).toBe(302);
  const back = allowed.headers.get("location") ?? "";
  expect(back.startsWith(`${appOrigin}/slack/oauth_redirect?`)).toBe(true);
  return fetch(back, { headers: { cookie }, redirect: "manual" });
}

describe("InstallProvider against the fake", () => {
  it("installs into workspace B and stores B's team, bot token, bot user and scopes", async () => {
    api.nextInstall({ teamId: "T0SECOND01", userId: "U0INSTALLR" });
    const done = await installThroughBrowser();
    expect(failures).toEqual([]);
    expect(done.status).toBe(200);

    expect(stored).toHaveLength(1);
    const installation = stored[0];
    const b = api.workspaceFor("T0SECOND01");
    expect(installation).toMatchObject({
      team: { id: "T0SECOND01", name: "Second Co" },
      appId: api.appId,
      tokenType: "bot",
      isEnterpriseInstall: false,
      authVersion: "v2",
      bot: {
        token: b.botToken,
        userId: "U0BOTSECND",
        id: "B0BOTSECND", // from the auth.test InstallProvider runs with the new token
        scopes: ["chat:write", "channels:history", "app_mentions:read"],
      },
      user: { id: "U0INSTALLR", scopes: ["search:read"], token: expect.stringMatching(/^xoxp-/) },
    });
    expect(installation?.enterprise).toBeUndefined();

    const token = installation?.bot?.token;
    const auth = await new WebClient(token, { slackApiUrl: api.url }).auth.test();
    expect(auth).toMatchObject({ team_id: "T0SECOND01", user_id: "U0BOTSECND" });
    expect(api.callsTo("oauth.v2.access", "T0SECOND01")).toHaveLength(1);
  });

  it("hands InstallProvider's failure handler a cancelled install", async () => {
    api.nextInstall({ teamId: "T0SECOND01", deny: true });
    const done = await installThroughBrowser();
    expect(done.status).toBe(500);
    expect(failures[0]?.message).toMatch(/cancelled/);
    expect(stored).toEqual([]);
    expect(api.workspaceFor("T0SECOND01").installed).toBe(false);
  });
});
