/**
 * Matcher benchmark (the second part of `npm run bench`; alone: `node --expose-gc --import tsx bench/match.ts`).
 *
 * Corpora: corpus-md (152 Markdown articles, its own queries), corpus-mskb as is (1,510 articles) and grown to
 * 10,000 and 100,000 articles with synthetic distractors (bench/synth.ts). Queries from kb-dev's
 * queries.jsonl: mskb queries against the mskb corpora, md queries against corpus-md, the 52 negatives
 * against each. Matchers: ours (src/match/matcher.ts), MiniSearch and plain fuse.js (bench/reference-matchers.ts),
 * all given the same articles and the same raw query texts.
 *
 * Every (corpus, matcher) pair runs in a fresh child process (`--expose-gc --max-old-space-size=4096`), so heap
 * figures do not mix and one matcher running out of memory or time does not take the others down. A child
 * streams one JSON line per event; the parent aggregates what arrived and prints one table per corpus.
 * Measured: index build time; memory held by the index (heapUsed + arrayBuffers after gc, after build minus
 * before: typed arrays' backing stores are not in heapUsed); latency per
 * query; answered-correct on exact and noisy (confident and right), top-3 on paraphrases, negatives rejected (no
 * confident answer), confident-wrong answers on positives. fuse.js (~1 ms per article per query) and MiniSearch
 * at 10k+ run on a fixed, seeded sample stratified by kind; speed-ups are computed on the queries both ran.
 * Then: our matcher on 40,000-character pastes, and the paste normaliser on 2.5k ... 1M characters.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadKnowledge } from "../src/knowledge/load.js";
import type { Article } from "../src/knowledge/types.js";
import {
  type BenchMatcher,
  firstLine,
  fuseMatcher,
  miniSearchMatcher,
  ourMatcher,
} from "./reference-matchers.js";
import { countQuotingSynthetics, MessageFinder, mulberry32, synthesize } from "./synth.js";

const root = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
const kbDev = path.resolve(root, "..", "shared", "kb-dev");
const queriesFile = path.join(kbDev, "queries.jsonl");
const thisFile = fileURLToPath(import.meta.url);
const SEED = 20240;
const CHILD_TIMEOUT_MS = 20 * 60 * 1000;

type MatcherName = "ours" | "MiniSearch" | "fuse.js";
const MATCHERS: MatcherName[] = ["ours", "MiniSearch", "fuse.js"];
type Kind = "exact" | "noisy" | "paraphrase" | "negative";

interface Query {
  id: string;
  query: string;
  expect: string | string[] | null;
  kind: Kind;
  corpus: "mskb" | "md" | "both";
}

interface Section {
  label: string;
  corpus: "mskb" | "md";
  size: number;
  /** Queries per matcher; null = all. */
  sample: Record<MatcherName, number | null>;
}

const SECTIONS: Section[] = [
  {
    label: "md 152 (corpus-md alone)",
    corpus: "md",
    size: 0,
    sample: { ours: null, MiniSearch: null, "fuse.js": 40 },
  },
  {
    label: "mskb 1,510 (corpus-mskb as is)",
    corpus: "mskb",
    size: 0,
    sample: { ours: null, MiniSearch: null, "fuse.js": 30 },
  },
  {
    label: "mskb 10,000 (corpus-mskb + synthetic)",
    corpus: "mskb",
    size: 10_000,
    sample: { ours: null, MiniSearch: 150, "fuse.js": 6 },
  },
  {
    label: "mskb 100,000 (corpus-mskb + synthetic)",
    corpus: "mskb",
    size: 100_000,
    sample: { ours: null, MiniSearch: 30, "fuse.js": 3 },
  },
];

// Fixed warm-up texts, none of them a benchmark query (a matcher with a result cache gains nothing).
const WARM_UP = [
  "The system cannot find the file specified. Error 2 while opening C:\\temp\\setup.log",
  "```\nAccess is denied (0x80070005) when the service tries to start\n```",
  "anyone seen this? Connection refused: could not connect to the server on port 8080",
  "Run-time error '13': Type mismatch",
  "printer driver could not be installed",
];

