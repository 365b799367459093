/** What the Slack end-to-end tests share: the app over the sample knowledge base, wired to the emulator. */
import { createServer } from "node:net";
import { Writable } from "node:stream";
import type { Logger } from "pino";
import type { AppConfig } from "../../src/config.js";
import {
  createHttpSender,
  type FakeWebApi,
  type HttpSender,
  startFakeWebApi,
} from "../../src/emulator/index.js";
import { loadKnowledge } from "../../src/knowledge/load.js";
import type { Article } from "../../src/knowledge/types.js";
import { createMatcher } from "../../src/match/matcher.js";
import { inThread } from "../../src/match/threaded.js";
import { createSlackApp, type SlackApp } from "../../src/slack/app.js";
import { createDeduper } from "../../src/slack/dedupe.js";
import { createLogger } from "../../src/slack/logger.js";
import { createRecentTriages } from "../../src/store/recent-triages.js";
import type { TriageStore } from "../../src/store/store.js";

export async function sampleArticles(): Promise<Article[]> {
  return (await loadKnowledge(new URL("../../knowledge", import.meta.url).pathname)).articles;
}

/** The real app, silent, with an in-thread matcher over `articles`; the knowledge counts as loaded. */
export function appForTest(
  articles: Article[],
  settings: Pick<AppConfig, "slack" | "slackApiUrl" | "port"> & Partial<AppConfig>,
  host?: string,
  store?: TriageStore,
  logger: Logger = createLogger("silent"),
  appOptions: { webApiTimeoutMs?: number } = {},
): SlackApp {
  const config: AppConfig = {
    knowledgeDir: "knowledge",
    dataDir: "data",
    storeText: true,
    retentionDays: 90,
    logLevel: "silent",
    helpdeskChannel: null,
    escalationWebhook: null,
    triageChannels: [],
    adminUsers: [],
    channelDefaults: { mode: "errors", minScore: 0.72, cooldownMinutes: 0 },
    watchKnowledge: false,
    databaseUrl: null,
    redisUrl: null,
    redisPrefix: "kb-triage:",
    ...settings,
  };
  const slack = createSlackApp(
    config,
    {
      matcher: inThread(createMatcher(articles), articles),
      triages: createRecentTriages(),
      dedupe: createDeduper(),
      logger,
      triageChannels: new Set(config.triageChannels),
      helpdeskChannel: config.helpdeskChannel,
      escalationWebhook: config.escalationWebhook,
      webhookRetryDelayMs: 20,
      adminUsers: new Set(config.adminUsers),
      channelDefaults: config.channelDefaults,
      ...(store ? { store, storeText: config.storeText } : {}),
    },
    { logger, ...(host ? { host } : {}), ...appOptions },
  );
  slack.health.knowledge = true;
  return slack;
}

/** A TCP port free right now on loopback (for servers that cannot report the port they bound). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export const TEST_SIGNING_SECRET = "0123456789abcdef0123456789abcdef";

/**
 * The app in HTTP mode on loopback against a fresh emulator Web API, with a signed sender whose commands answer
 * through the emulator's response_url. `stop()` tears everything down in the right order.
 */
export async function startHttpApp(
  settings: Partial<AppConfig> = {},
  store?: TriageStore,
  logger?: Logger,
  appOptions: { webApiTimeoutMs?: number } = {},
): Promise<{ api: FakeWebApi; slack: SlackApp; send: HttpSender; stop: () => Promise<void> }> {
  const api = await startFakeWebApi();
  const slack = appForTest(
    await sampleArticles(),
    {
      slack: { mode: "http", botToken: api.botToken, signingSecret: TEST_SIGNING_SECRET },
      slackApiUrl: api.url,
      port: 0,
      ...settings,
    },
    "127.0.0.1",
    store,
    logger,
    appOptions,
  );
  const { port } = await slack.start();
  const send = createHttpSender({
    url: `http://127.0.0.1:${port}/slack/events`,
    signingSecret: TEST_SIGNING_SECRET,
    responseUrl: (context) => api.responseUrl(context),
  });
  return {
    api,
    slack,
    send,
    stop: async () => {
      await slack.stop().catch(() => undefined); // a test may have stopped it already
      await api.close();
    },
  };
}

/** A debug-level logger whose JSON lines a test can read: `lines` (raw), `entries()` (parsed), `text()`. */
export function capturingLogger() {
  const lines: string[] = [];
  const logger = createLogger(
    "debug",
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split("\n").filter(Boolean));
        done();
      },
    }),
  );
  return {
    logger,
    lines,
    entries: () => lines.map((line) => JSON.parse(line) as { level: number; msg: string; error?: string }),
    text: () => lines.join("\n"),
  };
}
