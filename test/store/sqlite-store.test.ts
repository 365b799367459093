import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MIGRATION_NAMES } from "../../src/store/migrations.js";
import { triageRow } from "../../src/store/rows.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import type { TriageRow, TriageStore } from "../../src/store/store.js";
import { sampleTriage } from "../helpers/sample-triage.js";

const DAY = 24 * 3600_000;
const NOW = Date.UTC(2026, 10, 25);
let dir: string;
let store: TriageStore;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "kb-triage-store-"));
  store = await openSqliteStore(dir);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const row = (over: Partial<TriageRow> = {}): TriageRow => sampleTriage({ at: NOW - DAY, ...over });

// The schema of the first version (user_version 1), as that version created it.
const VERSION_1_SCHEMA = `CREATE TABLE triages (
     id TEXT PRIMARY KEY, at INTEGER NOT NULL, team TEXT, channel TEXT, user TEXT, source TEXT NOT NULL,
     text TEXT, text_hash TEXT NOT NULL,
     verdict TEXT NOT NULL CHECK (verdict IN ('match', 'possible', 'none')),
     top_article TEXT, score REAL, latency_ms REAL NOT NULL);
   CREATE INDEX triages_at ON triages (at);
   CREATE INDEX triages_hash ON triages (text_hash, at);
   CREATE TABLE feedback (
     triage_id TEXT NOT NULL REFERENCES triages (id) ON DELETE CASCADE, at INTEGER NOT NULL, user TEXT,
     kind TEXT NOT NULL CHECK (kind IN ('fixed', 'not_it', 'picked')), article_id TEXT);
   CREATE INDEX feedback_triage ON feedback (triage_id);
   CREATE INDEX feedback_at ON feedback (at);
   CREATE TABLE escalations (
     triage_id TEXT NOT NULL REFERENCES triages (id) ON DELETE CASCADE, at INTEGER NOT NULL, user TEXT,
     channel TEXT, posted_ts TEXT, ticket_url TEXT);
   CREATE INDEX escalations_at ON escalations (at);`;

describe("openSqliteStore", () => {
  it("creates triage.db with the latest schema, and opening it again changes nothing", async () => {
    await store.recordTriage(row({ id: "keep" }));
    await store.close();
    store = await openSqliteStore(dir);
    const db = new Database(path.join(dir, "triage.db"), { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATION_NAMES.length);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.prepare("SELECT name FROM kysely_migration ORDER BY name").pluck().all()).toEqual(
      MIGRATION_NAMES,
    );
    db.close();
    expect((await store.triage("keep"))?.topArticle).toBe("KT1007");
  });

  it("keeps the database and its WAL files readable by the bot's user only (0600), also one made looser", async () => {
    await store.recordTriage(row());
    const mode = (file: string) => statSync(path.join(dir, file)).mode & 0o777;
    expect(mode("triage.db")).toBe(0o600);
    expect(mode("triage.db-wal")).toBe(0o600);
    await store.close();
    chmodSync(path.join(dir, "triage.db"), 0o644);
    store = await openSqliteStore(dir);
    expect(mode("triage.db")).toBe(0o600);
  });

  it("upgrades a database made by an older version (before Kysely), keeping its rows and feedback", async () => {
    await store.close();
    const file = path.join(dir, "old.db");
    const old = new Database(file);
    old.exec(VERSION_1_SCHEMA);
    old.pragma("user_version = 1");
    old.exec(`INSERT INTO triages (id, at, source, text_hash, verdict, latency_ms) VALUES ('kept', 1, 'dm', 'h', 'none', 1);
              INSERT INTO feedback (triage_id, at, kind) VALUES ('kept', 2, 'fixed');`);
    old.close();
    store = await openSqliteStore(dir, "old.db");
    expect((await store.triage("kept"))?.messageTs).toBeNull();
    expect(await store.feedbackFor("kept")).toHaveLength(1);
    const db = new Database(file, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATION_NAMES.length);
    expect(db.prepare("SELECT name FROM kysely_migration ORDER BY name").pluck().all()).toEqual(
      MIGRATION_NAMES,
    );
    db.close();
  });

  it("refuses a database from a newer version instead of guessing (old-style and Kysely-tracked)", async () => {
    await store.close();
    const legacy = new Database(path.join(dir, "legacy-newer.db"));
    legacy.pragma("user_version = 9");
    legacy.close();
    await expect(openSqliteStore(dir, "legacy-newer.db")).rejects.toThrow(/newer version/);
    const tracked = new Database(path.join(dir, "triage.db"));
    tracked
      .prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', 'x')")
      .run();
    tracked.close();
    await expect(openSqliteStore(dir)).rejects.toThrow(/9999_from_the_future.*newer version/);
    store = await openSqliteStore(dir, "other.db");
  });

  it("leaves nothing half-done when a migration fails: the next start applies it whole", async () => {
    await store.close();
    const file = path.join(dir, "half.db");
    const old = new Database(file);
    old.exec(VERSION_1_SCHEMA);
    old.pragma("user_version = 3");
    // An index in the way makes migration 0004 fail after it created its table: the table must go too.
    old.exec(
      "ALTER TABLE triages ADD COLUMN message_ts TEXT; CREATE INDEX triages_team_at ON triages (team, at);",
    );
    old.close();
    await expect(openSqliteStore(dir, "half.db")).rejects.toThrow(/0004_installations/);
    const db = new Database(file);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).not.toContain("installations");
    db.exec("DROP INDEX triages_team_at");
    db.close();
    store = await openSqliteStore(dir, "half.db");
    const after = new Database(file, { readonly: true });
    expect(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()).toContain(
      "installations",
    );
    expect(after.prepare("SELECT name FROM kysely_migration ORDER BY name").pluck().all()).toEqual(
      MIGRATION_NAMES,
    );
    after.close();
  });
});

describe("triageRow", () => {
  const record = {
    id: "r1",
    source: "channel" as const,
    text: "getting this:\n```\nAccess to the path 'C:\\Users\\jsmith\\budget.xlsx' is denied.\n```",
    channel: "C1",
    user: "U1",
    messageTs: "1.2",
    verdict: "none" as const,
    results: [],
    at: NOW,
  };

  it("keeps the normalized text (masked, cut to 500 characters) and a hash that groups the same error", () => {
    const mine = triageRow(record, { verdict: "none", results: [] }, 2, { storeText: true });
    const theirs = triageRow(
      { ...record, text: "Access to the path 'D:\\Data\\maria\\budget.xlsx' is denied." },
      { verdict: "none", results: [] },
      2,
      { storeText: true },
    );
    expect(mine.text).not.toContain("jsmith");
    expect(mine.textHash).toBe(theirs.textHash);
    expect(
      triageRow({ ...record, text: "x ".repeat(2000) }, { verdict: "none", results: [] }, 1, {
        storeText: true,
      }).text?.length,
    ).toBeLessThanOrEqual(500);
  });

  it("keeps only the hash when texts must not be stored", () => {
    const hashed = triageRow(record, { verdict: "none", results: [] }, 2, { storeText: false });
    expect(hashed.text).toBeNull();
    expect(hashed.textHash).toMatch(/^[0-9a-f]{64}$/);
  });
});
