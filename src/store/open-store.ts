/** The store the configuration asks for: PostgreSQL with `DATABASE_URL`, else SQLite in `DATA_DIR`. */
import { type Logger, pino } from "pino";
import { openPostgresStore } from "./postgres-store.js";
import { withRetriedWrites } from "./retried-writes.js";
import { openSqliteStore } from "./sqlite-store.js";
import type { TriageStore } from "./store.js";

export async function openStore(
  where: { databaseUrl: string | null; dataDir: string },
  logger: Logger = pino({ enabled: false }),
): Promise<TriageStore> {
  if (where.databaseUrl) {
    const store = await openPostgresStore(where.databaseUrl, {
      onPoolError: (error) => logger.warn({ err: error }, "a database connection failed; it is replaced"),
    });
    // A server database restarts and fails over: what is written meanwhile waits and is retried.
    return withRetriedWrites(store, { logger });
  }
  return openSqliteStore(where.dataDir);
}
