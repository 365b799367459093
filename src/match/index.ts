import { availableParallelism } from "node:os";
import type { Article } from "../knowledge/types.js";
import { extractErrorCodes, maskVariables } from "./normalize.js";
import { comparable, hash32, tokenize } from "./tokens.js";
import { startWorker } from "./workers.js";

/**
 * The shortlist index: BM25F over each article's quoted errors, title, query words and symptoms, kept as
 * one posting list per term (typed arrays: ~8 bytes per article and distinct term), plus an exact index of
 * error codes. Precomputing each posting's BM25 term-frequency part makes a query a few array scans.
 */
export interface IndexOptions {
  /** Weight of a term occurrence per field (BM25F). Quoted errors weigh most. */
  fieldWeights: { errors: number; title: number; queryWords: number; symptoms: number };
  /** BM25 term-frequency saturation. */
  k1: number;
  /** BM25 length normalisation. */
  b: number;
}

export interface Candidate {
  /** Position of the article in `SearchIndex.articles`. */
  doc: number;
  /** BM25F score of the query terms. */
  bm25: number;
  /** Error codes of the query that the article quotes. */
  codes: string[];
}

export class SearchIndex {
  readonly articles: readonly Article[];
  private readonly termIds = new Map<string, number>();
  private docFreq: Int32Array = new Int32Array(0);
  private idfs: Float64Array = new Float64Array(0);
  private postingDocs: Int32Array[] = [];
  private postingImpacts: Float32Array[] = [];
  private readonly codeDocs = new Map<string, number[]>();
  /**
   * Quoted errors whose masked form differs from the text, by article (the build masks them anyway; re-scoring
   * needs them for every candidate, and masking again per query was its largest cost).
   */
  private readonly maskedErrorsOf = new Map<number, string[]>();
  /** Articles by the hash of each quoted error's word-for-word key (masked, `comparable`). */
  private readonly messageDocs = new Map<number, number[]>();
  /** Articles quoting at least one error code. */
  private readonly coded: Uint8Array;

  /**
   * Indexes `articles`. `scans` are the articles already scanned (scanArticles), in consecutive runs covering
   * them all, e.g. by worker threads (buildIndex); without them the articles are scanned here.
   */
  constructor(articles: readonly Article[], options: IndexOptions, scans?: readonly ScannedArticles[]) {
    this.articles = articles;
    this.coded = new Uint8Array(articles.length);
    const lengths = new Float64Array(articles.length);
    const flat = new Postings();
    for (const scan of scans ?? [scanArticles(articles, 0, options)]) {
      // The run's own term ids become this index's.
      const ids = new Int32Array(scan.terms.length);
      scan.terms.forEach((term, local) => {
        let id = this.termIds.get(term);
        if (id === undefined) {
          id = this.termIds.size;
          this.termIds.set(term, id);
        }
        ids[local] = id;
      });
      for (let n = 0; n < scan.size; n++) {
        flat.push(
          ids[scan.postTerms[n] as number] as number,
          scan.postDocs[n] as number,
          scan.postFreqs[n] as number,
        );
      }
      lengths.set(scan.lengths, scan.offset);
      for (const [code, docs] of scan.codes) {
        for (const doc of docs) this.coded[doc] = 1;
        const list = this.codeDocs.get(code);
        if (list) list.push(...docs);
        else this.codeDocs.set(code, docs.slice());
      }
      for (const [key, docs] of scan.messages) {
        const list = this.messageDocs.get(key);
        if (list) list.push(...docs);
        else this.messageDocs.set(key, docs.slice());
      }
      for (const [doc, masked] of scan.maskedErrors) this.maskedErrorsOf.set(doc, masked);
    }

    let total = 0;
    for (const length of lengths) total += length;
    const average = total / Math.max(1, articles.length) || 1;
    const terms = this.termIds.size;
    // Group by term (a counting sort; docs stay in ascending order within a term) into two shared buffers.
    this.docFreq = new Int32Array(terms);
    for (let n = 0; n < flat.size; n++) (this.docFreq[flat.terms[n] as number] as number)++;
    const starts = new Int32Array(terms + 1);
    for (let id = 0; id < terms; id++) starts[id + 1] = (starts[id] as number) + (this.docFreq[id] as number);
    const allDocs = new Int32Array(flat.size);
    const allImpacts = new Float32Array(flat.size);
    const fill = starts.slice(0, terms);
    for (let n = 0; n < flat.size; n++) {
      const id = flat.terms[n] as number;
      const doc = flat.docs[n] as number;
      const freq = flat.freqs[n] as number;
      const at = fill[id] as number;
      fill[id] = at + 1;
      const norm = options.k1 * (1 - options.b + (options.b * (lengths[doc] as number)) / average);
      allDocs[at] = doc;
      allImpacts[at] = (freq * (options.k1 + 1)) / (freq + norm);
    }
    this.idfs = new Float64Array(terms);
    this.postingDocs = new Array(terms);
    this.postingImpacts = new Array(terms);
    for (let id = 0; id < terms; id++) {
      const from = starts[id] as number;
      const to = starts[id + 1] as number;
      this.idfs[id] = bm25Idf(articles.length, to - from);
      this.postingDocs[id] = allDocs.subarray(from, to);
      this.postingImpacts[id] = allImpacts.subarray(from, to);
    }
  }

