/**
 * The app as `npm start` runs it, connected to Slack or to the sandbox's emulator alike: the knowledge folder
 * loaded and indexed in a worker thread while the app connects (and reloaded when it changes, on SIGHUP or
 * from App Home), the store, and the listeners' dependencies built from the configuration. One wiring for
 * both, so the sandbox shows exactly what production does.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import type { AppConfig } from "../config.js";
import { type KnowledgeWatcher, watchKnowledge } from "../knowledge/load.js";
import { type KnowledgeState, type ReloadOutcome, startReloadableMatcher } from "../match/reloadable.js";
import type { KbStatus } from "../reply/home.js";
import { createSharedState, type SharedState } from "../state/shared-state.js";
import { createRecentTriages } from "../store/recent-triages.js";
import { createSealer } from "../store/seal.js";
import type { TriageStore } from "../store/store.js";
import { createSlackApp, type SlackApp } from "./app.js";
import { createDeduper } from "./dedupe.js";
import { createInstallationStore } from "./installations.js";

/** The reason a reload asked for by another replica's notice gives (it is not passed on again). */
const NOTICE_REASON = "reload notice from replica";

export interface RunningApp {
  slack: SlackApp;
  matcher: ReturnType<typeof startReloadableMatcher>;
  /** Settles once the knowledge base is first indexed (rejects when the folder cannot be loaded). */
  indexed: Promise<KnowledgeState>;
  /** Loads the knowledge folder again and swaps it in; resolves with the outcome (it is also logged). */
  reload(reason: string): Promise<ReloadOutcome>;
  /** Stops taking events, lets replies in progress finish (up to `drainMs`), then closes the index and store. */
  close(drainMs?: number): Promise<void>;
}

export function createRunningApp(
  config: AppConfig,
  store: TriageStore,
  logger: Logger,
  options: { host?: string; debounceMs?: number; state?: SharedState } = {},
): RunningApp {
  const matcher = startReloadableMatcher(config.knowledgeDir);
  const reload = (reason: string) => matcher.reload(reason);
  const replicaId = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const state =
    options.state ??
    createSharedState({
      redisUrl: config.redisUrl ?? undefined,
      keyPrefix: config.redisPrefix,
      logger,
      replicaId,
    });
  const kbStatus = (): KbStatus => {
    const state = matcher.state;
    const problems = state?.problems ?? [];
    const errors = problems.filter((p) => p.severity === "error").length;
    return {
      articles: state?.articles ?? 0,
      errors,
      warnings: problems.length - errors,
      loadedAt: state?.loadedAt ?? null,
      problems,
      lastReload: matcher.lastReload
        ? {
            ok: matcher.lastReload.ok,
            reason: matcher.lastReload.reason,
            at: matcher.lastReload.ok ? matcher.lastReload.loadedAt : matcher.lastReload.at,
            ...(matcher.lastReload.ok ? {} : { error: matcher.lastReload.error }),
          }
        : null,
    };
  };
  const slack = createSlackApp(
    config,
    {
      matcher,
      triages: createRecentTriages(),
      dedupe: createDeduper(state),
      logger,
      triageChannels: new Set(config.triageChannels),
      store,
      storeText: config.storeText,
      helpdeskChannel: config.helpdeskChannel,
      escalationWebhook: config.escalationWebhook,
      adminUsers: new Set(config.adminUsers),
      channelDefaults: config.channelDefaults,
      kbStatus,
      reloadKnowledge: () => reload("App Home"),
      ...(config.slack.mode === "oauth"
        ? {
            multiWorkspace: true,
            installations: createInstallationStore(store, createSealer(config.slack.encryptionKeys)),
          }
        : {}),
    },
    {
      logger,
      state,
      ...(options.host ? { host: options.host } : {}),
      ready: async () => ({
        database: await store.ping(),
        ...(state.kind === "redis" ? { redis: await state.ping() } : {}),
      }),
    },
  );
  const summary = (state: KnowledgeState) => {
    const errors = state.problems.filter((p) => p.severity === "error");
    return {
      articles: state.articles,
      errors: errors.length,
      warnings: state.problems.length - errors.length,
      ms: state.ms,
      dir: config.knowledgeDir,
      // Each broken file with its line, so the author can find it in the log.
      problems: errors.slice(0, 20).map((p) => `${p.file}:${p.line} ${p.message}`),
    };
  };
  const indexed = matcher.ready.then((state) => {
    slack.health.knowledge = true;
    logger.info(summary(state), "knowledge base indexed");
    return state;
  });
  indexed.catch(() => undefined); // the caller decides what a failed load means
  matcher.onReload((outcome) => {
    if (outcome.ok) {
      logger.info(
        { reason: outcome.reason, version: outcome.version, ...summary(outcome) },
        "knowledge base reloaded",
      );
      // The other replicas load their copy too (a shared volume, or one deployed alike); one told by a notice
      // does not pass it on.
      if (!outcome.reason.startsWith(NOTICE_REASON)) void state.publishReload(outcome.version);
    } else
      logger.error(
        { reason: outcome.reason, error: outcome.error, dir: config.knowledgeDir },
        "knowledge reload failed; the previous knowledge base is still served",
      );
  });

  // Another replica reloaded: load ours unless it already serves that version (both saw the same edit).
  const unsubscribe = state.onReload((version, from) => {
    if (matcher.state?.version === version) {
      logger.debug({ version, from }, "reload notice for the knowledge base already served");
      return;
    }
    void reload(`${NOTICE_REASON} ${from}`).then((outcome) => {
      if (outcome.ok && outcome.version !== version)
        logger.warn(
          { from, theirs: version, ours: outcome.version, dir: config.knowledgeDir },
          "after a reload notice this replica serves a different knowledge base than the one that sent it: is its folder up to date?",
        );
    });
  });

  let watcher: KnowledgeWatcher | null = null;
  if (config.watchKnowledge) {
    indexed.then(
      () => {
        try {
          watcher = watchKnowledge(
            config.knowledgeDir,
            (paths) =>
              void reload(`files changed: ${paths.slice(0, 3).join(", ")}${paths.length > 3 ? ", …" : ""}`),
            {
              ...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
              onError: (error) => logger.warn({ err: error }, "knowledge folder watch failed"),
            },
          );
        } catch (error) {
          logger.warn(
            { err: error, dir: config.knowledgeDir },
            "cannot watch the knowledge folder; SIGHUP reloads it",
          );
        }
      },
      () => undefined,
    );
  }

  return {
    slack,
    matcher,
    indexed,
    reload,
    async close(drainMs = 5000) {
      watcher?.close();
      await slack.stop().catch(() => undefined);
      if (!(await slack.drain(drainMs)))
        logger.warn({ drainMs }, "replies still in progress at shutdown were cut off");
      unsubscribe();
      await matcher.close();
      await store.close();
      await state.close();
    },
  };
}
