/** The two article formats the knowledge folder can hold. */
export type ArticleFormat = "mskb" | "markdown";

/**
 * One parsed knowledge-base article, the same shape for both formats.
 * Texts keep paragraphs (separated by a blank line) and list structure; hard line wraps are undone.
 */
export interface Article {
  /** `Q263411` from `DOCUMENT:`, or the Markdown front-matter `id` / file name. Unique in a knowledge folder. */
  id: string;
  format: ArticleFormat;
  title: string;
  products: string[];
  /** The whole SYMPTOMS section, quoted messages included. */
  symptoms: string;
  /** The literal messages quoted in SYMPTOMS, one string each, wrapped lines joined with single spaces. */
  errors: string[];
  cause: string;
  /** The RESOLUTION section, or the WORKAROUND when RESOLUTION is missing or empty. */
  resolution: string;
  workaround: string;
  status: string;
  moreInfo: string;
  keywords: string[];
  queryWords: string[];
  url?: string;
  /** Path of the file relative to the knowledge folder, with `/` separators. */
  source: string;
  /** What else the file says that the model has no field for: header fields, SUMMARY, unknown front-matter keys. */
  meta: Record<string, unknown>;
}

export type Severity = "error" | "warning";

/** A problem found in a knowledge file, always located so an author can jump to it. */
export interface Problem {
  severity: Severity;
  /** Path relative to the knowledge folder (or as given, for a single file). */
  file: string;
  /** 1-based line number; 1 for problems about the file as a whole. */
  line: number;
  /** Stable machine-readable code, e.g. `missing-symptoms`. */
  code: string;
  message: string;
}

/** What a parser returns: an article when the file is usable, and every problem it found either way. */
export interface ParseResult {
  article: Article | null;
  problems: Problem[];
  /** 1-based line where the id is declared, so a duplicate id can point at it. */
  idLine?: number;
}
