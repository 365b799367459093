import type { Dirent, Stats } from "node:fs";
import { closeSync, type FSWatcher, fstatSync, openSync, readSync, watch } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { decodeKnowledgeFile } from "./decode.js";
import { KnowledgeDirError } from "./knowledge-dir-error.js";
import { parseMarkdown } from "./parse-markdown.js";
import { parseMskb } from "./parse-mskb.js";
import type { Article, ParseResult, Problem } from "./types.js";

/** Files larger than this are refused: a KB article is a few KB, and a huge file stalls every reload. */
export const MAX_ARTICLE_BYTES = 1024 * 1024;
// Files read and parsed between two yields to the event loop (~20 ms of work).
const SLICE = 200;
// Top-level folders named like a Slack workspace (T…) or Enterprise Grid (E…) id hold per-workspace articles.
export const WORKSPACE_FOLDER = /^[TE](?=[A-Z0-9]*\d)[A-Z0-9]{6,}$/;

export interface KnowledgeBase {
  /** The folder as given. */
  dir: string;
  /** Articles sorted by source path; ids are unique. */
  articles: Article[];
  byId: Map<string, Article>;
  /** Every problem found, errors and warnings, sorted by file and line. */
  problems: Problem[];
  /** Article files read (parsed or not). */
  files: number;
  /** Files ignored because their extension is neither .txt nor .md (relative paths). */
  ignored: string[];
  /** The line each article's id is declared on, by id (for problems that point at it). */
  idLines?: Map<string, number>;
}

export interface LoadOptions {
  maxFileBytes?: number;
  /**
   * On a reload: the articles last served from these files, which now fail (a parse error, a duplicate id).
   * Each is kept, with a warning, so one broken edit does not take an article away. Deleted files are not asked.
   */
  lastGood?: (sources: string[]) => Promise<Article[]>;
}

interface Candidate {
  /** Path relative to the knowledge folder, `/`-separated. */
  source: string;
  absolute: string;
  format: "mskb" | "markdown";
}

/** Loads every article under `dir`. Problems in single files are reported and loading goes on. */
export async function loadKnowledge(dir: string, options: LoadOptions = {}): Promise<KnowledgeBase> {
  const maxBytes = options.maxFileBytes ?? MAX_ARTICLE_BYTES;
  let rootStats: Stats;
  try {
    rootStats = await stat(dir);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : "cannot be read";
    throw new KnowledgeDirError(dir, `Knowledge folder ${dir} ${reason}.`, { cause: error });
  }
  if (!rootStats.isDirectory()) throw new KnowledgeDirError(dir, `Knowledge folder ${dir} is not a folder.`);

  const problems: Problem[] = [];
  const ignored: string[] = [];
  const candidates: Candidate[] = [];
  await walk(dir, "", new Set([await realpath(dir)]), candidates, ignored, problems, true);
  if (candidates.length === 0) {
    throw new KnowledgeDirError(
      dir,
      `Knowledge folder ${dir} holds no articles (.txt in MS KB format or .md in Markdown).`,
    );
  }
  candidates.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));

  const results = await mapInSlices(candidates, SLICE, (c) => readArticle(c, maxBytes));
  const articles: Article[] = [];
  const byId = new Map<string, { article: Article; line: number }>();
  results.forEach((result, n) => {
    problems.push(...result.problems);
    const article = result.article;
    if (!article) return;
    const seen = byId.get(article.id);
    if (seen) {
      const file = (candidates[n] as Candidate).source;
      problems.push({
        severity: "error",
        file,
        line: result.idLine ?? 1,
        code: "duplicate-id",
        message: `Duplicate id ${article.id}: ${seen.article.source}:${seen.line} already uses it; this file is skipped.`,
      });
      return;
    }
    byId.set(article.id, { article, line: result.idLine ?? 1 });
    articles.push(article);
  });
  if (options.lastGood) {
    await keepLastGood(results, candidates, byId, problems, options.lastGood);
    articles.splice(0, articles.length, ...[...byId.values()].map((v) => v.article));
    articles.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  }
  problems.sort(compareProblems);
  return {
    dir,
    articles,
    byId: new Map(articles.map((a) => [a.id, a])),
    problems,
    files: candidates.length,
    ignored,
    idLines: new Map([...byId].map(([id, v]) => [id, v.line])),
  };
}

/** By file and line; on one line errors before warnings. */
export function compareProblems(a: Problem, b: Problem): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1) ||
    a.code.localeCompare(b.code)
  );
}