  get size(): number {
    return this.articles.length;
  }

  /** Inverse document frequency (BM25, never negative); unknown terms get the highest value. */
  idf(term: string): number {
    const id = this.termIds.get(term);
    return id === undefined ? bm25Idf(this.articles.length, 0) : (this.idfs[id] as number);
  }

  /** Number of articles containing the term. */
  documentFrequency(term: string): number {
    const id = this.termIds.get(term);
    return id === undefined ? 0 : (this.docFreq[id] as number);
  }

  /** Whether the article quotes any error code at all. */
  quotesCodes(doc: number): boolean {
    return this.coded[doc] === 1;
  }

  /** The article's quoted errors with variable parts masked (maskVariables), in order. */
  maskedErrors(doc: number): readonly string[] {
    return this.maskedErrorsOf.get(doc) ?? this.articles[doc]?.errors ?? [];
  }

  /**
   * Articles one of whose quoted errors is, word for word, the text with this `comparable` key (masked the
   * same way); rarely also an article whose key merely shares the hash, which re-scoring sets right. Lets an
   * exact paste find its article however many others share most of its words.
   */
  articlesQuoting(key: string): readonly number[] {
    return key ? (this.messageDocs.get(hash32(key)) ?? []) : [];
  }

  /** Articles quoting an error code (canonical form). */
  articlesWithCode(code: string): readonly number[] {
    return this.codeDocs.get(code) ?? [];
  }

  /**
   * The `limit` best articles for the terms (each counted once) by BM25F, with articles quoting one of the
   * codes added. `maxTerms` caps the work: the rarest terms decide the shortlist, common ones add little.
   */
  shortlist(terms: Iterable<string>, codes: readonly string[], limit: number, maxTerms: number): Candidate[] {
    const known: { id: number; idf: number }[] = [];
    for (const term of new Set(terms)) {
      const id = this.termIds.get(term);
      if (id !== undefined) known.push({ id, idf: this.idfs[id] as number });
    }
    known.sort((a, b) => b.idf - a.idf);
    // Terms in a large share of the articles barely change the ranking but cost a scan of that share:
    // once a few rarer terms are in, they are left out.
    const common = Math.max(1000, this.articles.length * COMMON_SHARE);
    const used = known
      .filter((k, n) => n < MIN_TERMS || (this.docFreq[k.id] as number) <= common)
      .slice(0, maxTerms);
    // One score per article, reused between queries; `touched` lists the entries to read and reset.
    const scores = this.scoreboard();
    const touched: number[] = [];
    for (const { id, idf } of used) {
      const docs = this.postingDocs[id] as Int32Array;
      const impacts = this.postingImpacts[id] as Float32Array;
      for (let n = 0; n < docs.length; n++) {
        const doc = docs[n] as number;
        if (scores[doc] === 0) touched.push(doc);
        scores[doc] = (scores[doc] as number) + idf * (impacts[n] as number);
      }
    }
    const codeHits = new Map<number, string[]>();
    for (const code of codes) {
      for (const doc of this.articlesWithCode(code)) codeHits.set(doc, [...(codeHits.get(doc) ?? []), code]);
    }
    // Articles quoting one of the paste's codes take up to half the places, whatever their words score.
    const coded = [...codeHits]
      .map(([doc, hit]) => ({ doc, bm25: scores[doc] as number, codes: hit }))
      .sort((a, b) => b.codes.length - a.codes.length || b.bm25 - a.bm25)
      .slice(0, Math.ceil(limit / 2));
    const taken = new Set(coded.map((c) => c.doc));
    const best = topK(touched, scores, limit - coded.length, taken).map((doc) => ({
      doc,
      bm25: scores[doc] as number,
      codes: [] as string[],
    }));
    for (const doc of touched) scores[doc] = 0;
    return [...coded, ...best];
  }

