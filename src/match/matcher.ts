import Fuse from "fuse.js";
import type { Article } from "../knowledge/types.js";
import { buildIndex, type Candidate, type IndexOptions, SearchIndex } from "./index.js";
import { maskVariables, type NormalizedPaste, normalizePaste } from "./normalize.js";
import { comparable, nearStopWord, stem, tokenize, withinOneEdit, words } from "./tokens.js";
import type { Matcher, MatchOptions, MatchResponse, MatchResult, MatchWhy, Verdict } from "./types.js";

/** Every knob of the matcher, with its default, in one place. docs/matcher.md says why each value. */
export interface MatcherOptions {
  index: IndexOptions;
  /** Articles the BM25F shortlist hands to re-scoring. */
  shortlistSize: number;
  /** The BM25F shortlist is this many times wider, then narrowed on quoted errors and titles (see match). */
  widening: number;
  /** The rarest query terms used for the shortlist; more cost time and add little. */
  maxQueryTerms: number;
  /** How much a line of each kind counts when it is the best match of an article. */
  lineWeights: Record<MatchWhy["field"], number>;
  /** Share of a line's score taken from how much of the paste it explains (the rest: how much of the line the paste has). */
  pasteCoverageWeight: number;
  /** Bonus when the paste and the article share an error code; penalty when the paste's codes are all absent. */
  codeBonus: number;
  codePenalty: number;
  /** Lowest score of an article one of whose lines the paste is, word for word; or a long piece of. */
  exactScore: number;
  pieceScore: number;
  /**
   * Added per unit of the paste's (IDF-weighted) words that other lines of the same article explain beyond
   * its best line: a paraphrase mixes the title's, the message's and the symptoms' words, and only the
   * article they all come from has them all.
   */
  corroborationWeight: number;
  /** Share of the final score from fuse.js's character-level similarity of the paste and the best line. */
  fuseWeight: number;
  /** Distinct lines re-scored with fuse.js: at most this many, of the best articles within `fuseWindow` of the best. */
  fuseCandidates: number;
  fuseWindow: number;
  /** When no candidate reaches `thresholds.match`: how much a candidate's BM25F score, relative to the best, counts. */
  uncertainBm25Weight: number;
  /** Scores at or above `match` (and clear of the runner-up by `margin`) are *the* answer; at or above `possible`, candidates. */
  thresholds: { match: number; possible: number; margin: number };
  /** Results returned when the caller does not say. */
  limit: number;
  /**
   * Answers kept for pastes that normalize alike (same error, other host names, paths, times): helpdesk
   * channels see the same errors again and again. Least recently used go first; 0 turns it off.
   */
  cacheSize: number;
}

export const DEFAULT_MATCHER_OPTIONS: MatcherOptions = {
  index: { fieldWeights: { errors: 3, title: 2, queryWords: 1, symptoms: 1 }, k1: 1.2, b: 0.5 },
  shortlistSize: 40,
  widening: 3,
  maxQueryTerms: 24,
  lineWeights: { error: 1, title: 0.9, symptoms: 0.85, queryWords: 0.6 },
  pasteCoverageWeight: 0.6,
  codeBonus: 0.15,
  codePenalty: 0.2,
  exactScore: 0.95,
  pieceScore: 0.85,
  corroborationWeight: 0.3,
  fuseWeight: 0.15,
  fuseCandidates: 5,
  fuseWindow: 0.15,
  uncertainBm25Weight: 0.3,
  thresholds: { match: 0.72, possible: 0.4, margin: 0.06 },
  limit: 5,
  cacheSize: 1000,
};

export type MatcherOverrides = Partial<Omit<MatcherOptions, "index" | "lineWeights" | "thresholds">> & {
  index?: Partial<IndexOptions>;
  lineWeights?: Partial<MatcherOptions["lineWeights"]>;
  thresholds?: Partial<MatcherOptions["thresholds"]>;
};

export function resolveOptions(overrides: MatcherOverrides = {}): MatcherOptions {
  const d = DEFAULT_MATCHER_OPTIONS;
  return {
    ...d,
    ...overrides,
    index: { ...d.index, ...overrides.index },
    lineWeights: { ...d.lineWeights, ...overrides.lineWeights },
    thresholds: { ...d.thresholds, ...overrides.thresholds },
  };
}

