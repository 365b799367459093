/**
 * Installing through OAuth, as an admin does it, with `npm start` in OAuth mode against the fake Slack: the
 * install link, Slack's authorize page, the redirect back; then each workspace's events are answered with its
 * own token, App Home shows each its own figures, a replayed or forged callback is refused, and uninstalling
 * removes the installation.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createHttpSender,
  type FakeWebApi,
  type FakeWorkspace,
  messageEvent,
  startFakeWebApi,
} from "../../src/emulator/index.js";
import {
  npmStart,
  oauthAppEnv,
  type StartedProcess,
  waitForOutput,
  waitUntilHealthy,
} from "../helpers/npm-start.js";
import { freePort } from "./harness.js";

const SIGNING = "0123456789abcdef0123456789abcdef";
const PASTE = "System error 53 has occurred. The network path was not found.";
const KEY = randomBytes(32).toString("hex");

let api: FakeWebApi;
let second: FakeWorkspace;
let child: StartedProcess;
let port: number;
let dataDir: string;
let ts = 1_733_100_000;

const origin = () => `http://127.0.0.1:${port}`;

/** An admin's browser: the install link, Slack's page (the fake approves), back to the app with the cookie. */
async function install(
  teamId: string,
): Promise<{ status: number; page: string; callback: string; cookie: string }> {
  const start = await fetch(`${origin()}/slack/install`, { redirect: "manual" });
  expect(start.status).toBe(302);
  const cookie = (start.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const authorizeUrl = start.headers.get("location") as string;
  expect(authorizeUrl.startsWith(api.authorizeUrl)).toBe(true);
  api.nextInstall({ teamId });
  const slack = await fetch(authorizeUrl, { redirect: "manual" });
  expect(slack.status).toBe(302);
  const callback = slack.headers.get("location") as string;
  expect(callback.startsWith(`${origin()}/slack/oauth_redirect?`)).toBe(true);
  const done = await fetch(callback, { headers: { cookie }, redirect: "manual" });
  return { status: done.status, page: await done.text(), callback, cookie };
}

function senderFor(workspace: FakeWorkspace) {
  return createHttpSender({
    url: `${origin()}/slack/events`,
    signingSecret: SIGNING,
    ...workspace.identity(),
  });
}

const answersIn = (channel: string, messageTs: string) =>
  api
    .callsTo("chat.postMessage")
    .filter((c) => c.ok && c.args.channel === channel && c.args.thread_ts === messageTs);

async function until<T>(what: string, probe: () => T | undefined | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}\n${child.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("installing through OAuth in several workspaces", () => {
  beforeAll(async () => {
    api = await startFakeWebApi();
    second = api.addWorkspace({ teamId: "T0SECOND01", teamName: "Second Co", botUserId: "U0BOTSECND" });
    api.addChannel({ id: "C0FIRST001", name: "it-help" });
    second.addChannel({ id: "C0SECOND01", name: "help" });
    port = await freePort();
    dataDir = mkdtempSync(path.join(tmpdir(), "kb-oauth-"));
    child = npmStart({
      ...oauthAppEnv(api, { port, signingSecret: SIGNING, encryptionKey: KEY }),
      DATA_DIR: dataDir,
      TRIAGE_CHANNELS: "C0FIRST001,C0SECOND01",
    });
    await waitForOutput(child, "kb-triage is running", 40_000);
    await waitUntilHealthy(child, port);
  }, 60_000);
  afterAll(async () => {
    if (child?.exitCode === null) child.kill("SIGKILL");
    await api?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("installs into a second workspace and stores the installation sealed, not the token", async () => {
    const done = await install("T0SECOND01");
    expect(done.status).toBe(200);
    expect(done.page).toContain("kb-triage is now in Second Co");
    const db = new Database(path.join(dataDir, "triage.db"), { readonly: true });
    const rows = db
      .prepare("SELECT id, team_id, bot_user_id, scopes, sealed FROM installations")
      .all() as Array<Record<string, string>>;
    db.close();
    expect(rows.map((r) => [r.id, r.team_id, r.bot_user_id])).toEqual([
      ["T0SECOND01", "T0SECOND01", "U0BOTSECND"],
    ]);
    expect(rows[0]?.scopes).toContain("chat:write");
    expect(rows[0]?.sealed).toMatch(/^v1\./);
    expect(rows[0]?.sealed).not.toContain(second.botToken);
    expect(rows[0]?.sealed).not.toContain("xoxb-");
  });

  it("refuses the same callback again (a replayed state) and a forged state, installing nothing", async () => {
    api.nextInstall({ teamId: api.teamId });
    const start = await fetch(`${origin()}/slack/install`, { redirect: "manual" });
    const cookie = (start.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const slack = await fetch(start.headers.get("location") as string, { redirect: "manual" });
    const callback = new URL(slack.headers.get("location") as string);
    const forged = new URL(callback);
    forged.searchParams.set("state", `${callback.searchParams.get("state")}x`);
    const bad = await fetch(forged, { headers: { cookie }, redirect: "manual" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Installation failed");
    const first = await fetch(callback, { headers: { cookie }, redirect: "manual" });
    expect(first.status).toBe(200);
    const replay = await fetch(callback, { headers: { cookie }, redirect: "manual" });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain("already used");
  });

  it("answers each workspace's pastes with that workspace's own bot token", async () => {
    const inSecond = `${ts++}.000100`;
    await senderFor(second).sendEvent(
      messageEvent({ channel: "C0SECOND01", user: "U0PERSONB1", text: PASTE, ts: inSecond }),
      second.identity(),
    );
    const b = await until("B's answer", () => answersIn("C0SECOND01", inSecond)[0]);
    expect(b.token).toBe(second.botToken);
    expect(b.team).toBe("T0SECOND01");
    const inFirst = `${ts++}.000100`;
    await senderFor(api.workspace).sendEvent(
      messageEvent({ channel: "C0FIRST001", user: "U0PERSONA1", text: PASTE, ts: inFirst }),
    );
    const a = await until("A's answer", () => answersIn("C0FIRST001", inFirst)[0]);
    expect(a.token).toBe(api.botToken);
    expect(a.team).toBe(api.teamId);
  });

  it("shows each workspace only its own figures in App Home", async () => {
    // One more triage in the first workspace: it has 2, the second 1.
    const extra = `${ts++}.000100`;
    await senderFor(api.workspace).sendEvent(
      messageEvent({ channel: "C0FIRST001", user: "U0PERSONA1", text: PASTE, ts: extra }),
    );
    await until("the answer", () => answersIn("C0FIRST001", extra)[0]);
    await new Promise((r) => setTimeout(r, 300)); // the triage rows are written in the background
    await senderFor(second).sendEvent(
      { type: "app_home_opened", user: "U0PERSONB1", tab: "home" },
      second.identity(),
    );
    const home = await api.waitForCall("views.publish", (c) => c.args.user_id === "U0PERSONB1");
    expect(home.team).toBe("T0SECOND01");
    expect(JSON.stringify(home.args.view)).toContain("1 errors triaged");
    await senderFor(api.workspace).sendEvent({ type: "app_home_opened", user: "U0PERSONA1", tab: "home" });
    const homeA = await api.waitForCall("views.publish", (c) => c.args.user_id === "U0PERSONA1");
    expect(JSON.stringify(homeA.args.view)).toContain("2 errors triaged");
  });

  it("removes the installation when the app is uninstalled, and answers that workspace no more", async () => {
    const gone = api.uninstall("T0SECOND01");
    for (const event of gone.events) {
      const sent = await senderFor(second).sendEvent(event, gone.from);
      expect(sent.status).toBe(200);
    }
    await waitForOutput(child, "installation removed", 10_000);
    const db = new Database(path.join(dataDir, "triage.db"), { readonly: true });
    const left = db.prepare("SELECT id FROM installations").pluck().all();
    const kept = db.prepare("SELECT count(*) FROM triages WHERE team = 'T0SECOND01'").pluck().get();
    db.close();
    expect(left).toEqual([api.teamId]);
    expect(kept).toBe(1); // its figures stay until retention
    const after = `${ts++}.000100`;
    await senderFor(second).sendEvent(
      messageEvent({ channel: "C0SECOND01", user: "U0PERSONB1", text: PASTE, ts: after }),
      second.identity(),
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(answersIn("C0SECOND01", after)).toEqual([]);
  });

  it("never writes a token, the client secret or the encryption key to its log", () => {
    for (const secret of [api.botToken, second.botToken, api.clientSecret, KEY, SIGNING])
      expect(child.output()).not.toContain(secret);
  });
});
