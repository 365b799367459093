/**
 * What only PostgreSQL has: several replicas migrating one database at the same moment (advisory lock), a
 * database from a newer version, and a server restart under the pool's feet.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MIGRATION_NAMES } from "../../src/store/migrations.js";
import { describe as describeUrl, openPostgresStore } from "../../src/store/postgres-store.js";
import type { TriageRow, TriageStore } from "../../src/store/store.js";
import { sampleTriage } from "../helpers/sample-triage.js";
import { freshDatabase, type PostgresServer, postgresBinDir, startPostgres } from "../helpers/servers.js";

const serverUrl = inject("postgresUrl");

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const row = (id: string): TriageRow => sampleTriage({ id, messageTs: null });

describe.skipIf(!serverUrl)("the store on PostgreSQL", () => {
  it("migrates once when five replicas open the same new database at the same moment", async () => {
    const url = await freshDatabase(serverUrl, "race");
    const stores = await Promise.all(Array.from({ length: 5 }, () => openPostgresStore(url)));
    try {
      const applied = await query<{ name: string }>(url, "SELECT name FROM kysely_migration ORDER BY name");
      expect(applied.map((r) => r.name)).toEqual(MIGRATION_NAMES);
      await Promise.all(stores.map((s, i) => s.recordTriage(row(`replica-${i}`))));
      expect((await stores[0]?.stats(1))?.triaged).toBe(5);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("refuses a database migrated by a newer version, naming the migration it does not know", async () => {
    const url = await freshDatabase(serverUrl, "newer");
    await (await openPostgresStore(url)).close();
    await query(url, "INSERT INTO kysely_migration (name, timestamp) VALUES ('9999_from_the_future', 'x')");
    await expect(openPostgresStore(url)).rejects.toThrow(/9999_from_the_future.*newer version/);
  });

  it("says where it failed without the password when the server cannot be reached", async () => {
    const url = "postgres://kb:s3cret-pw@127.0.0.1:1/nowhere";
    const error = await openPostgresStore(url).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect(describeUrl(url)).toBe("127.0.0.1:1/nowhere");
    expect(String((error as Error).message)).not.toContain("s3cret-pw");
  });
});

describe.skipIf(!postgresBinDir())("the store when PostgreSQL restarts", () => {
  let server: PostgresServer;
  let store: TriageStore;
  const poolErrors: Error[] = [];
  beforeAll(async () => {
    server = await startPostgres();
    store = await openPostgresStore(await freshDatabase(server.url, "restart"), {
      onPoolError: (e) => poolErrors.push(e),
    });
  });
  afterAll(async () => {
    await store?.close();
    await server?.stop();
  });

  it("fails the writes made while it is down, then writes again without being reopened", async () => {
    await store.recordTriage(row("before"));
    await server.restart({ downMs: 0 });
    // The pool's idle connections died with the server: the next writes get fresh ones.
    let written = false;
    for (let attempt = 0; attempt < 20 && !written; attempt++) {
      written = await store.recordTriage(row(`after-${attempt}`)).then(
        () => true,
        () => false,
      );
      if (!written) await new Promise((r) => setTimeout(r, 100));
    }
    expect(written).toBe(true);
    expect(await store.triage("before")).toBeDefined();
    expect((await store.stats(1)).triaged).toBeGreaterThanOrEqual(2);
  });
});
