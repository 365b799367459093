/**
 * The app as `npm start` runs it, connected to Slack or to the sandbox's emulator alike: the knowledge folder
 * loaded and indexed in a worker thread while the app connects, the store, and the listeners' dependencies
 * built from the configuration. One wiring for both, so the sandbox shows exactly what production does.
 */
import type { Logger } from "pino";
import type { AppConfig } from "../config.js";
import type { ExamplePaste } from "../knowledge/examples.js";
import { startThreadedMatcher, whenReady } from "../match/threaded.js";
import { createRecentTriages } from "../store/recent-triages.js";
import type { TriageStore } from "../store/store.js";
import { createSlackApp, type SlackApp } from "./app.js";
import { createDeduper } from "./dedupe.js";

export interface KnowledgeStatus {
  articles: number;
  errors: number;
  warnings: number;
  loadedAt: number | null;
  examples: ExamplePaste[];
}

export interface RunningApp {
  slack: SlackApp;
  matcher: ReturnType<typeof whenReady>;
  kb: KnowledgeStatus;
  /** Settles once the knowledge base is indexed (rejects when the folder cannot be loaded). */
  indexed: Promise<KnowledgeStatus>;
  close(): Promise<void>;
}

export function createRunningApp(
  config: AppConfig,
  store: TriageStore,
  logger: Logger,
  options: { host?: string } = {},
): RunningApp {
  const building = startThreadedMatcher({ knowledgeDir: config.knowledgeDir });
  const matcher = whenReady(building);
  const kb: KnowledgeStatus = { articles: 0, errors: 0, warnings: 0, loadedAt: null, examples: [] };
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
      kbStatus: () => ({
        articles: kb.articles,
        errors: kb.errors,
        warnings: kb.warnings,
        loadedAt: kb.loadedAt,
      }),
    },
    { logger, ...(options.host ? { host: options.host } : {}) },
  );
  const indexed = building.then((ready) => {
    slack.health.knowledge = true;
    kb.articles = ready.size;
    kb.errors = ready.problems.filter((p) => p.severity === "error").length;
    kb.warnings = ready.problems.length - kb.errors;
    kb.loadedAt = Date.now();
    kb.examples = ready.examples;
    logger.info(
      { articles: ready.size, errors: kb.errors, warnings: kb.warnings, dir: config.knowledgeDir },
      "knowledge base indexed",
    );
    return kb;
  });
  indexed.catch(() => undefined); // the caller decides what a failed load means
  return {
    slack,
    matcher,
    kb,
    indexed,
    async close() {
      await slack.stop().catch(() => undefined);
      await matcher.close();
      await store.close();
    },
  };
}
