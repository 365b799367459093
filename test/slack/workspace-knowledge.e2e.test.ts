/**
 * Per-workspace knowledge through the real app (`npm start` in OAuth mode against the fake Slack), installed
 * in two workspaces: articles in `KNOWLEDGE_DIR/<team id>/` answer that workspace only, its buttons ("Other
 * matches", "Full article") find them, the other workspace gets the shared knowledge base, and App Home shows
 * each workspace what it is served.
 */
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appMentionEvent,
  blockAction,
  createHttpSender,
  type FakeWebApi,
  type FakeWorkspace,
  messageEvent,
  startFakeWebApi,
} from "../../src/emulator/index.js";
import { ACTIONS } from "../../src/reply/ids.js";
import {
  npmStart,
  oauthAppEnv,
  type StartedProcess,
  waitForOutput,
  waitUntilHealthy,
} from "../helpers/npm-start.js";
import { freePort } from "./harness.js";

const SIGNING = "0123456789abcdef0123456789abcdef";
const B = "T0SECOND01";
const WIDGET = "Quantum widget misaligned on sprocket 7 (error QW-4242)";
const article = (id: string, message: string) =>
  `---\nid: ${id}\ntitle: Quantum widget trouble ${id}\n---\n## Symptoms\n\nWhen you turn the crank, you receive the following error message:\n\n> ${message}\n\n## Cause\n\nThe widget's sprockets are out of phase.\n\n## Resolution\n\nRealign the quantum widget with the sprocket tool.\n`;

let api: FakeWebApi;
let second: FakeWorkspace;
let child: StartedProcess;
let port: number;
let dataDir: string;

const origin = () => `http://127.0.0.1:${port}`;
const senderFor = (workspace: FakeWorkspace) =>
  createHttpSender({ url: `${origin()}/slack/events`, signingSecret: SIGNING, ...workspace.identity() });

async function install(teamId: string): Promise<void> {
  const start = await fetch(`${origin()}/slack/install`, { redirect: "manual" });
  const cookie = (start.headers.get("set-cookie") ?? "").split(";")[0] as string;
  api.nextInstall({ teamId });
  const slack = await fetch(start.headers.get("location") as string, { redirect: "manual" });
  const done = await fetch(slack.headers.get("location") as string, {
    headers: { cookie },
    redirect: "manual",
  });
  expect(done.status).toBe(200);
}

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

const buttonValue = (blocks: unknown, actionId: string): string => {
  const json = JSON.stringify(blocks);
  const match = json.match(new RegExp(`"action_id":"${actionId}","value":"((?:[^"\\\\]|\\\\.)*)"`));
  if (!match?.[1]) throw new Error(`no ${actionId} button in ${json.slice(0, 400)}`);
  return JSON.parse(`"${match[1]}"`) as string;
};

