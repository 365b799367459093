/**
 * The store in SQLite (better-sqlite3, WAL mode): `DATA_DIR/triage.db`, created on first use, schema brought up
 * to date by numbered migrations at open. better-sqlite3 is synchronous and fast (microseconds per write);
 * the async interface lets a server database replace it.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type {
  ChannelSettings,
  EscalationRow,
  FeedbackRow,
  Gap,
  Stats,
  TriageRow,
  TriageStore,
  Verdict,
} from "./store.js";

/** Each entry brings the schema from version n to n + 1; never edit one that has shipped, add another. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE triages (
     id TEXT PRIMARY KEY,
     at INTEGER NOT NULL,
     team TEXT,
     channel TEXT,
     user TEXT,
     source TEXT NOT NULL,
     text TEXT,
     text_hash TEXT NOT NULL,
     verdict TEXT NOT NULL CHECK (verdict IN ('match', 'possible', 'none')),
     top_article TEXT,
     score REAL,
     latency_ms REAL NOT NULL
   );
   CREATE INDEX triages_at ON triages (at);
   CREATE INDEX triages_hash ON triages (text_hash, at);
   CREATE TABLE feedback (
     triage_id TEXT NOT NULL REFERENCES triages (id) ON DELETE CASCADE,
     at INTEGER NOT NULL,
     user TEXT,
     kind TEXT NOT NULL CHECK (kind IN ('fixed', 'not_it', 'picked')),
     article_id TEXT
   );
   CREATE INDEX feedback_triage ON feedback (triage_id);
   CREATE INDEX feedback_at ON feedback (at);
   CREATE TABLE escalations (
     triage_id TEXT NOT NULL REFERENCES triages (id) ON DELETE CASCADE,
     at INTEGER NOT NULL,
     user TEXT,
     channel TEXT,
     posted_ts TEXT,
     ticket_url TEXT
   );
   CREATE INDEX escalations_at ON escalations (at);`,
  `CREATE TABLE channel_settings (
     channel TEXT PRIMARY KEY,
     mode TEXT NOT NULL CHECK (mode IN ('off', 'mentions', 'errors', 'all')),
     min_score REAL NOT NULL,
     cooldown_minutes INTEGER NOT NULL,
     updated_by TEXT,
     updated_at INTEGER NOT NULL
   );`,
  // Buttons on answers given before a restart find their message again.
  "ALTER TABLE triages ADD COLUMN message_ts TEXT;",
];

const DAY = 24 * 3600_000;

export function openSqliteStore(dataDir: string, file = "triage.db"): TriageStore {
  mkdirSync(dataDir, { recursive: true });
  const dbFile = path.join(dataDir, file);
  // Only the bot's user may read what people pasted: the file is 0600 (SQLite gives its -wal and -shm files
  // the database file's mode), also when it already existed with a looser one.
  closeSync(openSync(dbFile, "a", 0o600));
  chmodSync(dbFile, 0o600);
  return storeOn(new Database(dbFile));
}

/** A store that lives and dies with the process (the sandbox: every run starts from empty statistics). */
export function openMemoryStore(): TriageStore {
  return storeOn(new Database(":memory:"));
}