// ---------------------------------------------------------------------------------------------------------
// Queries and sampling (shared by parent and children, so both pick the same sample)

function readQueries(): Query[] {
  return readFileSync(queriesFile, "utf8")
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Query);
}

function queriesFor(all: Query[], corpus: "mskb" | "md"): Query[] {
  return all.filter((q) => q.corpus === corpus || q.corpus === "both");
}

/** A seeded sample of `n` queries, round-robin over kinds (noisy, exact, negative, paraphrase); null = all. */
function sampleQueries(queries: Query[], n: number | null): Query[] {
  if (n === null || n >= queries.length) return queries;
  const random = mulberry32(SEED);
  const byKind = new Map<Kind, Query[]>();
  for (const q of queries) byKind.set(q.kind, [...(byKind.get(q.kind) ?? []), q]);
  for (const list of byKind.values()) {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j] as Query, list[i] as Query];
    }
  }
  const order: Kind[] = ["noisy", "exact", "negative", "paraphrase"];
  const picked: Query[] = [];
  for (let round = 0; picked.length < n; round++) {
    let any = false;
    for (const kind of order) {
      const q = byKind.get(kind)?.[round];
      if (!q || picked.length >= n) continue;
      picked.push(q);
      any = true;
    }
    if (!any) break;
  }
  const keep = new Set(picked);
  return queries.filter((q) => keep.has(q));
}

// ---------------------------------------------------------------------------------------------------------
// Child side

interface MatcherJob {
  type: "matcher";
  matcher: MatcherName;
  corpus: "mskb" | "md";
  size: number;
  sample: number | null;
}
interface NormalizeJob {
  type: "normalize";
}
type Job = MatcherJob | NormalizeJob;

type Event =
  | { type: "skip"; reason: string }
  | {
      type: "corpus";
      articles: number;
      synthetic: number;
      quoting: number | null;
      textsMB: number;
      ms: number;
    }
  | { type: "build"; ms: number; heapMB: number }
  | { type: "buildError"; message: string }
  | { type: "q"; id: string; ms: number; ids: string[]; confident: boolean; error?: string }
  | { type: "paste"; label: string; chars: number; ms: number; answer: string }
  | { type: "norm"; label: string; chars: number; ms: number; runs: number; truncated: boolean }
  | { type: "normCap"; chars: number }
  | { type: "done" };

function findEvent<T extends Event["type"]>(
  events: readonly Event[],
  type: T,
): Extract<Event, { type: T }> | undefined {
  return events.find((e): e is Extract<Event, { type: T }> => e.type === type);
}

function emit(event: Event): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with node --expose-gc");
  gc();
  gc();
}

/** JS heap plus ArrayBuffer backing stores (typed arrays live outside heapUsed), in MB. */
function heapMB(): number {
  const usage = process.memoryUsage();
  return (usage.heapUsed + usage.arrayBuffers) / (1024 * 1024);
}

async function loadCorpus(corpus: "mskb" | "md"): Promise<Article[]> {
  const kb = await loadKnowledge(path.join(kbDev, corpus === "mskb" ? "corpus-mskb" : "corpus-md"));
  return kb.articles;
}

async function makeMatcher(name: MatcherName): Promise<BenchMatcher | string> {
  if (name === "fuse.js") return fuseMatcher();
  if (name === "MiniSearch") return miniSearchMatcher();
  return ourMatcher();
}