/** A line of an article the paste is compared with: a quoted error, the title, a symptom sentence. */
interface Line {
  text: string;
  field: MatchWhy["field"];
  terms: string[];
  /** Variable parts of the line (`<filename>`, `xxxx`, a path): each can stand for a few words of the paste. */
  slots: number;
  /** The line's words as written, for typo matching (stems of misspelt words go astray). */
  raw: string[];
  /** The line with variable parts masked, and its word-for-word comparison key. */
  masked: string;
  key: string;
}

interface Scored {
  candidate: Candidate;
  score: number;
  line: Line;
  matchedTerms: string[];
  /** The paste is this line, or a long piece of it, word for word (case, punctuation, masked variables aside). */
  exact?: boolean;
}

// A paste found word for word inside a longer line counts as exact when it is at least this long.
const MIN_PIECE_CHARS = 24;
const MIN_PIECE_WORDS = 4;

// Paste lines looked up word for word in the quoted errors, and articles taken per line.
const MAX_EXACT_LINES = 50;
const MAX_EXACT_ARTICLES = 10;

// Paste words in at most this many articles may be typos of a line word.
const RARE_DF = 2;
// A variable part of a line takes up to this many unknown paste words, once this much of the line matched.
const WORDS_PER_SLOT = 3;
const SLOT_MIN_LINE_COVERAGE = 0.6;

// Re-scoring needs each candidate's lines tokenized; popular articles come back often, so keep the latest.
const LINE_CACHE_SIZE = 4096;

