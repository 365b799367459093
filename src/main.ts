/**
 * `npm start`: the Slack bot. Reads the environment (config.ts), loads and indexes the knowledge folder in a
 * worker thread while connecting to Slack, and serves /healthz. With no Slack credentials at all it says how
 * to set them (the local sandbox arrives with issue 7).
 */
import { ConfigError, hasNoSlackCredentials, readAppConfig, readKnowledgeConfig } from "./config.js";
import { KnowledgeDirError } from "./knowledge/knowledge-dir-error.js";
import { loadKnowledge } from "./knowledge/load.js";
import { formatSummary, summarize } from "./knowledge/report.js";
import { startThreadedMatcher, whenReady } from "./match/threaded.js";
import { createSlackApp } from "./slack/app.js";
import { createDeduper } from "./slack/dedupe.js";
import { createLogger } from "./slack/logger.js";
import { createRecentTriages } from "./store/recent-triages.js";
import { openSqliteStore } from "./store/sqlite-store.js";
import type { TriageStore } from "./store/store.js";

if (hasNoSlackCredentials()) {
  const { knowledgeDir } = readKnowledgeConfig();
  try {
    process.stdout.write(`${formatSummary(summarize(await loadKnowledge(knowledgeDir)))}\n\n`);
  } catch (error) {
    if (!(error instanceof KnowledgeDirError)) throw error;
    process.stderr.write(`${error.message}\n`);
  }
  process.stdout.write(
    [
      "No Slack credentials are set, so the bot cannot connect to Slack.",
      "Create the app from manifest.yml (README.md, 'Install in Slack'), then either",
      "  SLACK_BOT_TOKEN=xoxb-… SLACK_APP_TOKEN=xapp-… npm start            (Socket Mode), or",
      "  SLACK_BOT_TOKEN=xoxb-… SLACK_SIGNING_SECRET=… PORT=3000 npm start  (HTTP mode).",
      "Meanwhile try the matcher: npm run --silent triage -- match 'System error 53 has occurred.'",
      "",
    ].join("\n"),
  );
  process.exit(1);
}

let config: ReturnType<typeof readAppConfig>;
try {
  config = readAppConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\nSee README.md for the settings.\n`);
  process.exit(1);
}

const logger = createLogger(config.logLevel);
let store: TriageStore;
try {
  store = openSqliteStore(config.dataDir);
} catch (error) {
  logger.fatal({ err: error, dir: config.dataDir }, "cannot open the triage database");
  process.exit(1);
}
// Retention: purge now and once a day (the timer does not keep the process alive).
const purge = () =>
  store
    .purge(config.retentionDays)
    .then(
      (removed) => removed > 0 && logger.info({ removed, days: config.retentionDays }, "purged old triages"),
    )
    .catch((error: unknown) => logger.error({ err: error }, "retention purge failed"));
void purge();
setInterval(purge, 24 * 3600_000).unref();
const matcher = whenReady(startThreadedMatcher({ knowledgeDir: config.knowledgeDir }));
const kb = { errors: 0, warnings: 0, loadedAt: null as number | null };
const slack = createSlackApp(
  config,
  {
    matcher,
    triages: createRecentTriages(),
    dedupe: createDeduper(),
    logger,
    triageChannels: new Set(config.triageChannels),
    store,
    storeText: config.storeText,
    helpdeskChannel: config.helpdeskChannel,
    escalationWebhook: config.escalationWebhook,
    adminUsers: new Set(config.adminUsers),
    channelDefaults: config.channelDefaults,
    kbStatus: () => ({ articles: matcher.size, ...kb }),
  },
  { logger },
);

matcher.ready.then(
  (ready) => {
    slack.health.knowledge = true;
    const problems = "problems" in ready ? (ready.problems as { severity: string }[]) : [];
    kb.errors = problems.filter((p) => p.severity === "error").length;
    kb.warnings = problems.length - kb.errors;
    kb.loadedAt = Date.now();
    logger.info(
      {
        articles: ready.size,
        errors: problems.filter((p) => p.severity === "error").length,
        dir: config.knowledgeDir,
      },
      "knowledge base indexed",
    );
  },
  (error: unknown) => {
    logger.fatal({ err: error, dir: config.knowledgeDir }, "cannot load the knowledge base");
    process.exit(1);
  },
);

try {
  await slack.start();
} catch (error) {
  // Typically a token Slack rejects (invalid_auth) or a port in use: say which, then stop.
  logger.fatal({ err: error, mode: config.slack.mode, port: config.port }, "cannot start the Slack app");
  await matcher.close();
  process.exit(1);
}
logger.info({ mode: config.slack.mode, port: config.port }, "kb-triage is running");

const shutdown = async (signal: string) => {
  logger.info({ signal }, "shutting down");
  await slack.stop().catch(() => undefined);
  await matcher.close();
  await store.close();
  process.exit(0);
};
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
