/**
 * A file deleted between the folder walk and its read (an editor's rename, a `git checkout` during a reload):
 * the loader's `openSync` is wrapped so the file really disappears just before it is opened.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const vanishing = new Set<string>();

vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const openSync = (file: string, ...rest: unknown[]) => {
    if (vanishing.delete(String(file))) fs.unlinkSync(file);
    return (fs.openSync as (...args: unknown[]) => number)(file, ...rest);
  };
  return { ...fs, openSync, default: { ...fs, openSync } };
});

const { loadKnowledge } = await import("../../src/knowledge/load.js");
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "kb-vanish-"));
});
afterEach(() => {
  vanishing.clear();
  rmSync(dir, { recursive: true, force: true });
});

describe("a file deleted while the folder is being loaded", () => {
  it("is reported as vanished with its path, and the other articles load", async () => {
    writeFileSync(path.join(dir, "stays.md"), fixture("markdown-min/vpn-certificate.md"));
    writeFileSync(path.join(dir, "goes.txt"), fixture("mskb/complete.txt"));
    vanishing.add(path.join(dir, "goes.txt"));
    const kb = await loadKnowledge(dir);
    expect(kb.articles.map((a) => a.source)).toEqual(["stays.md"]);
    expect(kb.problems.map((p) => [p.file, p.code])).toEqual([["goes.txt", "file-vanished"]]);
  });

  it("on a reload, drops the deleted file's article instead of keeping its last good version", async () => {
    writeFileSync(path.join(dir, "stays.md"), fixture("markdown-min/vpn-certificate.md"));
    writeFileSync(path.join(dir, "goes.txt"), fixture("mskb/complete.txt"));
    const before = await loadKnowledge(dir);
    const lastGood = vi.fn(async (sources: string[]) =>
      before.articles.filter((a) => sources.includes(a.source)),
    );
    vanishing.add(path.join(dir, "goes.txt"));
    const after = await loadKnowledge(dir, { lastGood });
    expect(after.articles.map((a) => a.source)).toEqual(["stays.md"]);
    expect(lastGood).not.toHaveBeenCalled();
  });
});
