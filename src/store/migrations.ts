/**
 * One set of versioned migrations for SQLite and PostgreSQL, written with Kysely's schema builder (portable
 * types: text, bigint, double precision, integer) and run by Kysely's Migrator: on PostgreSQL in one transaction
 * under an advisory lock, so replicas starting together migrate once; on SQLite in one transaction too.
 * Never edit a migration that has shipped; add the next one.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";

export const MIGRATIONS: Record<string, Migration> = {
  "0001_triages": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("triages")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("team", "text")
        .addColumn("channel", "text")
        .addColumn("user", "text")
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("text", "text")
        .addColumn("text_hash", "text", (c) => c.notNull())
        .addColumn("verdict", "text", (c) => c.notNull().check(sql`verdict IN ('match', 'possible', 'none')`))
        .addColumn("top_article", "text")
        .addColumn("score", "double precision")
        .addColumn("latency_ms", "double precision", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("triages_at").on("triages").column("at").execute();
      await db.schema.createIndex("triages_hash").on("triages").columns(["text_hash", "at"]).execute();
      await db.schema
        .createTable("feedback")
        .addColumn("triage_id", "text", (c) => c.notNull().references("triages.id").onDelete("cascade"))
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("user", "text")
        .addColumn("kind", "text", (c) => c.notNull().check(sql`kind IN ('fixed', 'not_it', 'picked')`))
        .addColumn("article_id", "text")
        .execute();
      await db.schema.createIndex("feedback_triage").on("feedback").column("triage_id").execute();
      await db.schema.createIndex("feedback_at").on("feedback").column("at").execute();
      await db.schema
        .createTable("escalations")
        .addColumn("triage_id", "text", (c) => c.notNull().references("triages.id").onDelete("cascade"))
        .addColumn("at", "bigint", (c) => c.notNull())
        .addColumn("user", "text")
        .addColumn("channel", "text")
        .addColumn("posted_ts", "text")
        .addColumn("ticket_url", "text")
        .execute();
      await db.schema.createIndex("escalations_at").on("escalations").column("at").execute();
    },
  },
  "0002_channel_settings": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("channel_settings")
        .addColumn("channel", "text", (c) => c.primaryKey())
        .addColumn("mode", "text", (c) =>
          c.notNull().check(sql`mode IN ('off', 'mentions', 'errors', 'all')`),
        )
        .addColumn("min_score", "double precision", (c) => c.notNull())
        .addColumn("cooldown_minutes", "integer", (c) => c.notNull())
        .addColumn("updated_by", "text")
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
    },
  },
  // Buttons on answers given before a restart find their message again.
  "0003_message_ts": {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("triages").addColumn("message_ts", "text").execute();
    },
  },
  // Several workspaces: their installations (OAuth), and figures per workspace.
  "0004_installations": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("installations")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("team_id", "text")
        .addColumn("enterprise_id", "text")
        .addColumn("is_enterprise_install", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("bot_user_id", "text")
        .addColumn("bot_id", "text")
        .addColumn("scopes", "text")
        .addColumn("sealed", "text", (c) => c.notNull())
        .addColumn("installed_at", "bigint", (c) => c.notNull())
        .addColumn("updated_at", "bigint", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("triages_team_at").on("triages").columns(["team", "at"]).execute();
    },
  },
};

export const MIGRATION_NAMES = Object.keys(MIGRATIONS).sort();

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export class SchemaTooNewError extends Error {
  constructor(where: string, unknown: string[]) {
    super(
      `${where} has schema migrations this version of kb-triage does not know (${unknown.join(", ")}): it was made by a newer version`,
    );
    this.name = "SchemaTooNewError";
  }
}

/** Brings the schema up to date; returns the names applied now (empty when it was current). */
export async function migrateToLatest(db: Kysely<unknown>, where: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const known = await migrator.getMigrations();
  // A database migrated by a newer version lists names we do not have: refuse instead of guessing.
  const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration`
    .execute(db)
    .then((r) => r.rows.map((row) => row.name))
    .catch(() => [] as string[]);
  const unknown = applied.filter((name) => !known.some((m) => m.name === name));
  if (unknown.length > 0) throw new SchemaTooNewError(where, unknown);
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    throw new Error(
      `migrating ${where} failed${failed ? ` at ${failed}` : ""}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
