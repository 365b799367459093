import { execFile, spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KnowledgeDirError } from "../../src/knowledge/knowledge-dir-error.js";
import { loadKnowledge, MAX_ARTICLE_BYTES } from "../../src/knowledge/load.js";

/**
 * loadKnowledge's articles and problems as an ordinary user sees them: root reads any file, so as root (CI) the
 * loader runs in a child process as `nobody`, over a copy of the folder that user may walk.
 */
async function loadUnprivileged(folder: string): Promise<{ sources: string[]; problems: string[][] }> {
  if (process.getuid?.() !== 0) {
    const kb = await loadKnowledge(folder);
    return { sources: kb.articles.map((a) => a.source), problems: kb.problems.map((p) => [p.file, p.code]) };
  }
  chmodSync(folder, 0o755); // mkdtemp makes it 0700
  const script = `
    const { loadKnowledge } = await import(${JSON.stringify(loaderModule.href)});
    const kb = await loadKnowledge(${JSON.stringify(folder)});
    console.log(JSON.stringify({ sources: kb.articles.map((a) => a.source), problems: kb.problems.map((p) => [p.file, p.code]) }));`;
  const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    uid: 65534,
    gid: 65534,
    cwd: new URL("../..", import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? "", HOME: tmpdir() },
  });
  return JSON.parse(stdout) as { sources: string[]; problems: string[][] };
}

const run = promisify(execFile);
const loaderModule = new URL("../../src/knowledge/load.ts", import.meta.url);
/** As root, whether `nobody` can read this checkout (a clone under a private home folder cannot). */
const canLoadUnprivileged =
  process.getuid?.() !== 0 ||
  spawnSync(process.execPath, ["-e", "require('fs').accessSync(process.argv[1])", loaderModule.pathname], {
    uid: 65534,
    gid: 65534,
  }).status === 0;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

