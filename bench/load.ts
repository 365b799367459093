/**
 * `npm run load`: fires signed `message` events at the app's HTTP receiver at a fixed rate (open loop) for a
 * fixed time, the app running as its own process (src/main.ts) against the emulator's fake Web API, all on
 * loopback. Counts acks, ack latency, replies (chat.postMessage in the message's thread), duplicates, losses
 * and the app's memory. Targets (the issue): 200 pastes/s for 60 s, ack p95 < 100 ms, every event answered
 * exactly once, steady memory; `--kb7k` runs against ~7,000 articles, `--find-max` steps the rate up.
 *
 *   npm run load -- [--rate 200] [--seconds 60] [--knowledge knowledge] [--kb7k] [--find-max] [--replicas N]
 *
 * `--replicas N` (1..8) runs N identical app processes on one throwaway PostgreSQL database and one redis-server
 * (bench/load-shared.ts; also for N = 1, to compare with 2), as in production behind a load balancer: this
 * script is the balancer, event i to replica i mod N, and a Slack retry to another replica than the original,
 * so the shared Redis dedupe must answer it once. It reports each replica (events, acks, RSS, CPU), the
 * servers' CPU, and checks that every answered paste has its row in `triages`. Without it: one app on SQLite.
 *
 * Exit 0 also when targets are missed (it is a measurement); 1 on errors.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { messageEvent } from "../src/emulator/payloads.js";
import { createHttpSender, type HttpSender } from "../src/emulator/signed-http.js";
import { type FakeWebApi, type RecordedCall, startFakeWebApi } from "../src/emulator/web-api.js";
import { loadKnowledge } from "../src/knowledge/load.js";
import {
  CLOCK_TICKS,
  cpuTicks,
  eventIdOf,
  freePort,
  hostIp,
  type LoadOptions,
  machineTicks,
  mean,
  ms,
  multiply,
  parseOptions,
  rssKb,
  type Stats,
  slackEscape,
  sleep,
  stats,
  threadTicks,
  treeTicks,
  tsOf,
  USAGE,
  UsageError,
} from "./load-lib.js";
import {
  addDurability,
  checkDurability,
  type Durability,
  durabilityOk,
  durabilityText,
  type SharedServers,
  startSharedServers,
} from "./load-shared.js";

const root = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
const kbDev = path.resolve(root, "..", "shared", "kb-dev");

const CHANNELS = Array.from({ length: 20 }, (_, i) => `CLOAD${String(i).padStart(3, "0")}`);
const USERS = Array.from({ length: 50 }, (_, i) => `ULOAD${String(i).padStart(4, "0")}`);
const MAX_IN_FLIGHT = 2000;
const TICK_MS = 5;
const DRAIN_MS = 15_000;
/** Every RETRY_EVERY-th event is sent again as a Slack retry (~2 %). */
const RETRY_EVERY = 50;
const WARMUP_RATE = 50;
/** The warm-up decides which texts count, so it waits longer for slow replies. */
const WARMUP_DRAIN_MS = 30_000;
const FIND_MAX_STEP_SECONDS = 20;
/** After the drain, unanswered events are watched this much longer, to tell slow from dropped. */
const LATE_WATCH_MS = 30_000;
const FIND_MAX_CAP = 3000;
const TARGET_RATE = 200;
const TARGET_P95_MS = 100;
/** RSS may grow this much over the second half of a run (>= 120 s) and still count as steady. */
const STEADY_GROWTH = 1.1;
const READY_TIMEOUT_MS = 180_000;

// ------------------------------------------------------------------------------------------ the app

interface AppProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  readyMs: number;
  /** Lines the app printed (LOG_LEVEL=warn: only warnings and errors), the first few kept. */
  log: { lines: number; kept: string[] };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startApp(
  api: FakeWebApi,
  knowledgeDir: string,
  dataDir: string,
  secret: string,
  /** Replicas: DATABASE_URL and REDIS_URL, and ready only when /readyz (database and Redis too) says so. */
  shared?: { databaseUrl: string; redisUrl: string; name: string },
) {
  const port = await freePort();
  const started = performance.now();
  // LOAD_NODE_ARGS: extra node flags for the app (e.g. --cpu-prof to profile it under load).
  const nodeArgs = (process.env.LOAD_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "src/main.ts"], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      SLACK_BOT_TOKEN: api.botToken,
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: api.url,
      PORT: String(port),
      KNOWLEDGE_DIR: knowledgeDir,
      DATA_DIR: dataDir,
      TRIAGE_CHANNELS: CHANNELS.join(","),
      COOLDOWN_MINUTES: "0",
      LOG_LEVEL: "warn",
      ...(shared ? { DATABASE_URL: shared.databaseUrl, REDIS_URL: shared.redisUrl } : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = { lines: 0, kept: [] as string[] };
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      log.lines += 1;
      if (log.kept.length < 12) log.kept.push(line.length > 400 ? `${line.slice(0, 397)}...` : line);
    }
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const which = shared ? `the app (${shared.name})` : "the app";
  if (child.pid === undefined) throw new Error(`could not start ${which} (no pid)`);
  // A load balancer sends a replica traffic once it is ready: knowledge, Slack, database and Redis.
  const readyPath = shared ? "/readyz" : "/healthz";
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (gone) throw new Error(`${which} exited before it was ready:\n${log.kept.join("\n")}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${which} was not ready (GET ${readyPath}) within ${READY_TIMEOUT_MS / 1000} s`);
    }
    const ok = await fetch(`http://127.0.0.1:${port}${readyPath}`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) break;
    await sleep(200);
  }
  const app: AppProcess = {
    child,
    pid: child.pid,
    port,
    readyMs: performance.now() - started,
    log,
    exited,
  };
  return app;
}

