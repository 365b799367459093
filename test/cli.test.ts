import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli } from "../src/cli.js";
import type { Article } from "../src/knowledge/types.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

async function triage(args: string[], env: NodeJS.ProcessEnv = {}) {
  let out = "";
  let err = "";
  const code = await runCli(args, { out: (t) => (out += t), err: (t) => (err += t), env });
  return { code, out, err };
}

let dir: string;
let broken: string;
beforeAll(() => {
  const root = mkdtempSync(path.join(tmpdir(), "kb-cli-"));
  dir = path.join(root, "good");
  broken = path.join(root, "broken");
  mkdirSync(path.join(dir, "vpn"), { recursive: true });
  writeFileSync(path.join(dir, "complete.txt"), fixture("mskb/complete.txt"));
  writeFileSync(path.join(dir, "no-cause.txt"), fixture("mskb/no-cause.txt"));
  writeFileSync(path.join(dir, "vpn", "vpn-certificate.md"), fixture("markdown-min/vpn-certificate.md"));
  mkdirSync(broken);
  writeFileSync(path.join(broken, "complete.txt"), fixture("mskb/complete.txt"));
  writeFileSync(path.join(broken, "copy.txt"), fixture("mskb/complete.txt"));
  writeFileSync(path.join(broken, "notes.txt"), "no header here\n");
});
afterAll(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

describe("triage kb check", () => {
  it("prints counts by format and product, and warnings with file:line; exit 0 without errors", async () => {
    const { code, out } = await triage(["kb", "check", "--knowledge", dir]);
    expect(code).toBe(0);
    expect(out).toContain("Articles: 3 (MS KB text 2, Markdown 1)");
    expect(out).toContain("1  Contoso Badge Printer");
    expect(out).toContain("1  Contoso VPN");
    expect(out).toContain(`${path.join(dir, "no-cause.txt")}:5: warning [missing-cause]`);
    expect(out).toMatch(/0 errors, 1 warning$/m);
  });

  it("exits 1 and lists every error with file:line", async () => {
    const { code, out } = await triage(["kb", "check", "--knowledge", broken]);
    expect(code).toBe(1);
    expect(out).toContain(`${path.join(broken, "copy.txt")}:1: error [duplicate-id] Duplicate id KF0001`);
    expect(out).toContain(`${path.join(broken, "notes.txt")}:1: error [missing-document-header]`);
    expect(out).toContain(`${path.join(broken, "notes.txt")}:1: error [missing-symptoms]`);
  });

  it("prints the same facts as JSON with --json", async () => {
    const { code, out } = await triage(["kb", "check", "--json"], { KNOWLEDGE_DIR: dir });
    expect(code).toBe(0);
    const summary = JSON.parse(out);
    expect(summary).toMatchObject({
      articles: 3,
      byFormat: { mskb: 2, markdown: 1 },
      errors: 0,
      warnings: 1,
    });
    expect(summary.problems[0]).toMatchObject({ file: "no-cause.txt", line: 5, code: "missing-cause" });
  });

  it("checks each workspace folder as that workspace is served, and exits 1 for an error in one", async () => {
    const withTeams = path.join(path.dirname(dir), "teams");
    mkdirSync(path.join(withTeams, "T0TEAMB001"), { recursive: true });
    writeFileSync(path.join(withTeams, "complete.txt"), fixture("mskb/complete.txt"));
    writeFileSync(path.join(withTeams, "T0TEAMB001", "vpn.md"), fixture("markdown-min/vpn-certificate.md"));
    const good = await triage(["kb", "check", "--knowledge", withTeams]);
    expect(good.code).toBe(0);
    expect(good.out).toContain("Articles: 1 (MS KB text 1, Markdown 0)");
    expect(good.out).toContain(
      "Workspace T0TEAMB001 (shared articles plus T0TEAMB001/): 2 articles, 0 errors",
    );
    writeFileSync(path.join(withTeams, "T0TEAMB001", "notes.txt"), "no header here\n");
    const bad = await triage(["kb", "check", "--knowledge", withTeams]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(
      `${path.join(withTeams, "T0TEAMB001", "notes.txt")}:1: error [missing-document-header]`,
    );
    mkdirSync(path.join(withTeams, "E0ORG00001"));
    writeFileSync(path.join(withTeams, "E0ORG00001", "vpn.md"), fixture("markdown-min/vpn-certificate.md"));
    const withOrg = await triage(["kb", "check", "--knowledge", withTeams]);
    expect(withOrg.err).toContain("org-wide (E…) knowledge folders are not served yet");
    const json = JSON.parse((await triage(["kb", "check", "--json", "--knowledge", withTeams])).out);
    expect(json.workspaces.map((w: { team: string; articles: number }) => [w.team, w.articles])).toEqual([
      ["T0TEAMB001", 2],
    ]);
  });

  it("names articles that quote no error message", async () => {
    const noQuote = path.join(path.dirname(dir), "noquote");
    mkdirSync(noQuote, { recursive: true });
    writeFileSync(
      path.join(noQuote, "a.txt"),
      "DOCUMENT:KF7  01-JAN-2025\nTITLE   :x\n\nSYMPTOMS\n========\n\nIt is slow.\n\nCAUSE\n=====\n\nc\n\nRESOLUTION\n==========\n\nr\n",
    );
    const { out } = await triage(["kb", "check", "--knowledge", noQuote]);
    expect(out).toContain("Articles with no quoted error message (1;");
    expect(out).toContain(`KF7  ${path.join(noQuote, "a.txt")}`);
  });

  it("exits 1 with a clear message when the folder cannot be used", async () => {
    const { code, err } = await triage(["kb", "check", "--knowledge", path.join(dir, "missing")]);
    expect(code).toBe(1);
    expect(err).toMatch(/Knowledge folder .*missing does not exist/);
  });
});

describe("triage kb show", () => {
  it("prints one article with its quoted errors and sections", async () => {
    const { code, out } = await triage(["kb", "show", "KF0001", "--knowledge", dir]);
    expect(code).toBe(0);
    expect(out).toMatch(/^KF0001 {2}PRINT: Badge Printer Reports Ribbon Error After Driver Update/);
    expect(out).toContain("  - Badge Studio could not print the job on <printername>.");
    expect(out).toContain("RESOLUTION\n==========\nTo resolve this problem");
  });

  it("prints the article model with --json, and finds ids case-insensitively", async () => {
    const { code, out } = await triage(["kb", "show", "kf0100", "--json", "--knowledge", dir]);
    expect(code).toBe(0);
    const article = JSON.parse(out) as Article;
    expect(article).toMatchObject({ id: "KF0100", format: "markdown", source: "vpn/vpn-certificate.md" });
  });

  it("exits 1 and suggests ids for an unknown one", async () => {
    const { code, err } = await triage(["kb", "show", "KF000", "--knowledge", dir]);
    expect(code).toBe(1);
    expect(err).toContain("no article with id KF000");
    expect(err).toContain("did you mean KF0001, KF0002");
  });
});

describe("triage kb export", () => {
  it("writes every article as one JSON line and problems to stderr, exit 0 even with errors", async () => {
    const { code, out, err } = await triage(["kb", "export", "--knowledge", broken]);
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines.map((l) => (JSON.parse(l) as Article).id)).toEqual(["KF0001"]);
    expect(err).toContain("duplicate-id");
  });

  it("exits 1 when the folder cannot be read", async () => {
    expect((await triage(["kb", "export", "--knowledge", path.join(dir, "missing")])).code).toBe(1);
  });
});

describe("triage match", () => {
  const sample = new URL("../knowledge", import.meta.url).pathname;

  it("prints the verdict and the best articles with why they matched", async () => {
    const { code, out } = await triage([
      "match",
      "System error 53 has occurred.",
      "--knowledge",
      sample,
      "--top",
      "2",
    ]);
    expect(code).toBe(0);
    expect(out).toMatch(/^Match\n\n1\. KT1007 {2}Mapped Drive Fails/);
    expect(out).toContain("matched quoted error: System error 53 has occurred.");
    expect(out.match(/^\d\. /gm)).toHaveLength(2);
  });

  it("reads the paste from stdin with -, and prints JSON with --json", async () => {
    let out = "";
    const code = await runCli(["match", "-", "--json", "--knowledge", sample], {
      out: (t) => (out += t),
      err: () => {},
      env: {},
      input: ["```", "ORA-12154: TNS:could not resolve the connect identifier specified", "```"],
    });
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.verdict).toBe("match");
    expect(json.results[0]).toMatchObject({ id: "KT1029", why: { field: "error" } });
  });

  it("says so when nothing matches", async () => {
    const { out } = await triage(["match", "the coffee machine is out of beans", "--knowledge", sample]);
    expect(out.startsWith("No matching article") || out.startsWith("Possible matches")).toBe(true);
  });

  it("rejects a bad --top and a missing text", async () => {
    expect((await triage(["match", "x", "--top", "0"])).code).toBe(2);
    expect((await triage(["match", "--knowledge", sample])).code).toBe(2);
  });
});