async function runMatcherJob(job: MatcherJob): Promise<void> {
  const made = await makeMatcher(job.matcher);
  if (typeof made === "string") {
    emit({ type: "skip", reason: made });
    return;
  }
  const allQueries = readQueries();
  const queries = sampleQueries(queriesFor(allQueries, job.corpus), job.sample);

  collect();
  const before = heapMB();
  const start = performance.now();
  const base = await loadCorpus(job.corpus);
  let articles = base;
  let quoting: number | null = null;
  if (job.size > base.length) {
    const avoid = allQueries.filter((q) => q.corpus === job.corpus && q.kind === "exact").map((q) => q.query);
    articles = synthesize(base, job.size, SEED, { avoid });
    quoting = countQuotingSynthetics(
      articles,
      new MessageFinder([...base.flatMap((a) => a.errors), ...avoid]),
    );
  }
  const corpusMs = performance.now() - start;
  collect();
  emit({
    type: "corpus",
    articles: articles.length,
    synthetic: articles.length - base.length,
    quoting,
    textsMB: heapMB() - before,
    ms: corpusMs,
  });

  // Warm-up on a throwaway instance, so the timed build runs warm code too; then drop it.
  {
    const warm = await makeMatcher(job.matcher);
    if (typeof warm !== "string") {
      try {
        await warm.build(articles.slice(0, 300));
        for (const text of WARM_UP) warm.match(text);
      } catch {
        // A failing matcher is reported by the timed run below.
      }
    }
  }

  collect();
  const heapBefore = heapMB();
  const buildStart = performance.now();
  try {
    await made.build(articles);
  } catch (error) {
    emit({ type: "buildError", message: firstLine(error) });
    return;
  }
  const buildMs = performance.now() - buildStart;
  collect();
  emit({ type: "build", ms: buildMs, heapMB: heapMB() - heapBefore });

  // fuse.js is not warmed up on the full index: one query costs ~1 ms per article, and each is long enough
  // to run warm after the throwaway instance above.
  if (job.matcher !== "fuse.js") for (const text of WARM_UP.slice(0, 3)) made.match(text);

  for (const q of queries) {
    const t0 = performance.now();
    try {
      const answer = made.match(q.query);
      emit({
        type: "q",
        id: q.id,
        ms: performance.now() - t0,
        ids: answer.ids.slice(0, 3),
        confident: answer.confident,
      });
    } catch (error) {
      emit({
        type: "q",
        id: q.id,
        ms: performance.now() - t0,
        ids: [],
        confident: false,
        error: firstLine(error),
      });
    }
  }

  if (job.matcher === "ours") {
    const exact = allQueries.find((q) => q.corpus === job.corpus && q.kind === "exact");
    const pastes: [string, string][] = [
      ["adversarial", adversarialText(40_000, 1)],
      ["log, message after 2k chars", logPaste(40_000, 2_000, exact?.query ?? "")],
      ["log, message after 30k chars", logPaste(40_000, 30_000, exact?.query ?? "")],
    ];
    for (const [label, text] of pastes) {
      const t0 = performance.now();
      const answer = made.match(text);
      const ms = performance.now() - t0;
      const top = answer.ids[0];
      const verdict = !top ? "no result" : answer.confident ? `match ${top}` : `not confident (top ${top})`;
      emit({ type: "paste", label, chars: text.length, ms, answer: verdict });
    }
  }
}

/** Mixed adversarial content: long runs of spaces, backticks, `<`, `&`, dashes, entities, between words. */
function adversarialText(chars: number, seed: number): string {
  const random = mulberry32(seed);
  const pieces = [
    () => " ".repeat(1 + Math.floor(random() * 3000)),
    () => "`".repeat(1 + Math.floor(random() * 300)),
    () => "```",
    () => "<".repeat(1 + Math.floor(random() * 500)),
    () => "&".repeat(1 + Math.floor(random() * 300)),
    () => "&amp;lt;".repeat(1 + Math.floor(random() * 50)),
    () => "&lt;".repeat(1 + Math.floor(random() * 100)),
    () => "-".repeat(1 + Math.floor(random() * 800)),
    () => "\n".repeat(1 + Math.floor(random() * 20)),
    () => "<http://example.com/a|",
    () => "error 0x80070005 at C:\\Windows\\System32\\drivers ",
    () => "> quoted ",
    () => "`a` ",
    () => "-- -- -- ",
  ];
  const parts: string[] = [];
  let length = 0;
  while (length < chars) {
    const piece = (pieces[Math.floor(random() * pieces.length)] as () => string)();
    parts.push(piece);
    length += piece.length;
  }
  return parts.join("").slice(0, chars);
}