  private board: Float64Array | null = null;
  private scoreboard(): Float64Array {
    if (!this.board) this.board = new Float64Array(this.articles.length);
    return this.board;
  }
}

/**
 * Builds the index using up to `threads` threads: the articles are split into consecutive runs, scanned at
 * the same time (this thread takes the first run, worker threads the others), and merged. Small knowledge
 * bases are built in this thread alone: starting a worker and copying its articles costs more than it saves.
 */
export async function buildIndex(
  articles: readonly Article[],
  options: IndexOptions,
  threads = Math.min(2, availableParallelism()),
): Promise<SearchIndex> {
  if (threads < 2 || articles.length < PARALLEL_MIN_ARTICLES) return new SearchIndex(articles, options);
  const size = Math.ceil(articles.length / threads);
  const runs = Array.from({ length: threads }, (_, n) => n * size).filter(
    (offset) => offset < articles.length,
  );
  const others = runs.slice(1).map(
    (offset) =>
      new Promise<ScannedArticles>((resolve, reject) => {
        const worker = startWorker("scan-worker", {
          articles: articles.slice(offset, offset + size),
          offset,
          options,
        });
        worker.once("message", (scan: ScannedArticles) => {
          resolve(scan);
          void worker.terminate();
        });
        worker.once("error", reject);
        worker.once("exit", (code) => reject(new Error(`index scan worker exited (code ${code})`)));
      }),
  );
  const first = scanArticles(articles.slice(0, size), 0, options);
  return new SearchIndex(articles, options, [first, ...(await Promise.all(others))]);
}

// Below this many articles one thread builds the index in about a second.
const PARALLEL_MIN_ARTICLES = 20_000;

/** What the index needs from the text of a run of consecutive articles (doc ids are global). */
export interface ScannedArticles {
  /** Global doc id of the first article of the run, and how many there are. */
  offset: number;
  count: number;
  /** The run's terms; `postTerms` holds indexes into it. */
  terms: string[];
  /** (term, doc, weighted tf) postings, `size` of them, docs ascending. */
  postTerms: Int32Array;
  postDocs: Int32Array;
  postFreqs: Float32Array;
  size: number;
  /** Weighted length of each article of the run. */
  lengths: Float64Array;
  codes: [string, number[]][];
  messages: [number, number[]][];
  maskedErrors: [number, string[]][];
}

/**
 * Tokenizes, masks and scans for codes the articles of one run: the costly part of building the index, and
 * the part worker threads can share (buildIndex). Pure.
 */
