/** The store the configuration asks for: PostgreSQL with `DATABASE_URL`, else SQLite in `DATA_DIR`. */
import type { Logger } from "pino";
import { openPostgresStore } from "./postgres-store.js";
import { openSqliteStore } from "./sqlite-store.js";
import type { TriageStore } from "./store.js";

export async function openStore(
  where: { databaseUrl: string | null; dataDir: string },
  logger?: Logger,
): Promise<TriageStore> {
  if (where.databaseUrl) {
    return openPostgresStore(where.databaseUrl, {
      onPoolError: (error) => logger?.warn({ err: error }, "a database connection failed; it is replaced"),
    });
  }
  return openSqliteStore(where.dataDir);
}