/** A matcher over `articles`; `index` when already built for them with the same index options (buildMatcher). */
export function createMatcher(
  articles: readonly Article[],
  overrides: MatcherOverrides = {},
  prebuilt?: SearchIndex,
): Matcher {
  const options = resolveOptions(overrides);
  const index = prebuilt ?? new SearchIndex(articles, options.index);
  // Quoted errors and title ("head" lines) are needed for every widened candidate, the symptom sentences
  // only for the narrowed shortlist, so they are built and cached apart.
  const headCache = new Map<number, Line[]>();
  const lineCache = new Map<number, Line[]>();
  const cached = (cache: Map<number, Line[]>, doc: number, build: () => Line[]): Line[] => {
    const hit = cache.get(doc);
    if (hit) return hit;
    const lines = build();
    if (cache.size >= LINE_CACHE_SIZE) cache.delete(cache.keys().next().value as number);
    cache.set(doc, lines);
    return lines;
  };
  const headLinesOf = (doc: number) =>
    cached(headCache, doc, () => headLines(articles[doc] as Article, index.maskedErrors(doc)));
  const linesOf = (doc: number) =>
    cached(lineCache, doc, () => [
      ...headLinesOf(doc),
      ...otherLines(articles[doc] as Article, headLinesOf(doc)),
    ]);

  // Keyed on what the answer depends on: the normalized paste, its codes, whether it was cut off, the limit.
  const cache = new Map<string, MatchResponse>();
  const cacheKey = (paste: NormalizedPaste, limit: number): string | null => {
    if (options.cacheSize <= 0 || paste.text.length > 4000) return null;
    return `${limit}\u0001${paste.cutOff ? 1 : 0}\u0001${paste.codes.join(" ")}\u0001${paste.text}`;
  };
  const copy = (r: MatchResponse): MatchResponse => ({ ...r, results: r.results.slice() });

  const matcher: Matcher = {
    size: articles.length,
    match(text: string, matchOptions: MatchOptions = {}): MatchResponse {
      const limit = Math.max(1, Math.min(matchOptions.limit ?? options.limit, 50));
      const paste = normalizePaste(typeof text === "string" ? text : "");
      const key = cacheKey(paste, limit);
      const hit = key === null ? undefined : cache.get(key);
      if (key !== null && hit) {
        cache.delete(key);
        cache.set(key, hit);
        return copy(hit);
      }
      const response = uncached(text, limit);
      response.normalized = paste.text.replace(/\s+/g, " ").trim();
      if (key !== null) {
        cache.set(key, response);
        if (cache.size > options.cacheSize) cache.delete(cache.keys().next().value as string);
      }
      return copy(response);
    },
  };
  return matcher;

  /** The answer itself (see `match` for the cache in front of it). */
  function uncached(text: string, limit: number): MatchResponse {
    const paste = normalizePaste(typeof text === "string" ? text : "");
    // Each stem with the word it was written as; misspelt stop words ("wile", "culd") are dropped.
    const rawOf = new Map<string, string>();
    for (const word of words(paste.text)) {
      const term = stem(word);
      if (index.documentFrequency(term) === 0 && nearStopWord(word)) continue;
      if (!rawOf.has(term)) rawOf.set(term, word);
    }
    const pasteTerms = withCompounds(
      tokenize(paste.text).filter((t, n, all) => rawOf.has(t) && all.indexOf(t) === n),
      paste.text,
      index,
    );
    if (pasteTerms.length === 0 && paste.codes.length === 0) return { verdict: "none", results: [] };

    const idf = new Map(pasteTerms.map((t) => [t, index.idf(t)]));
    const pasteWeight = [...idf.values()].reduce((a, b) => a + b, 0);
    // A wide BM25F shortlist, narrowed by how well each candidate's quoted errors and title cover the paste
    // (cheap: a few lines each), keeps near-duplicates of a message part from crowding out the article
    // that quotes the whole message; only the narrowed list pays for the symptom sentences.
    const wide = index.shortlist(
      pasteTerms,
      paste.codes,
      options.shortlistSize * options.widening,
      options.maxQueryTerms,
    );
    // The best line of a set, weighted by its kind.
    const bestLine = (lines: readonly Line[]) => {
      let best = { score: 0, line: undefined as Line | undefined, matched: [] as string[] };
      for (const line of lines) {
        const { score, matched } = lineScore(
          line,
          pasteTerms,
          idf,
          pasteWeight,
          index,
          options,
          paste.cutOff,
          rawOf,
        );
        const weighted = score * options.lineWeights[line.field];
        if (weighted > best.score) best = { score: weighted, line, matched };
      }
      return best;
    };
    const keep = new Set(wide.slice(0, options.shortlistSize / 2).map((c) => c.doc));
    const byLines = wide
      .filter((c) => !keep.has(c.doc))
      .map((c) => ({ c, s: bestLine(headLinesOf(c.doc)).score }))
      .sort((a, b) => b.s - a.s)
      .slice(0, options.shortlistSize - keep.size)
      .map((x) => x.c);
    const candidates = [...wide.filter((c) => keep.has(c.doc)), ...byLines];
    // Articles quoting the paste, or one of its lines, word for word are candidates whatever BM25F thinks:
    // in a large KB, hundreds of articles can share most of a short message's words.
    const pasteKey = comparable(paste.text); // normalizePaste has masked it already
    const present = new Set(candidates.map((c) => c.doc));
    const keys = new Set([pasteKey, ...paste.text.split("\n", MAX_EXACT_LINES).map(comparable)]);
    for (const key of keys) {
      for (const doc of index.articlesQuoting(key).slice(0, MAX_EXACT_ARTICLES)) {
        if (present.has(doc)) continue;
        present.add(doc);
        const codes = paste.codes.filter((code) => index.articlesWithCode(code).includes(doc));
        candidates.push({ doc, bm25: 0, codes });
      }
    }

    const scored: Scored[] = candidates.map((candidate) => {
      const lines = linesOf(candidate.doc);
      const found = bestLine(lines);
      const best: Scored = {
        candidate,
        score:
          found.score +
          options.corroborationWeight * corroboration(lines, found.matched, pasteTerms, idf, pasteWeight),
        line: found.line ?? { text: "", field: "error", terms: [], slots: 0, raw: [], masked: "", key: "" },
        matchedTerms: found.matched,
      };
      best.score = applyCodes(best.score, paste.codes, candidate, index.quotesCodes(candidate.doc), options);
      return best;
    });
    scored.sort((a, b) => b.score - a.score);

    // The paste is, word for word, one of the article's lines (or a long enough piece of one): the
    // strongest evidence there is.
    const canBePiece = pasteKey.length >= MIN_PIECE_CHARS && pasteKey.split(" ").length >= MIN_PIECE_WORDS;
    // Every candidate is checked for the whole line (one string comparison: an article found by the exact
    // lookup may rank below many lookalikes); only the best few for a piece.
    scored.forEach((s, rank) => {
      const lineKey = s.line.key;
      const whole = pasteKey.length > 0 && lineKey === pasteKey;
      const piece =
        !whole && canBePiece && rank < options.fuseCandidates * 2 && ` ${lineKey} `.includes(` ${pasteKey} `);
      s.exact = whole || piece;
      if (whole) s.score = Math.max(s.score, options.exactScore);
      else if (piece) s.score = Math.max(s.score, options.pieceScore);
    });
    scored.sort((a, b) => b.score - a.score);
    // Token scores tie when lines differ only in stop words, punctuation or word order; fuse.js compares
    // characters and breaks those ties. Only the close contenders pay for it.
    const leader = scored[0]?.score ?? 0;
    if (options.fuseWeight > 0 && paste.text) {
      const masked = maskVariables(paste.text);
      // Several articles often share a line (a title, a common message): compare each distinct line once,
      // and give every contender with that line the same result, so ties stay ties.
      // Contenders past the first `fuseCandidates` distinct lines get the lowest similarity found: never
      // better than those compared, and never left with an unblended (higher) score.
      const similarityOf = new Map<string, number>();
      let lowest = 1;
      for (const s of scored) {
        if (leader - s.score > options.fuseWindow) break;
        let similarity = similarityOf.get(s.line.masked);
        if (similarity === undefined && similarityOf.size < options.fuseCandidates) {
          similarity = fuseSimilarity(masked, s.line.masked);
          similarityOf.set(s.line.masked, similarity);
          lowest = Math.min(lowest, similarity);
        }
        s.score = (1 - options.fuseWeight) * s.score + options.fuseWeight * (similarity ?? lowest);
      }
      scored.sort((a, b) => Number(b.exact) - Number(a.exact) || b.score - a.score);
    }
    // Nobody is confident (a paraphrase, a vague description): the lines alone judge a retelling poorly, and
    // BM25F over the whole article (title, symptoms and messages together) is the better guide to which
    // candidates to offer. Articles below the best BM25F score lose up to `uncertainBm25Weight`.
    if (options.uncertainBm25Weight > 0 && (scored[0]?.score ?? 0) < options.thresholds.match) {
      let top = 0;
      for (const s of scored) top = Math.max(top, s.candidate.bm25);
      if (top > 0) {
        for (const s of scored) s.score += options.uncertainBm25Weight * (s.candidate.bm25 / top - 1);
        scored.sort((a, b) => b.score - a.score);
      }
    }

    const results: MatchResult[] = scored.slice(0, limit).map((s) => ({
      article: articles[s.candidate.doc] as Article,
      score: round(s.score),
      why: whyOf(s),
    }));
    return { verdict: verdictOf(scored, options), results: results.filter((r) => r.score > 0) };
  }
}

