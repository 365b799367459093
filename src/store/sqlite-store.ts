/**
 * The store in SQLite (better-sqlite3, WAL mode): `DATA_DIR/triage.db`, created on first use, its schema
 * brought up to date by the shared migrations at open. better-sqlite3 is synchronous and fast (microseconds
 * per write), so the event loop never waits long; Kysely gives it the same queries as PostgreSQL.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteAdapter, SqliteDialect } from "kysely";
import { kyselyStore } from "./kysely-store.js";
import { MIGRATION_NAMES, migrateToLatest, SchemaTooNewError } from "./migrations.js";
import type { Database as Schema } from "./schema.js";
import type { TriageStore } from "./store.js";

/** Databases made before the store moved to Kysely counted their migrations in `user_version`. */
const LEGACY_MIGRATIONS = 3;

export async function openSqliteStore(dataDir: string, file = "triage.db"): Promise<TriageStore> {
  mkdirSync(dataDir, { recursive: true });
  const dbFile = path.join(dataDir, file);
  // Only the bot's user may read what people pasted: the file is 0600 (SQLite gives its -wal and -shm files
  // the database file's mode), also when it already existed with a looser one.
  closeSync(openSync(dbFile, "a", 0o600));
  chmodSync(dbFile, 0o600);
  return storeOn(new Database(dbFile), dbFile);
}

/** A store that lives and dies with the process (the sandbox: every run starts from empty statistics). */
export async function openMemoryStore(): Promise<TriageStore> {
  return storeOn(new Database(":memory:"), "the in-memory database");
}

// SQLite runs DDL in transactions (Kysely assumes it does not): each migration run is then all or nothing.
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
class TriageSqliteDialect extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

async function storeOn(sqlite: Database.Database, where: string): Promise<TriageStore> {
  sqlite.pragma("journal_mode = WAL");
  // WAL + NORMAL: a commit survives the process being killed (test/store/crash.test.ts), only a power cut can
  // lose the last ones, and no commit waits for an fsync on the event loop.
  sqlite.pragma("synchronous = NORMAL");
  // Statement journals and temporary tables in memory: SQLite otherwise opens temp files in TMPDIR for them
  // (an upsert with foreign keys needs one), and those writes stalled the event loop under load: at 200
  // pastes a second, ack p95 went from 160–320 ms to under 40 ms (docs/operations.md).
  sqlite.pragma("temp_store = MEMORY");
  // better-sqlite3 is synchronous: a locked database blocks the event loop while it waits. One second, not
  // its default five, then the write fails, is logged, and the answer goes out anyway.
  sqlite.pragma("busy_timeout = 1000");
  sqlite.pragma("foreign_keys = ON");
  const db = new Kysely<Schema>({ dialect: new TriageSqliteDialect({ database: sqlite }) });
  try {
    adoptLegacyVersion(sqlite, where);
    await migrateToLatest(db as Kysely<unknown>, where);
    // Kept in step, so an older kb-triage (which reads user_version) refuses this database instead of using it.
    sqlite.pragma(`user_version = ${MIGRATION_NAMES.length}`);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return kyselyStore(db, () => db.destroy());
}

/**
 * A database from before Kysely has `user_version` = the number of migrations it had; they are the first ones
 * here, so they are recorded as applied in Kysely's table and the rest run as usual.
 */
function adoptLegacyVersion(sqlite: Database.Database, where: string): void {
  const version = sqlite.pragma("user_version", { simple: true }) as number;
  const tracked = sqlite
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'")
    .get();
  if (tracked || version === 0) return;
  if (version > LEGACY_MIGRATIONS) {
    throw new SchemaTooNewError(where, [`user_version ${version}`]);
  }
  sqlite.transaction(() => {
    sqlite.exec(
      "CREATE TABLE kysely_migration (name varchar(255) NOT NULL PRIMARY KEY, timestamp varchar(255) NOT NULL)",
    );
    const insert = sqlite.prepare("INSERT INTO kysely_migration (name, timestamp) VALUES (?, ?)");
    for (const name of MIGRATION_NAMES.slice(0, version)) insert.run(name, new Date().toISOString());
  })();
}
