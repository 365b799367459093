/**
 * Words as the matcher compares them: lower case, split on anything that is not a letter or digit, common
 * English words dropped, light suffix stemming so "disabled" meets "disable". Error codes are matched by the
 * exact code index instead (see normalize.ts), but their text still yields tokens here.
 * Pure and linear in the input length.
 */

// Words that carry no meaning for matching errors. Kept short on purpose: "not", "cannot", "no", "unable",
// "failed", "denied" and "error" do carry meaning in error messages and are NOT here.
const STOP_WORDS = new Set(
  (
    "a an and are as at be been being but by for from had has have he her his i if in into is it its me my of " +
    "on or our she so than that the their them then there these they this those to us was we were what when " +
    "where which while who will with would you your yours am do does did doing can could should may might must " +
    "shall also just very too here any some such via per let lets im ive id youre dont thats"
  ).split(" "),
);

const LONG_STOP_WORDS = [...STOP_WORDS].filter((w) => w.length >= 4);

/** Placeholder tokens from maskVariables (⟨path⟩, ⟨var⟩ ...) match nothing, so they are skipped. */
const PLACEHOLDER = /\u27e8[^\u27e9\s]{0,20}\u27e9/g;
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Tokens of a text in order, repeats kept. A hyphenated compound also gives its joined form, so "e-mail" meets
 * "email" and "sign-in" meets "signin". Single letters carry nothing and are dropped (digits are kept).
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const clean = text.includes("\u27e8") ? text.replace(PLACEHOLDER, " ") : text;
  let previousEnd = -1;
  let previous = "";
  for (const match of clean.toLowerCase().matchAll(WORD)) {
    const word = match[0];
    const start = match.index;
    if (
      previous &&
      start === previousEnd + 1 &&
      clean[previousEnd] === "-" &&
      previous.length + word.length <= 40
    ) {
      out.push(stem(previous + word));
    }
    previous = word;
    previousEnd = start + word.length;
    if (word.length > 40 || STOP_WORDS.has(word) || (word.length === 1 && !/\d/.test(word))) continue;
    out.push(stem(word));
  }
  return out;
}

/** Distinct lower-case words of a text as written (not stemmed), stop words and single letters left out. */
export function words(text: string): string[] {
  const clean = text.includes("\u27e8") ? text.replace(PLACEHOLDER, " ") : text;
  const out = new Set<string>();
  for (const match of clean.toLowerCase().matchAll(WORD)) {
    const word = match[0];
    if (word.length <= 40 && !STOP_WORDS.has(word) && (word.length > 1 || /\d/.test(word))) out.add(word);
  }
  return [...out];
}

/** A misspelt stop word ("wile", "culd"): one edit from a stop word of four letters or more. */
export function nearStopWord(word: string): boolean {
  if (word.length < 3 || /\d/.test(word)) return false;
  for (const stop of LONG_STOP_WORDS) if (withinOneEdit(stop, word)) return true;
  return false;
}

/**
 * A light English stemmer: enough to bring "connecting / connection / connected / connects" and "files / file"
 * together, not a full Porter stemmer (which mangles product names). Words with digits are left alone.
 */
export function stem(word: string): string {
  if (word.length <= 4 || /\d/.test(word)) return word;
  let base = word;
  for (const [suffix, keep] of SUFFIXES) {
    if (word.endsWith(suffix) && word.length - suffix.length >= keep) {
      base = word.slice(0, word.length - suffix.length);
      break;
    }
  }
  // "service" and "services" (→ "servic"), "disable" and "disabled" (→ "disabl") meet without the final e.
  return base.length > 4 && base.endsWith("e") ? base.slice(0, -1) : base;
}

// Longest first; `keep` is the shortest stem left behind.
const SUFFIXES: [string, number][] = [
  ["ations", 4],
  ["ation", 4],
  ["ings", 4],
  ["ing", 4],
  ["ions", 4],
  ["ion", 4],
  ["ies", 3],
  ["ied", 3],
  ["edly", 4],
  ["ed", 4],
  ["es", 4],
  ["ly", 4],
  ["s", 4],
];

/** Damerau–Levenshtein distance at most 1 (one edit or one swap of neighbours): the typos people make. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) {
    // substitution, or swap of i and i+1
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  // insertion or deletion
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** Lower case, letters and digits only: how two (masked) texts are compared word for word. */
export function comparable(masked: string): string {
  return masked
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\u27e8\u27e9]+/gu, " ")
    .trim();
}

/** 32-bit FNV-1a of a string: a compact key for exact-text lookups (a collision only adds a candidate). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