/** The per-workspace folders (named like a workspace id, T…) at the top of `dir`, sorted; none when unreadable. */
export async function listWorkspaceFolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [] as Dirent[]);
  const found: string[] = [];
  for (const entry of entries) {
    // Events are routed by team id: org (E…) folders are reserved but not served yet (kb check says so).
    if (!WORKSPACE_FOLDER.test(entry.name) || !entry.name.startsWith("T")) continue;
    const isDir =
      entry.isDirectory() ||
      (entry.isSymbolicLink() &&
        (await stat(path.join(dir, entry.name)).then(
          (s) => s.isDirectory(),
          () => false,
        )));
    if (isDir) found.push(entry.name);
  }
  return found.sort();
}

export interface KnowledgeWatcher {
  close(): void;
}

/**
 * Calls `onChange` with the changed paths once a burst of file events under `dir` has been quiet for
 * `debounceMs` (an editor's save is often several events; a `git pull` hundreds). Hidden paths are ignored,
 * as loading ignores them.
 */
export function watchKnowledge(
  dir: string,
  onChange: (paths: string[]) => void,
  options: { debounceMs?: number; onError?: (error: Error) => void } = {},
): KnowledgeWatcher {
  const debounceMs = options.debounceMs ?? 500;
  let changed = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let watcher: FSWatcher | null = watch(dir, { recursive: true }, (_event, name) => {
    const file = typeof name === "string" ? name : "";
    if (file.split(path.sep).some((part) => part.startsWith("."))) return;
    changed.add(file);
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      const paths = [...changed];
      changed = new Set();
      onChange(paths);
    }, debounceMs);
  });
  watcher.on("error", (error) => options.onError?.(error));
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher?.close();
      watcher = null;
    },
  };
}

/**
 * On a reload, where an edit broke a file: a duplicate id is given to the file that served it before (the
 * edited file is the one skipped), and each file that now fails (no article, or errors) serves its last good
 * version while its id is free.
 */
async function keepLastGood(
  results: ParseResult[],
  candidates: Candidate[],
  byId: Map<string, { article: Article; line: number }>,
  problems: Problem[],
  lastGood: (sources: string[]) => Promise<Article[]>,
): Promise<void> {
  const servedFrom = new Set([...byId.values()].map((v) => v.article.source));
  const claims = new Map<string, Array<{ source: string; article: Article; line: number }>>();
  const failing = new Set<string>();
  results.forEach((result, n) => {
    const source = (candidates[n] as Candidate).source;
    if (result.problems.some((p) => p.code === "file-vanished")) return;
    if (result.article) {
      const list = claims.get(result.article.id) ?? [];
      list.push({ source, article: result.article, line: result.idLine ?? 1 });
      claims.set(result.article.id, list);
    }
    if (!servedFrom.has(source) || result.problems.some((p) => p.severity === "error")) failing.add(source);
  });
  const contested = [...claims.values()].filter((list) => list.length > 1);
  const asked = new Set([...failing, ...contested.flat().map((c) => c.source)]);
  if (asked.size === 0) return;
  const previous = new Map((await lastGood([...asked])).map((a) => [a.source, a]));

  for (const list of contested) {
    const id = (list[0] as { article: Article }).article.id;
    const winner = byId.get(id);
    const owner = list.find((c) => previous.get(c.source)?.id === id);
    if (!winner || !owner || owner.source === winner.article.source) continue;
    // The file that had the id keeps it; the one whose edit took it is skipped instead.
    byId.set(id, { article: owner.article, line: owner.line });
    failing.delete(owner.source);
    failing.add(winner.article.source);
    const at = problems.findIndex((p) => p.code === "duplicate-id" && p.file === owner.source);
    if (at !== -1) problems.splice(at, 1);
    problems.push({
      severity: "error",
      file: winner.article.source,
      line: winner.line,
      code: "duplicate-id",
      message: `Duplicate id ${id}: ${owner.source}:${owner.line} already uses it; this file is skipped.`,
    });
  }

  for (const source of failing) {
    const old = previous.get(source);
    if (!old) continue;
    const holder = byId.get(old.id);
    if (holder && holder.article.source !== source) continue;
    // A broken file may still have produced an article (under another id): the last good one replaces it.
    for (const [id, v] of byId) if (v.article.source === source) byId.delete(id);
    byId.set(old.id, { article: old, line: 1 });
    problems.push({
      severity: "warning",
      file: source,
      line: 1,
      code: "kept-last-good",
      message: `This file has errors (above); its last good version (${old.id}) is still served until it is fixed.`,
    });
  }
}

