/**
 * `npm start` as a process: the real entry point (src/main.ts through tsx), configured by the environment
 * and pointed at the emulator's Web API.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpSender, type FakeWebApi, startFakeWebApi } from "../../src/emulator/index.js";
import { messageEvent } from "../../src/emulator/payloads.js";
import { exitCode, npmStart, waitForOutput } from "../helpers/npm-start.js";
import { freePort } from "./harness.js";

const SECRET = "0123456789abcdef0123456789abcdef";
const run = npmStart;

describe("npm start without (complete) credentials", () => {
  it("starts the local sandbox on PORT, says where, serves the page and stops cleanly on SIGTERM", async () => {
    const port = await freePort();
    const child = run({ PORT: String(port) });
    try {
      await waitForOutput(child, "Sandbox: ");
      const deadline = Date.now() + 25_000;
      expect(child.output()).toContain(`Sandbox: http://localhost:${port}`);
      expect(child.output()).toMatch(/SLACK_BOT_TOKEN.*SLACK_APP_TOKEN/);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('id="composer"');
      while ((await fetch(`http://127.0.0.1:${port}/healthz`)).status !== 200) {
        if (Date.now() > deadline) throw new Error(`never healthy:\n${child.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      child.kill("SIGTERM");
      expect(await exitCode(child)).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 40_000);

  it("stops with exit 1 and says why when the knowledge folder cannot be loaded", async () => {
    const child = run({ PORT: String(await freePort()), KNOWLEDGE_DIR: "/nonexistent/kb" });
    expect(await exitCode(child)).toBe(1);
    expect(child.output()).toMatch(/knowledge base could not be loaded: .*\/nonexistent\/kb/);
  }, 30_000);

  it("says which port is taken when PORT is in use", async () => {
    const blocker = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const { port } = blocker.address() as AddressInfo;
    try {
      const child = run({ PORT: String(port) });
      expect(await exitCode(child)).toBe(1);
      expect(child.output()).toContain(`Port ${port} is in use`);
    } finally {
      blocker.close();
    }
  }, 30_000);

  it("names what is missing for partial credentials, without echoing the token", async () => {
    const child = run({ SLACK_BOT_TOKEN: "xoxb-1234-secretvalue" });
    expect(await exitCode(child)).toBe(1);
    expect(child.output()).toMatch(/SLACK_APP_TOKEN.*SLACK_SIGNING_SECRET/);
    expect(child.output()).not.toContain("secretvalue");
  }, 30_000);
});

describe("npm start when Slack refuses", () => {
  it("stops with exit 1 and a log line saying why when Slack rejects the bot token", async () => {
    const api = await startFakeWebApi();
    try {
      const child = run({
        DATA_DIR: mkdtempSync(path.join(tmpdir(), "kb-triage-refused-")),
        SLACK_BOT_TOKEN: "xoxb-not-the-right-token",
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: api.url,
        PORT: String(await freePort()),
      });
      expect(await exitCode(child)).toBe(1);
      expect(child.output()).toMatch(/cannot start the Slack app/);
      expect(child.output()).not.toContain("not-the-right-token");
    } finally {
      await api.close();
    }
  }, 30_000);
});

describe("npm start in HTTP mode", () => {
  let api: FakeWebApi;
  let child: ReturnType<typeof run>;
  let port: number;
  const dataDir = mkdtempSync(path.join(tmpdir(), "kb-triage-start-"));
  beforeAll(async () => {
    api = await startFakeWebApi();
    port = await freePort();
    child = run({
      DATA_DIR: dataDir,
      SLACK_BOT_TOKEN: api.botToken,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: api.url,
      PORT: String(port),
      LOG_LEVEL: "info",
    });
  });
  afterAll(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("serves /healthz 200 once the knowledge is indexed, answers pastes, and stops cleanly on SIGTERM", async () => {
    let status = 0;
    while (status !== 200) {
      if (child.exitCode !== null) throw new Error(`exited early:\n${child.output()}`);
      status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    const send = createHttpSender({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SECRET });
    await send.sendEvent(
      messageEvent({
        channel: "C0START001",
        user: "U0START001",
        text: "System error 53 has occurred. The network path was not found.",
      }),
    );
    const reply = await api.waitForCall("chat.postMessage");
    expect(JSON.stringify(reply.args.blocks)).toContain("KT1007");
    // /healthz says whether it works, nothing about how it is configured.
    const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as object;
    expect(Object.keys(health).sort()).toEqual(["knowledge", "ok", "slack"]);
    child.kill("SIGTERM");
    expect(await exitCode(child)).toBe(0);
    // The whole run's log (info level) holds no secret: not the token, not the signing secret.
    expect(child.output()).toContain("kb-triage is running");
    for (const secret of [api.botToken, api.botToken.slice(5), SECRET])
      expect(child.output()).not.toContain(secret);
    // The triage is in the database, in DATA_DIR.
    const db = new Database(path.join(dataDir, "triage.db"), { readonly: true });
    const rows = db.prepare("SELECT source, verdict, top_article AS top FROM triages").all();
    db.close();
    expect(rows).toEqual([{ source: "channel", verdict: "match", top: "KT1007" }]);
  }, 60_000);
});

describe("npm start reloads the knowledge base while it runs", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "kb-start-reload-"));
  const kbDir = path.join(dataDir, "kb");
  const FLUX = "Flux capacitor overload: 1.21 gigawatts exceeded (error FC-88)";
  const flux = (id: string) =>
    `---\nid: ${id}\ntitle: Flux capacitor overload\n---\n## Symptoms\n\nYou receive the following error message:\n\n> ${FLUX}\n\n## Cause\n\nToo much power.\n\n## Resolution\n\nReduce the load.\n`;
  let api: FakeWebApi;
  let child: ReturnType<typeof run>;
  let port: number;

  beforeAll(async () => {
    cpSync(new URL("../../knowledge/dev", import.meta.url).pathname, kbDir, { recursive: true });
    api = await startFakeWebApi();
    port = await freePort();
    child = run({
      DATA_DIR: dataDir,
      KNOWLEDGE_DIR: kbDir,
      SLACK_BOT_TOKEN: api.botToken,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: api.url,
      PORT: String(port),
      LOG_LEVEL: "info",
      TRIAGE_CHANNELS: "C0RELOAD01",
      COOLDOWN_MINUTES: "0",
    });
  });
  afterAll(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("picks up a new file, keeps its last good version after a broken edit (SIGHUP), and removes its pid file on exit", async () => {
    await waitForOutput(child, "kb-triage is running");
    await waitForOutput(child, "knowledge base indexed");
    expect(readFileSync(path.join(dataDir, "kb-triage.pid"), "utf8").trim()).toBe(String(child.pid));
    const send = createHttpSender({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SECRET });
    const paste = async (ts: string) => {
      await send.sendEvent(messageEvent({ channel: "C0RELOAD01", user: "U0START001", text: FLUX, ts }));
      return api.waitForCall("chat.postMessage", (c) => c.args.thread_ts === ts);
    };

    writeFileSync(path.join(kbDir, "flux.md"), flux("FLUX-1"));
    await waitForOutput(child, "knowledge base reloaded");
    expect(JSON.stringify((await paste("1732500001.000100")).args.blocks)).toContain("FLUX-1");

    writeFileSync(path.join(kbDir, "flux.md"), flux("[FLUX-1"));
    const before = child.output().split("knowledge base reloaded").length;
    child.kill("SIGHUP");
    const deadline = Date.now() + 20_000;
    while (child.output().split("knowledge base reloaded").length < before + 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(child.output()).toMatch(/flux\.md:\d+/);
    expect(JSON.stringify((await paste("1732500002.000100")).args.blocks)).toContain("FLUX-1");

    child.kill("SIGTERM");
    expect(await exitCode(child)).toBe(0);
    expect(existsSync(path.join(dataDir, "kb-triage.pid"))).toBe(false);
  }, 60_000);
});
