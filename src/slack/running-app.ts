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
import type { Problem } from "../knowledge/types.js";
import type { KnowledgeState, ReloadOutcome, startReloadableMatcher } from "../match/reloadable.js";
import { startWorkspaceMatchers, type WorkspaceMatchers } from "../match/workspace-matchers.js";
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
  /** The shared knowledge base's matcher. */
  matcher: ReturnType<typeof startReloadableMatcher>;
  /** The shared matcher and one per workspace folder (`KNOWLEDGE_DIR/<team id>/`). */
  workspaces: WorkspaceMatchers;
  /** Settles once the knowledge base is first indexed (rejects when the folder cannot be loaded). */
  indexed: Promise<KnowledgeState>;
  /**
   * Loads the knowledge folder (and each workspace folder) again and swaps it in; resolves with the shared
   * folder's outcome once every workspace's is in too (all are logged).
   */
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
  const workspaces = startWorkspaceMatchers(config.knowledgeDir);
  const matcher = workspaces.shared;
  const reload = (reason: string) => workspaces.reload(reason).then((outcome) => outcome.shared);
  const replicaId = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const state =
    options.state ??
    createSharedState({
      redisUrl: config.redisUrl ?? undefined,
      keyPrefix: config.redisPrefix,
      logger,
      replicaId,
    });
  // A workspace with its own folder sees what it is served: shared + own articles, and both folders' problems.
  const kbStatus = (team?: string | null): KbStatus => {
    const served = workspaces.workspace(team) ?? { state: matcher.state, lastReload: matcher.lastReload };
    const { state, lastReload } = served;
    const problems = state?.problems ?? [];
    const errors = problems.filter((p) => p.severity === "error").length;
    return {
      articles: state?.articles ?? 0,
      errors,
      warnings: problems.length - errors,
      loadedAt: state?.loadedAt ?? null,
      problems,
      lastReload: lastReload
        ? {
            ok: lastReload.ok,
            reason: lastReload.reason,
            at: lastReload.ok ? lastReload.loadedAt : lastReload.at,
            ...(lastReload.ok ? {} : { error: lastReload.error }),
          }
        : null,
    };
  };
  const slack = createSlackApp(
    config,
    {
      matcher,
      matcherFor: (team) => workspaces.matcherFor(team),
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
  /** A workspace's own load, logged with its folder's problems (the shared ones are logged already). */
  const logWorkspace = (team: string, outcome: ReloadOutcome, message: string) => {
    if (!outcome.ok) {
      logger.error(
        { team, reason: outcome.reason, error: outcome.error, dir: config.knowledgeDir },
        `workspace ${message} failed`,
      );
      return;
    }
    const ownProblems = (p: Problem) => p.file.startsWith(`${team}/`) || p.file === team;
    const own = outcome.problems.filter(ownProblems);
    const errors = own.filter((p) => p.severity === "error").length;
    logger.info(
      {
        team,
        reason: outcome.reason,
        articles: outcome.articles,
        errors,
        warnings: own.length - errors,
        ms: outcome.ms,
        problems: own.slice(0, 20).map((p) => `${p.file}:${p.line} ${p.severity} ${p.message}`),
      },
      `workspace ${message}`,
    );
  };
  const indexed = workspaces.ready.then((state) => {
    slack.health.knowledge = true;
    logger.info(summary(state), "knowledge base indexed");
    for (const { team, state } of workspaces.workspaces())
      if (state) logWorkspace(team, { ok: true, reason: "start", ...state }, "knowledge base indexed");
    return state;
  });
  indexed.catch(() => undefined); // the caller decides what a failed load means
  workspaces.onReload((all) => {
    const outcome = all.shared;
    for (const [team, own] of Object.entries(all.workspaces))
      logWorkspace(
        team,
        own,
        all.added.includes(team) ? "knowledge base indexed" : "knowledge base reloaded",
      );
    for (const team of all.removed)
      logger.info({ team }, "workspace knowledge folder gone; the workspace gets the shared knowledge base");
    if (outcome.ok) {
      logger.info(
        { reason: outcome.reason, version: outcome.version, ...summary(outcome) },
        "knowledge base reloaded",
      );
      // The other replicas load their copy too (a shared volume, or one deployed alike); one told by a notice
      // does not pass it on.
      if (!outcome.reason.startsWith(NOTICE_REASON)) void state.publishReload(all.version ?? outcome.version);
    } else
      logger.error(
        { reason: outcome.reason, error: outcome.error, dir: config.knowledgeDir },
        "knowledge reload failed; the previous knowledge base is still served",
      );
  });

  // Another replica reloaded: load ours unless it already serves that version (both saw the same edit).
  // The version compared is the combined one: the shared version when there are no workspace folders.
  const unsubscribe = state.onReload((version, from) => {
    if (workspaces.version === version) {
      logger.debug({ version, from }, "reload notice for the knowledge base already served");
      return;
    }
    void workspaces.reload(`${NOTICE_REASON} ${from}`).then((outcome) => {
      if (outcome.shared.ok && outcome.version !== version)
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
    workspaces,
    indexed,
    reload,
    async close(drainMs = 5000) {
      watcher?.close();
      await slack.stop().catch(() => undefined);
      if (!(await slack.drain(drainMs)))
        logger.warn({ drainMs }, "replies still in progress at shutdown were cut off");
      unsubscribe();
      await workspaces.close();
      await store.close();
      await state.close();
    },
  };
}
