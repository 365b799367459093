import type { Article } from "../knowledge/types.js";

/**
 * `match`: present the top result as *the* answer. `possible`: offer up to 3 candidates.
 * `none`: nothing in the knowledge base fits.
 */
export type Verdict = "match" | "possible" | "none";

/** Why a result matched, so a reply can show it. */
export interface MatchWhy {
  /** The article's quoted error message (or symptom sentence) that matched best, as written in the article. */
  line: string;
  /** Where `line` comes from. */
  field: "error" | "title" | "symptoms" | "queryWords";
  /** Error codes shared by the paste and the article (`0x80070005`, `ORA-12154`, ...). */
  codes: string[];
  /** Informative words shared by the paste and the article. */
  terms: string[];
}

export interface MatchResult {
  article: Article;
  /** Confidence in [0, 1] that this is the article for the paste. */
  score: number;
  why: MatchWhy;
}

export interface MatchResponse {
  verdict: Verdict;
  /** Best first; at most `limit`. Empty only when nothing shares a single informative term with the paste. */
  results: MatchResult[];
  /**
   * The paste reduced to its error (normalizePaste's text, whitespace collapsed): what the store groups gaps
   * by. Computed where the match is, so the app's main thread does not normalize the paste again.
   */
  normalized?: string;
}

export interface MatchOptions {
  /** How many results to return (default 5). */
  limit?: number;
}

export interface Matcher {
  match(text: string, options?: MatchOptions): MatchResponse;
  /** Number of articles indexed. */
  readonly size: number;
}