async function stopApp(app: AppProcess): Promise<string> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) {
    return `the app had already exited (code ${app.child.exitCode}, signal ${app.child.signalCode})`;
  }
  app.child.kill("SIGTERM");
  const result = await Promise.race([app.exited, sleep(15_000).then(() => null)]);
  if (!result) {
    app.child.kill("SIGKILL");
    return "PROBLEM: the app did not exit within 15 s of SIGTERM (killed)";
  }
  return result.code === 0
    ? "the app exited 0 on SIGTERM"
    : `PROBLEM: the app exited with code ${result.code} (signal ${result.signal}) on SIGTERM`;
}

// ------------------------------------------------------------------------------------------ firing

interface Rec {
  ts: string;
  channel: string;
  text: number;
  /** The replica the event went to (its retry goes to the next one). */
  replica: number;
  sentAt: number;
  ackMs: number;
  /** HTTP status; 0 while pending, -1 when the request failed. */
  status: number;
  replies: number;
  /** Replies after the drain (not counted as answers). */
  late: number;
  replyMs: number;
  retried: boolean;
  retryStatus: number;
}

interface RssSummary {
  first: number;
  last: number;
  max: number;
  samples: number;
  /** Mean RSS (MB) per window of the run, to tell memory that levels off from memory that keeps growing. */
  timeline: Array<{ from: number; to: number; mb: number }>;
  /** Last window over the window at the run's half-way point (undefined for runs too short to tell). */
  secondHalfGrowth: number | undefined;
}

/** One replica's share of a phase (--replicas). */
interface ReplicaResult {
  pid: number;
  events: number;
  retries: number;
  ack: Stats;
  rss: RssSummary;
  cpu: number;
  mainThreadCpu: number;
  busiestOtherThreadCpu: number;
}

interface PhaseResult {
  label: string;
  rate: number;
  seconds: number;
  planned: number;
  sent: number;
  skipped: number;
  achievedRate: number;
  acked200: number;
  non200: number;
  sendErrors: number;
  /** Request failures by cause (e.g. ECONNRESET). */
  errorKinds: Array<[string, number]>;
  unacked: number;
  ack: Stats;
  /** Acks slower than 3 s or missing: Slack would have retried these. */
  acksOver3s: number;
  replies: number;
  answeredOnce: number;
  duplicates: number;
  extraReplies: number;
  losses: number;
  lostTexts: Array<[string, number]>;
  wrongChannel: number;
  retriesSent: number;
  retries200: number;
  retryDuplicates: number;
  reply: Stats;
  /** The app's RSS; with replicas, the sum of theirs. */
  rss: RssSummary;
  /** The app's CPU; with replicas, the sum of theirs. */
  appCpu: number;
  genCpu: number;
  /** The app's main thread (Bolt, the listeners) and its busiest other thread (the matcher worker, usually). */
  mainThreadCpu: number;
  busiestOtherThreadCpu: number;
  /** Busy time of the whole machine, in % of one core (200 = both cores of two). */
  machineCpu: number;
  steal: number;
  loopP99: number;
  drainMs: number;
  /** Sent (not failed) but unanswered at the end of the drain; how many of them were answered later. */
  unanswered: number;
  lateAnswered: number;
  watchedMs: number;
  stray: number;
  failedCalls: number;
  /** Indexes of texts that got at least one reply (the warm-up uses this). */
  answeredTexts: Set<number>;
  /** --replicas: each replica, the servers' CPU (% of a core, over the send window) and the stored triages. */
  replicas?: ReplicaResult[];
  postgresCpu?: number;
  redisCpu?: number;
  durability?: Durability;
}

interface Harness {
  api: FakeWebApi;
  /** One sender and one app per replica (one of each without --replicas). */
  senders: HttpSender[];
  apps: AppProcess[];
  shared: SharedServers | undefined;
  texts: string[];
  runTag: string;
  next: number;
}

/** Replies to messages of the phase being measured, by message ts; anything else is stray. */
const byTs = new Map<string, Rec>();
/** Past the drain: replies are only watched to tell late ones from lost ones. */
let afterDrain = false;
const counters = { stray: 0, failedCalls: 0, wrongChannel: 0, otherMethods: new Map<string, number>() };

function onCall(call: RecordedCall): void {
  if (!call.ok) counters.failedCalls += 1;
  if (call.method !== "chat.postMessage") {
    counters.otherMethods.set(call.method, (counters.otherMethods.get(call.method) ?? 0) + 1);
    return;
  }
  const threadTs = call.args.thread_ts;
  const rec = typeof threadTs === "string" ? byTs.get(threadTs) : undefined;
  if (!rec) {
    counters.stray += 1;
    return;
  }
  if (call.args.channel !== rec.channel) counters.wrongChannel += 1;
  if (afterDrain) {
    rec.late += 1;
    return;
  }
  rec.replies += 1;
  if (rec.replies === 1) rec.replyMs = performance.now() - rec.sentAt;
}

/** First and last 10 s (or half the run), the maximum, and the windows, of RSS samples taken once a second. */
function summarizeRss(rss: ReadonlyArray<{ t: number; kb: number }>, sendSeconds: number): RssSummary {
  const window = Math.min(10, sendSeconds / 2);
  const first = mean(rss.filter((s) => s.t <= window).map((s) => s.kb)) / 1024;
  const last =
    mean(rss.filter((s) => s.t >= sendSeconds - window && s.t <= sendSeconds + 0.5).map((s) => s.kb)) / 1024;
  // Windows of 30 s (10 s for short runs). Memory is steady when the last window is within 10 % of the one at
  // half time: the bounded in-memory maps fill in the first minute at 200/s, after which RSS should level off.
  const step = sendSeconds >= 120 ? 30 : 10;
  const timeline: Array<{ from: number; to: number; mb: number }> = [];
  for (let from = 0; from + step / 2 < sendSeconds; from += step) {
    const to = Math.min(from + step, sendSeconds);
    const inWindow = rss.filter((x) => x.t >= from && x.t < to).map((x) => x.kb);
    if (inWindow.length) timeline.push({ from, to, mb: mean(inWindow) / 1024 });
  }
  const half = timeline.find((w) => w.to >= sendSeconds / 2);
  const lastWindow = timeline[timeline.length - 1];
  const secondHalfGrowth =
    sendSeconds >= 120 && half && lastWindow && half !== lastWindow ? lastWindow.mb / half.mb : undefined;
  return {
    first,
    last,
    max: Math.max(...rss.map((s) => s.kb)) / 1024,
    samples: rss.length,
    timeline,
    secondHalfGrowth,
  };
}