describe("per-workspace knowledge folders", () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "kb-workspace-kb-"));
    const kbDir = path.join(dataDir, "kb");
    cpSync(new URL("../../knowledge", import.meta.url).pathname, kbDir, { recursive: true });
    mkdirSync(path.join(kbDir, B));
    writeFileSync(path.join(kbDir, B, "widget.md"), article("B-WIDGET", WIDGET));
    writeFileSync(
      path.join(kbDir, B, "widget-heat.md"),
      article("B-WIDGET-HEAT", "Quantum widget overheated on sprocket 7 (error QW-5000)"),
    );
    api = await startFakeWebApi();
    second = api.addWorkspace({ teamId: B, teamName: "Second Co", botUserId: "U0BOTSECND" });
    api.addChannel({ id: "C0FIRST001", name: "it-help" });
    second.addChannel({ id: "C0SECOND01", name: "help" });
    port = await freePort();
    child = npmStart({
      ...oauthAppEnv(api, { port, signingSecret: SIGNING, encryptionKey: randomBytes(32).toString("hex") }),
      DATA_DIR: dataDir,
      KNOWLEDGE_DIR: kbDir,
      KNOWLEDGE_WATCH: "false",
      TRIAGE_CHANNELS: "C0FIRST001,C0SECOND01",
    });
    await waitForOutput(child, "kb-triage is running", 40_000);
    await waitUntilHealthy(child, port);
    await install(api.teamId);
    await install(B);
  }, 60_000);
  afterAll(async () => {
    if (child?.exitCode === null) child.kill("SIGKILL");
    await api?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("logs the workspace's own load", () => {
    expect(child.output()).toContain("workspace knowledge base indexed");
    expect(child.output()).toContain(`"team":"${B}"`);
  });

  it("answers B's paste with B's article, and A's with no match", async () => {
    const inB = "1733200000.000100";
    await senderFor(second).sendEvent(
      messageEvent({ channel: "C0SECOND01", user: "U0PERSONB1", text: WIDGET, ts: inB }),
      second.identity(),
    );
    const b = await until("B's answer", () =>
      api.callsTo("chat.postMessage").find((c) => c.ok && c.args.thread_ts === inB),
    );
    expect(b.team).toBe(B);
    expect(JSON.stringify(b.args.blocks)).toContain("B-WIDGET");

    const inA = "1733200001.000100";
    await senderFor(api.workspace).sendEvent(
      appMentionEvent({
        channel: "C0FIRST001",
        user: "U0PERSONA1",
        text: WIDGET,
        ts: inA,
        ...api.workspace.identity(),
      }),
    );
    const a = await until("A's answer", () =>
      api.callsTo("chat.postMessage").find((c) => c.ok && c.args.thread_ts === inA),
    );
    expect(a.team).toBe(api.teamId);
    expect(JSON.stringify(a.args)).not.toContain("B-WIDGET");
    expect(JSON.stringify(a.args)).not.toContain("Quantum");
  });

  it("finds B's articles behind B's Other matches and Full article buttons", async () => {
    const responseUrl = () => api.responseUrl({ team: B, channel: "C0SECOND01", user: "U0PERSONB1" });
    // Not api.reset(): it would also forget the workspaces' installed tokens.
    const seen = () => api.callsTo("response_url").length;
    let before = seen();
    await senderFor(second).sendCommand({
      command: "/triage",
      text: WIDGET,
      user_id: "U0PERSONB1",
      channel_id: "C0SECOND01",
      response_url: responseUrl(),
    });
    const answer = await until("the answer", () => api.callsTo("response_url")[before]);
    expect(JSON.stringify(answer.args.blocks)).toContain("B-WIDGET");
    const others = buttonValue(answer.args.blocks, ACTIONS.otherMatches);
    const full = buttonValue(answer.args.blocks, ACTIONS.fullArticle);
    before = seen();
    const click = (action_id: string, value: string) =>
      senderFor(second).sendInteraction(
        blockAction({
          teamId: B,
          action_id,
          value,
          user: "U0PERSONB1",
          channel: "C0SECOND01",
          response_url: responseUrl(),
        }),
      );
    await click(ACTIONS.otherMatches, others);
    const listed = await until("other matches", () => api.callsTo("response_url")[before]);
    expect(JSON.stringify(listed.args)).toContain("B-WIDGET-HEAT");
    await click(ACTIONS.fullArticle, full);
    const opened = await until("the modal", () => api.callsTo("views.open").find((c) => c.ok));
    expect(opened.team).toBe(B);
    expect(JSON.stringify(opened.args.view)).toContain("Realign the quantum widget");
  });

  it("shows each workspace its own article count in App Home", async () => {
    await senderFor(second).sendEvent(
      { type: "app_home_opened", user: "U0PERSONB1", tab: "home" },
      second.identity(),
    );
    const homeB = await api.waitForCall("views.publish", (c) => c.args.user_id === "U0PERSONB1");
    await senderFor(api.workspace).sendEvent({ type: "app_home_opened", user: "U0PERSONA1", tab: "home" });
    const homeA = await api.waitForCall("views.publish", (c) => c.args.user_id === "U0PERSONA1");
    const count = (view: unknown) =>
      Number(/(\d[\d,]*) articles/.exec(JSON.stringify(view))?.[1]?.replace(",", ""));
    expect(count(homeB.args.view)).toBe(count(homeA.args.view) + 2);
  });
});
