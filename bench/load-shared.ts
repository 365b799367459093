/**
 * What `npm run load -- --replicas N` adds (bench/load.ts): a throwaway PostgreSQL cluster and redis-server for
 * the run (test/helpers/servers.ts), their pids (for CPU; the helper keeps its ChildProcess to itself, so they
 * are found in /proc by port), and the durability check: which of the answered events have a row in `triages`.
 */
import pg from "pg";
import {
  freshDatabase,
  type PostgresServer,
  postgresBinDir,
  type RedisServer,
  redisServerPath,
  startPostgres,
  startRedis,
} from "../test/helpers/servers.js";
import { cmdline, processTable, sleep } from "./load-lib.js";

export interface SharedServers {
  /** postgres://… of the fresh database the replicas share. */
  databaseUrl: string;
  redisUrl: string;
  postgres: { pid: number | undefined; port: number; version: string };
  redis: { pid: number | undefined; port: number };
  /** Rows in `triages` per message ts, for the given message timestamps. */
  triageRows(messageTs: readonly string[]): Promise<Map<string, number>>;
  /** Rows in `triages` in all. */
  triageCount(): Promise<number>;
  /** Stops both servers (the cluster's folder goes too); safe to call more than once. */
  stop(): Promise<void>;
}

export class MissingServersError extends Error {}

const portOf = (url: string) => Number(new URL(url).port);

/** The server process whose command line names the port: a child of this process, else any process. */
function findServer(port: number, program: string): number | undefined {
  const table = processTable();
  const matches = (pid: number) => {
    const args = cmdline(pid);
    if (!args[0]?.includes(program)) return false;
    // postgres: `-p PORT`; redis-server retitles itself `redis-server 127.0.0.1:PORT`, or keeps `--port PORT`.
    return args.some((a) => a === String(port) || a.endsWith(`:${port}`));
  };
  const children = table.filter((p) => p.ppid === process.pid).map((p) => p.pid);
  return children.find(matches) ?? table.map((p) => p.pid).find(matches);
}

export async function startSharedServers(): Promise<SharedServers> {
  const missing = [
    postgresBinDir() ? null : "PostgreSQL's server programs (initdb, postgres)",
    redisServerPath() ? null : "redis-server",
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new MissingServersError(
      `--replicas needs ${missing.join(" and ")}, not found on this machine: apt install postgresql redis-server`,
    );
  }
  let postgres: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  let client: pg.Client | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await client?.end().catch(() => undefined);
    await Promise.allSettled([postgres?.stop(), redis?.stop()]);
  };
  try {
    const [pgResult, redisResult] = await Promise.allSettled([startPostgres(), startRedis()]);
    if (pgResult.status === "fulfilled") postgres = pgResult.value;
    if (redisResult.status === "fulfilled") redis = redisResult.value;
    if (pgResult.status === "rejected") throw pgResult.reason;
    if (redisResult.status === "rejected") throw redisResult.reason;
    const pgServer = postgres as PostgresServer;
    const redisServer = redis as RedisServer;
    const databaseUrl = await freshDatabase(pgServer.url, "kbload");
    const db = new pg.Client({ connectionString: databaseUrl });
    client = db;
    await db.connect();
    const version = String(
      (await db.query<{ server_version: string }>("SHOW server_version")).rows[0]?.server_version ?? "?",
    );
    const pgPort = portOf(pgServer.url);
    const redisPort = portOf(redisServer.url);
    return {
      databaseUrl,
      redisUrl: redisServer.url,
      postgres: { pid: findServer(pgPort, "postgres"), port: pgPort, version },
      redis: { pid: findServer(redisPort, "redis-server"), port: redisPort },
      async triageRows(messageTs) {
        const rows = new Map<string, number>();
        // Before the app's migrations ran there is no table: no rows.
        const exists = await db.query("SELECT to_regclass('public.triages') IS NOT NULL AS ok");
        if (!(exists.rows[0] as { ok: boolean } | undefined)?.ok) return rows;
        const result = await db.query<{ message_ts: string; n: number }>(
          "SELECT message_ts, count(*)::int AS n FROM triages WHERE message_ts = ANY($1::text[]) GROUP BY message_ts",
          [messageTs],
        );
        for (const row of result.rows) rows.set(row.message_ts, row.n);
        return rows;
      },
      async triageCount() {
        const result = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM triages");
        return result.rows[0]?.n ?? 0;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface Durability {
  /** Distinct events answered (a reply, in time or late). */
  answered: number;
  /** Of those, how many have a row in `triages`. */
  stored: number;
  /** Rows beyond one for the same message (a retry recorded again). */
  duplicateRows: number;
  /** Rows for events of the phase that got no reply (triaged but silent, or lost after the triage). */
  unansweredRows: number;
  /** How long it took for the rows to be there (writes are fire-and-forget), up to the limit. */
  waitedMs: number;
}

/** Rows for the phase's events, waited for up to `limitMs` until every answered event has one. */
export async function checkDurability(
  shared: SharedServers,
  events: ReadonlyArray<{ ts: string; answered: boolean }>,
  limitMs = 10_000,
): Promise<Durability> {
  const started = performance.now();
  const answered = new Set(events.filter((e) => e.answered).map((e) => e.ts));
  const all = events.map((e) => e.ts);
  for (;;) {
    const rows = await shared.triageRows(all);
    let stored = 0;
    let duplicateRows = 0;
    let unansweredRows = 0;
    for (const [ts, n] of rows) {
      duplicateRows += n - 1;
      if (answered.has(ts)) stored += 1;
      else unansweredRows += 1;
    }
    const waitedMs = performance.now() - started;
    if (stored >= answered.size || waitedMs >= limitMs) {
      return { answered: answered.size, stored, duplicateRows, unansweredRows, waitedMs };
    }
    await sleep(500);
  }
}

export function addDurability(a: Durability, b: Durability): Durability {
  return {
    answered: a.answered + b.answered,
    stored: a.stored + b.stored,
    duplicateRows: a.duplicateRows + b.duplicateRows,
    unansweredRows: a.unansweredRows + b.unansweredRows,
    waitedMs: Math.max(a.waitedMs, b.waitedMs),
  };
}

export function durabilityOk(d: Durability): boolean {
  return d.stored === d.answered && d.duplicateRows === 0;
}

export function durabilityText(d: Durability): string {
  return (
    `triages stored: ${d.stored} of ${d.answered} answered` +
    (d.duplicateRows ? `, ${d.duplicateRows} duplicate rows` : "") +
    (d.unansweredRows ? `, ${d.unansweredRows} rows for unanswered events` : "") +
    ` (settled after ${(d.waitedMs / 1000).toFixed(1)} s)`
  );
}
