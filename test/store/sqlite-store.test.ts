import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { triageRow } from "../../src/store/rows.js";
import { MIGRATIONS, openSqliteStore } from "../../src/store/sqlite-store.js";
import type { TriageRow, TriageStore } from "../../src/store/store.js";

const DAY = 24 * 3600_000;
const NOW = Date.UTC(2026, 10, 25);
let dir: string;
let store: TriageStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "kb-triage-store-"));
  store = openSqliteStore(dir);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const row = (over: Partial<TriageRow> = {}): TriageRow => ({
  id: `t${++n}`,
  at: NOW - DAY,
  team: "T0TEAM0001",
  channel: "C0CHAN0001",
  user: "U0USER0001",
  source: "channel",
  text: "System error 53 has occurred.",
  textHash: "h-53",
  verdict: "match",
  topArticle: "KT1007",
  score: 0.97,
  latencyMs: 3.2,
  messageTs: "1732500000.000100",
  ...over,
});

describe("openSqliteStore", () => {
  it("creates triage.db with the latest schema, and opening it again changes nothing", async () => {
    await store.recordTriage(row({ id: "keep" }));
    await store.close();
    store = openSqliteStore(dir);
    const db = new Database(path.join(dir, "triage.db"), { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
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
    store = openSqliteStore(dir);
    expect(mode("triage.db")).toBe(0o600);
  });

  it("upgrades a database made by an older version, keeping its rows", async () => {
    await store.close();
    const file = path.join(dir, "old.db");
    const old = new Database(file);
    old.exec(MIGRATIONS[0] as string);
    old.pragma("user_version = 1");
    old
      .prepare(
        "INSERT INTO triages (id, at, source, text_hash, verdict, latency_ms) VALUES ('kept', 1, 'dm', 'h', 'none', 1)",
      )
      .run();
    old.close();
    store = openSqliteStore(dir, "old.db");
    expect((await store.triage("kept"))?.messageTs).toBeNull();
    const db = new Database(file, { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it("refuses a database from a newer version instead of guessing", async () => {
    await store.close();
    const db = new Database(path.join(dir, "triage.db"));
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openSqliteStore(dir)).toThrow(/newer/);
    store = openSqliteStore(dir, "other.db");
  });

  it("counts triaged, answered, fixed, not-it and escalated over the window, and the deflection rate", async () => {
    await store.recordTriage(row({ id: "a" }));
    await store.recordTriage(row({ id: "b" }));
    await store.recordTriage(row({ id: "c", verdict: "possible", topArticle: "KT1001", score: 0.5 }));
    await store.recordTriage(row({ id: "old", at: NOW - 40 * DAY }));
    await store.recordFeedback({
      triageId: "a",
      at: NOW - DAY,
      user: "U1",
      kind: "fixed",
      articleId: "KT1007",
    });
    await store.recordFeedback({
      triageId: "a",
      at: NOW - DAY,
      user: "U2",
      kind: "fixed",
      articleId: "KT1007",
    });
    await store.recordFeedback({
      triageId: "b",
      at: NOW - DAY,
      user: "U1",
      kind: "not_it",
      articleId: "KT1007",
    });
    await store.recordEscalation({
      triageId: "b",
      at: NOW - DAY,
      user: "U1",
      channel: "C1",
      postedTs: "1.2",
      ticketUrl: null,
    });
    const week = await store.stats(7, NOW);
    expect(week).toMatchObject({ days: 7, triaged: 3, answered: 2, fixed: 1, notIt: 1, escalated: 1 });
    expect(week.deflectionRate).toBeCloseTo(1 / 3);
    expect(week.topArticles).toEqual([{ articleId: "KT1007", answered: 2, fixed: 1, notIt: 1 }]);
    expect((await store.stats(90, NOW)).triaged).toBe(4);
    expect((await store.stats(7, NOW + 365 * DAY)).deflectionRate).toBe(0);
  });

  it("lists KB gaps: unanswered errors grouped by normalized text, most frequent first", async () => {
    for (let i = 0; i < 3; i++)
      await store.recordTriage(
        row({
          verdict: "none",
          topArticle: null,
          text: "Flux capacitor overheated",
          textHash: "flux",
          at: NOW - DAY + i,
        }),
      );
    await store.recordTriage(row({ verdict: "possible", text: "Printer on fire", textHash: "fire" }));
    await store.recordTriage(row({ verdict: "match" }));
    const gaps = await store.gaps(30, 10, NOW);
    expect(gaps.map((g) => [g.text, g.count, g.verdict])).toEqual([
      ["Flux capacitor overheated", 3, "none"],
      ["Printer on fire", 1, "possible"],
    ]);
    expect(gaps[0]?.lastSeen).toBe(NOW - DAY + 2);
  });

  it("purges rows older than the retention window, feedback and escalations with them", async () => {
    await store.recordTriage(row({ id: "old", at: NOW - 100 * DAY }));
    await store.recordFeedback({
      triageId: "old",
      at: NOW - 100 * DAY,
      user: null,
      kind: "fixed",
      articleId: null,
    });
    await store.recordTriage(row({ id: "new" }));
    expect(await store.purge(90, NOW)).toBe(1);
    expect(await store.triage("old")).toBeUndefined();
    expect(await store.feedbackFor("old")).toEqual([]);
    expect(await store.triage("new")).toBeDefined();
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