/** A long log paste with one real message (an exact query) after `at` characters of INFO lines. */
function logPaste(chars: number, at: number, message: string): string {
  const lines: string[] = [];
  let length = 0;
  for (let n = 0; length < chars; n++) {
    const line = `2024-03-24 12:${String(n % 60).padStart(2, "0")}:41 INFO worker-${n % 7} processed batch ${n} in ${(n * 37) % 1000} ms`;
    lines.push(line);
    length += line.length + 1;
  }
  const log = lines.join("\n");
  const cut = log.indexOf("\n", at);
  return `${log.slice(0, cut)}\n2024-03-24 12:28:41 ERROR ${message}${log.slice(cut)}`.slice(0, chars);
}

async function runNormalizeJob(): Promise<void> {
  const source = fileURLToPath(new URL("../src/match/normalize.ts", import.meta.url));
  if (!existsSync(source)) {
    emit({ type: "skip", reason: "src/match/normalize.ts does not exist yet" });
    return;
  }
  let normalizePaste: (text: string) => { truncated?: unknown };
  try {
    const module = (await import(new URL("../src/match/normalize.js", import.meta.url).href)) as {
      normalizePaste?: unknown;
      MAX_PASTE_CHARS?: unknown;
    };
    if (typeof module.MAX_PASTE_CHARS === "number") emit({ type: "normCap", chars: module.MAX_PASTE_CHARS });
    if (typeof module.normalizePaste !== "function") {
      emit({ type: "skip", reason: "src/match/normalize.ts does not export normalizePaste" });
      return;
    }
    normalizePaste = module.normalizePaste as typeof normalizePaste;
  } catch (error) {
    emit({ type: "skip", reason: `src/match/normalize.ts failed to load: ${firstLine(error)}` });
    return;
  }
  normalizePaste(adversarialText(10_000, 7));
  const time = (label: string, text: string) => {
    const runs = text.length >= 500_000 ? 3 : 5;
    const times: number[] = [];
    let truncated = false;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      truncated = normalizePaste(text)?.truncated === true;
      times.push(performance.now() - t0);
      if ((times[r] as number) > 10_000) break;
    }
    times.sort((a, b) => a - b);
    emit({
      type: "norm",
      label,
      chars: text.length,
      ms: times[Math.floor(times.length / 2)] as number,
      runs: times.length,
      truncated,
    });
    return times[0] as number;
  };
  for (const chars of [2_500, 5_000, 10_000, 20_000, 40_000, 80_000, 1_000_000]) {
    if (time("mixed", adversarialText(chars, 2)) > 10_000) break;
  }
  for (const [label, unit] of [
    ["spaces", " "],
    ["backticks", "`"],
    ["<", "<"],
    ["&", "&"],
    ["dashes", "-"],
    ["&amp;lt;", "&amp;lt;"],
    ["newlines", "\n"],
  ] as const) {
    for (const chars of [10_000, 20_000, 1_000_000])
      if (time(label, unit.repeat(chars / unit.length)) > 10_000) break;
  }
}

async function child(job: Job): Promise<void> {
  if (job.type === "normalize") await runNormalizeJob();
  else await runMatcherJob(job);
  emit({ type: "done" });
}

// ---------------------------------------------------------------------------------------------------------
// Parent side

interface JobResult {
  events: Event[];
  /** Why the child ended abnormally, if it did. */
  failure: string | null;
  seconds: number;
}

