/**
 * The matchers the benchmark compares, behind one interface: plain fuse.js (the configuration kb-dev's README
 * reports "for scale"), MiniSearch with BM25+ and fuzzy/prefix search, and ours (`createMatcher`).
 *
 * `confident` is what the bot would present as *the* answer: fuse's best score ≤ 0.6 (as in the README),
 * MiniSearch any result (it has no notion of "no match"), ours verdict `match`.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import Fuse from "fuse.js";
import MiniSearch from "minisearch";
import type { Article } from "../src/knowledge/types.js";
import type { Matcher } from "../src/match/types.js";

export interface BenchAnswer {
  /** Article ids, best first (at most 5). */
  ids: string[];
  /** Whether the top id would be presented as the answer. */
  confident: boolean;
}

export interface BenchMatcher {
  name: string;
  build(articles: Article[]): void | Promise<void>;
  match(text: string): BenchAnswer;
}

const LIMIT = 5;

/** The trivial cleanup given to both reference matchers: Slack escapes undone, code fences and backticks gone. */
export function slackCleanup(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/`+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** fuse.js 7.5: keys errors ×3, title, symptoms; ignoreLocation, threshold 0.6; confident when score ≤ 0.6. */
export function fuseMatcher(): BenchMatcher {
  let fuse: Fuse<Article> | null = null;
  return {
    name: "fuse.js",
    build(articles) {
      fuse = new Fuse(articles, {
        keys: [{ name: "errors", weight: 3 }, "title", "symptoms"],
        ignoreLocation: true,
        threshold: 0.6,
        includeScore: true,
      });
    },
    match(text) {
      if (!fuse) throw new Error("fuse.js matcher used before build()");
      const query = slackCleanup(text);
      const results = query ? fuse.search(query, { limit: LIMIT }) : [];
      const top = results[0];
      return {
        ids: results.map((r) => r.item.id),
        confident: top !== undefined && (top.score ?? 1) <= 0.6,
      };
    },
  };
}

/** MiniSearch 7: errors/title/symptoms/queryWords, fuzzy 0.2, prefix, boost errors 3 / title 2, BM25+ defaults. */
export function miniSearchMatcher(): BenchMatcher {
  let index: MiniSearch<Article> | null = null;
  return {
    name: "MiniSearch",
    build(articles) {
      index = new MiniSearch<Article>({
        idField: "id",
        fields: ["errors", "title", "symptoms", "queryWords"],
        extractField: (doc, field) => {
          const value = (doc as unknown as Record<string, unknown>)[field];
          return Array.isArray(value) ? value.join("\n") : (value as string);
        },
        searchOptions: { fuzzy: 0.2, prefix: true, boost: { errors: 3, title: 2 } },
      });
      index.addAll(articles);
    },
    match(text) {
      if (!index) throw new Error("MiniSearch matcher used before build()");
      const query = slackCleanup(text);
      const results = query ? index.search(query) : [];
      return {
        ids: results.slice(0, LIMIT).map((r) => String(r.id)),
        confident: results.length > 0,
      };
    },
  };
}

type BuildMatcher = (articles: Article[], options?: unknown) => Promise<Matcher>;

const matcherModule = new URL("../src/match/matcher.js", import.meta.url);
const matcherSource = fileURLToPath(new URL("../src/match/matcher.ts", import.meta.url));

/**
 * Ours, `buildMatcher` from src/match/matcher.ts (the index built on both cores, as the app builds it), imported dynamically so the benchmark runs before it exists.
 * Returns the matcher, or a sentence saying why it cannot be benchmarked.
 */
export async function ourMatcher(): Promise<BenchMatcher | string> {
  if (!existsSync(matcherSource)) return "src/match/matcher.ts does not exist yet";
  let buildMatcher: BuildMatcher;
  try {
    const module = (await import(matcherModule.href)) as { buildMatcher?: unknown };
    if (typeof module.buildMatcher !== "function") return "src/match/matcher.ts does not export buildMatcher";
    buildMatcher = module.buildMatcher as BuildMatcher;
  } catch (error) {
    return `src/match/matcher.ts failed to load: ${firstLine(error)}`;
  }
  let matcher: Matcher | null = null;
  const bench: BenchMatcher = {
    name: "ours",
    async build(articles) {
      // No answer cache: every query is timed as the first of its kind.
      matcher = await buildMatcher(articles, { cacheSize: 0 });
    },
    match(text) {
      if (!matcher) throw new Error("our matcher used before build()");
      const response = matcher.match(text, { limit: LIMIT });
      return {
        ids: response.results.map((r) => r.article.id),
        confident: response.verdict === "match",
      };
    },
  };
  return bench;
}

export function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split("\n")[0] ?? text;
}
