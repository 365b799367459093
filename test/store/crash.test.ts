/**
 * Killed mid-write: a process writing triages and feedback is SIGKILLed; the database it leaves opens, passes
 * SQLite's integrity check, and holds every triage the store had acknowledged before the kill.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openSqliteStore } from "../../src/store/sqlite-store.js";

describe("a store killed while writing", () => {
  it("loses no acknowledged triage and stays consistent, three kills in a row", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "kb-crash-"));
    const acknowledged: string[] = [];
    try {
      for (let round = 0; round < 3; round++) {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", new URL("./crash-writer.ts", import.meta.url).pathname, dir, String(round)],
          { stdio: ["ignore", "pipe", "inherit"] },
        );
        let buffered = "";
        const before = acknowledged.length;
        child.stdout.on("data", (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split("\n");
          buffered = lines.pop() ?? "";
          acknowledged.push(...lines.filter(Boolean));
        });
        while (acknowledged.length < before + 300) await new Promise((r) => setTimeout(r, 10));
        child.kill("SIGKILL");
        await new Promise((resolve) => child.once("exit", resolve));
      }
      const db = new Database(path.join(dir, "triage.db"));
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(db.pragma("foreign_key_check")).toEqual([]);
      const ids = new Set((db.prepare("SELECT id FROM triages").all() as { id: string }[]).map((r) => r.id));
      db.close();
      expect(acknowledged.filter((id) => !ids.has(id))).toEqual([]);
      // And the bot opens it as usual afterwards.
      const store = await openSqliteStore(dir);
      expect((await store.triage(acknowledged.at(-1) as string))?.topArticle).toBe("KT1007");
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