function runChild(job: Job): Promise<JobResult> {
  return new Promise((resolve) => {
    const start = performance.now();
    const proc = spawn(
      process.execPath,
      ["--expose-gc", "--max-old-space-size=4096", "--import", "tsx", thisFile, "child", JSON.stringify(job)],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    proc.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill("SIGKILL");
    }, CHILD_TIMEOUT_MS);
    proc.on("close", (code, signal) => {
      clearTimeout(timer);
      const events: Event[] = [];
      for (const line of out.split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          events.push(JSON.parse(line) as Event);
        } catch {
          // A line cut off by a kill.
        }
      }
      const done = events.some((e) => e.type === "done");
      let failure: string | null = null;
      if (timedOut) failure = `killed after ${CHILD_TIMEOUT_MS / 60000} min`;
      else if (!done) {
        const lastError =
          err
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => /error|heap|memory/i.test(l))
            .pop() ?? err.trim().split("\n").pop();
        failure = `child exited (${signal ?? `code ${code}`})${lastError ? `: ${lastError.slice(0, 200)}` : ""}`;
      }
      resolve({ events, failure, seconds: (performance.now() - start) / 1000 });
    });
  });
}

interface Stats {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

function latency(ms: number[]): Stats {
  const sorted = [...ms].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  return { n: sorted.length, p50: rank(0.5), p95: rank(0.95), max: sorted[sorted.length - 1] ?? Number.NaN };
}

function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms).toLocaleString("en-US")} ms`;
}

function fmtSpeedUp(ratio: number): string {
  if (!Number.isFinite(ratio)) return "-";
  return ratio >= 100 ? Math.round(ratio).toLocaleString("en-US") : ratio.toFixed(1);
}

function fmtRatio({ hits, n }: Tally, sampled: boolean): string {
  if (n === 0) return "-";
  return sampled ? `${hits}/${n}` : (hits / n).toFixed(3);
}

type QEvent = Extract<Event, { type: "q" }>;

interface Row {
  matcher: MatcherName;
  result: JobResult;
  queries: Query[];
  sampled: boolean;
  answers: Map<string, QEvent>;
}

function expected(q: Query): string[] {
  return q.expect === null ? [] : Array.isArray(q.expect) ? q.expect : [q.expect];
}

interface Tally {
  hits: number;
  n: number;
}

function accuracy(row: Row) {
  const tally = (): Tally => ({ hits: 0, n: 0 });
  const count = {
    exact: tally(),
    noisy: tally(),
    paraphrase: tally(),
    negative: tally(),
    wrong: tally(),
    errors: 0,
  };
  for (const q of row.queries) {
    const a = row.answers.get(q.id);
    if (!a) continue;
    if (a.error) count.errors++;
    const ok = expected(q);
    const top = a.ids[0];
    if (q.kind === "negative") {
      count.negative.n++;
      if (!a.confident) count.negative.hits++;
      continue;
    }
    count.wrong.n++;
    if (a.confident && top !== undefined && !ok.includes(top)) count.wrong.hits++;
    const slot = count[q.kind];
    slot.n++;
    const hit =
      q.kind === "paraphrase"
        ? a.ids.slice(0, 3).some((id) => ok.includes(id))
        : a.confident && ok.includes(top ?? "");
    if (hit) slot.hits++;
  }
  return count;
}

function pad(text: string, width: number, left = false): string {
  return left ? text.padEnd(width) : text.padStart(width);
}

function printSection(section: Section, rows: Row[]): void {
  const corpusEvent = findEvent(
    rows.flatMap((r) => r.result.events),
    "corpus",
  );
  console.log(`\n## ${section.label}`);
  if (corpusEvent) {
    const synthetic =
      corpusEvent.synthetic > 0
        ? `, ${corpusEvent.synthetic.toLocaleString("en-US")} synthetic (seed ${SEED}; quoting a complete base message: ${corpusEvent.quoting})`
        : "";
    console.log(
      `${corpusEvent.articles.toLocaleString("en-US")} articles${synthetic}; the articles themselves take ` +
        `${corpusEvent.textsMB.toFixed(1)} MB of heap + arrayBuffers (loaded${synthetic ? " + synthesized" : ""} in ${fmtMs(corpusEvent.ms)})`,
    );
  }
  const header = [
    pad("matcher", 11, true),
    pad("build", 10),
    pad("index mem", 11),
    pad("queries", 12),
    pad("p50", 10),
    pad("p95", 10),
    pad("max", 10),
    pad("exact@1", 8),
    pad("noisy@1", 8),
    pad("para@3", 7),
    pad("neg-rej", 8),
    pad("conf-wrong", 11),
  ].join(" ");
  console.log(header);
  const notes: string[] = [];
  for (const row of rows) {
    const events = row.result.events;
    const skip = findEvent(events, "skip");
    if (skip) {
      console.log(`${pad(row.matcher, 11, true)} not measured: ${skip.reason}`);
      continue;
    }
    const buildError = findEvent(events, "buildError");
    if (buildError) {
      console.log(`${pad(row.matcher, 11, true)} not measured: build threw ${buildError.message}`);
      continue;
    }
    const build = findEvent(events, "build");
    if (!build) {
      console.log(`${pad(row.matcher, 11, true)} not measured: ${row.result.failure ?? "no build event"}`);
      continue;
    }
    const times = row.queries.flatMap((q) => {
      const a = row.answers.get(q.id);
      return a ? [a.ms] : [];
    });
    const lat = latency(times);
    const acc = accuracy(row);
    const s = row.sampled;
    const got = lat.n < row.queries.length ? `${lat.n}/${row.queries.length}` : `${lat.n}`;
    console.log(
      [
        pad(row.matcher, 11, true),
        pad(build.ms >= 1000 ? `${(build.ms / 1000).toFixed(2)} s` : fmtMs(build.ms), 10),
        pad(`${build.heapMB.toFixed(1)} MB`, 11),
        pad(`${got}${s ? " sample" : " all"}`, 12),
        pad(fmtMs(lat.p50), 10),
        pad(fmtMs(lat.p95), 10),
        pad(fmtMs(lat.max), 10),
        pad(fmtRatio(acc.exact, s), 8),
        pad(fmtRatio(acc.noisy, s), 8),
        pad(fmtRatio(acc.paraphrase, s), 7),
        pad(fmtRatio(acc.negative, s), 8),
        pad(fmtRatio(acc.wrong, s), 11),
      ].join(" "),
    );
    if (acc.errors > 0) notes.push(`${row.matcher}: ${acc.errors} queries threw`);
    if (row.result.failure) notes.push(`${row.matcher}: ${row.result.failure} (partial results above)`);
    for (const e of events) {
      if (e.type === "paste")
        notes.push(
          `ours on a ${e.chars.toLocaleString("en-US")}-char ${e.label} paste: ${fmtMs(e.ms)}, ${e.answer}`,
        );
    }
  }
  // Speed-ups at p95, on the queries both matchers answered.
  const ours = rows.find((r) => r.matcher === "ours");
  for (const other of rows) {
    if (other.matcher === "ours") continue;
    if (!ours || ours.answers.size === 0 || other.answers.size === 0) {
      notes.push(
        `speed-up ours vs ${other.matcher}: not measured (${!ours || ours.answers.size === 0 ? "ours" : other.matcher} has no timings)`,
      );
      continue;
    }
    const common = other.queries.filter((q) => ours.answers.has(q.id) && other.answers.has(q.id));
    const oursP95 = latency(common.map((q) => (ours.answers.get(q.id) as QEvent).ms)).p95;
    const otherP95 = latency(common.map((q) => (other.answers.get(q.id) as QEvent).ms)).p95;
    notes.push(
      `speed-up ours vs ${other.matcher} (p95 over the same ${common.length} queries): ×${fmtSpeedUp(otherP95 / oursP95)} ` +
        `(${fmtMs(oursP95)} vs ${fmtMs(otherP95)})`,
    );
  }
  for (const note of notes) console.log(`  ${note}`);
}

