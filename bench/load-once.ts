/**
 * Loads one knowledge folder in a fresh process (as start-up does) and prints one JSON line:
 * { articles, problems, ms, heapMB }. Used by bench/run.ts.
 */
import { loadKnowledge } from "../src/knowledge/load.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: load-once.ts DIR");
const before = process.memoryUsage().heapUsed;
const start = performance.now();
const kb = await loadKnowledge(dir);
const ms = performance.now() - start;
const heapMB = (process.memoryUsage().heapUsed - before) / (1024 * 1024);
process.stdout.write(
  `${JSON.stringify({ articles: kb.articles.length, problems: kb.problems.length, ms: Math.round(ms), heapMB: Math.round(heapMB) })}\n`,
);
