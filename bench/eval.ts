/**
 * `npm run eval -- [--knowledge DIR] [--queries FILE] [--misses N] [--json FILE]`: matcher accuracy.
 *
 * Default: ../shared/kb-dev, each corpus folder (corpus-mskb, corpus-md) with the queries whose `corpus` names
 * it, negatives (`both`) run against each. With --knowledge, every query is run against that one folder.
 * Per corpus and kind it prints the same figures as kb-dev's score.mjs: answered-correct rate (the answer,
 * given only for a `match` verdict, is an expected id), top-3 recall, wrong-answer rate (an answer that is not
 * an expected id), negative rejection (no answer), and latency p50/p95/max of `match` alone.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadKnowledge } from "../src/knowledge/load.js";
import { createMatcher } from "../src/match/matcher.js";
import { type PassiveAction, passiveAction, pasteShape } from "../src/match/paste-shape.js";

interface Query {
  id: string;
  query: string;
  expect: string | string[] | null;
  kind: string;
  corpus: string;
}

interface Outcome {
  query: Query;
  corpus: string;
  answer: string | null;
  verdict: string;
  top: string[];
  ms: number;
  why: string;
  /** What the bot would do with this paste posted in a channel, unasked. */
  passive: PassiveAction;
}

const root = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
const kbDev = path.resolve(root, "..", "shared", "kb-dev");
const { values } = parseArgs({
  options: {
    knowledge: { type: "string" },
    queries: { type: "string" },
    misses: { type: "string" },
    json: { type: "string" },
  },
});
const queriesFile = values.queries ?? path.join(kbDev, "queries.jsonl");
if (!existsSync(queriesFile)) {
  console.error(
    `No queries at ${queriesFile}; pass --queries FILE (JSONL: id, query, expect, kind, corpus).`,
  );
  process.exit(2);
}
const queries = readFileSync(queriesFile, "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Query);

const runs: { corpus: string; dir: string; queries: Query[] }[] = values.knowledge
  ? [{ corpus: path.basename(values.knowledge), dir: values.knowledge, queries }]
  : [
      { corpus: "mskb", dir: path.join(kbDev, "corpus-mskb") },
      { corpus: "md", dir: path.join(kbDev, "corpus-md") },
    ].map((r) => ({ ...r, queries: queries.filter((q) => q.corpus === r.corpus || q.corpus === "both") }));

const outcomes: Outcome[] = [];
const chat = readFileSync(path.join(root, "test", "fixtures", "chat-messages.txt"), "utf8")
  .split("\n")
  .filter((l) => l.trim() && !l.startsWith("#"));
const chatSpoke: string[] = [];
for (const run of runs) {
  const kb = await loadKnowledge(run.dir);
  const started = performance.now();
  // No answer cache: every query is timed as the first of its kind.
  const matcher = createMatcher(kb.articles, { cacheSize: 0 });
  const buildMs = performance.now() - started;
  for (const q of run.queries.slice(0, 5)) matcher.match(q.query); // warm-up
  for (const q of run.queries) {
    const t0 = performance.now();
    const response = matcher.match(q.query, { limit: 5 });
    const ms = performance.now() - t0;
    const top = response.results.map((r) => r.article.id);
    outcomes.push({
      query: q,
      corpus: run.corpus,
      answer: response.verdict === "match" ? (top[0] ?? null) : null,
      verdict: response.verdict,
      top,
      ms,
      why: response.results[0]
        ? `${response.results[0].score} ${response.results[0].why.line.slice(0, 90)}`
        : "",
      passive: passiveAction(pasteShape(q.query), response.verdict, response.results[0]?.score ?? 0, false),
    });
  }
  for (const message of chat) {
    const response = matcher.match(message);
    const action = passiveAction(
      pasteShape(message),
      response.verdict,
      response.results[0]?.score ?? 0,
      false,
    );
    if (action !== "silent") chatSpoke.push(`${run.corpus}: ${message}`);
  }
  console.log(
    `${run.corpus}: ${kb.articles.length} articles, index built in ${Math.round(buildMs)} ms, ${run.queries.length} queries`,
  );
}

const expected = (q: Query) => (q.expect === null ? [] : Array.isArray(q.expect) ? q.expect : [q.expect]);
const pct = (n: number, of: number) => (of === 0 ? "    -" : `${((100 * n) / of).toFixed(1).padStart(5)}%`);
const quantile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number);

