/**
 * One pino logger for the whole app, also handed to Bolt (which expects its own Logger shape). Token- and
 * secret-shaped strings are masked wherever they appear, since Bolt and the Web API client log request
 * details at debug level.
 */
import type { Logger as BoltLogger, LogLevel as BoltLogLevel } from "@slack/bolt";
import { type Logger, pino } from "pino";
import type { LogLevel } from "../config.js";

const SECRET = /\b(?:xox[abpers]|xapp)-[A-Za-z0-9-]+/g;

/** Masks Slack tokens inside any string. */
export function maskSecrets(text: string): string {
  return text.replace(SECRET, (token) => `${token.slice(0, 5)}…`);
}

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: "kb-triage" },
      redact: {
        paths: ["token", "*.token", "botToken", "appToken", "signingSecret", "*.authorization"],
        censor: "[secret]",
      },
      hooks: {
        // Bolt and the Web API client pass preformatted strings: mask tokens inside them too.
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === "string" ? maskSecrets(a) : a)) as Parameters<typeof method>,
          );
        },
      },
    },
    destination,
  );
}

const BOLT_LEVEL: Record<string, string> = {
  trace: "debug",
  debug: "debug",
  info: "info",
  warn: "warn",
  error: "error",
  fatal: "error",
  silent: "error",
};

/** Bolt's Logger interface over a pino child logger. */
export function boltLogger(logger: Logger): BoltLogger {
  const log = logger.child({ component: "bolt" });
  const text = (parts: unknown[]) =>
    parts
      .map((p) => (typeof p === "string" ? p : p instanceof Error ? p.message : JSON.stringify(p)))
      .join(" ");
  return {
    debug: (...parts: unknown[]) => log.debug(text(parts)),
    info: (...parts: unknown[]) => log.info(text(parts)),
    warn: (...parts: unknown[]) => log.warn(text(parts)),
    error: (...parts: unknown[]) => log.error(text(parts)),
    // LOG_LEVEL decides, not Bolt's own default (it calls setLevel(INFO) on the logger it is given).
    setLevel: () => {},
    getLevel: () => (BOLT_LEVEL[log.level] ?? "info") as BoltLogLevel,
    setName: () => {},
  };
}
