/**
 * `npm run bench`: how long loading a knowledge folder takes, each run in a fresh process as at start-up.
 *
 * Folders: the sample `knowledge/`; with ../shared/kb-dev beside the clone, its 1,510 real MS KB articles and
 * 152 Markdown ones, and ~7,000 MS KB articles made by copying the 1,510 under new ids into a temporary folder
 * (the Microsoft text is never written into the repository). Target: ~7,000 articles load in under 2 s.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { multiply } from "./load-lib.js";

const root = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
const kbDev = path.resolve(root, "..", "shared", "kb-dev");
const RUNS = 3;

interface Result {
  articles: number;
  problems: number;
  ms: number;
  heapMB: number;
}

function loadOnce(dir: string): Result {
  const out = execFileSync(
    process.execPath,
    ["--import", "tsx", path.join(root, "bench", "load-once.ts"), dir],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  return JSON.parse(out) as Result;
}

interface ReloadResult {
  articles: number;
  initialMs: number;
  reloadMs: number[];
  medianReloadMs: number;
  queriesDuringReload: number;
  queryP50Ms: number;
  queryP95Ms: number;
  queryMaxMs: number;
  rssServingMB: number;
  rssPeakMB: number;
}

/** Reload after an edit (bench/reload.ts, fresh process): time, queries answered meanwhile, peak memory. */
function measureReload(label: string, dir: string, inPlace: boolean): void {
  const out = execFileSync(
    process.execPath,
    ["--import", "tsx", path.join(root, "bench", "reload.ts"), dir, "3", ...(inPlace ? ["--in-place"] : [])],
    { cwd: root, encoding: "utf8", maxBuffer: 1 << 20 },
  );
  const r = JSON.parse(out) as ReloadResult;
  console.log(
    `${`reload: ${label}`.padEnd(38)} ${String(r.articles).padStart(6)} articles  first load+index ${r.initialMs} ms, ` +
      `reload median ${r.medianReloadMs} ms (${r.reloadMs.join(", ")})  queries meanwhile ${r.queriesDuringReload}: ` +
      `p50 ${r.queryP50Ms} / p95 ${r.queryP95Ms} / max ${r.queryMaxMs} ms  RSS ${r.rssServingMB} MB serving, ${r.rssPeakMB} MB peak`,
  );
}

function measure(label: string, dir: string): void {
  const runs = Array.from({ length: RUNS }, () => loadOnce(dir));
  const times = runs.map((r) => r.ms).sort((a, b) => a - b);
  const first = runs[0] as Result;
  const median = times[Math.floor(times.length / 2)] as number;
  console.log(
    `${label.padEnd(38)} ${String(first.articles).padStart(6)} articles  median ${String(median).padStart(5)} ms` +
      `  (runs ${runs.map((r) => r.ms).join(", ")} ms)  heap +${first.heapMB} MB  problems ${first.problems}`,
  );
}

console.log(`Node ${process.version}, ${RUNS} runs each, every run a fresh process\n`);
measure("knowledge/ (sample)", path.join(root, "knowledge"));
measureReload("knowledge/ (sample)", path.join(root, "knowledge"), false);
if (!existsSync(kbDev)) {
  console.log(`\n${kbDev} not found: the corpus-sized runs are skipped.`);
} else {
  measure("kb-dev corpus-md", path.join(kbDev, "corpus-md"));
  measure("kb-dev corpus-mskb", path.join(kbDev, "corpus-mskb"));
  const tmp = mkdtempSync(path.join(tmpdir(), "kb-bench-"));
  try {
    multiply(path.join(kbDev, "corpus-mskb"), 5, tmp);
    measure("corpus-mskb x5 (new ids)", tmp);
    measureReload("corpus-mskb x5 (~7k)", tmp, true);
    // ~100k articles on disk: the same copied 66 times (about 520 MB in the temporary folder).
    multiply(path.join(kbDev, "corpus-mskb"), 66, tmp);
    measureReload("corpus-mskb x66 (~100k)", tmp, true);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// The matcher benchmark (bench/match.ts): build time, index heap, latency and accuracy per corpus size.
const { runMatchBench } = await import("./match.js");
await runMatchBench();
