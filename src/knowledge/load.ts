import type { Dirent, Stats } from "node:fs";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
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
const WORKSPACE_FOLDER = /^[TE](?=[A-Z0-9]*\d)[A-Z0-9]{6,}$/;

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
}

export interface LoadOptions {
  maxFileBytes?: number;
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
  // By file and line; on one line errors before warnings.
  problems.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1) ||
      a.code.localeCompare(b.code),
  );
  return {
    dir,
    articles,
    byId: new Map(articles.map((a) => [a.id, a])),
    problems,
    files: candidates.length,
    ignored,
  };
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