/**
 * createMatcher with the index built on several threads (buildIndex): the same matcher, built in well under
 * the time at 100k articles on a 2-core machine. Small knowledge bases are built in this thread.
 */
export async function buildMatcher(
  articles: readonly Article[],
  overrides: MatcherOverrides = {},
  threads?: number,
): Promise<Matcher> {
  const index = await buildIndex(articles, resolveOptions(overrides).index, threads);
  return createMatcher(articles, overrides, index);
}

/**
 * Adds words the paste splits that the articles write as one ("TDI trace" for "TDITrace", "log on" for
 * "logon"): two neighbouring words whose joined form is a term of the index.
 */
function withCompounds(terms: string[], text: string, index: SearchIndex): string[] {
  const words = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 2000);
  const extra: string[] = [];
  for (let i = 1; i < words.length; i++) {
    const joined = stem(`${words[i - 1]}${words[i]}`);
    if (joined.length <= 40 && index.documentFrequency(joined) > 0 && !terms.includes(joined))
      extra.push(joined);
  }
  return extra.length > 0 ? [...terms, ...new Set(extra)] : terms;
}

function toLine(text: string, field: Line["field"], masked = maskVariables(text)): Line | null {
  const terms = [...new Set(tokenize(masked))];
  if (terms.length === 0) return null;
  const slots = masked.split("\u27e8").length - 1;
  return { text, field, terms, slots, raw: words(masked), masked, key: comparable(masked) };
}