const report: Record<string, unknown> = {};
const groups = new Map<string, Outcome[]>();
for (const o of outcomes) {
  for (const key of [o.query.kind, `${o.query.kind}:${o.corpus}`])
    groups.set(key, [...(groups.get(key) ?? []), o]);
}
console.log(
  `\n${"kind".padEnd(20)} ${"n".padStart(5)}  answered   top3    wrong  rejected   p50 ms  p95 ms  max ms`,
);
for (const [key, list] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
  const positives = list.filter((o) => o.query.expect !== null);
  const negatives = list.filter((o) => o.query.expect === null);
  const answered = positives.filter((o) => o.answer !== null && expected(o.query).includes(o.answer)).length;
  const top3 = positives.filter((o) => o.top.slice(0, 3).some((id) => expected(o.query).includes(id))).length;
  const wrong = positives.filter((o) => o.answer !== null && !expected(o.query).includes(o.answer)).length;
  const rejected = negatives.filter((o) => o.answer === null).length;
  const ms = list.map((o) => o.ms).sort((a, b) => a - b);
  report[key] = {
    n: list.length,
    answered: positives.length ? answered / positives.length : null,
    top3: positives.length ? top3 / positives.length : null,
    wrong: positives.length ? wrong / positives.length : null,
    rejected: negatives.length ? rejected / negatives.length : null,
    latency_ms: { p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), max: quantile(ms, 1) },
  };
  console.log(
    `${key.padEnd(20)} ${String(list.length).padStart(5)}  ${pct(answered, positives.length)}  ${pct(top3, positives.length)}  ${pct(wrong, positives.length)}  ${pct(rejected, negatives.length)}  ${quantile(ms, 0.5).toFixed(2).padStart(7)} ${quantile(ms, 0.95).toFixed(2).padStart(7)} ${quantile(ms, 1).toFixed(2).padStart(7)}`,
  );
}
const all = outcomes.map((o) => o.ms).sort((a, b) => a - b);
console.log(
  `all queries: latency p50 ${quantile(all, 0.5).toFixed(2)} ms, p95 ${quantile(all, 0.95).toFixed(2)} ms`,
);

// Passive triage in a channel: pasteShape decides what is an error paste, passiveAction what to post.
console.log(
  `\npassive replies in a channel (nobody asked the bot):\n${"kind".padEnd(12)} ${"n".padStart(5)}  looks-like-error  answered-right  candidates-with-right  silent  wrong-answer`,
);
for (const kind of [...new Set(outcomes.map((o) => o.query.kind))].sort()) {
  const list = outcomes.filter((o) => o.query.kind === kind);
  const shaped = list.filter((o) => pasteShape(o.query.query).isError).length;
  const right = list.filter(
    (o) => o.passive === "answer" && expected(o.query).includes(o.top[0] ?? ""),
  ).length;
  const wrong = list.filter(
    (o) => o.passive === "answer" && !expected(o.query).includes(o.top[0] ?? ""),
  ).length;
  const candidates = list.filter(
    (o) => o.passive === "candidates" && o.top.slice(0, 3).some((id) => expected(o.query).includes(id)),
  ).length;
  const silent = list.filter((o) => o.passive === "silent").length;
  console.log(
    `${kind.padEnd(12)} ${String(list.length).padStart(5)}  ${pct(shaped, list.length).padStart(16)}  ${pct(right, list.length).padStart(14)}  ${pct(candidates, list.length).padStart(21)}  ${pct(silent, list.length).padStart(6)}  ${pct(wrong, list.length).padStart(12)}`,
  );
  report[`passive:${kind}`] = { n: list.length, shaped, right, candidates, silent, wrong };
}
console.log(
  `ordinary chat (test/fixtures/chat-messages.txt, ${chat.length} messages x ${runs.length} corpora): bot spoke ${chatSpoke.length} times${chatSpoke.length ? `: ${chatSpoke.slice(0, 5).join(" | ")}` : ""}`,
);

const misses = Number(values.misses ?? 0);
if (misses > 0) {
  const bad = outcomes.filter((o) =>
    o.query.expect === null
      ? o.answer !== null
      : o.query.kind === "paraphrase"
        ? !o.top.slice(0, 3).some((id) => expected(o.query).includes(id))
        : o.answer === null || !expected(o.query).includes(o.answer),
  );
  console.log(`\n${bad.length} misses (first ${misses}):`);
  for (const o of bad.slice(0, misses)) {
    console.log(
      `- [${o.query.kind}:${o.corpus}] expect ${JSON.stringify(o.query.expect)} got ${o.verdict} ${o.top.slice(0, 3).join(",")}  ${JSON.stringify(o.query.query.slice(0, 160))}\n    top: ${o.why}`,
    );
  }
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
