/**
 * Grows a knowledge base to a given size for the matcher benchmark, without touching the disk.
 *
 * Every base article is kept as it is (so the benchmark queries still have their targets), and synthetic
 * distractors `SYN000001`, `SYN000002`, ... are added. Each distractor is recombined from real articles so it
 * looks like one and competes on vocabulary: title, products, keywords and query words of article A; a
 * symptoms intro paragraph of B, the synthetic messages indented as an MS KB article quotes them, and a
 * closing prose paragraph of C; cause, resolution, workaround and status of D; more information of E. Each
 * synthetic message is the first 40 % of the words of one base message followed by the last 60 % of
 * another's, so it shares words with two real messages without being either.
 *
 * No distractor quotes a complete base message: prose paragraphs and titles that contain one (normalised:
 * lower case, non-alphanumerics as spaces, as kb-dev computes its acceptable ids) are left out of the pools,
 * and every recombined message and symptoms text is checked the same way (and redrawn when it fails).
 * Messages of fewer than 3 words or 15 characters are not protected: they occur in prose everywhere and no
 * benchmark query is that short. The quoted paragraphs of the base symptoms are never reused.
 *
 * Deterministic for a given (base, size, seed). Memory: unchanged parts are shared with the base articles
 * (strings and arrays by reference); only the id, source, messages and symptoms are new strings.
 */
import type { Article } from "../src/knowledge/types.js";

export interface SynthOptions {
  /** Further messages no distractor may quote (e.g. the exact benchmark queries), besides the base errors. */
  avoid?: readonly string[];
}

/** Seeded PRNG: mulberry32, returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lower-case alphanumeric words, as kb-dev normalises text before comparing. */
export function normalizedWords(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

/**
 * Finds complete messages inside texts by word sequence. Indexed by a message's first three words, so a
 * check costs one map lookup per word of the text.
 */
export class MessageFinder {
  private readonly byHead = new Map<string, string[][]>();
  /** Messages indexed (after de-duplication and the size filter). */
  readonly size: number;

  constructor(messages: Iterable<string>) {
    const seen = new Set<string>();
    for (const message of messages) {
      const words = normalizedWords(message);
      const joined = words.join(" ");
      if (words.length < 3 || joined.length < 15 || seen.has(joined)) continue;
      seen.add(joined);
      const head = `${words[0]} ${words[1]} ${words[2]}`;
      const list = this.byHead.get(head);
      if (list) list.push(words);
      else this.byHead.set(head, [words]);
    }
    this.size = seen.size;
  }

  /** The first protected message contained in `text`, or null. */
  find(text: string): string | null {
    const words = normalizedWords(text);
    for (let i = 0; i + 2 < words.length; i++) {
      const list = this.byHead.get(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
      if (!list) continue;
      for (const message of list) {
        if (i + message.length > words.length) continue;
        let k = 3;
        while (k < message.length && message[k] === words[i + k]) k++;
        if (k === message.length) return message.join(" ");
      }
    }
    return null;
  }
}

const SYNTH_META: Record<string, unknown> = Object.freeze({ synthetic: true });
const HEAD_SHARE = 0.4;

interface Halves {
  head: string;
  tail: string;
  /** Index of the message, so a head and a tail of the same message are never joined. */
  message: number;
}

/** Grows `base` to `size` articles with synthetic distractors (see the file comment). */
export function synthesize(
  base: Article[],
  size: number,
  seed: number,
  options: SynthOptions = {},
): Article[] {
  const out = base.slice();
  if (size <= base.length) return out;
  if (base.length === 0) throw new Error("synthesize: the base corpus is empty");
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  const finder = new MessageFinder([...base.flatMap((a) => a.errors), ...(options.avoid ?? [])]);
  const clean = (text: string) => finder.find(text) === null;

  // Pools, built once from the base.
  const titled = base.filter((a) => clean(a.title));
  const intros: string[] = [];
  const closings: string[] = [];
  const halves: Halves[] = [];
  for (const article of base) {
    // Prose paragraphs only: an indented paragraph is a quoted message (or code) in MS KB articles.
    const prose = article.symptoms.split(/\n\s*\n/).filter((p) => p.trim() && !/^\s/.test(p) && clean(p));
    if (prose[0] !== undefined) intros.push(prose[0]);
    for (const p of prose.slice(1)) if (!/:\s*$/.test(p)) closings.push(p);
    for (const error of article.errors) {
      const words = error.split(/\s+/).filter(Boolean);
      if (words.length < 2) continue;
      const cut = Math.max(1, Math.floor(words.length * HEAD_SHARE));
      halves.push({
        head: words.slice(0, cut).join(" "),
        tail: words.slice(cut).join(" "),
        message: halves.length,
      });
    }
  }
  if (titled.length === 0 || intros.length === 0 || halves.length < 2) {
    throw new Error("synthesize: the base corpus has too few titles, symptoms or messages to recombine");
  }

  const message = (): string | null => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const a = pick(halves);
      const b = pick(halves);
      if (a.message === b.message) continue;
      const text = [a.head, b.tail].join(" ");
      if (clean(text)) return text;
    }
    return null;
  };

  const width = Math.max(6, String(size - base.length).length);
  for (let n = 1; out.length < size; n++) {
    const id = `SYN${String(n).padStart(width, "0")}`;
    const a = pick(titled);
    const count = random() < 0.65 ? 1 : random() < 0.85 ? 2 : 3;
    const errors: string[] = [];
    for (let i = 0; i < count; i++) {
      const text = message();
      if (text !== null) errors.push(text);
    }
    if (errors.length === 0) continue;
    // The paragraphs around the messages are checked too: a message can begin at the end of an intro.
    const quoted = errors.map((e) => `   ${e}`).join("\n\n");
    let symptoms: string | null = null;
    for (let attempt = 0; attempt < 8 && symptoms === null; attempt++) {
      const parts = [pick(intros), quoted];
      if (closings.length > 0 && random() < 0.6) parts.push(pick(closings));
      const text = parts.join("\n\n");
      if (clean(text)) symptoms = text;
    }
    if (symptoms === null) continue;
    const d = pick(base);
    out.push({
      id,
      format: "mskb",
      title: a.title,
      products: a.products,
      symptoms,
      errors,
      cause: d.cause,
      resolution: d.resolution,
      workaround: d.workaround,
      status: d.status,
      moreInfo: pick(base).moreInfo,
      keywords: a.keywords,
      queryWords: a.queryWords,
      source: `synthetic/${id}.txt`,
      meta: SYNTH_META,
    });
  }
  return out;
}

/** Synthetic articles whose title, symptoms or messages contain a complete protected message (should be 0). */
export function countQuotingSynthetics(articles: readonly Article[], finder: MessageFinder): number {
  let count = 0;
  for (const a of articles) {
    if (a.meta !== SYNTH_META) continue;
    if (finder.find(a.title) || finder.find(a.symptoms) || a.errors.some((e) => finder.find(e))) count++;
  }
  return count;
}
