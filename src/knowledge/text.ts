/** Text helpers shared by both article parsers. Pure functions, no I/O. */

/** CRLF and lone CR become LF; tabs expand to 8-column stops so indentation compares alike. */
export function normalizeNewlines(text: string): string[] {
  const lines = text.split(/\r\n?|\n/);
  return lines.map((line) => (line.includes("\t") ? expandTabs(line) : line));
}

function expandTabs(line: string): string {
  let out = "";
  for (const ch of line) {
    if (ch === "\t") out += " ".repeat(8 - (out.length % 8));
    else out += ch;
  }
  return out;
}

/** Number of leading spaces. */
export function indentOf(line: string): number {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) === 32) i++;
  return i;
}

export function isBlank(line: string): boolean {
  return line.trim() === "";
}

// A paragraph that introduces a quoted message: "...you receive the following error message:".
const INTRO_WORDS =
  /\b(?:errors?|messages?|warnings?|dialog(?:ue)?(?: box(?:es)?)?|prompts?|prompted|alerts?)\b/i;
// Markdown articles also introduce messages as notifications, banners or "the following text".
const INTRO_WORDS_MARKDOWN =
  /\b(?:errors?|messages?|warnings?|dialog(?:ue)?(?: box(?:es)?)?|prompts?|prompted|alerts?|notifications?|banners?|text|output)\b/i;
// Several messages follow, one per block: "one of the following error messages:".
const PLURAL_INTRO =
  /\b(?:messages|errors|warnings|prompts|alerts|notifications|(?:one|any|either|each|some|all) of (?:the )?(?:following|these|them)|the following \w+ (?:messages|errors))\b/i;

/** True for a paragraph (wrapped lines already joined) that ends with a colon and speaks of a message. */
export function isErrorIntro(paragraph: string, format: "mskb" | "markdown" = "mskb"): boolean {
  const text = paragraph.trim();
  if (!text.endsWith(":")) return false;
  return (format === "markdown" ? INTRO_WORDS_MARKDOWN : INTRO_WORDS).test(text);
}

/** True when the intro announces several alternative messages, each in its own block. */
export function isPluralIntro(paragraph: string): boolean {
  return PLURAL_INTRO.test(paragraph);
}

/** Collapses runs of whitespace to single spaces. */
export function squash(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Splits a keyword list written with spaces, commas or semicolons; drops empties and repeats. */
export function splitKeywords(text: string): string[] {
  return unique(text.split(/[\s,;]+/).filter((w) => w.length > 0));
}

export function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}

// A list item: "1. ", "2) ", "a. ", "- ", "* ", "o " bullets (MS KB uses all of them).
const LIST_ITEM = /^(\s*)(?:\d{1,3}[.)]|[a-zA-Z][.)]|[-*+\u2022o](?=\s))\s+(?=\S)/;

/** When the line starts a list item, the column where its text starts (continuation lines align there). */
export function listItemTextColumn(line: string): number | null {
  const m = LIST_ITEM.exec(line);
  return m ? m[0].length : null;
}