async function fire(
  h: Harness,
  label: string,
  plan: { count: number; rate: number; textFor: (i: number) => number; retries: boolean; drainMs?: number },
): Promise<PhaseResult> {
  byTs.clear();
  const base = { stray: counters.stray, failedCalls: counters.failedCalls, wrong: counters.wrongChannel };
  const replicas = h.apps.length;
  const recs: Rec[] = [];
  let inFlight = 0;
  let pendingRetries = 0;
  let skipped = 0;
  let sendErrors = 0;
  const errorKinds = new Map<string, number>();
  const failed = (error: unknown) => {
    sendErrors += 1;
    const kind = errorKind(error);
    errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1);
  };
  let retriesSent = 0;
  const retriesTo = Array.from({ length: replicas }, () => 0);

  const send = (i: number) => {
    const n = h.next++;
    const ts = tsOf(n);
    const channel = CHANNELS[n % CHANNELS.length] as string;
    const text = plan.textFor(i);
    // The load balancer: round robin; a retry to the next replica, never the one that had the original.
    const replica = i % replicas;
    const retryReplica = (replica + 1) % replicas;
    const event = messageEvent({
      channel,
      user: USERS[n % USERS.length] as string,
      text: `${slackEscape(h.texts[text] as string)} (seen on ${hostIp(n)})`,
      ts,
      channel_type: "channel",
    });
    const eventId = eventIdOf(h.runTag, n);
    const eventTime = Math.floor(Date.now() / 1000);
    const rec: Rec = {
      ts,
      channel,
      text,
      replica,
      sentAt: performance.now(),
      ackMs: Number.NaN,
      status: 0,
      replies: 0,
      late: 0,
      replyMs: Number.NaN,
      retried: false,
      retryStatus: 0,
    };
    recs.push(rec);
    byTs.set(ts, rec);
    inFlight += 1;
    (h.senders[replica] as HttpSender)
      .sendEvent(event, { eventId, eventTime })
      .then(
        (r) => {
          rec.ackMs = performance.now() - rec.sentAt;
          rec.status = r.status;
        },
        (error: unknown) => {
          rec.status = -1;
          failed(error);
        },
      )
      .finally(() => {
        inFlight -= 1;
      });
    // One event in RETRY_EVERY (n % 50 === 0 for one app); with replicas the pick shifts by one every 50, so the
    // retried originals reach every replica in turn (with an even RETRY_EVERY they would all hit one of two).
    if (plan.retries && n % RETRY_EVERY === Math.floor(n / RETRY_EVERY) % replicas) {
      // Slack's retry: the same envelope (same event_id) a little later, with X-Slack-Retry-Num.
      rec.retried = true;
      pendingRetries += 1;
      setTimeout(
        () => {
          retriesSent += 1;
          retriesTo[retryReplica] = (retriesTo[retryReplica] ?? 0) + 1;
          inFlight += 1;
          (h.senders[retryReplica] as HttpSender)
            .sendEvent(event, { eventId, eventTime, retryNum: 1, retryReason: "http_timeout" })
            .then(
              (r) => {
                rec.retryStatus = r.status;
              },
              () => {
                rec.retryStatus = -1;
              },
            )
            .finally(() => {
              inFlight -= 1;
              pendingRetries -= 1;
            });
        },
        200 + (n % 5) * 100,
      );
    }
  };

  // RSS once a second: per replica, and their sum (the app itself without --replicas).
  const rss: Array<{ t: number; kb: number }> = [];
  const rssOf: Array<Array<{ t: number; kb: number }>> = h.apps.map(() => []);
  const sampleRss = (t: number) => {
    let sum = 0;
    let all = true;
    for (const [k, app] of h.apps.entries()) {
      const kb = rssKb(app.pid);
      if (kb === undefined) all = false;
      else {
        sum += kb;
        rssOf[k]?.push({ t, kb });
      }
    }
    if (all) rss.push({ t, kb: sum });
  };
  const start = performance.now();
  const sampler = setInterval(() => sampleRss((performance.now() - start) / 1000), 1000);
  sampleRss(0);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const appTicks0 = h.apps.map((app) => cpuTicks(app.pid) ?? 0);
  const threads0 = h.apps.map((app) => threadTicks(app.pid));
  const pgPid = h.shared?.postgres.pid;
  const redisPid = h.shared?.redis.pid;
  const pgTicks0 = pgPid === undefined ? 0 : (treeTicks(pgPid) ?? 0);
  const redisTicks0 = redisPid === undefined ? 0 : (cpuTicks(redisPid) ?? 0);
  const machine0 = machineTicks();
  const genCpu0 = process.cpuUsage();

  // Open loop: what is due by the clock is sent, whether or not earlier events were acknowledged.
  let scheduled = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(plan.count, Math.floor(((performance.now() - start) * plan.rate) / 1000));
      while (scheduled < due) {
        const i = scheduled++;
        if (inFlight >= MAX_IN_FLIGHT) skipped += 1;
        else send(i);
      }
      if (scheduled >= plan.count) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, TICK_MS);
    tick();
  });
  const sendEnd = performance.now();
  loop.disable();
  const appCpuOf = h.apps.map(
    (app, k) => ((cpuTicks(app.pid) ?? (appTicks0[k] as number)) - (appTicks0[k] as number)) / CLOCK_TICKS,
  );
  const pgCpu = pgPid === undefined ? 0 : ((treeTicks(pgPid) ?? pgTicks0) - pgTicks0) / CLOCK_TICKS;
  const redisCpu =
    redisPid === undefined ? 0 : ((cpuTicks(redisPid) ?? redisTicks0) - redisTicks0) / CLOCK_TICKS;
  const machine1 = machineTicks();
  const threadCpuOf = h.apps.map((app, k) =>
    [...threadTicks(app.pid)].map(([tid, t]) => ({ tid, t: t - (threads0[k]?.get(tid) ?? 0) })),
  );
  const gen = process.cpuUsage(genCpu0);
  const sendSeconds = (sendEnd - start) / 1000;
  const percent = (seconds: number) => (seconds / sendSeconds) * 100;

  // Drain: until every acknowledged event has its reply (then 1 s more for late duplicates), within a limit.
  const outstanding = () =>
    inFlight > 0 || pendingRetries > 0 || recs.some((r) => r.status === 200 && r.replies === 0);
  const drainLimit = plan.drainMs ?? DRAIN_MS;
  while (outstanding() && performance.now() - sendEnd < drainLimit) await sleep(100);
  if (!outstanding()) await sleep(1000);
  const drainMs = performance.now() - sendEnd;
  clearInterval(sampler);
  // Not part of the measurement: whether the unanswered ones were slow or dropped.
  afterDrain = true;
  const awaited = (r: Rec) => r.status === 200 || r.status === 0;
  const unanswered = recs.filter((r) => awaited(r) && r.replies === 0);
  const watchStart = performance.now();
  if (unanswered.length > 0) {
    while (
      (inFlight > 0 || unanswered.some((r) => awaited(r) && r.late === 0)) &&
      performance.now() - watchStart < LATE_WATCH_MS
    )
      await sleep(200);
  }
  const lateAnswered = unanswered.filter((r) => r.late > 0).length;
  const watchedMs = performance.now() - watchStart;
  afterDrain = false;
  // Replies from here on belong to no phase (counted as stray).
  byTs.clear();
  // Every event answered (in time or late) should have left one row in `triages` (written after the reply
  // was decided, not awaited: waited for up to 10 s).
  const durability = h.shared
    ? await checkDurability(
        h.shared,
        recs.map((r) => ({ ts: r.ts, answered: r.replies + r.late > 0 })),
      )
    : undefined;

  const ackMs: number[] = [];
  const ackOf: number[][] = h.apps.map(() => []);
  const replyMs: number[] = [];
  let acked200 = 0;
  let non200 = 0;
  let unacked = 0;
  let replies = 0;
  let answeredOnce = 0;
  let duplicates = 0;
  let extraReplies = 0;
  let losses = 0;
  let retries200 = 0;
  let retryDuplicates = 0;
  const lost = new Map<number, number>();
  const answeredTexts = new Set<number>();
  const eventsTo = h.apps.map(() => 0);
  for (const r of recs) {
    eventsTo[r.replica] = (eventsTo[r.replica] ?? 0) + 1;
    if (r.status > 0) {
      ackMs.push(r.ackMs);
      ackOf[r.replica]?.push(r.ackMs);
    }
    if (r.status === 200) acked200 += 1;
    else if (r.status > 0) non200 += 1;
    else if (r.status === 0) unacked += 1;
    replies += r.replies;
    const total = r.replies + r.late;
    if (r.replies > 0) replyMs.push(r.replyMs);
    if (total > 0) answeredTexts.add(r.text);
    if (r.replies === 1) answeredOnce += 1;
    if (total > 1) {
      duplicates += 1;
      extraReplies += total - 1;
      if (r.retried) retryDuplicates += 1;
    }
    if (r.status === 200 && r.replies === 0) {
      losses += 1;
      lost.set(r.text, (lost.get(r.text) ?? 0) + 1);
    }
    if (r.retryStatus === 200) retries200 += 1;
  }
  const threadShares = h.apps.map((app, k) => {
    const threads = threadCpuOf[k] ?? [];
    return {
      main: percent((threads.find((x) => x.tid === app.pid)?.t ?? 0) / CLOCK_TICKS),
      other: percent(Math.max(0, ...threads.filter((x) => x.tid !== app.pid).map((x) => x.t)) / CLOCK_TICKS),
    };
  });
  const replicaResults: ReplicaResult[] = h.apps.map((app, k) => ({
    pid: app.pid,
    events: eventsTo[k] ?? 0,
    retries: retriesTo[k] ?? 0,
    ack: stats(ackOf[k] ?? []),
    rss: summarizeRss(rssOf[k] ?? [], sendSeconds),
    cpu: percent(appCpuOf[k] ?? 0),
    mainThreadCpu: threadShares[k]?.main ?? 0,
    busiestOtherThreadCpu: threadShares[k]?.other ?? 0,
  }));
  return {
    label,
    rate: plan.rate,
    seconds: plan.count / plan.rate,
    planned: plan.count,
    sent: recs.length,
    skipped,
    achievedRate: recs.length / sendSeconds,
    acked200,
    non200,
    sendErrors,
    errorKinds: [...errorKinds.entries()].sort((a, b) => b[1] - a[1]),
    unacked,
    ack: stats(ackMs),
    // Slack gives up on an ack after 3 s and retries the event.
    acksOver3s: ackMs.filter((v) => v > 3000).length + unacked + sendErrors,
    replies,
    answeredOnce,
    duplicates,
    extraReplies,
    losses,
    lostTexts: [...lost.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([t, c]) => [h.texts[t] as string, c]),
    wrongChannel: counters.wrongChannel - base.wrong,
    retriesSent,
    retries200,
    retryDuplicates,
    reply: stats(replyMs),
    rss: summarizeRss(rss, sendSeconds),
    appCpu: percent(appCpuOf.reduce((a, b) => a + b, 0)),
    genCpu: percent((gen.user + gen.system) / 1e6),
    // One app: its threads; replicas: the busiest replica's (each is listed on its own).
    mainThreadCpu: Math.max(...threadShares.map((t) => t.main)),
    busiestOtherThreadCpu: Math.max(...threadShares.map((t) => t.other)),
    machineCpu: percent((machine1.busy - machine0.busy) / CLOCK_TICKS),
    steal: percent((machine1.steal - machine0.steal) / CLOCK_TICKS),
    loopP99: loop.percentile(99) / 1e6,
    drainMs,
    unanswered: unanswered.length,
    lateAnswered,
    watchedMs,
    stray: counters.stray - base.stray,
    failedCalls: counters.failedCalls - base.failedCalls,
    answeredTexts,
    ...(h.shared
      ? { replicas: replicaResults, postgresCpu: percent(pgCpu), redisCpu: percent(redisCpu), durability }
      : {}),
  };
}

