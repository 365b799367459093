#!/usr/bin/env node
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ConfigError, pidFile, readDataDir, readKnowledgeConfig, readStoreLocation } from "./config.js";
import { KnowledgeDirError } from "./knowledge/knowledge-dir-error.js";
import {
  type KnowledgeBase,
  listWorkspaceFolders,
  loadKnowledge,
  WORKSPACE_FOLDER,
} from "./knowledge/load.js";
import { formatArticle, formatProblem, formatSummary, summarize } from "./knowledge/report.js";
import { loadWorkspaceKnowledge } from "./knowledge/workspace.js";
import { formatMatch } from "./match/format.js";
import { buildMatcher } from "./match/matcher.js";
import type { MatchResponse } from "./match/types.js";
import { copySqliteToPostgres } from "./store/copy-to-postgres.js";
import { openStore } from "./store/open-store.js";
import { describe as describeDatabase } from "./store/postgres-store.js";
import type { TriageStore } from "./store/store.js";

const USAGE = `Usage: triage <command> [options]

Commands:
  kb check [--knowledge DIR] [--json]     Check every article: counts, errors and warnings with file:line.
                                          Exits 1 when there are errors.
  kb show ID [--knowledge DIR] [--json]   Print one parsed article.
  kb export [--knowledge DIR]             Every parsed article as JSON Lines on stdout; problems on stderr.
  kb reload [--data DIR]                  Ask the running bot (its pid file in DATA_DIR) to reload the knowledge
                                          folder now; the outcome is in its log and its App Home.
  match TEXT [--knowledge DIR] [--top N] [--json]
                                          Find the article for a pasted error (TEXT, or stdin when TEXT is -).
  batch [--knowledge DIR] [--top N]       Match JSON Lines {"id","query"} from stdin; one result line each on
                                          stdout: {"id","answer","verdict","matches":[{"id","score"}],"ms"}.
  stats [--days N] [--team T…] [--data DIR] [--json]
                                          What the bot triaged, answered, saw fixed and escalated; deflection rate;
                                          top articles (from the bot's database: DATABASE_URL, else DATA_DIR).
  gaps [--days N] [--team T…] [--data DIR] [--json]
                                          The most frequent errors without a confident answer: articles to write.
  db migrate-from-sqlite FILE             Copy a SQLite triage.db (the single-process default) into the PostgreSQL
                                          database of DATABASE_URL; safe to run again (copies only what is new).

Options:
  --knowledge DIR   Knowledge folder (default: $KNOWLEDGE_DIR, else ./knowledge)
  --top N           How many matches to show or write (default 5)
  --days N          The window for stats and gaps, in days (default 30)
  --data DIR        Where the bot's SQLite database is (default: $DATA_DIR, else ./data); wins over DATABASE_URL
  --team T…         Only this workspace's triages (a multi-workspace install)
  --json            Machine-readable output
  -h, --help        Show this help
`;

/** Exit codes: 0 ok, 1 errors found or the folder is unusable, 2 bad usage. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Standard input, line by line (for `batch` and `match -`). */
  input?: AsyncIterable<string> | Iterable<string>;
}

class UsageError extends Error {}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`triage: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    (values.help ? io.out : io.err)(USAGE);
    return values.help ? 0 : 2;
  }
  const [group, command, ...rest] = positionals;
  const dir = values.knowledge ?? readKnowledgeConfig(io.env).knowledgeDir;
  try {
    const top = parseTop(values.top);
    if (group === "match") {
      const words = positionals.slice(1);
      if (words.length === 0)
        throw new UsageError('expected: triage match "<pasted error>" (or - for stdin)');
      const text = words.length === 1 && words[0] === "-" ? await readAll(io.input) : words.join(" ");
      return await matchOne(dir, text, top, values.json === true, io);
    }
    if (group === "stats" || group === "gaps") {
      expectArgs(positionals.slice(1), 0, group);
      const days = parseDays(values.days);
      const where = values.data ? { databaseUrl: null, dataDir: values.data } : readStoreLocation(io.env);
      const team = parseTeam(values.team);
      return group === "stats"
        ? await printStats(where, days, team, values.json === true, io)
        : await printGaps(where, days, team, values.json === true, io);
    }
    if (group === "db") {
      if (command !== "migrate-from-sqlite")
        throw new UsageError(`unknown command: ${positionals.join(" ")}`);
      expectArgs(rest, 1, "db migrate-from-sqlite FILE");
      return await migrateFromSqlite(rest[0] as string, io);
    }
    if (group === "batch") {
      expectArgs(positionals.slice(1), 0, "batch");
      return await batch(dir, top, io);
    }
    if (group !== "kb" || command === undefined)
      throw new UsageError(`unknown command: ${positionals.join(" ")}`);
    switch (command) {
      case "check":
        expectArgs(rest, 0, "kb check");
        return await check(dir, values.json === true, io);
      case "show":
        expectArgs(rest, 1, "kb show ID");
        return await show(dir, rest[0] as string, values.json === true, io);
      case "export":
        expectArgs(rest, 0, "kb export");
        return await exportArticles(dir, io);
      case "reload":
        expectArgs(rest, 0, "kb reload");
        return askReload(values.data ?? readDataDir(io.env), io);
      default:
        throw new UsageError(`unknown command: kb ${command}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`triage: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.err(`triage: ${error.message}\n`);
      return 1;
    }
    if (error instanceof KnowledgeDirError) {
      io.err(`triage: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      knowledge: { type: "string", short: "k" },
      json: { type: "boolean" },
      top: { type: "string", short: "n" },
      days: { type: "string" },
      data: { type: "string" },
      team: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function expectArgs(rest: string[], count: number, usage: string): void {
  if (rest.length !== count) throw new UsageError(`expected: triage ${usage}`);
}