export function scanArticles(
  articles: readonly Article[],
  offset: number,
  options: IndexOptions,
): ScannedArticles {
  const termIds = new Map<string, number>();
  const terms: string[] = [];
  const lengths = new Float64Array(articles.length);
  const codeDocs = new Map<string, number[]>();
  const messageDocs = new Map<number, number[]>();
  const maskedErrorsOf: [number, string[]][] = [];
  // Postings are gathered as flat (term, doc, tf) triples in growable typed arrays and grouped by term at
  // the end: at 100k articles that is ~15M postings, which as per-term JS arrays and per-article Maps
  // cost more time in allocation and GC than the tokenizing itself.
  const flat = new Postings();
  // Term frequencies of the current article, indexed by term id; `seen` lists the ids to flush and reset.
  let tf = new Float64Array(1024);
  const seen: number[] = [];
  const add = (text: string, weight: number, mask = true) => {
    addTokens(mask ? maskVariables(text) : text.replace(KB_PLACEHOLDER, " "), weight);
  };
  const addTokens = (text: string, weight: number) => {
    for (const token of tokenize(text)) {
      let id = termIds.get(token);
      if (id === undefined) {
        id = terms.length;
        termIds.set(token, id);
        terms.push(token);
        if (id >= tf.length) {
          const grown = new Float64Array(tf.length * 2);
          grown.set(tf);
          tf = grown;
        }
      }
      if (tf[id] === 0) seen.push(id);
      tf[id] = (tf[id] as number) + weight;
    }
  };
  const w = options.fieldWeights;
  articles.forEach((article, n) => {
    const doc = offset + n;
    let maskedErrors: string[] | undefined;
    article.errors.forEach((error, e) => {
      const masked = maskVariables(error);
      if (masked !== error) {
        maskedErrors ??= article.errors.slice();
        maskedErrors[e] = masked;
      }
      addTokens(masked, w.errors);
      const key = hash32(comparable(masked));
      const list = messageDocs.get(key);
      if (!list) messageDocs.set(key, [doc]);
      else if (list[list.length - 1] !== doc) list.push(doc);
    });
    if (maskedErrors) maskedErrorsOf.push([doc, maskedErrors]);
    // Only the quoted errors get the full masking, the costliest step of the build; the other fields have
    // their KB placeholders dropped, and a stray path's words in them only add rare terms.
    add(article.title, w.title, false);
    add(article.queryWords.join(" "), w.queryWords, false);
    add(article.symptoms, w.symptoms, false);
    let length = 0;
    for (const id of seen) {
      const freq = tf[id] as number;
      flat.push(id, doc, freq);
      length += freq;
      tf[id] = 0;
    }
    seen.length = 0;
    lengths[n] = length;
    for (const code of articleCodes(article)) {
      const list = codeDocs.get(code);
      if (list) list.push(doc);
      else codeDocs.set(code, [doc]);
    }
  });
  return {
    offset,
    count: articles.length,
    terms,
    postTerms: flat.terms,
    postDocs: flat.docs,
    postFreqs: flat.freqs,
    size: flat.size,
    lengths,
    codes: [...codeDocs],
    messages: [...messageDocs],
    maskedErrors: maskedErrorsOf,
  };
}

/** Growable (term id, doc, tf) triples, in typed arrays. */
class Postings {
  terms = new Int32Array(1 << 16);
  docs = new Int32Array(1 << 16);
  freqs = new Float32Array(1 << 16);
  size = 0;

  push(term: number, doc: number, freq: number): void {
    if (this.size === this.terms.length) {
      const capacity = this.terms.length * 2;
      const terms = new Int32Array(capacity);
      const docs = new Int32Array(capacity);
      const freqs = new Float32Array(capacity);
      terms.set(this.terms);
      docs.set(this.docs);
      freqs.set(this.freqs);
      this.terms = terms;
      this.docs = docs;
      this.freqs = freqs;
    }
    this.terms[this.size] = term;
    this.docs[this.size] = doc;
    this.freqs[this.size] = freq;
    this.size++;
  }
}

/** `<servername>`-style placeholders in KB text. */
const KB_PLACEHOLDER = /<[^<>\n]{1,40}>/g;

// Share of the articles above which a term is "common" (see shortlist), and how many terms are always used.
const COMMON_SHARE = 0.05;
const MIN_TERMS = 3;

function bm25Idf(articles: number, df: number): number {
  return Math.log(1 + (articles - df + 0.5) / (df + 0.5));
}

/** The `k` highest-scoring docs, best first, in one pass with a small min-heap (no sort of every doc). */
function topK(docs: number[], scores: Float64Array, k: number, skip: Set<number>): number[] {
  const heap: number[] = [];
  const less = (a: number, b: number) => (scores[a] as number) < (scores[b] as number);
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l] as number, heap[m] as number)) m = l;
      if (r < heap.length && less(heap[r] as number, heap[m] as number)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m] as number, heap[i] as number];
      i = m;
    }
  };
  for (const doc of docs) {
    if (skip.has(doc)) continue;
    if (heap.length < k) {
      heap.push(doc);
      for (let i = heap.length - 1; i > 0; ) {
        const p = (i - 1) >> 1;
        if (!less(heap[i] as number, heap[p] as number)) break;
        [heap[i], heap[p]] = [heap[p] as number, heap[i] as number];
        i = p;
      }
    } else if (less(heap[0] as number, doc)) {
      heap[0] = doc;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => (scores[b] as number) - (scores[a] as number));
}

/** Error codes an article quotes, in its errors, title and symptoms. */
function articleCodes(article: Article): string[] {
  // The quoted errors are part of the symptoms text already.
  return extractErrorCodes(`${article.title}\n${article.symptoms}`);
}
