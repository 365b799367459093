/** A pino logger that keeps what it logs, for assertions (the app's logger shape, without its redaction). */
import { Writable } from "node:stream";
import { pino } from "pino";

export interface LogEntry {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export const WARN = 40;

export function captureLog() {
  const lines: string[] = [];
  const logger = pino(
    { level: "debug" },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split("\n").filter(Boolean));
        done();
      },
    }),
  );
  const entries = () => lines.map((line) => JSON.parse(line) as LogEntry);
  return {
    logger,
    entries,
    /** Entries at `level` whose message contains `text`. */
    find: (level: number, text: string) => entries().filter((e) => e.level === level && e.msg.includes(text)),
    text: () => lines.join("\n"),
  };
}

/** Polls `check` until it holds (or `timeoutMs` passes, then fails with `what`). */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