function printNormalize(result: JobResult): void {
  console.log("\n## normalizePaste (src/match/normalize.ts), median of 5 runs (3 at 1M chars)");
  const skip = findEvent(result.events, "skip");
  if (skip) {
    console.log(`not measured: ${skip.reason}`);
    return;
  }
  const cap = findEvent(result.events, "normCap");
  if (cap) {
    console.log(
      `(normalizePaste cuts its input to MAX_PASTE_CHARS = ${cap.chars.toLocaleString("en-US")} first; "cut" marks sizes it truncated, ` +
        "so linearity shows up to that size and larger pastes cost the same)",
    );
  }
  const norms = result.events.filter((e): e is Extract<Event, { type: "norm" }> => e.type === "norm");
  const labels = [...new Set(norms.map((e) => e.label))];
  for (const label of labels) {
    const cells = norms
      .filter((e) => e.label === label)
      .map(
        (e) =>
          `${(e.chars / 1000).toLocaleString("en-US")}k${e.truncated ? " cut" : ""} ${fmtMs(e.ms)}` +
          ` (${((e.ms * 10_000) / e.chars).toFixed(3)} ms/10k)`,
      );
    console.log(
      `${pad(label === "mixed" ? "mixed adversarial" : `only ${label}`, 18, true)} ${cells.join("  ")}`,
    );
  }
  if (result.failure) console.log(`  ${result.failure} (sizes missing above did not finish)`);
}

