/**
 * A few pastes to try, one click away in the sandbox: the quoted error messages of different articles, short
 * enough to read on a button, spread evenly over the knowledge base in a stable order so the same folder
 * always offers the same examples.
 */
import type { Article } from "./types.js";

export interface ExamplePaste {
  articleId: string;
  title: string;
  text: string;
}

const MIN_LENGTH = 12;
const MAX_LENGTH = 140;
// Placeholders such as `<host name>`, `%1`, `{0}` or `xxx` stand for text no real paste contains.
const PLACEHOLDER = /<[^>]*>|%\d|%[sd]\b|\{\d\}|\bx{3,}\b/i;

export function examplePastes(articles: readonly Article[], count = 4): ExamplePaste[] {
  const candidates: ExamplePaste[] = [];
  for (const article of [...articles].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const text = article.errors
      .map((e) => e.replace(/\s+/g, " ").trim())
      .find((e) => e.length >= MIN_LENGTH && e.length <= MAX_LENGTH && !PLACEHOLDER.test(e));
    if (text) candidates.push({ articleId: article.id, title: article.title, text });
  }
  if (candidates.length <= count) return candidates;
  const step = candidates.length / count;
  return Array.from({ length: count }, (_, i) => candidates[Math.floor(i * step + step / 2)] as ExamplePaste);
}
