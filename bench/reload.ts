/**
 * Reload timing (`npm run bench` runs it per folder, each in a fresh process): the first load and index, then
 * reloads after an edit, with queries fired all along to show they are answered by the old index during the
 * rebuild (their latency) and the process's peak memory while two indexes exist.
 * Usage: node --import tsx bench/reload.ts DIR [RELOADS] [--in-place]. Prints one JSON line. Reloads follow a
 * real edit, so DIR is copied to a temporary folder first unless --in-place says it is already a scratch copy.
 */
import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadKnowledge } from "../src/knowledge/load.js";
import { startReloadableMatcher } from "../src/match/reloadable.js";

const [given, count, mode] = process.argv.slice(2);
if (!given) throw new Error("usage: bench/reload.ts DIR [RELOADS] [--in-place]");
const reloads = Number(count ?? 3);
const scratch = mode === "--in-place" ? null : mkdtempSync(path.join(tmpdir(), "kb-reload-"));
if (scratch) cpSync(given, scratch, { recursive: true });
const dir = scratch ?? given;

const rssMB = () => Math.round(process.memoryUsage().rss / 1048576);
let peak = rssMB();
const sampler = setInterval(() => {
  peak = Math.max(peak, rssMB());
}, 50);

// Queries: the first quoted error of some articles (loaded here once, outside the timed part).
const sample = (await loadKnowledge(dir)).articles
  .filter((a) => a.errors.length > 0)
  .filter((_, i) => i % 50 === 0)
  .map((a) => a.errors[0] as string)
  .slice(0, 200);

const started = performance.now();
const matcher = startReloadableMatcher(dir);
const first = await matcher.ready;
const initialMs = Math.round(performance.now() - started);
const rssServing = rssMB();

// One file to touch per reload (a real edit: the bytes change).
const firstFile = (function find(d: string): string {
  for (const entry of readdirSync(d, { withFileTypes: true })) {
    const full = path.join(d, entry.name);
    if (entry.isDirectory()) return find(full);
    if (/\.(txt|md)$/i.test(entry.name) && !/^(readme|[_.])/i.test(entry.name)) return full;
  }
  throw new Error("no article file");
})(dir);

const reloadMs: number[] = [];
const latencies: number[] = [];
for (let r = 0; r < reloads; r++) {
  appendFileSync(firstFile, "\n");
  const t = performance.now();
  const reloading = matcher.reload("bench");
  let done = false;
  void reloading.then(() => {
    done = true;
  });
  let q = 0;
  while (!done) {
    const text = sample[q++ % sample.length] as string;
    const t0 = performance.now();
    await matcher.match(text);
    latencies.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const outcome = await reloading;
  if (!outcome.ok) throw new Error(outcome.error);
  reloadMs.push(Math.round(performance.now() - t));
}
clearInterval(sampler);
await matcher.close();
if (scratch) rmSync(scratch, { recursive: true, force: true });

latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  Math.round((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0) * 10) / 10;
reloadMs.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    articles: first.articles,
    initialMs,
    reloadMs,
    medianReloadMs: reloadMs[Math.floor(reloadMs.length / 2)],
    queriesDuringReload: latencies.length,
    queryP50Ms: pct(0.5),
    queryP95Ms: pct(0.95),
    queryMaxMs: pct(1),
    rssServingMB: rssServing,
    rssPeakMB: peak,
  }),
);
