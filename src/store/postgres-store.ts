/**
 * The store on PostgreSQL (`DATABASE_URL`): the same Kysely queries and migrations as SQLite, through a `pg`
 * pool. Migrations take an advisory lock (Kysely's Migrator), so replicas starting at once migrate once.
 * bigint columns (epoch milliseconds, counts) come back as numbers: they stay far below 2^53.
 */
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { kyselyStore } from "./kysely-store.js";
import { migrateToLatest } from "./migrations.js";
import type { Database } from "./schema.js";
import type { TriageStore } from "./store.js";

const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8 && format !== "binary"
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export interface PostgresStoreOptions {
  /** Connections in the pool (default 10). */
  max?: number;
  /** Called for errors of idle connections (a restarted server, say); the pool replaces them. */
  onPoolError?: (error: Error) => void;
}

export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<TriageStore> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    types,
    // A request never waits long for a connection or a query: the store is fire-and-forget behind replies.
    connectionTimeoutMillis: 5_000,
    query_timeout: 10_000,
    idleTimeoutMillis: 30_000,
    application_name: "kb-triage",
  });
  // Without a listener an idle client's error (the server restarted) would crash the process.
  pool.on("error", (error) => options.onPoolError?.(error));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateToLatest(db as Kysely<unknown>, `the PostgreSQL database ${describe(url)}`);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return kyselyStore(db, () => db.destroy());
}

/** host:port/database, never the password. */
export function describe(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}