describe("triage batch", () => {
  const sample = new URL("../knowledge", import.meta.url).pathname;

  it("writes one result line per query line, skipping bad lines with a note on stderr", async () => {
    let out = "";
    let err = "";
    const code = await runCli(["batch", "--knowledge", sample, "--top", "3"], {
      out: (t) => (out += t),
      err: (t) => (err += t),
      env: {},
      input: [
        JSON.stringify({
          id: "q1",
          query: "The trust relationship between this workstation and the primary domain failed.",
        }),
        "not json",
        "",
        JSON.stringify({ id: "q2", query: "Segmentation fault (core dumped) in my rust program" }),
        JSON.stringify({ id: "q3" }),
      ],
    });
    expect(code).toBe(0);
    const lines = out
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ id: "q1", answer: "KT1001", verdict: "match" });
    expect(lines[0].matches[0]).toMatchObject({ id: "KT1001" });
    expect(lines[0].matches.length).toBeLessThanOrEqual(3);
    expect(typeof lines[0].ms).toBe("number");
    expect(lines[1]).toMatchObject({ id: "q2", answer: null });
    expect(lines[1].verdict).not.toBe("match");
    expect(err).toContain("line 2 is not JSON");
    expect(err).toContain('line 5 has no "query" string');
  });
});

describe("triage usage", () => {
  it("exits 2 with usage for unknown commands, options and missing arguments", async () => {
    for (const args of [
      [],
      ["kb"],
      ["kb", "frobnicate"],
      ["kb", "show"],
      ["kb", "check", "--bogus"],
      ["db", "check"],
    ]) {
      const { code, err } = await triage(args);
      expect(code, args.join(" ")).toBe(2);
      expect(err).toContain("Usage: triage");
    }
    const help = await triage(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("kb export");
  });
});

describe("the triage bin", () => {
  it("runs from a fresh checkout through bin/triage.js", async () => {
    const bin = new URL("../bin/triage.js", import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(process.execPath, [
      bin,
      "kb",
      "check",
      "--json",
      "--knowledge",
      dir,
    ]);
    expect(JSON.parse(stdout).articles).toBe(3);
  });
});

describe("triage stats and triage gaps", () => {
  let data: string;
  beforeAll(async () => {
    const { openSqliteStore } = await import("../src/store/sqlite-store.js");
    data = mkdtempSync(path.join(tmpdir(), "kb-cli-data-"));
    const store = await openSqliteStore(data);
    const base = {
      team: null,
      channel: "C1",
      user: "U1",
      source: "channel" as const,
      latencyMs: 2,
      messageTs: null,
    };
    const now = Date.now();
    await store.recordTriage({
      ...base,
      id: "a",
      at: now - 1000,
      text: "System error 53 has occurred.",
      textHash: "s53",
      verdict: "match",
      topArticle: "KT1007",
      score: 0.97,
    });
    await store.recordTriage({
      ...base,
      id: "b",
      at: now - 900,
      text: "Flux capacitor overheated",
      textHash: "flux",
      verdict: "none",
      topArticle: null,
      score: null,
    });
    await store.recordTriage({
      ...base,
      id: "c",
      at: now - 800,
      text: "Flux capacitor overheated",
      textHash: "flux",
      verdict: "none",
      topArticle: null,
      score: null,
    });
    await store.recordFeedback({
      triageId: "a",
      at: now - 500,
      user: "U1",
      kind: "fixed",
      articleId: "KT1007",
    });
    await store.close();
  });
  afterAll(() => rmSync(data, { recursive: true, force: true }));

  it("prints the deflection figures as the documented JSON", async () => {
    const { code, out } = await triage(["stats", "--days", "7", "--json"], { DATA_DIR: data });
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({
      days: 7,
      triaged: 3,
      answered: 1,
      fixed: 1,
      notIt: 0,
      escalated: 0,
      deflectionRate: 1 / 3,
      topArticles: [{ articleId: "KT1007", answered: 1, fixed: 1, notIt: 0 }],
    });
    expect((await triage(["stats", "--data", data])).out).toContain(
      "Deflection rate (fixed / triaged): 33.3 %",
    );
  });

  it("lists the KB gaps, most frequent first", async () => {
    const { code, out } = await triage(["gaps", "--json", "--data", data]);
    expect(code).toBe(0);
    const gaps = JSON.parse(out) as { text: string; count: number; verdict: string; lastSeen: string }[];
    expect(gaps.map((g) => [g.text, g.count, g.verdict])).toEqual([["Flux capacitor overheated", 2, "none"]]);
    expect(gaps[0]?.lastSeen).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect((await triage(["gaps", "--data", data])).out).toContain("2x  none");
  });

  it("says where it looked when there is no database, and rejects a bad --days", async () => {
    const missing = await triage(["stats", "--data", path.join(data, "nowhere")]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("no database at");
    expect((await triage(["gaps", "--days", "-3", "--data", data])).code).toBe(2);
  });
});

describe("triage stats --team and triage db migrate-from-sqlite (PostgreSQL)", () => {
  const serverUrl = inject("postgresUrl");
  let data: string;
  let databaseUrl: string;
  beforeAll(async () => {
    if (!serverUrl) return;
    const { openSqliteStore } = await import("../src/store/sqlite-store.js");
    const { freshDatabase } = await import("./helpers/servers.js");
    databaseUrl = await freshDatabase(serverUrl, "cli");
    data = mkdtempSync(path.join(tmpdir(), "kb-cli-copy-"));
    const store = await openSqliteStore(data);
    const now = Date.now();
    for (const [id, team, verdict] of [
      ["x1", "T0AAAAAAA1", "match"],
      ["x2", "T0AAAAAAA1", "none"],
      ["x3", "T0BBBBBBB1", "match"],
    ] as const) {
      await store.recordTriage({
        id,
        at: now - 1000,
        team,
        channel: "C1",
        user: "U1",
        source: "channel",
        text: `error ${id}`,
        textHash: id,
        verdict,
        topArticle: verdict === "match" ? "KT1007" : null,
        score: verdict === "match" ? 0.9 : null,
        latencyMs: 2,
        messageTs: null,
      });
    }
    await store.recordFeedback({
      triageId: "x1",
      at: now - 500,
      user: "U1",
      kind: "fixed",
      articleId: "KT1007",
    });
    await store.setChannelSettings({
      channel: "C1",
      mode: "off",
      minScore: 0.8,
      cooldownMinutes: 0,
      updatedBy: "U1",
      updatedAt: now,
    });
    await store.close();
  });
  afterAll(() => data && rmSync(data, { recursive: true, force: true }));

  it.runIf(serverUrl)("copies a SQLite database into PostgreSQL once, even when run twice", async () => {
    const file = path.join(data, "triage.db");
    const first = await triage(["db", "migrate-from-sqlite", file], { DATABASE_URL: databaseUrl });
    expect(first.err).toBe("");
    expect(first.code).toBe(0);
    expect(first.out).toContain(
      "Copied 3 triages (0 already there), 1 feedback, 0 escalations, 1 channel settings",
    );
    expect(first.out).not.toContain("kbtest@");
    const again = await triage(["db", "migrate-from-sqlite", file], { DATABASE_URL: databaseUrl });
    expect(again.out).toContain("Copied 0 triages (3 already there), 0 feedback");
    const stats = await triage(["stats", "--json"], { DATABASE_URL: databaseUrl });
    expect(JSON.parse(stats.out)).toMatchObject({ triaged: 3, answered: 2, fixed: 1 });
  });

  it.runIf(serverUrl)("shows one workspace's figures and gaps with --team", async () => {
    const env = { DATABASE_URL: databaseUrl };
    await triage(["db", "migrate-from-sqlite", path.join(data, "triage.db")], env);
    const a = JSON.parse((await triage(["stats", "--json", "--team", "T0AAAAAAA1"], env)).out);
    const b = JSON.parse((await triage(["stats", "--json", "--team", "T0BBBBBBB1"], env)).out);
    expect([a.triaged, a.fixed, b.triaged, b.fixed]).toEqual([2, 1, 1, 0]);
    const gapsB = JSON.parse((await triage(["gaps", "--json", "--team", "T0BBBBBBB1"], env)).out);
    expect(gapsB).toEqual([]);
    expect((await triage(["stats", "--team", "general"], env)).code).toBe(2);
  });

  it("says what is missing: DATABASE_URL, the file, a malformed DATABASE_URL", async () => {
    expect((await triage(["db", "migrate-from-sqlite", "x.db"])).err).toContain("set DATABASE_URL");
    const noFile = await triage(["db", "migrate-from-sqlite", "/nowhere/x.db"], {
      DATABASE_URL: "postgres://u@127.0.0.1:1/db",
    });
    expect(noFile.err).toContain("no SQLite database at /nowhere/x.db");
    const bad = await triage(["stats"], { DATABASE_URL: "mysql://x" });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("DATABASE_URL must be a PostgreSQL URL");
    expect((await triage(["db", "nope"])).code).toBe(2);
  });
});

describe("triage kb reload", () => {
  it("sends SIGHUP to the bot recorded in DATA_DIR's pid file", async () => {
    const { spawn } = await import("node:child_process");
    const data = mkdtempSync(path.join(tmpdir(), "kb-cli-data-"));
    const bot = spawn(
      process.execPath,
      [
        "-e",
        "process.on('SIGHUP', () => { console.log('reloading'); process.exit(0); }); console.log('up'); setInterval(() => {}, 1000);",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let output = "";
    bot.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    while (!output.includes("up")) await new Promise((r) => setTimeout(r, 20));
    writeFileSync(path.join(data, "kb-triage.pid"), `${bot.pid}\n`);
    const { code, out } = await triage(["kb", "reload", "--data", data]);
    expect(code).toBe(0);
    expect(out).toContain(`pid ${bot.pid}`);
    await new Promise((resolve) => bot.once("exit", resolve));
    expect(output).toContain("reloading");
  });

  it("exits 1 saying so when no bot is running", async () => {
    const data = mkdtempSync(path.join(tmpdir(), "kb-cli-data-"));
    expect((await triage(["kb", "reload", "--data", data])).code).toBe(1);
    writeFileSync(path.join(data, "kb-triage.pid"), "999999999\n");
    const gone = await triage(["kb", "reload", "--data", data]);
    expect(gone.code).toBe(1);
    expect(gone.err).toContain("not running");
  });
});