/** SIGHUP to the bot whose pid file is in `dataDir` (what `npm start` writes while it runs). */
function askReload(dataDir: string, io: CliIo): number {
  const file = pidFile(dataDir);
  let pid: number;
  try {
    pid = Number(readFileSync(file, "utf8").trim());
  } catch {
    io.err(
      `triage: no running bot found (no ${file}); start it with npm start, or send it SIGHUP yourself.\n`,
    );
    return 1;
  }
  try {
    if (!Number.isInteger(pid) || pid <= 0) throw new Error("bad pid");
    process.kill(pid, "SIGHUP");
  } catch {
    io.err(`triage: the bot recorded in ${file} (pid ${pid}) is not running.\n`);
    return 1;
  }
  io.out(
    `Asked the bot (pid ${pid}) to reload the knowledge base; the outcome is in its log and in App Home.\n`,
  );
  return 0;
}

async function check(dir: string, json: boolean, io: CliIo): Promise<number> {
  const summary = summarize(await loadKnowledge(dir));
  // Each workspace folder (KNOWLEDGE_DIR/T…/) as that workspace is served: the shared articles plus its own.
  const workspaces = [];
  const orgFolders = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && WORKSPACE_FOLDER.test(e.name) && e.name.startsWith("E"))
    .map((e) => e.name);
  for (const org of orgFolders)
    io.err(
      `triage: ${path.join(dir, org)}: org-wide (E…) knowledge folders are not served yet; use the workspaces' T… folders\n`,
    );
  for (const team of await listWorkspaceFolders(dir)) {
    workspaces.push({ team, ...summarize(await loadWorkspaceKnowledge(dir, path.join(dir, team))) });
  }
  if (json) {
    io.out(`${JSON.stringify(workspaces.length > 0 ? { ...summary, workspaces } : summary, null, 2)}\n`);
  } else {
    io.out(`${formatSummary(summary)}\n`);
    for (const w of workspaces) {
      const own = w.problems.filter((p) => p.file.startsWith(`${w.team}/`));
      io.out(
        `\nWorkspace ${w.team} (shared articles plus ${w.team}/): ${w.articles} articles, ` +
          `${own.filter((p) => p.severity === "error").length} errors and ${own.filter((p) => p.severity === "warning").length} warnings in its own files\n`,
      );
      for (const p of own) io.out(`  ${formatProblem(dir, p)}\n`);
    }
  }
  const workspaceErrors = workspaces.some((w) =>
    w.problems.some((p) => p.severity === "error" && p.file.startsWith(`${w.team}/`)),
  );
  return summary.errors > 0 || workspaceErrors ? 1 : 0;
}

async function show(dir: string, id: string, json: boolean, io: CliIo): Promise<number> {
  const kb = await loadKnowledge(dir);
  const article = kb.byId.get(id) ?? findCaseInsensitive(kb, id);
  if (!article) {
    const near = kb.articles
      .filter((a) => a.id.toLowerCase().includes(id.toLowerCase()))
      .slice(0, 5)
      .map((a) => a.id);
    io.err(
      `triage: no article with id ${id} in ${dir}${near.length > 0 ? ` (did you mean ${near.join(", ")}?)` : ""}\n`,
    );
    return 1;
  }
  io.out(json ? `${JSON.stringify(article, null, 2)}\n` : `${formatArticle(article)}\n`);
  return 0;
}