/** Parses one article from its bytes; the format is chosen by extension (`.md` → Markdown, else MS KB). */
export function parseArticleFile(bytes: Uint8Array, source: string): ParseResult {
  const decoded = decodeKnowledgeFile(bytes);
  if (decoded.binary) {
    return refuse(
      source,
      "binary-file",
      "This is not a text file (it contains NUL bytes or control characters); it is skipped.",
    );
  }
  try {
    return formatOf(source) === "markdown"
      ? parseMarkdown(decoded.text, source)
      : parseMskb(decoded.text, source);
  } catch (error) {
    // The parsers are written never to throw; should one still, one odd file must not take the folder down.
    return refuse(source, "parse-failed", `The file could not be parsed (${errorText(error)}).`);
  }
}

function formatOf(name: string): "mskb" | "markdown" | null {
  const ext = path.extname(name).toLowerCase();
  if (ext === ".txt") return "mskb";
  if (ext === ".md") return "markdown";
  return null;
}

function skipped(name: string): boolean {
  return name.startsWith(".") || name.startsWith("_") || /^readme(?:\.|$)/i.test(name);
}

async function walk(
  absoluteDir: string,
  relativeDir: string,
  visited: Set<string>,
  out: Candidate[],
  ignored: string[],
  problems: Problem[],
  top: boolean,
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(absoluteDir, { withFileTypes: true });
  } catch (error) {
    if (top)
      throw new KnowledgeDirError(absoluteDir, `Knowledge folder ${absoluteDir} cannot be read.`, {
        cause: error,
      });
    problems.push(
      fileProblem(relativeDir || ".", "unreadable-folder", `Folder cannot be read: ${errorText(error)}`),
    );
    return;
  }
  for (const entry of entries) {
    const name = entry.name;
    if (skipped(name)) continue;
    const absolute = path.join(absoluteDir, name);
    const source = relativeDir ? `${relativeDir}/${name}` : name;
    let isDir = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      try {
        const target = await stat(absolute);
        isDir = target.isDirectory();
        isFile = target.isFile();
      } catch (error) {
        problems.push(
          fileProblem(source, "broken-link", `Symbolic link cannot be followed: ${errorText(error)}`),
        );
        continue;
      }
    }
    if (isDir) {
      if (top && WORKSPACE_FOLDER.test(name)) continue;
      let real: string;
      try {
        real = await realpath(absolute);
      } catch (error) {
        problems.push(fileProblem(source, "unreadable-folder", `Folder cannot be read: ${errorText(error)}`));
        continue;
      }
      // A link back to a folder already walked would loop forever.
      if (visited.has(real)) continue;
      visited.add(real);
      await walk(absolute, source, visited, out, ignored, problems, false);
    } else if (isFile) {
      const format = formatOf(name);
      if (format) out.push({ source, absolute, format });
      else ignored.push(source);
    }
  }
}

/**
 * Reads and parses one file. Synchronous on purpose: for small files the sync calls are several times faster
 * than fs/promises (whose per-call overhead dominated loading), and loadKnowledge yields between batches.
 */
function readArticle(candidate: Candidate, maxBytes: number): ParseResult {
  let bytes: Buffer;
  try {
    const fd = openSync(candidate.absolute, "r");
    try {
      const size = fstatSync(fd).size;
      if (size > maxBytes) {
        return refuse(
          candidate.source,
          "file-too-large",
          `File is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} limit for one article; it is refused.`,
        );
      }
      // Read at most one byte more than allowed, so a file that grows while being read is caught too.
      bytes = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
      let length = 0;
      for (let n = 1; n > 0 && length < bytes.length; length += n) {
        n = readSync(fd, bytes, length, bytes.length - length, null);
      }
      bytes = bytes.subarray(0, length);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file-vanished" : "unreadable-file";
    return refuse(candidate.source, code, `File cannot be read: ${errorText(error)}`);
  }
  if (bytes.length > maxBytes) {
    return refuse(
      candidate.source,
      "file-too-large",
      `File grew over ${formatBytes(maxBytes)}; it is refused.`,
    );
  }
  return parseArticleFile(bytes, candidate.source);
}

function refuse(file: string, code: string, message: string): ParseResult {
  return { article: null, problems: [fileProblem(file, code, message)] };
}

function fileProblem(file: string, code: string, message: string): Problem {
  return { severity: "error", file, line: 1, code, message };
}

function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code} ${e.message.replace(/^\w+: /, "")}` : String(error);
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${n} bytes`;
}

/** Maps in slices, yielding to the event loop between them so a reload never stalls other work for long. */
async function mapInSlices<T, R>(items: T[], slice: number, fn: (item: T) => R): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += slice) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    for (const item of items.slice(i, i + slice)) results.push(fn(item));
  }
  return results;
}
