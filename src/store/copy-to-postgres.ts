/**
 * `triage db migrate-from-sqlite FILE`: copies a single-process bot's SQLite database into PostgreSQL, for a move
 * to several replicas. The source is read from a consistent snapshot (SQLite's online backup, so the bot may keep
 * running), brought to the current schema in that snapshot, and copied in one PostgreSQL transaction. Running it
 * again copies only what is new: triages already there are skipped, with their feedback and escalations.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import pg from "pg";
import { openPostgresStore } from "./postgres-store.js";
import type { Database as Schema } from "./schema.js";
import { openSqliteStore } from "./sqlite-store.js";

export interface CopyCounts {
  triages: number;
  feedback: number;
  escalations: number;
  channelSettings: number;
  installations: number;
  /** Triages already in PostgreSQL (an earlier copy), left as they were. */
  skipped: number;
}

const BATCH = 500;

export async function copySqliteToPostgres(sqliteFile: string, databaseUrl: string): Promise<CopyCounts> {
  const snapshotDir = mkdtempSync(path.join(tmpdir(), "kb-copy-"));
  const snapshot = path.join(snapshotDir, "triage.db");
  try {
    const source = new Database(sqliteFile, { readonly: true, fileMustExist: true });
    try {
      await source.backup(snapshot);
    } finally {
      source.close();
    }
    // Migrating the snapshot gives it today's schema, whichever version made the file.
    await (await openSqliteStore(snapshotDir)).close();
    // The target's schema, made or checked by the store itself.
    await (await openPostgresStore(databaseUrl)).close();

    const from = new Kysely<Schema>({ dialect: new SqliteDialect({ database: new Database(snapshot) }) });
    const to = new Kysely<Schema>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 1 }) }),
    });
    try {
      return await to.transaction().execute(async (trx) => {
        const counts: CopyCounts = {
          triages: 0,
          feedback: 0,
          escalations: 0,
          channelSettings: 0,
          installations: 0,
          skipped: 0,
        };
        const triages = await from.selectFrom("triages").selectAll().orderBy("at").execute();
        const fresh = new Set<string>();
        for (let i = 0; i < triages.length; i += BATCH) {
          const batch = triages.slice(i, i + BATCH);
          const inserted = await trx
            .insertInto("triages")
            .values(batch)
            .onConflict((oc) => oc.column("id").doNothing())
            .returning("id")
            .execute();
          for (const r of inserted) fresh.add(r.id);
        }
        counts.triages = fresh.size;
        counts.skipped = triages.length - fresh.size;
        const feedback = (await from.selectFrom("feedback").selectAll().execute()).filter((f) =>
          fresh.has(f.triage_id),
        );
        for (let i = 0; i < feedback.length; i += BATCH)
          await trx
            .insertInto("feedback")
            .values(feedback.slice(i, i + BATCH))
            .execute();
        counts.feedback = feedback.length;
        const escalations = (await from.selectFrom("escalations").selectAll().execute()).filter((e) =>
          fresh.has(e.triage_id),
        );
        for (let i = 0; i < escalations.length; i += BATCH)
          await trx
            .insertInto("escalations")
            .values(escalations.slice(i, i + BATCH))
            .execute();
        counts.escalations = escalations.length;
        // Settings and installations: the newer of the two copies wins.
        for (const s of await from.selectFrom("channel_settings").selectAll().execute()) {
          const { channel: _, ...rest } = s;
          const done = await trx
            .insertInto("channel_settings")
            .values(s)
            .onConflict((oc) =>
              oc.column("channel").doUpdateSet(rest).where("channel_settings.updated_at", "<", s.updated_at),
            )
            .returning("channel")
            .execute();
          counts.channelSettings += done.length;
        }
        for (const inst of await from.selectFrom("installations").selectAll().execute()) {
          const { id: _, ...rest } = inst;
          const done = await trx
            .insertInto("installations")
            .values(inst)
            .onConflict((oc) =>
              oc.column("id").doUpdateSet(rest).where("installations.updated_at", "<", inst.updated_at),
            )
            .returning("id")
            .execute();
          counts.installations += done.length;
        }
        return counts;
      });
    } finally {
      await from.destroy();
      await to.destroy();
    }
  } finally {
    rmSync(snapshotDir, { recursive: true, force: true });
  }
}
