/**
 * The store's behaviour, the same on both backends: every test runs against SQLite and against a real
 * PostgreSQL (a fresh database per backend run, on the throwaway server of test/helpers/global-servers.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { openPostgresStore } from "../../src/store/postgres-store.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import type { TriageRow, TriageStore } from "../../src/store/store.js";
import { sampleTriage } from "../helpers/sample-triage.js";
import { freshDatabase } from "../helpers/servers.js";

const DAY = 24 * 3600_000;
const NOW = Date.UTC(2026, 10, 25);
const postgresUrl = inject("postgresUrl");

interface Backend {
  name: string;
  available: boolean;
  open(): Promise<TriageStore>;
  /** Drops every row between tests (a fresh database per test would be slow on PostgreSQL). */
  cleanup(): Promise<void>;
}

let sqliteDir = "";
let pgUrl = "";
const backends: Backend[] = [
  {
    name: "SQLite",
    available: true,
    open: async () => {
      sqliteDir = mkdtempSync(path.join(tmpdir(), "kb-contract-"));
      return openSqliteStore(sqliteDir);
    },
    cleanup: async () => rmSync(sqliteDir, { recursive: true, force: true }),
  },
  {
    name: "PostgreSQL",
    available: Boolean(postgresUrl),
    open: async () => {
      pgUrl ||= await freshDatabase(postgresUrl, "contract");
      return openPostgresStore(pgUrl);
    },
    cleanup: async () => {
      const pg = (await import("pg")).default;
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      await client.query("TRUNCATE triages, feedback, escalations, channel_settings, installations CASCADE");
      await client.end();
    },
  },
];

const row = (over: Partial<TriageRow> = {}): TriageRow => sampleTriage({ at: NOW - DAY, ...over });

describe.each(backends)("the store on $name", (backend) => {
  let store: TriageStore;
  beforeAll(() => {
    if (!backend.available) console.warn(`[store contract] ${backend.name} is not installed: skipped`);
  });
  beforeEach(async (context) => {
    if (!backend.available) context.skip();
    store = await backend.open();
  });
  afterEach(async () => {
    if (!backend.available) return;
    await store.close();
    await backend.cleanup();
  });

  it("keeps a triage as given and reads it back, numbers as numbers", async () => {
    const kept = row({ id: "roundtrip", score: 0.123456789, latencyMs: 12.5, at: NOW });
    await store.recordTriage(kept);
    expect(await store.triage("roundtrip")).toEqual(kept);
    expect(await store.triage("missing")).toBeUndefined();
  });

  it("records a triage again without losing its feedback (an upsert, not a replace)", async () => {
    await store.recordTriage(row({ id: "again" }));
    await store.recordFeedback({
      triageId: "again",
      at: NOW,
      user: "U1",
      kind: "fixed",
      articleId: "KT1007",
    });
    await store.recordTriage(row({ id: "again", verdict: "possible" }));
    expect((await store.triage("again"))?.verdict).toBe("possible");
    expect(await store.feedbackFor("again")).toEqual([
      { triageId: "again", at: NOW, user: "U1", kind: "fixed", articleId: "KT1007" },
    ]);
  });

  it("refuses feedback on a triage it does not have", async () => {
    await expect(
      store.recordFeedback({ triageId: "nope", at: NOW, user: null, kind: "fixed", articleId: null }),
    ).rejects.toThrow();
  });

  it("saves channel settings, replaces them on change, and lists the latest first", async () => {
    const base = { mode: "errors" as const, minScore: 0.8, cooldownMinutes: 5, updatedBy: "U1" };
    await store.setChannelSettings({ channel: "C1", ...base, updatedAt: NOW - 10 });
    await store.setChannelSettings({ channel: "C2", ...base, updatedAt: NOW - 5 });
    await store.setChannelSettings({ channel: "C1", ...base, mode: "off", updatedAt: NOW });
    expect(await store.channelSettings("C1")).toEqual({
      channel: "C1",
      ...base,
      mode: "off",
      updatedAt: NOW,
    });
    expect((await store.listChannelSettings()).map((s) => s.channel)).toEqual(["C1", "C2"]);
    expect(await store.channelSettings("C9")).toBeUndefined();
  });

  it("saves an installation, replaces it on reinstall (keeping when it was first installed), and deletes it", async () => {
    const base = {
      id: "T0INSTALL1",
      teamId: "T0INSTALL1",
      enterpriseId: null,
      isEnterpriseInstall: false,
      botUserId: "U0BOT00001",
      botId: "B0BOT00001",
      scopes: "chat:write",
      sealed: "v1.k.first",
      installedAt: NOW - DAY,
      updatedAt: NOW - DAY,
    };
    await store.saveInstallation(base);
    await store.saveInstallation({
      ...base,
      sealed: "v1.k.second",
      scopes: "chat:write,commands",
      installedAt: NOW,
      updatedAt: NOW,
    });
    expect(await store.installation("T0INSTALL1")).toEqual({
      ...base,
      sealed: "v1.k.second",
      scopes: "chat:write,commands",
      updatedAt: NOW,
    });
    expect(await store.deleteInstallation("T0INSTALL1")).toBe(true);
    expect(await store.installation("T0INSTALL1")).toBeUndefined();
    expect(await store.deleteInstallation("T0INSTALL1")).toBe(false);
  });

  it("answers a ping", async () => {
    expect(await store.ping()).toBe(true);
  });

  it("keeps one workspace's figures and gaps apart from another's", async () => {
    await store.recordTriage(row({ id: "a1", team: "T0AAAAAAA1" }));
    await store.recordTriage(
      row({ id: "a2", team: "T0AAAAAAA1", verdict: "none", textHash: "gap-a", text: "A gap" }),
    );
    await store.recordTriage(
      row({ id: "b1", team: "T0BBBBBBB1", verdict: "none", textHash: "gap-b", text: "B gap" }),
    );
    await store.recordFeedback({
      triageId: "a1",
      at: NOW - DAY,
      user: "U1",
      kind: "fixed",
      articleId: "KT1007",
    });
    const a = await store.stats(7, NOW, "T0AAAAAAA1");
    const b = await store.stats(7, NOW, "T0BBBBBBB1");
    expect([a.triaged, a.answered, a.fixed]).toEqual([2, 1, 1]);
    expect([b.triaged, b.answered, b.fixed]).toEqual([1, 0, 0]);
    expect(b.topArticles).toEqual([]);
    expect((await store.stats(7, NOW)).triaged).toBe(3);
    expect((await store.gaps(30, 10, NOW, "T0AAAAAAA1")).map((g) => g.text)).toEqual(["A gap"]);
    expect((await store.gaps(30, 10, NOW, "T0BBBBBBB1")).map((g) => g.text)).toEqual(["B gap"]);
    expect(await store.gaps(30, 10, NOW)).toHaveLength(2);
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