/** An article's quoted errors and title, each with its distinct terms. */
function headLines(article: Article, maskedErrors: readonly string[]): Line[] {
  const lines = article.errors.map((error, n) => toLine(error, "error", maskedErrors[n]));
  lines.push(toLine(article.title, "title"));
  return lines.filter((l): l is Line => l !== null);
}

/** The symptom sentences (those not part of a quoted error) and the query words. */
function otherLines(article: Article, head: Line[]): Line[] {
  const lines: (Line | null)[] = [];
  // Symptom sentences that are (part of) a quoted error add nothing but a weaker duplicate of that line.
  const quoted = head.filter((l) => l.field === "error").map((l) => ` ${l.key} `);
  for (const sentence of sentences(article.symptoms)) {
    const masked = maskVariables(sentence);
    const key = ` ${comparable(masked)} `;
    if (!quoted.some((q) => q.includes(key))) lines.push(toLine(sentence, "symptoms", masked));
  }
  if (article.queryWords.length > 0) lines.push(toLine(article.queryWords.join(" "), "queryWords"));
  return lines.filter((l): l is Line => l !== null);
}

/** Paragraphs and lines of a text, split further at sentence ends; short fragments stay with their neighbour. */
function sentences(text: string): string[] {
  const out: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const flat = paragraph.replace(/\s+/g, " ").trim();
    if (!flat) continue;
    for (const part of flat.split(/(?<=[.!?])\s+(?=[A-Z])/)) if (part.length >= 12) out.push(part);
  }
  return out;
}

/**
 * How well a line and the paste explain each other, from the informative (IDF-weighted) terms they share:
 * most of the score from the share of the paste the line explains, the rest from the share of the line
 * found in the paste. Terms one typo apart count as shared.
 */
function lineScore(
  line: Line,
  pasteTerms: string[],
  idf: Map<string, number>,
  pasteWeight: number,
  index: SearchIndex,
  options: MatcherOptions,
  cutOff: boolean,
  rawOf: Map<string, string>,
): { score: number; matched: string[] } {
  const lineSet = new Set(line.terms);
  let lineWeight = 0;
  for (const t of line.terms) lineWeight += idfOf(t, idf, index);
  let matchedPaste = 0;
  let matchedLine = 0;
  const matched: string[] = [];
  const used = new Set<string>();
  const unknown: string[] = [];
  for (const term of pasteTerms) {
    let hit: string | undefined = lineSet.has(term) ? term : undefined;
    // A word (almost) no article uses is most likely a typo: let it stand for a line word one edit away.
    const df = index.documentFrequency(term);
    if (!hit && df <= RARE_DF) {
      const written = rawOf.get(term) ?? term;
      if (written.length >= 4 && !/\d/.test(written)) {
        const near = line.raw.find((w) => w.length >= 4 && withinOneEdit(w, written));
        if (near !== undefined && !used.has(stem(near))) hit = stem(near);
      }
    }
    if (hit === undefined && df === 0) unknown.push(term);
    if (hit === undefined || used.has(hit)) continue;
    used.add(hit);
    matched.push(term);
    matchedPaste += idf.get(term) ?? 0;
    matchedLine += idfOf(hit, idf, index);
  }
  if (pasteWeight === 0 || lineWeight === 0) return { score: 0, matched };
  // Words no article knows ("Q3_budget.xls", "jsmith") where the line has a variable part are that part's
  // value, once the rest of the line is there.
  if (line.slots > 0 && unknown.length > 0 && matchedLine / lineWeight >= SLOT_MIN_LINE_COVERAGE) {
    for (const term of unknown.slice(0, line.slots * WORDS_PER_SLOT)) matchedPaste += idf.get(term) ?? 0;
  }
  const pasteCoverage = matchedPaste / pasteWeight;
  // A cut-off paste ("...") holds only the start of the message: judge it by the part it has.
  const lineCoverage = cutOff
    ? Math.max(matchedLine / lineWeight, pasteCoverage * 0.9)
    : matchedLine / lineWeight;
  const w = options.pasteCoverageWeight;
  return { score: w * pasteCoverage + (1 - w) * Math.min(1, lineCoverage), matched };
}