function errorKind(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message.slice(0, 60);
  return error instanceof Error ? error.message.slice(0, 60) : String(error);
}

// ------------------------------------------------------------------------------------------ report

interface Verdict {
  pass: boolean;
  lines: string[];
  failed: string[];
}

/**
 * Against the issue's targets; `fixedRate` false (find-max) leaves out "at least 200/s". With replicas the
 * whole run is judged (all replicas' events together), memory per replica, and every answered paste must be
 * stored (`durability`: the phase's, or the warm-up's and the run's together).
 */
function judge(r: PhaseResult, fixedRate: boolean, durability = r.durability): Verdict {
  const checks: Array<[string, boolean, string]> = [];
  const rateKept = r.skipped === 0 && r.achievedRate >= r.rate * 0.98;
  if (fixedRate) {
    checks.push([
      `rate >= ${TARGET_RATE}/s sustained`,
      r.rate >= TARGET_RATE && rateKept,
      `${r.achievedRate.toFixed(1)}/s sent, ${r.skipped} skipped`,
    ]);
  } else {
    checks.push([`rate ${r.rate}/s kept`, rateKept, `${r.achievedRate.toFixed(1)}/s, ${r.skipped} skipped`]);
  }
  checks.push([`ack p95 < ${TARGET_P95_MS} ms`, r.ack.p95 < TARGET_P95_MS, `${ms(r.ack.p95)} ms`]);
  checks.push(["all acked 200", r.acked200 === r.sent, `${r.sent - r.acked200} not`]);
  checks.push(["0 duplicates", r.duplicates === 0, String(r.duplicates)]);
  checks.push(["0 losses", r.losses === 0, String(r.losses)]);
  // With replicas, the replica whose memory grew most (or their sum, if that grew more).
  const growths = [r.rss, ...(r.replicas ?? []).map((x) => x.rss)]
    .map((x) => x.secondHalfGrowth)
    .filter((g): g is number => g !== undefined);
  if (growths.length > 0) {
    const growth = Math.max(...growths);
    checks.push([
      "steady memory",
      growth <= STEADY_GROWTH,
      `RSS ${((growth - 1) * 100).toFixed(1)} % over the second half${r.replicas ? " (the replica that grew most)" : ""}`,
    ]);
  }
  if (durability) {
    checks.push(["every answered paste stored", durabilityOk(durability), durabilityText(durability)]);
  }
  const width = Math.max(24, ...checks.map(([name]) => name.length + 1));
  const failed = checks.filter(([, ok]) => !ok).map(([name, , got]) => `${name} (${got})`);
  return {
    pass: failed.length === 0,
    failed,
    lines: checks.map(([name, ok, got]) => `    ${ok ? "PASS" : "FAIL"}  ${name.padEnd(width)} ${got}`),
  };
}