function storeOn(db: Database.Database): TriageStore {
  db.pragma("journal_mode = WAL");
  // WAL + NORMAL: a commit survives the process being killed (test/store/crash.test.ts), only a power cut can
  // lose the last ones, and no commit waits for an fsync on the event loop.
  db.pragma("synchronous = NORMAL");
  // Statement journals and temporary tables in memory: SQLite otherwise opens temp files in TMPDIR for them
  // (an INSERT OR REPLACE with foreign keys needs one), and those writes stalled the event loop under load:
  // at 200 pastes a second, ack p95 went from 160–320 ms to under 40 ms (docs/operations.md).
  db.pragma("temp_store = MEMORY");
  // better-sqlite3 is synchronous: a locked database blocks the event loop while it waits. One second, not
  // its default five, then the write fails, is logged, and the answer goes out anyway.
  db.pragma("busy_timeout = 1000");
  db.pragma("foreign_keys = ON");
  migrate(db);

  const insertTriage = db.prepare(
    `INSERT OR REPLACE INTO triages (id, at, team, channel, user, source, text, text_hash, verdict, top_article, score, latency_ms, message_ts)
     VALUES (@id, @at, @team, @channel, @user, @source, @text, @textHash, @verdict, @topArticle, @score, @latencyMs, @messageTs)`,
  );
  const insertFeedback = db.prepare(
    "INSERT INTO feedback (triage_id, at, user, kind, article_id) VALUES (@triageId, @at, @user, @kind, @articleId)",
  );
  const insertEscalation = db.prepare(
    `INSERT INTO escalations (triage_id, at, user, channel, posted_ts, ticket_url)
     VALUES (@triageId, @at, @user, @channel, @postedTs, @ticketUrl)`,
  );
  const selectTriage = db.prepare(
    `SELECT id, at, team, channel, user, source, text, text_hash AS textHash, verdict, top_article AS topArticle,
            score, latency_ms AS latencyMs, message_ts AS messageTs FROM triages WHERE id = ?`,
  );
  const selectFeedback = db.prepare(
    "SELECT triage_id AS triageId, at, user, kind, article_id AS articleId FROM feedback WHERE triage_id = ? ORDER BY at",
  );
  const counts = db.prepare(
    `SELECT
       (SELECT count(*) FROM triages WHERE at >= @since) AS triaged,
       (SELECT count(*) FROM triages WHERE at >= @since AND verdict = 'match') AS answered,
       (SELECT count(DISTINCT triage_id) FROM feedback WHERE at >= @since AND kind = 'fixed') AS fixed,
       (SELECT count(DISTINCT triage_id) FROM feedback WHERE at >= @since AND kind = 'not_it') AS notIt,
       (SELECT count(DISTINCT triage_id) FROM escalations WHERE at >= @since) AS escalated`,
  );
  const topArticles = db.prepare(
    `SELECT t.top_article AS articleId, count(DISTINCT t.id) AS answered,
            count(DISTINCT CASE WHEN f.kind = 'fixed' THEN t.id END) AS fixed,
            count(DISTINCT CASE WHEN f.kind = 'not_it' THEN t.id END) AS notIt
     FROM triages t LEFT JOIN feedback f ON f.triage_id = t.id
     WHERE t.at >= @since AND t.verdict = 'match' AND t.top_article IS NOT NULL
     GROUP BY t.top_article ORDER BY answered DESC, articleId LIMIT @limit`,
  );
  const gaps = db.prepare(
    `SELECT text_hash AS textHash, count(*) AS count, max(at) AS lastSeen,
            (SELECT text FROM triages i WHERE i.text_hash = g.text_hash ORDER BY at DESC LIMIT 1) AS text,
            (SELECT verdict FROM triages i WHERE i.text_hash = g.text_hash ORDER BY at DESC LIMIT 1) AS verdict
     FROM triages g WHERE at >= @since AND verdict IN ('none', 'possible')
     GROUP BY text_hash ORDER BY count DESC, lastSeen DESC LIMIT @limit`,
  );
  const purgeTriages = db.prepare("DELETE FROM triages WHERE at < ?");
  const settingsColumns = `SELECT channel, mode, min_score AS minScore, cooldown_minutes AS cooldownMinutes,
     updated_by AS updatedBy, updated_at AS updatedAt FROM channel_settings`;
  const selectSettings = db.prepare(`${settingsColumns} WHERE channel = ?`);
  const listSettings = db.prepare(`${settingsColumns} ORDER BY updated_at DESC LIMIT 50`);
  const upsertSettings = db.prepare(
    `INSERT INTO channel_settings (channel, mode, min_score, cooldown_minutes, updated_by, updated_at)
     VALUES (@channel, @mode, @minScore, @cooldownMinutes, @updatedBy, @updatedAt)
     ON CONFLICT (channel) DO UPDATE SET mode = excluded.mode, min_score = excluded.min_score,
       cooldown_minutes = excluded.cooldown_minutes, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
  );

  return {
    async recordTriage(row: TriageRow) {
      insertTriage.run(row);
    },
    async recordFeedback(row: FeedbackRow) {
      insertFeedback.run(row);
    },
    async recordEscalation(row: EscalationRow) {
      insertEscalation.run(row);
    },
    async triage(id) {
      return selectTriage.get(id) as TriageRow | undefined;
    },
    async feedbackFor(triageId) {
      return selectFeedback.all(triageId) as FeedbackRow[];
    },
    async stats(days, now = Date.now()): Promise<Stats> {
      const since = now - days * DAY;
      const c = counts.get({ since }) as Omit<Stats, "days" | "deflectionRate" | "topArticles">;
      return {
        days,
        ...c,
        deflectionRate: c.triaged === 0 ? 0 : c.fixed / c.triaged,
        topArticles: topArticles.all({ since, limit: 10 }) as Stats["topArticles"],
      };
    },
    async gaps(days, limit = 20, now = Date.now()): Promise<Gap[]> {
      return (gaps.all({ since: now - days * DAY, limit }) as (Gap & { verdict: Verdict })[]).map((g) => ({
        ...g,
      }));
    },
    async channelSettings(channel) {
      return selectSettings.get(channel) as ChannelSettings | undefined;
    },
    async setChannelSettings(settings) {
      upsertSettings.run(settings);
    },
    async listChannelSettings() {
      return listSettings.all() as ChannelSettings[];
    },
    async purge(days, now = Date.now()) {
      // Feedback and escalations go with their triage (ON DELETE CASCADE).
      return purgeTriages.run(now - days * DAY).changes;
    },
    async close() {
      db.close();
    },
  };
}

/** Applies the migrations the database has not had yet, each in a transaction; returns the new version. */
export function migrate(db: Database.Database): number {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `triage.db has schema version ${current}, newer than this version of kb-triage knows (${MIGRATIONS.length})`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return MIGRATIONS.length;
}
