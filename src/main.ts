/**
 * `npm start`: the Slack bot. Reads the environment (config.ts), loads and indexes the knowledge folder in a
 * worker thread while connecting to Slack, and serves /healthz. With no Slack credentials at all it runs the
 * local sandbox instead: the same app against the emulator's fake Slack, with a page on PORT.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { ConfigError, hasNoSlackCredentials, pidFile, readAppConfig, readSandboxConfig } from "./config.js";
import type { KnowledgeState } from "./match/reloadable.js";
import { type Sandbox, startSandbox } from "./sandbox/start-sandbox.js";
import { createLogger } from "./slack/logger.js";
import { createRunningApp } from "./slack/running-app.js";
import { openStore } from "./store/open-store.js";
import { describe as describeDatabase } from "./store/postgres-store.js";
import type { TriageStore } from "./store/store.js";

if (hasNoSlackCredentials()) {
  await runSandbox();
} else {
  await runApp();
}

/** No Slack credentials: the local sandbox, the real app against the emulator's fake Slack on PORT. */
async function runSandbox(): Promise<void> {
  const config = configOrExit(readSandboxConfig);
  // Quiet by default: the page is the interface. LOG_LEVEL=info shows the app's log as in production.
  const logger = createLogger(process.env.LOG_LEVEL ? config.logLevel : "warn");
  logUnhandled(logger);
  const manifest = parseYaml(readFileSync(new URL("../manifest.yml", import.meta.url), "utf8")) as unknown;
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({ config, manifest, logger });
  } catch (error) {
    const code = (error as { code?: string }).code;
    process.stderr.write(
      code === "EADDRINUSE"
        ? `Port ${config.port} is in use: stop what runs there, or start the sandbox on another port: PORT=3001 npm start\n`
        : `The sandbox could not start: ${(error as Error).message}\n`,
    );
    process.exit(1);
  }
  process.stdout.write(
    [
      `Sandbox: ${sandbox.url}`,
      "Open it and paste an error into #it-help: a local Slack with the real app (Ctrl+C stops it; set SLACK_BOT_TOKEN and SLACK_APP_TOKEN to connect to Slack instead, see README.md).",
      "",
    ].join("\n"),
  );
  sandbox.app.indexed.then(
    (kb) =>
      process.stdout.write(
        `Knowledge base ready: ${kb.articles} articles${hasErrors(kb) ? " (some files have errors: npm run triage -- kb check)" : ""}. Edits to its files are picked up live.\n`,
      ),
    (error: Error) => {
      process.stderr.write(`The knowledge base could not be loaded: ${error.message}\n`);
      void sandbox.stop().finally(() => process.exit(1));
    },
  );
  const stop = async () => {
    await sandbox.stop().catch(() => undefined);
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
  process.on("SIGHUP", () => void sandbox.app.reload("SIGHUP"));
}

/** Last-resort logging: a promise nobody handled is a bug to log with its context, not a crash. */
function logUnhandled(logger: ReturnType<typeof createLogger>): void {
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled promise rejection"));
  process.on("uncaughtException", (error) => {
    logger.fatal({ err: error }, "uncaught exception; stopping");
    process.exit(1);
  });
}

/** The configuration, or a message naming every problem and exit 1. */
function configOrExit<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSee README.md for the settings.\n`);
    process.exit(1);
  }
}

// A declaration, not a const: callbacks may run while the top-level await above is still pending.
function hasErrors(kb: KnowledgeState): boolean {
  return kb.problems.some((p) => p.severity === "error");
}

async function runApp(): Promise<void> {
  const config = configOrExit(readAppConfig);

  const logger = createLogger(config.logLevel);
  logUnhandled(logger);
  let store: TriageStore;
  try {
    store = await openStore(config, logger);
  } catch (error) {
    logger.fatal(
      {
        err: error,
        ...(config.databaseUrl
          ? { database: describeDatabase(config.databaseUrl) }
          : { dir: config.dataDir }),
      },
      "cannot open the triage database",
    );
    process.exit(1);
  }
  // Retention: purge now and once a day (the timer does not keep the process alive).
  const purge = () =>
    store
      .purge(config.retentionDays)
      .then(
        (removed) =>
          removed > 0 && logger.info({ removed, days: config.retentionDays }, "purged old triages"),
      )
      .catch((error: unknown) => logger.error({ err: error }, "retention purge failed"));
  void purge();
  setInterval(purge, 24 * 3600_000).unref();
  const running = createRunningApp(config, store, logger);
  const { slack } = running;
  running.indexed.catch((error: unknown) => {
    logger.fatal({ err: error, dir: config.knowledgeDir }, "cannot load the knowledge base");
    process.exit(1);
  });

  try {
    await slack.start();
  } catch (error) {
    // Typically a token Slack rejects (invalid_auth) or a port in use: say which, then stop.
    logger.fatal({ err: error, mode: config.slack.mode, port: config.port }, "cannot start the Slack app");
    await running.close();
    process.exit(1);
  }
  logger.info(
    {
      mode: config.slack.mode,
      port: config.port,
      store: config.databaseUrl ? "postgres" : "sqlite",
      shared: config.redisUrl ? "redis" : "process",
    },
    "kb-triage is running",
  );
  // `triage kb reload` finds the process here.
  const pid = pidFile(config.dataDir);
  try {
    writeFileSync(pid, `${process.pid}\n`, { mode: 0o600 });
  } catch (error) {
    logger.warn(
      { err: error, file: pid },
      "cannot write the pid file; triage kb reload will not find this process",
    );
  }
  process.on("SIGHUP", () => void running.reload("SIGHUP"));

  const shutdown = async (signal: string) => {
    logger.info({ signal }, "shutting down: no new events; finishing the replies in progress (up to 5 s)");
    await running.close();
    rmSync(pid, { force: true });
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}