function report(r: PhaseResult, fixedRate: boolean, durability = r.durability): Verdict {
  const v = judge(r, fixedRate, durability);
  const ratio = r.rss.last / r.rss.first;
  const servers = (r.postgresCpu ?? 0) + (r.redisCpu ?? 0);
  const others = r.machineCpu - r.appCpu - r.genCpu - servers;
  const timeline = r.rss.timeline.map((w) => `${w.from.toFixed(0)}-${w.to.toFixed(0)} s ${w.mb.toFixed(0)}`);
  const out = [
    `${r.label}: ${r.rate}/s for ${r.seconds} s`,
    `  events      planned ${r.planned}, sent ${r.sent}, skipped (in-flight bound ${MAX_IN_FLIGHT}) ${r.skipped}, achieved ${r.achievedRate.toFixed(1)}/s`,
    `  acks        200: ${r.acked200}, non-200: ${r.non200}, request errors: ${r.sendErrors}${r.errorKinds.length ? ` (${r.errorKinds.map(([k, c]) => `${k} ${c}`).join(", ")})` : ""}, no ack by the end: ${r.unacked}`,
    `  ack latency p50 ${ms(r.ack.p50)} ms, p95 ${ms(r.ack.p95)} ms, p99 ${ms(r.ack.p99)} ms, max ${ms(r.ack.max)} ms; slower than 3 s or none (Slack would retry) ${r.acksOver3s}`,
    `  replies     ${r.replies} (to ${r.reply.count} events); answered exactly once ${r.answeredOnce}/${r.sent}; duplicates ${r.duplicates} (${r.extraReplies} extra replies); losses ${r.losses}`,
    `  retries     ${r.retriesSent} sent (same event_id, x-slack-retry-num: 1), ${r.retries200} acked 200, duplicates among retried events ${r.retryDuplicates}`,
    `  reply lat.  p50 ${ms(r.reply.p50)} ms, p95 ${ms(r.reply.p95)} ms, p99 ${ms(r.reply.p99)} ms, max ${ms(r.reply.max)} ms (event sent -> postMessage received)`,
    `  app RSS     ${r.replicas ? `(sum of ${r.replicas.length} replica${r.replicas.length > 1 ? "s" : ""}) ` : ""}first 10 s ${r.rss.first.toFixed(0)} MB, last 10 s ${r.rss.last.toFixed(0)} MB, max ${r.rss.max.toFixed(0)} MB; last/first ${ratio.toFixed(2)}`,
    `  RSS by time ${timeline.join(", ")} MB${r.rss.secondHalfGrowth === undefined ? " (steady memory is judged on runs of 120 s or more)" : ""}`,
    `  CPU         app ${r.appCpu.toFixed(0)} % of a core${r.replicas ? ` (all replicas), PostgreSQL ${(r.postgresCpu ?? 0).toFixed(0)} %, redis-server ${(r.redisCpu ?? 0).toFixed(0)} %` : ""}, load generator + fake Web API ${r.genCpu.toFixed(0)} %, other processes ${Math.max(0, others).toFixed(0)} %` +
      ` (machine ${r.machineCpu.toFixed(0)} % of ${availableParallelism() * 100} %, steal ${r.steal.toFixed(0)} %)`,
    r.replicas
      ? `              app CPU per event ${ms((r.appCpu * 10) / r.achievedRate)} ms (all replicas), with PostgreSQL and Redis ${ms(((r.appCpu + servers) * 10) / r.achievedRate)} ms; generator event-loop delay p99 ${ms(r.loopP99)} ms`
      : `              app: main thread ${r.mainThreadCpu.toFixed(0)} %, busiest other thread ${r.busiestOtherThreadCpu.toFixed(0)} % (matcher worker); app CPU per event ${ms((r.appCpu * 10) / r.achievedRate)} ms; generator event-loop delay p99 ${ms(r.loopP99)} ms`,
    `  other       drain ${(r.drainMs / 1000).toFixed(1)} s, stray replies ${r.stray}, replies in a wrong channel ${r.wrongChannel}, failed Web API calls ${r.failedCalls}`,
  ];
  if (r.replicas) {
    out.push("  replicas    round robin (event i to replica i mod N), each retry to the next replica");
    for (const [k, x] of r.replicas.entries()) {
      out.push(
        `    #${k + 1} pid ${x.pid}: events ${x.events} (+${x.retries} retries), ack p50 ${ms(x.ack.p50)} p95 ${ms(x.ack.p95)} ms;` +
          ` RSS first ${x.rss.first.toFixed(0)} last ${x.rss.last.toFixed(0)} max ${x.rss.max.toFixed(0)} MB;` +
          ` CPU ${x.cpu.toFixed(0)} % (main thread ${x.mainThreadCpu.toFixed(0)} %, busiest other ${x.busiestOtherThreadCpu.toFixed(0)} %)`,
      );
    }
    const sum = (f: (x: ReplicaResult) => number) => r.replicas?.reduce((a, x) => a + f(x), 0) ?? 0;
    out.push(
      `    total: events ${sum((x) => x.events)} (+${sum((x) => x.retries)} retries), ack p50 ${ms(r.ack.p50)} p95 ${ms(r.ack.p95)} ms;` +
        ` RSS first ${r.rss.first.toFixed(0)} last ${r.rss.last.toFixed(0)} max ${r.rss.max.toFixed(0)} MB; CPU ${r.appCpu.toFixed(0)} %`,
    );
  }
  if (durability) out.push(`  stored      ${durabilityText(durability)}`);
  if (r.unanswered > 0) {
    out.push(
      `  after drain ${r.unanswered} events unanswered at the end of the drain (losses + no ack); ${r.lateAnswered} of them were answered in the next ${(r.watchedMs / 1000).toFixed(0)} s (late, not dropped)`,
    );
  }
  for (const [text, count] of r.lostTexts)
    out.push(`  lost        ${count}x ${JSON.stringify(text.slice(0, 100))}`);
  if (others > 20) {
    out.push(
      `  NOTE        other processes used ${others.toFixed(0)} % of a core during the run: the machine was shared, figures are pessimistic`,
    );
  }
  out.push(`  targets${fixedRate ? "" : " (this step)"}:`, ...v.lines, `  => ${v.pass ? "PASS" : "FAIL"}`);
  console.log(out.join("\n"));
  return v;
}