let dir: string;
const put = (relative: string, content: string | Uint8Array) => {
  const file = path.join(dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
};

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "kb-load-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("loadKnowledge", () => {
  it("loads MS KB and Markdown articles recursively, sorted by path", async () => {
    put("printing/complete.txt", fixture("mskb/complete.txt"));
    put("vpn/deep/several.TXT", fixture("mskb/several-messages.txt"));
    put("vpn/vpn-certificate.md", fixture("markdown-min/vpn-certificate.md"));
    const kb = await loadKnowledge(dir);
    expect(kb.problems).toEqual([]);
    expect(kb.articles.map((a) => [a.id, a.format, a.source])).toEqual([
      ["KF0001", "mskb", "printing/complete.txt"],
      ["KF0004", "mskb", "vpn/deep/several.TXT"],
      ["KF0100", "markdown", "vpn/vpn-certificate.md"],
    ]);
    expect(kb.byId.get("KF0100")?.errors).toEqual([
      "The gateway certificate is not trusted. Connection aborted (code 7731).",
    ]);
    expect(kb.files).toBe(3);
  });

  it("skips READMEs, drafts, hidden files and workspace folders, and lists other files as ignored", async () => {
    put("complete.txt", fixture("mskb/complete.txt"));
    put("README.md", "# About this folder\n");
    put("sub/readme.txt", "notes");
    put("_draft.txt", "DOCUMENT:broken");
    put(".hidden.md", "---\nid: [\n---\n");
    put(".git/config.txt", "x");
    put("T0123ABCD/workspace-only.txt", fixture("mskb/no-cause.txt"));
    put("E0456WXYZ/grid.md", "x");
    put("TEAMS/teams.txt", fixture("mskb/several-messages.txt"));
    put("diagram.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    const kb = await loadKnowledge(dir);
    expect(kb.problems).toEqual([]);
    expect(kb.articles.map((a) => a.source)).toEqual(["TEAMS/teams.txt", "complete.txt"]);
    expect(kb.ignored).toEqual(["diagram.png"]);
  });

  it("reports a duplicate id naming both files, keeps the first and goes on", async () => {
    put("a/first.txt", fixture("mskb/complete.txt"));
    put("b/second.txt", fixture("mskb/complete.txt"));
    put("c/other.txt", fixture("mskb/no-cause.txt"));
    const kb = await loadKnowledge(dir);
    expect(kb.articles.map((a) => a.source)).toEqual(["a/first.txt", "c/other.txt"]);
    const duplicate = kb.problems.find((p) => p.code === "duplicate-id");
    expect(duplicate).toMatchObject({ severity: "error", file: "b/second.txt", line: 1 });
    expect(duplicate?.message).toContain("a/first.txt:1");
    expect(duplicate?.message).toContain("KF0001");
  });

  it("refuses a file over 1 MB with a clear message", async () => {
    put("big.txt", Buffer.alloc(MAX_ARTICLE_BYTES + 1, "a"));
    put("ok.txt", fixture("mskb/complete.txt"));
    const kb = await loadKnowledge(dir);
    expect(kb.articles.map((a) => a.id)).toEqual(["KF0001"]);
    expect(kb.problems).toHaveLength(1);
    expect(kb.problems[0]).toMatchObject({ severity: "error", file: "big.txt", code: "file-too-large" });
    expect(kb.problems[0]?.message).toMatch(/1\.0 MB.*limit/);
  });

  it("refuses a 50 MB file by its size, without reading it", async () => {
    const file = path.join(dir, "huge.md");
    writeFileSync(file, "");
    truncateSync(file, 50 * 1024 * 1024); // sparse: the size is real, the bytes are never read
    put("ok.txt", fixture("mskb/complete.txt"));
    const kb = await loadKnowledge(dir);
    expect(kb.articles.map((a) => a.id)).toEqual(["KF0001"]);
    expect(kb.problems[0]).toMatchObject({ file: "huge.md", code: "file-too-large" });
    expect(kb.problems[0]?.message).toMatch(/50\.0 MB/);
  });

  it("reports binary junk and an unparseable file, and loads the rest", async () => {
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    put("junk.txt", junk);
    put("notes.txt", "Just some notes about the printer.\n");
    put("ok.md", fixture("markdown-min/vpn-certificate.md"));
    const kb = await loadKnowledge(dir);
    expect(kb.articles.map((a) => a.id)).toEqual(["KF0100"]);
    expect(kb.problems.filter((p) => p.file === "junk.txt").map((p) => p.code)).toEqual(["binary-file"]);
    expect(
      kb.problems.filter((p) => p.file === "notes.txt" && p.severity === "error").map((p) => p.code),
    ).toEqual(["missing-document-header", "missing-symptoms"]);
  });

  it("reads Windows-1252 and truncated Markdown files like MS KB ones", async () => {
    const md = fixture("markdown-min/vpn-certificate.md").toString("utf8");
    // Windows-1252 curly quotes and an e-acute, as an old editor would save them.
    put("cp1252.md", Buffer.from(md.replace("rejects", "\x93rejects\x94 caf\xe9"), "latin1"));
    put("truncated.md", md.slice(0, md.indexOf("keywords:")));
    put("cut-in-symptoms.md", md.slice(0, md.indexOf("> The gateway")).replace("id: KF0100", "id: KF0101"));
    const kb = await loadKnowledge(dir);
    expect(kb.byId.get("KF0100")?.title).toBe(
      "VPN client \u201crejects\u201d caf\u00e9 the gateway certificate",
    );
    expect(kb.problems.map((p) => [p.file, p.severity, p.code, p.line])).toEqual([
      ["cut-in-symptoms.md", "warning", "missing-cause", 1],
      ["cut-in-symptoms.md", "warning", "missing-resolution", 1],
      ["truncated.md", "error", "missing-symptoms", 1],
      ["truncated.md", "error", "unterminated-front-matter", 1],
      ["truncated.md", "warning", "missing-cause", 1],
      ["truncated.md", "warning", "missing-resolution", 1],
      ["truncated.md", "warning", "missing-title", 1],
    ]);
    expect(kb.byId.get("KF0101")?.errors).toEqual([]);
  });

  it("survives symbolic link loops and reports broken links", async () => {
    put("a/complete.txt", fixture("mskb/complete.txt"));
    symlinkSync("..", path.join(dir, "a", "up"));
    symlinkSync(path.join(dir, "a"), path.join(dir, "again"));
    symlinkSync(path.join(dir, "missing.txt"), path.join(dir, "dangling.txt"));
    const kb = await loadKnowledge(dir);
    expect(kb.articles.map((a) => a.source)).toEqual(["a/complete.txt"]);
    expect(kb.problems.map((p) => [p.file, p.code])).toEqual([["dangling.txt", "broken-link"]]);
  });

  it.runIf(canLoadUnprivileged)(
    "reports an unreadable file and an unreadable folder, and goes on",
    async () => {
      put("locked.txt", fixture("mskb/complete.txt"));
      put("sealed/inside.md", fixture("markdown-min/vpn-certificate.md"));
      put("ok.md", fixture("markdown-min/vpn-certificate.md"));
      chmodSync(path.join(dir, "locked.txt"), 0o000);
      chmodSync(path.join(dir, "sealed"), 0o000);
      const kb = await loadUnprivileged(dir);
      expect(kb.sources).toEqual(["ok.md"]);
      expect(kb.problems).toEqual([
        ["locked.txt", "unreadable-file"],
        ["sealed", "unreadable-folder"],
      ]);
    },
  );

  it("stops with a clear error for a missing folder, a file, or a folder without articles", async () => {
    await expect(loadKnowledge(path.join(dir, "nope"))).rejects.toThrow(/does not exist/);
    put("file.txt", fixture("mskb/complete.txt"));
    await expect(loadKnowledge(path.join(dir, "file.txt"))).rejects.toThrow(/is not a folder/);
    mkdirSync(path.join(dir, "empty"));
    put("empty/README.md", "nothing yet");
    const error = await loadKnowledge(path.join(dir, "empty")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KnowledgeDirError);
    expect((error as Error).message).toMatch(/holds no articles/);
  });
});

describe("watchKnowledge", () => {
  it("reports a burst of changes under the folder once, after it has been quiet", async () => {
    const { watchKnowledge } = await import("../../src/knowledge/load.js");
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = (await import("node:path")).default;
    const dir = mkdtempSync(path.join(tmpdir(), "kb-watch-"));
    mkdirSync(path.join(dir, "dev"));
    const calls: string[][] = [];
    const watcher = watchKnowledge(dir, (paths) => calls.push(paths), { debounceMs: 150 });
    try {
      writeFileSync(path.join(dir, "dev", "a.md"), "one");
      writeFileSync(path.join(dir, "b.txt"), "two");
      writeFileSync(path.join(dir, ".hidden.swp"), "ignored");
      writeFileSync(path.join(dir, "dev", "a.md"), "three");
      const deadline = Date.now() + 5000;
      while (calls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      expect(calls).toHaveLength(1);
      expect(calls[0]?.sort()).toEqual(["b.txt", path.join("dev", "a.md")]);
    } finally {
      watcher.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