export async function runMatchBench(): Promise<void> {
  const start = performance.now();
  console.log("\n# Matcher benchmark");
  if (!existsSync(queriesFile)) {
    console.log(`${queriesFile} not found: the matcher benchmark needs ../shared/kb-dev; skipped.`);
    return;
  }
  console.log(
    [
      "Each (corpus, matcher) runs in a fresh process, on the same articles and the same raw query texts; fuse.js and",
      "MiniSearch get a trivial Slack cleanup, ours its own normaliser. Warm-up: a throwaway 300-article instance + 5",
      "fixed texts, then 3 texts on the real index (not fuse.js: one query costs ~1 ms per article).",
      "index mem = heapUsed + arrayBuffers after gc, after build minus before (the articles' own memory is given per corpus).",
      "exact@1 / noisy@1 = confident and correct; para@3 = an expected id in the top 3; neg-rej = no confident answer;",
      "conf-wrong = confident wrong answers / positives. Sampled rows (seeded, round-robin over kinds) show hits/n.",
      "Latency nearest rank. Confident: ours verdict 'match'; MiniSearch any result; fuse.js best score <= 0.6.",
    ].join("\n"),
  );
  const all = readQueries();
  for (const section of SECTIONS) {
    const pool = queriesFor(all, section.corpus);
    const rows: Row[] = [];
    for (const matcher of MATCHERS) {
      const sample = section.sample[matcher];
      const job: MatcherJob = {
        type: "matcher",
        matcher,
        corpus: section.corpus,
        size: section.size,
        sample,
      };
      const result = await runChild(job);
      const answers = new Map<string, QEvent>();
      for (const e of result.events) if (e.type === "q") answers.set(e.id, e);
      const queries = sampleQueries(pool, sample);
      rows.push({ matcher, result, queries, sampled: queries.length < pool.length, answers });
    }
    printSection(section, rows);
    const took = rows.map((r) => `${r.matcher} ${r.result.seconds.toFixed(0)} s`).join(", ");
    console.log(`  wall time per child: ${took}`);
  }
  printNormalize(await runChild({ type: "normalize" }));
  console.log(`\nMatcher benchmark took ${((performance.now() - start) / 1000).toFixed(0)} s.`);
}

const invokedDirectly =
  process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url;
if (invokedDirectly) {
  if (process.argv[2] === "child") await child(JSON.parse(process.argv[3] ?? "{}") as Job);
  else await runMatchBench();
}