function stepLine(r: PhaseResult, v: Verdict): string {
  return (
    `  ${String(r.rate).padStart(5)}/s  sent ${String(r.sent).padStart(6)}  ack p50 ${ms(r.ack.p50).padStart(5)}` +
    ` p95 ${ms(r.ack.p95).padStart(6)} p99 ${ms(r.ack.p99).padStart(6)} ms  reply p95 ${ms(r.reply.p95).padStart(6)} ms` +
    `  dup ${r.duplicates}  lost ${r.losses}  skipped ${r.skipped}` +
    (r.replicas
      ? `  CPU app ${r.replicas.map((x) => `${x.cpu.toFixed(0)}`).join("+")} % (main ${r.replicas.map((x) => x.mainThreadCpu.toFixed(0)).join("/")} %)` +
        ` pg ${(r.postgresCpu ?? 0).toFixed(0)} % redis ${(r.redisCpu ?? 0).toFixed(0)} %` +
        ` others ${Math.max(0, r.machineCpu - r.appCpu - r.genCpu - (r.postgresCpu ?? 0) - (r.redisCpu ?? 0)).toFixed(0)} %` +
        `  RSS ${r.replicas.map((x) => x.rss.max.toFixed(0)).join("+")} MB` +
        (r.durability ? `  stored ${r.durability.stored}/${r.durability.answered}` : "")
      : `  CPU app ${r.appCpu.toFixed(0)} % (main ${r.mainThreadCpu.toFixed(0)} %) others ${Math.max(0, r.machineCpu - r.appCpu - r.genCpu).toFixed(0)} %` +
        `  RSS ${r.rss.max.toFixed(0)} MB`) +
    `  ${v.pass ? "PASS" : `FAIL: ${v.failed.join(", ")}`}`
  );
}

// ------------------------------------------------------------------------------------------ main

