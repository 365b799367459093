/**
 * Two replicas of the real app (`npm start` processes, HTTP mode) behind no load balancer but the test itself,
 * on one PostgreSQL database and one Redis, against the fake Slack: a retry that reaches the other replica is
 * answered once, a button clicked on the other replica is recorded once and both App Homes show it, a
 * knowledge edit reaches both, and when Redis goes away both keep answering.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  blockAction,
  createHttpSender,
  type FakeWebApi,
  type HttpSender,
  messageEvent,
  startFakeWebApi,
} from "../../src/emulator/index.js";
import { ACTIONS } from "../../src/reply/ids.js";
import { npmStart, type StartedProcess, waitForOutput } from "../helpers/npm-start.js";
import {
  freshDatabase,
  type PostgresServer,
  postgresBinDir,
  type RedisServer,
  redisServerPath,
  startPostgres,
  startRedis,
} from "../helpers/servers.js";
import { freePort } from "./harness.js";

const SECRET = "0123456789abcdef0123456789abcdef";
const CHANNEL = "C0REPLICA1";
const USER = "U0REPLICA1";
const PASTE = "System error 53 has occurred. The network path was not found.";
const FLUX = "Flux capacitor overload: 1.21 gigawatts exceeded (error FC-88)";

interface Replica {
  name: string;
  child: StartedProcess;
  port: number;
  send: HttpSender;
}

let api: FakeWebApi;
let redis: RedisServer;
let postgres: PostgresServer;
let databaseUrl: string;
let kbDir: string;
let dataRoot: string;
let a: Replica;
let b: Replica;
let ts = 1_733_000_000;

async function startReplica(name: string, extra: Record<string, string> = {}): Promise<Replica> {
  const port = await freePort();
  const child = npmStart({
    SLACK_BOT_TOKEN: api.botToken,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: api.url,
    PORT: String(port),
    KNOWLEDGE_DIR: kbDir,
    DATA_DIR: path.join(dataRoot, name),
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    REDIS_PREFIX: `kbtest-${process.pid}:`,
    TRIAGE_CHANNELS: CHANNEL,
    COOLDOWN_MINUTES: "0",
    LOG_LEVEL: "info",
    ...extra,
  });
  await waitForOutput(child, "kb-triage is running", 40_000);
  const deadline = Date.now() + 30_000;
  while (
    (await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status,
      () => 0,
    )) !== 200
  ) {
    if (Date.now() > deadline) throw new Error(`${name} never ready:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const send = createHttpSender({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SECRET });
  return { name, child, port, send };
}

const repliesTo = (messageTs: string) =>
  api.callsTo("chat.postMessage").filter((c) => c.ok && c.args.thread_ts === messageTs);

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const flux = (id: string) =>
  `---\nid: ${id}\ntitle: Flux capacitor overload\n---\n## Symptoms\n\nYou receive the following error message:\n\n> ${FLUX}\n\n## Cause\n\nToo much power.\n\n## Resolution\n\nReduce the load.\n`;

const ready = Boolean(postgresBinDir()) && Boolean(redisServerPath());

describe.skipIf(!ready)("two replicas on PostgreSQL and Redis", () => {
  beforeAll(async () => {
    dataRoot = mkdtempSync(path.join(tmpdir(), "kb-replicas-"));
    kbDir = path.join(dataRoot, "kb");
    cpSync(new URL("../../knowledge", import.meta.url).pathname, kbDir, { recursive: true });
    api = await startFakeWebApi();
    api.addChannel({ id: CHANNEL, name: "it-help" });
    redis = await startRedis();
    // Servers of its own, as one test restarts PostgreSQL and one stops Redis.
    postgres = await startPostgres();
    databaseUrl = await freshDatabase(postgres.url, "replicas");
    // B does not watch the folder: only A's reload notice can make it pick up an edit.
    [a, b] = await Promise.all([startReplica("a"), startReplica("b", { KNOWLEDGE_WATCH: "false" })]);
  }, 90_000);
  afterAll(async () => {
    for (const r of [a, b]) if (r?.child.exitCode === null) r.child.kill("SIGKILL");
    await redis?.stop();
    await postgres?.stop();
    await api?.close();
    if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
  });

  it("answers an event once when Slack's retry of it reaches the other replica", async () => {
    const messageTs = `${ts++}.000100`;
    const event = messageEvent({ channel: CHANNEL, user: USER, text: PASTE, ts: messageTs });
    const eventId = `Ev0REPLICA${ts}`;
    const first = await a.send.sendEvent(event, { eventId });
    const retry = await b.send.sendEvent(event, { eventId, retryNum: 1, retryReason: "http_timeout" });
    expect([first.status, retry.status]).toEqual([200, 200]);
    await waitFor("the answer", () => repliesTo(messageTs).length > 0);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(repliesTo(messageTs)).toHaveLength(1);
  });

  it("records Fixed it clicked on B for A's answer once, and both App Homes show it", async () => {
    const messageTs = `${ts++}.000100`;
    await a.send.sendEvent(messageEvent({ channel: CHANNEL, user: USER, text: PASTE, ts: messageTs }));
    const answer = await waitFor("the answer", () => repliesTo(messageTs)[0]);
    const blocks = JSON.stringify(answer.args.blocks);
    const match = blocks.match(new RegExp(`"action_id":"${ACTIONS.fixed}","value":"((?:[^"\\\\]|\\\\.)*)"`));
    const value = JSON.parse(`"${match?.[1]}"`) as string;
    const triageId = (JSON.parse(value) as { t: string }).t;
    // The triage row is written in the background, well before a person could click.
    await new Promise((r) => setTimeout(r, 500));
    const clicked = await b.send.sendInteraction(
      blockAction({
        action_id: ACTIONS.fixed,
        value,
        user: USER,
        channel: CHANNEL,
        response_url: api.responseUrl({ channel: CHANNEL, user: USER }),
      }),
    );
    expect(clicked.status).toBe(200);
    await waitFor("the ✅", () => api.callsTo("reactions.add").find((c) => c.args.timestamp === messageTs));
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const deadline = Date.now() + 10_000;
      let rows: Array<{ kind: string }> = [];
      while (rows.length === 0 && Date.now() < deadline) {
        rows = (await client.query("SELECT kind FROM feedback WHERE triage_id = $1", [triageId])).rows;
        if (rows.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(rows).toEqual([{ kind: "fixed" }]);
    } finally {
      await client.end();
    }
    for (const replica of [a, b]) {
      await replica.send.sendEvent({ type: "app_home_opened", user: USER, tab: "home" });
      const published = await api.waitForCall("views.publish", (c) => c.args.user_id === USER);
      expect(JSON.stringify(published.args.view)).toMatch(/[1-9]\d* confirmed fixed/);
    }
  });

  it("serves an edited knowledge base on both replicas within seconds, B through A's reload notice", async () => {
    writeFileSync(path.join(kbDir, "flux.md"), flux("KT9001"));
    for (const replica of [a, b]) {
      await waitForOutput(replica.child, "knowledge base reloaded", 20_000);
      const messageTs = `${ts++}.000100`;
      await replica.send.sendEvent(messageEvent({ channel: CHANNEL, user: USER, text: FLUX, ts: messageTs }));
      const reply = await waitFor(`${replica.name}'s answer`, () => repliesTo(messageTs)[0]);
      expect(JSON.stringify(reply.args.blocks)).toContain("KT9001");
    }
    expect(b.child.output()).toContain("reload notice from replica");
  }, 40_000);

  it("reports ready with the database and Redis, and /livez and /healthz reveal nothing else", async () => {
    const readyz = (await (await fetch(`http://127.0.0.1:${a.port}/readyz`)).json()) as Record<
      string,
      boolean
    >;
    expect(readyz).toEqual({ ok: true, knowledge: true, slack: true, database: true, redis: true });
    expect(await (await fetch(`http://127.0.0.1:${b.port}/livez`)).json()).toEqual({ ok: true });
  });

  it("keeps answering when Redis goes away, says so once, is not ready, and shares again when it is back", async () => {
    await redis.stop();
    const messageTs = `${ts++}.000100`;
    const sent = await a.send.sendEvent(
      messageEvent({ channel: CHANNEL, user: USER, text: PASTE, ts: messageTs }),
    );
    expect(sent.status).toBe(200);
    await waitFor("an answer without Redis", () => repliesTo(messageTs).length > 0);
    await waitForOutput(a.child, "Redis unreachable", 10_000);
    const readyz = await fetch(`http://127.0.0.1:${a.port}/readyz`);
    expect(readyz.status).toBe(503);
    expect(((await readyz.json()) as { redis: boolean }).redis).toBe(false);
    expect((await fetch(`http://127.0.0.1:${a.port}/livez`)).status).toBe(200);

    await redis.start();
    const deadline = Date.now() + 20_000;
    while ((await fetch(`http://127.0.0.1:${a.port}/readyz`)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`A never ready again:\n${a.child.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    while ((await fetch(`http://127.0.0.1:${b.port}/readyz`)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`B never ready again:\n${b.child.output().slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const again = `${ts++}.000100`;
    const event = messageEvent({ channel: CHANNEL, user: USER, text: PASTE, ts: again });
    const eventId = `Ev0AGAIN${ts}`;
    await a.send.sendEvent(event, { eventId });
    await b.send.sendEvent(event, { eventId, retryNum: 1, retryReason: "http_timeout" });
    await waitFor("the answer", () => repliesTo(again).length > 0);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(repliesTo(again)).toHaveLength(1);
  }, 60_000);

  it("keeps answering while PostgreSQL restarts, and records every triage once it is back", async () => {
    const sent: string[] = [];
    let restarting: Promise<void> | undefined;
    for (let i = 0; i < 40; i++) {
      if (i === 10) restarting = postgres.restart({ downMs: 1_500 });
      const messageTs = `${ts++}.000100`;
      sent.push(messageTs);
      const replica = i % 2 === 0 ? a : b;
      const ack = await replica.send.sendEvent(
        messageEvent({ channel: CHANNEL, user: USER, text: PASTE, ts: messageTs }),
      );
      expect(ack.status).toBe(200);
      await new Promise((r) => setTimeout(r, 50));
    }
    await restarting;
    await waitFor("every answer", () => sent.every((t) => repliesTo(t).length === 1), 20_000);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const deadline = Date.now() + 20_000;
      let stored = 0;
      while (stored < sent.length && Date.now() < deadline) {
        const result = await client.query(
          "SELECT count(*)::int AS n FROM triages WHERE message_ts = ANY($1)",
          [sent],
        );
        stored = result.rows[0].n;
        if (stored < sent.length) await new Promise((r) => setTimeout(r, 200));
      }
      expect(stored).toBe(sent.length);
    } finally {
      await client.end();
    }
    expect(`${a.child.output()}${b.child.output()}`).toContain("the database is back");
  }, 60_000);

  it("stops both cleanly on SIGTERM, with no secret in their logs", async () => {
    for (const replica of [a, b]) {
      replica.child.kill("SIGTERM");
      await new Promise((resolve) => replica.child.once("exit", resolve));
      expect(replica.child.exitCode).toBe(0);
      for (const secret of [api.botToken, SECRET]) expect(replica.child.output()).not.toContain(secret);
    }
  }, 30_000);
});