function findCaseInsensitive(kb: KnowledgeBase, id: string) {
  const wanted = id.toLowerCase();
  return kb.articles.find((a) => a.id.toLowerCase() === wanted);
}

async function exportArticles(dir: string, io: CliIo): Promise<number> {
  const kb = await loadKnowledge(dir);
  for (const problem of kb.problems) io.err(`${formatProblem(dir, problem)}\n`);
  // One write per chunk: thousands of small writes to a pipe are slow.
  const CHUNK = 500;
  for (let i = 0; i < kb.articles.length; i += CHUNK) {
    io.out(
      `${kb.articles
        .slice(i, i + CHUNK)
        .map((a) => JSON.stringify(a))
        .join("\n")}\n`,
    );
  }
  return 0;
}

function parseDays(value: string | undefined): number {
  if (value === undefined) return 30;
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1)
    throw new UsageError("--days must be a whole number of days (1 or more)");
  return Number(value);
}

function parseTeam(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[TE][A-Z0-9]{6,}$/.test(value))
    throw new UsageError("--team must be a workspace id (T…) or org id (E…)");
  return value;
}

/** Opens the bot's database, or says where it looked: the CLI never creates a SQLite one. */
async function withStore(
  where: { databaseUrl: string | null; dataDir: string },
  io: CliIo,
  use: (store: TriageStore) => Promise<number>,
): Promise<number> {
  if (!where.databaseUrl && !existsSync(path.join(where.dataDir, "triage.db"))) {
    io.err(
      `triage: no database at ${path.join(where.dataDir, "triage.db")} (the bot creates it on its first start; set DATA_DIR or --data, or DATABASE_URL)\n`,
    );
    return 1;
  }
  let store: TriageStore;
  try {
    store = await openStore(where);
  } catch (error) {
    const at = where.databaseUrl
      ? describeDatabase(where.databaseUrl)
      : path.join(where.dataDir, "triage.db");
    io.err(`triage: cannot open the database (${at}): ${(error as Error).message}\n`);
    return 1;
  }
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

async function migrateFromSqlite(file: string, io: CliIo): Promise<number> {
  const { databaseUrl } = readStoreLocation(io.env);
  if (!databaseUrl) {
    io.err("triage: set DATABASE_URL to the PostgreSQL database to copy into (postgres://…)\n");
    return 1;
  }
  if (!existsSync(file)) {
    io.err(`triage: no SQLite database at ${file}\n`);
    return 1;
  }
  try {
    const c = await copySqliteToPostgres(file, databaseUrl);
    io.out(
      `Copied ${c.triages} triages (${c.skipped} already there), ${c.feedback} feedback, ${c.escalations} escalations, ` +
        `${c.channelSettings} channel settings and ${c.installations} installations into ${describeDatabase(databaseUrl)}.\n`,
    );
    return 0;
  } catch (error) {
    io.err(`triage: the copy failed and nothing was written: ${(error as Error).message}\n`);
    return 1;
  }
}

type StoreLocation = { databaseUrl: string | null; dataDir: string };

async function printStats(
  where: StoreLocation,
  days: number,
  team: string | undefined,
  json: boolean,
  io: CliIo,
): Promise<number> {
  return withStore(where, io, async (store) => {
    const stats = await store.stats(days, Date.now(), team);
    if (json) {
      io.out(`${JSON.stringify(stats, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `Last ${days} days: ${stats.triaged} errors triaged, ${stats.answered} answered confidently, ${stats.fixed} confirmed fixed, ${stats.notIt} marked "Not it", ${stats.escalated} escalated.`,
      `Deflection rate (fixed / triaged): ${(100 * stats.deflectionRate).toFixed(1)} %`,
      ...(stats.topArticles.length > 0 ? ["", "Top articles:"] : []),
      ...stats.topArticles.map(
        (a) => `  ${a.articleId.padEnd(24)} answered ${a.answered}, fixed ${a.fixed}, not it ${a.notIt}`,
      ),
    ];
    io.out(`${lines.join("\n")}\n`);
    return 0;
  });
}

async function printGaps(
  where: StoreLocation,
  days: number,
  team: string | undefined,
  json: boolean,
  io: CliIo,
): Promise<number> {
  return withStore(where, io, async (store) => {
    const gaps = (await store.gaps(days, 20, Date.now(), team)).map((g) => ({
      text: g.text,
      count: g.count,
      lastSeen: new Date(g.lastSeen).toISOString(),
      verdict: g.verdict,
    }));
    if (json) {
      io.out(`${JSON.stringify(gaps, null, 2)}\n`);
      return 0;
    }
    if (gaps.length === 0) {
      io.out(`No unanswered errors in the last ${days} days.\n`);
      return 0;
    }
    io.out(`Most frequent errors without a confident answer, last ${days} days (articles to write):\n`);
    for (const g of gaps) {
      io.out(
        `  ${String(g.count).padStart(4)}x  ${g.verdict.padEnd(8)} last ${g.lastSeen.slice(0, 10)}  ${g.text ?? "(text not stored)"}\n`,
      );
    }
    return 0;
  });
}

function parseTop(value: string | undefined): number {
  if (value === undefined) return 5;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 50)
    throw new UsageError(`--top must be a whole number from 1 to 50`);
  return n;
}

async function readAll(input: CliIo["input"]): Promise<string> {
  const lines: string[] = [];
  if (input) for await (const line of input) lines.push(line);
  return lines.join("\n");
}

async function matchOne(dir: string, text: string, top: number, json: boolean, io: CliIo): Promise<number> {
  const matcher = await buildMatcher((await loadKnowledge(dir)).articles);
  const response = matcher.match(text, { limit: top });
  io.out(json ? `${JSON.stringify(toJson(response), null, 2)}\n` : `${formatMatch(response)}\n`);
  return 0;
}

/** `--json` and `batch` carry article ids and the why, not whole articles. */
function toJson(response: MatchResponse) {
  return {
    verdict: response.verdict,
    results: response.results.map((r) => ({
      id: r.article.id,
      title: r.article.title,
      score: r.score,
      why: r.why,
    })),
  };
}

const WARM_UP_QUERIES = 30;

async function batch(dir: string, top: number, io: CliIo): Promise<number> {
  const kb = await loadKnowledge(dir);
  const started = performance.now();
  const matcher = await buildMatcher(kb.articles);
  io.err(
    `triage batch: ${kb.articles.length} articles indexed in ${Math.round(performance.now() - started)} ms\n`,
  );
  // Let the JIT compile the hot paths on the KB's own messages first, so `ms` measures matching, not warm-up.
  for (const article of kb.articles.slice(0, WARM_UP_QUERIES))
    matcher.match(article.errors[0] ?? article.title);
  let count = 0;
  let lineNo = 0;
  const pending: string[] = [];
  for await (const line of io.input ?? []) {
    lineNo++;
    if (!line.trim()) continue;
    let request: { id?: unknown; query?: unknown };
    try {
      request = JSON.parse(line) as { id?: unknown; query?: unknown };
    } catch {
      io.err(`triage batch: line ${lineNo} is not JSON; skipped\n`);
      continue;
    }
    if (typeof request?.query !== "string") {
      io.err(`triage batch: line ${lineNo} has no "query" string; skipped\n`);
      continue;
    }
    const t0 = performance.now();
    const response = matcher.match(request.query, { limit: top });
    const ms = Math.round((performance.now() - t0) * 1000) / 1000;
    const matches = response.results.map((r) => ({ id: r.article.id, score: r.score }));
    const answer = response.verdict === "match" ? (matches[0]?.id ?? null) : null;
    pending.push(JSON.stringify({ id: request.id ?? null, answer, verdict: response.verdict, matches, ms }));
    // Batched writes: one write per line is slow on a pipe.
    if (pending.length >= 200) io.out(`${pending.splice(0).join("\n")}\n`);
    if (++count % 500 === 0) io.err(`triage batch: ${count} queries\n`);
  }
  if (pending.length > 0) io.out(`${pending.join("\n")}\n`);
  io.err(`triage batch: ${count} queries done\n`);
  return 0;
}

/** Runs the CLI on this process's arguments and streams; the exit code is set, not forced, so output drains. */
export async function main(): Promise<void> {
  process.exitCode = await runCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    // Opened only when a command reads it: an open stdin would keep `kb check` alive under a pipe.
    input: {
      [Symbol.asyncIterator]: () =>
        createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })[
          Symbol.asyncIterator
        ](),
    },
  });
}

// Run when started as a script (`tsx src/cli.ts`, `node dist/cli.js`); bin/triage.js calls main() itself.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