async function main(options: LoadOptions): Promise<void> {
  const temp: string[] = [];
  const apps: AppProcess[] = [];
  let api: FakeWebApi | undefined;
  let shared: SharedServers | undefined;
  const cleanup = () => {
    for (const dir of temp) rmSync(dir, { recursive: true, force: true });
    temp.length = 0;
  };
  process.once("SIGINT", () => {
    for (const app of apps) app.child.kill("SIGTERM");
    const servers = shared;
    if (!servers) {
      cleanup();
      process.exit(130);
    }
    // Replicas: they finish (up to 6 s) before the servers are stopped and the cluster's folder removed.
    setTimeout(() => process.exit(130), 15_000).unref();
    void Promise.race([Promise.all(apps.map((app) => app.exited)), sleep(6_000)])
      .then(() => servers.stop())
      .finally(() => {
        cleanup();
        process.exit(130);
      });
  });
  const stopAll = async () => {
    const results = await Promise.all(apps.map((app) => stopApp(app)));
    apps.length = 0;
    return results;
  };
  try {
    let knowledgeDir = path.resolve(root, options.knowledge);
    let knowledgeLabel = options.knowledge;
    if (options.kb7k) {
      const source = path.join(kbDev, "corpus-mskb");
      if (!existsSync(source))
        throw new Error(`${source} not found: --kb7k needs ../shared/kb-dev beside the clone`);
      knowledgeDir = mkdtempSync(path.join(tmpdir(), "kb-load-"));
      temp.push(knowledgeDir);
      multiply(source, 5, knowledgeDir);
      knowledgeLabel = "kb-dev corpus-mskb x5 (new ids, temp folder)";
    }
    const kb = await loadKnowledge(knowledgeDir);
    // Every article's first quoted error, once per distinct text (copies repeat them).
    const texts = [...new Set(kb.articles.map((a) => a.errors[0]).filter((e): e is string => Boolean(e)))];
    if (texts.length === 0) throw new Error(`no article in ${knowledgeDir} quotes an error message`);

    if (options.replicasGiven) shared = await startSharedServers();
    api = await startFakeWebApi({ port: 0, record: false });
    const fake = api;
    const addChannels = () => {
      for (const [i, id] of CHANNELS.entries()) fake.workspace.addChannel({ id, name: `load-${i}` });
    };
    addChannels();
    api.onCall(onCall);
    const secret = randomBytes(32).toString("hex");
    // Each replica its own DATA_DIR (its pid file), all on the same knowledge, database, Redis and fake Slack;
    // started together (the migrations take an advisory lock).
    const count = options.replicasGiven ? options.replicas : 1;
    const dataDirs = Array.from({ length: count }, () => {
      const dir = mkdtempSync(path.join(tmpdir(), "kb-load-data-"));
      temp.push(dir);
      return dir;
    });
    const servers = shared;
    const started = await Promise.allSettled(
      dataDirs.map((dataDir, k) =>
        startApp(
          fake,
          knowledgeDir,
          dataDir,
          secret,
          servers
            ? { databaseUrl: servers.databaseUrl, redisUrl: servers.redisUrl, name: `replica ${k + 1}` }
            : undefined,
        ),
      ),
    );
    for (const s of started) if (s.status === "fulfilled") apps.push(s.value);
    const notStarted = started.find((s) => s.status === "rejected");
    if (notStarted) throw notStarted.reason;
    const senders = apps.map((app) =>
      createHttpSender({
        url: `http://127.0.0.1:${app.port}/slack/events`,
        signingSecret: secret,
        teamId: fake.teamId,
        appId: fake.appId,
        botUserId: fake.botUserId,
      }),
    );
    const h: Harness = {
      api,
      senders,
      apps: [...apps],
      shared,
      texts,
      runTag: randomBytes(3).toString("hex").toUpperCase(),
      next: 100,
    };
    const running = [...apps];
    const first = running[0] as AppProcess;
    let died: AppProcess | undefined;
    for (const app of running) {
      void app.exited.then(() => {
        died ??= app;
      });
    }
    const whoDied = () => {
      if (!died) return "";
      return running.length > 1 ? ` (replica ${running.indexOf(died) + 1})` : "";
    };
    const diedLog = () => died?.log.kept.join("\n") ?? "";

    const appLines = servers
      ? [
          `shared: PostgreSQL ${servers.postgres.version} (postgres pid ${servers.postgres.pid ?? "not found"}, port ${servers.postgres.port}, a fresh database),` +
            ` redis-server (pid ${servers.redis.pid ?? "not found"}, port ${servers.redis.port}); throwaway, stopped at the end`,
          ...running.map(
            (app, k) =>
              `replica ${k + 1}: pid ${app.pid}, port ${app.port}, ready (GET /readyz 200: knowledge indexed, database and Redis) after ${(app.readyMs / 1000).toFixed(1)} s`,
          ),
        ]
      : [
          `app: pid ${first.pid}, port ${first.port}, ready (GET /healthz 200, knowledge indexed) after ${(first.readyMs / 1000).toFixed(1)} s`,
        ];
    console.log(
      [
        `kb-triage load test: Node ${process.version}, ${availableParallelism()} CPUs, loopback only`,
        `settings: ${options.findMax ? "find-max" : `${options.rate}/s for ${options.seconds} s`}, ${CHANNELS.length} channels, ` +
          `a retry for every ${RETRY_EVERY}th event, in-flight bound ${MAX_IN_FLIGHT}, ${TICK_MS} ms tick, drain <= ${DRAIN_MS / 1000} s` +
          (servers
            ? `, ${running.length} replica${running.length > 1 ? "s" : ""} on PostgreSQL and Redis (round robin, retries to another replica)`
            : ""),
        `knowledge: ${knowledgeLabel}: ${kb.articles.length} articles (${kb.problems.length} problems), ${texts.length} distinct first quoted errors`,
        ...appLines,
        "",
      ].join("\n"),
    );

    // Warm-up: each text once; keep only those the app answers, so a loss later is a real loss.
    const warm = await fire(h, "warm-up", {
      count: texts.length,
      rate: Math.min(WARMUP_RATE, options.rate),
      textFor: (i) => i,
      retries: false,
      drainMs: WARMUP_DRAIN_MS,
    });
    const answered = texts.filter((_, i) => warm.answeredTexts.has(i));
    const dropped = texts.filter((_, i) => !warm.answeredTexts.has(i));
    console.log(
      `warm-up: ${texts.length} texts sent at ${warm.rate}/s, ${answered.length} answered, ${dropped.length} dropped` +
        ` (no reply), ack p95 ${ms(warm.ack.p95)} ms, reply p95 ${ms(warm.reply.p95)} ms`,
    );
    for (const text of dropped.slice(0, 5)) console.log(`  dropped: ${JSON.stringify(text.slice(0, 100))}`);
    if (warm.durability) console.log(`  warm-up ${durabilityText(warm.durability)}`);
    if (answered.length === 0) throw new Error("the app answered none of the warm-up pastes");
    if (died) throw new Error(`the app${whoDied()} exited during the warm-up:\n${diedLog()}`);
    h.texts = answered;
    console.log("");

    const reset = async () => {
      fake.reset(); // drops the fake's stored messages between runs; channels are added again
      addChannels();
      (globalThis as { gc?: () => void }).gc?.(); // the generator's garbage, not during a run
      await sleep(3000);
    };
    // Over all phases: answered events and the rows they left (the table as a whole, at the end).
    let answeredEvents = warm.durability?.answered ?? 0;

    if (!options.findMax) {
      await reset();
      const r = await fire(h, "run", {
        count: Math.round(options.rate * options.seconds),
        rate: options.rate,
        textFor: (i) => i % answered.length,
        retries: true,
      });
      if (died) throw new Error(`the app${whoDied()} exited during the run:\n${diedLog()}`);
      answeredEvents += r.durability?.answered ?? 0;
      // Judged on the warm-up's and the run's answers together: every one should have left its row.
      report(
        r,
        true,
        warm.durability && r.durability ? addDurability(warm.durability, r.durability) : undefined,
      );
    } else {
      const seconds = options.secondsGiven ? options.seconds : FIND_MAX_STEP_SECONDS;
      console.log(`find-max: steps of ${seconds} s, +100/s until a target is missed, then bisect`);
      let best: { r: PhaseResult; v: Verdict } | undefined;
      let failedAt: { r: PhaseResult; v: Verdict } | undefined;
      const step = async (rate: number) => {
        await reset();
        const r = await fire(h, `step ${rate}/s`, {
          count: Math.round(rate * seconds),
          rate,
          textFor: (i) => i % answered.length,
          retries: true,
        });
        if (died) throw new Error(`the app${whoDied()} exited at ${rate}/s:\n${diedLog()}`);
        answeredEvents += r.durability?.answered ?? 0;
        const v = judge(r, false);
        console.log(stepLine(r, v));
        return { r, v };
      };
      for (let rate = 100; rate <= FIND_MAX_CAP; rate += 100) {
        const s = await step(rate);
        if (!s.v.pass) {
          failedAt = s;
          break;
        }
        best = s;
      }
      // Bisect between the last pass (or 0) and the first failure, down to 25/s apart.
      for (let round = 0; failedAt && round < 3; round++) {
        const low = best?.r.rate ?? 0;
        if (failedAt.r.rate - low <= 25) break;
        const s = await step(Math.round((low + failedAt.r.rate) / 2));
        if (s.v.pass) best = s;
        else failedAt = s;
      }
      console.log("");
      if (best) {
        report(best.r, false);
        console.log("");
      }
      if (failedAt) {
        report(failedAt.r, false);
        console.log("");
      }
      console.log(
        `highest rate meeting all targets (ack p95 < ${TARGET_P95_MS} ms, all acked, 0 duplicates, 0 losses, rate kept${servers ? ", every answered paste stored" : ""}): ` +
          `${best ? `${best.r.rate}/s` : "none (even the first step failed)"}` +
          (failedAt
            ? `; missed at ${failedAt.r.rate}/s: ${failedAt.v.failed.join(", ")}`
            : `; no failure up to ${FIND_MAX_CAP}/s`),
      );
      if (warm.durability && !durabilityOk(warm.durability)) {
        console.log(`FAIL  warm-up: every answered paste stored (${durabilityText(warm.durability)})`);
      }
    }

    console.log("");
    const otherCalls = [...counters.otherMethods.entries()].map(([m, c]) => `${m} ${c}`).join(", ");
    console.log(`Web API calls other than chat.postMessage: ${otherCalls || "none"}`);
    console.log(`stray replies (unknown ts, or after a run's drain): ${counters.stray}`);
    if (servers) {
      console.log(
        `triages table: ${await servers.triageCount()} rows; events answered over the warm-up and the run${options.findMax ? "'s steps" : ""}: ${answeredEvents}`,
      );
    }
    for (const [k, app] of running.entries()) {
      console.log(
        `${running.length > 1 ? `replica ${k + 1}: ` : servers ? "replica 1: " : ""}app log lines (LOG_LEVEL=warn): ${app.log.lines}`,
      );
      for (const line of app.log.kept) console.log(`  ${line}`);
    }
    const stopped = await stopAll();
    for (const [k, line] of stopped.entries()) console.log(servers ? `replica ${k + 1}: ${line}` : line);
  } finally {
    if (apps.length > 0) await stopAll();
    await api?.close();
    await shared?.stop();
    cleanup();
  }
}

let options: LoadOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`${error.message}\n${USAGE}`);
  process.exit(1);
}
try {
  await main(options);
  process.exit(0);
} catch (error) {
  console.error(`load test error: ${(error as Error).message}`);
  process.exit(1);
}
