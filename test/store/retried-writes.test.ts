/**
 * Writes while PostgreSQL is away: a real server stopped and started again under the store, the writes made
 * meanwhile queued, retried in order and all recorded once it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import type { RetriedStore } from "../../src/store/retried-writes.js";
import type { TriageRow, TriageStore } from "../../src/store/store.js";
import { sampleTriage } from "../helpers/sample-triage.js";
import { freshDatabase, type PostgresServer, postgresBinDir, startPostgres } from "../helpers/servers.js";
import { capturingLogger } from "../slack/harness.js";

const row = (id: string): TriageRow => sampleTriage({ id, team: "T0RETRY001", messageTs: null });

describe.skipIf(!postgresBinDir())("store writes while PostgreSQL restarts", () => {
  let server: PostgresServer;
  let store: TriageStore;
  const captured = capturingLogger();
  beforeAll(async () => {
    server = await startPostgres();
    store = await openStore(
      { databaseUrl: await freshDatabase(server.url, "retried"), dataDir: "" },
      captured.logger,
    );
  });
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  it("queues the triages and feedback written while it is down and records every one, in order, when it is back", async () => {
    await store.recordTriage(row("before"));
    const restarting = server.restart({ downMs: 1_500 });
    await new Promise((r) => setTimeout(r, 300)); // the server is down now
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 30; i++) {
      writes.push(store.recordTriage(row(`during-${i}`)));
      // Feedback needs its triage first: it must wait behind it in the queue.
      writes.push(
        store.recordFeedback({
          triageId: `during-${i}`,
          at: Date.now(),
          user: "U1",
          kind: "fixed",
          articleId: "KT1007",
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 200));
    expect((store as RetriedStore).pending).toBeGreaterThan(0);
    await restarting;
    await Promise.all(writes);
    expect((store as RetriedStore).pending).toBe(0);
    const stats = await store.stats(1);
    expect(stats.triaged).toBe(31);
    expect(stats.fixed).toBe(30);
    const log = captured.text();
    expect(log).toContain("the database is unavailable: triages, feedback and escalations are queued");
    expect(log).toContain("the database is back");
  }, 30_000);

  it("keeps at most maxQueued writes waiting, dropping (and saying so) the oldest", async () => {
    const { openPostgresStore } = await import("../../src/store/postgres-store.js");
    const { withRetriedWrites } = await import("../../src/store/retried-writes.js");
    const small = withRetriedWrites(await openPostgresStore(await freshDatabase(server.url, "bounded")), {
      logger: captured.logger,
      maxQueued: 3,
      retryMs: 50,
    });
    try {
      const restarting = server.restart({ downMs: 1_500 });
      await new Promise((r) => setTimeout(r, 300));
      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) => small.recordTriage(row(`bounded-${i}`))),
      );
      await restarting;
      const refused = outcomes
        .filter((o) => o.status === "rejected")
        .map((o) => String((o as PromiseRejectedResult).reason));
      expect(refused).toHaveLength(2);
      expect(refused[0]).toContain("more than 3 writes were waiting");
      expect((await small.stats(1)).triaged).toBe(3);
    } finally {
      await small.close();
    }
  }, 30_000);

  it("does not retry a write the database refuses (feedback for an unknown triage), and goes on", async () => {
    await expect(
      store.recordFeedback({
        triageId: "no-such-triage",
        at: Date.now(),
        user: null,
        kind: "fixed",
        articleId: null,
      }),
    ).rejects.toThrow();
    await store.recordTriage(row("after-refusal"));
    expect(await store.triage("after-refusal")).toBeDefined();
    expect((store as RetriedStore).pending).toBe(0);
  });
});