/**
 * The share of the paste (by IDF weight) that the article's other lines explain and its best line does not.
 */
function corroboration(
  lines: readonly Line[],
  matchedByBest: readonly string[],
  pasteTerms: readonly string[],
  idf: Map<string, number>,
  pasteWeight: number,
): number {
  if (pasteWeight === 0) return 0;
  const done = new Set(matchedByBest);
  let extra = 0;
  for (const term of pasteTerms) {
    if (done.has(term)) continue;
    if (lines.some((l) => l.terms.includes(term))) extra += idf.get(term) ?? 0;
  }
  return extra / pasteWeight;
}

/** IDF through the query's memo: the same line terms come up across candidates. */
function idfOf(term: string, memo: Map<string, number>, index: SearchIndex): number {
  let value = memo.get(term);
  if (value === undefined) {
    value = index.idf(term);
    memo.set(term, value);
  }
  return value;
}

function applyCodes(
  score: number,
  pasteCodes: readonly string[],
  candidate: Candidate,
  articleQuotesCodes: boolean,
  options: MatcherOptions,
): number {
  if (pasteCodes.length === 0) return score;
  // Not capped at 1: scores only become [0, 1] in the results, so bonuses keep ranking apart what they lift.
  if (candidate.codes.length > 0) return score + options.codeBonus;
  // The paste names a code this article never quotes: a strong sign it is about something else, unless the
  // article quotes no code at all (many messages have none).
  return articleQuotesCodes ? Math.max(0, score - options.codePenalty) : score;
}

const fuseOptions = { includeScore: true, ignoreLocation: true, threshold: 1, isCaseSensitive: false };

/** fuse.js's similarity of the (masked) paste to one (masked) line, in [0, 1] (1 = the same text). */
function fuseSimilarity(paste: string, line: string): number {
  // Bitap works on patterns of up to 32 characters at a time; long pastes are compared by their start.
  const pattern = paste.slice(0, 256);
  const result = new Fuse([line], fuseOptions).search(pattern)[0];
  return result?.score === undefined ? 0 : 1 - result.score;
}

function verdictOf(scored: Scored[], options: MatcherOptions): Verdict {
  const top = scored[0];
  if (!top || top.score < options.thresholds.possible) return "none";
  if (top.score < options.thresholds.match) return "possible";
  // A runner-up that matched through the same message (several articles quote it) is no rival.
  const rival = scored.slice(1).find((s) => !sameMessage(s.line, top.line));
  if (!rival) return "match";
  // Word for word one article's message and not the rival's: that settles it.
  if (top.exact && !rival.exact) return "match";
  if (top.score - rival.score >= options.thresholds.margin) return "match";
  // A close rival that explains nothing the leader does not (a message sharing only part of the paste's
  // words) does not make the leader doubtful.
  const leading = new Set(top.matchedTerms);
  const dominated =
    rival.matchedTerms.every((t) => leading.has(t)) && leading.size > rival.matchedTerms.length;
  return dominated ? "match" : "possible";
}

function sameMessage(a: Line, b: Line): boolean {
  if (a.text === b.text) return true;
  const bs = new Set(b.terms);
  const shared = a.terms.filter((t) => bs.has(t)).length;
  return shared / (a.terms.length + b.terms.length - shared) >= 0.8;
}

function whyOf(s: Scored): MatchWhy {
  const matched = new Set(s.matchedTerms);
  const words: string[] = [];
  for (const word of s.line.text.match(/[\p{L}\p{N}]+/gu) ?? []) {
    const key = stem(word.toLowerCase());
    if (matched.has(key) && !words.some((w) => w.toLowerCase() === word.toLowerCase())) words.push(word);
  }
  return { line: s.line.text, field: s.line.field, codes: s.candidate.codes, terms: words.slice(0, 12) };
}

function round(n: number): number {
  return Math.round(Math.max(0, Math.min(1, n)) * 1000) / 1000;
}
