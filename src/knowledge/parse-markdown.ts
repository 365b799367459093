import {
  type Document,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  type Pair,
  parseDocument,
  type Scalar,
  visit,
} from "yaml";
import {
  indentOf,
  isErrorIntro,
  isPluralIntro,
  normalizeNewlines,
  splitKeywords,
  squash,
  unique,
} from "./text.js";
import type { Article, ParseResult, Problem, Severity } from "./types.js";

/**
 * Parser for Markdown knowledge articles (the Microsoft Learn troubleshooting style):
 *
 *   ---
 *   title: ...            <- YAML front matter: id, title, description, products | appliesto, keywords, url, ...
 *   ---
 *   # Title               <- title fallback
 *   ## Symptoms           <- any level >= 2, case-insensitive; also Cause, Resolution | Solution, Workaround,
 *   ...                      Status, More information (singular / plural / numbered variants)
 *
 * Quoted messages are the blockquotes, fenced code blocks, bold lines (and, after a plural intro, list items)
 * that follow an intro paragraph in Symptoms ("... you receive the following error message:").
 * Pure: no I/O. Never throws.
 */

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
// Ids taken from file names are whatever the file is called (real ones have apostrophes and run long); only
// control characters and absurd lengths make a file name unusable as an id.
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point.
const FILE_ID_PATTERN = /^[^\x00-\x1f\x7f]{1,255}$/;

type SectionName = "symptoms" | "cause" | "resolution" | "workaround" | "status" | "moreInfo";

const SECTION_NAMES = new Map<string, SectionName>(
  Object.entries({
    symptom: "symptoms",
    symptoms: "symptoms",
    cause: "cause",
    causes: "cause",
    resolution: "resolution",
    resolutions: "resolution",
    solution: "resolution",
    solutions: "resolution",
    workaround: "workaround",
    workarounds: "workaround",
    status: "status",
    "more information": "moreInfo",
    "more info": "moreInfo",
  } satisfies Record<string, SectionName>),
);

/** Front-matter keys with an Article field of their own; every other key goes to `meta`. */
const OWN_KEYS = new Set(["id", "title", "products", "keywords", "url"]);

// ---------------------------------------------------------------------------------------------------------
// Blocks

interface Line {
  text: string;
  /** 1-based line number in the original file. */
  no: number;
}

interface HeadingBlock {
  kind: "heading";
  level: number;
  /** Heading text as written (markup and entities not yet cleaned). */
  raw: string;
  line: number;
}
interface ParagraphBlock {
  kind: "para";
  lines: string[];
  indent: number;
  line: number;
}
interface ListItemBlock {
  kind: "item";
  /** Leading spaces before the marker. */
  indent: number;
  marker: string;
  /** The item's text: the rest of the marker line, then its continuation lines. */
  lines: string[];
  line: number;
}
interface QuoteBlock {
  kind: "quote";
  /** Lines with their `>` marker removed; "" for a `>` line with nothing after it. */
  lines: string[];
  indent: number;
  line: number;
}
interface CodeBlock {
  kind: "code";
  /** Every line verbatim, the fences included. */
  raw: string[];
  /** The lines between the fences. */
  content: string[];
  indent: number;
  line: number;
}
interface TableBlock {
  kind: "table";
  lines: string[];
  indent: number;
  line: number;
}
type Block = HeadingBlock | ParagraphBlock | ListItemBlock | QuoteBlock | CodeBlock | TableBlock;

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*))?$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$/;
const LIST_ITEM = /^( *)([-*+]|\d{1,9}[.)])(?: +|$)/;
const FENCE_OPEN = /^( *)(`{3,}|~{3,})(.*)$/;

/** "Symptoms ##" -> "Symptoms" (the optional closing sequence of an ATX heading). */
function stripClosingHashes(text: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === "#") end--;
  if (end === text.length) return text;
  if (end === 0) return "";
  return text[end - 1] === " " || text[end - 1] === "\t" ? text.slice(0, end).trimEnd() : text;
}

/** Removes trailing characters found in `chars` (a linear-time `replace(/[...]+$/, "")`). */
function trimEndChars(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1] as string)) end--;
  return text.slice(0, end);
}

function fenceOpen(line: string): { indent: number; char: string; length: number } | null {
  const m = FENCE_OPEN.exec(line);
  if (!m) return null;
  const fence = m[2] as string;
  // A backtick fence's info string cannot contain a backtick (that would be inline code).
  if (fence[0] === "`" && (m[3] as string).includes("`")) return null;
  return { indent: (m[1] as string).length, char: fence[0] as string, length: fence.length };
}

function isFenceClose(line: string, open: { char: string; length: number }): boolean {
  const t = line.trim();
  if (t.length < open.length) return false;
  for (let i = 0; i < t.length; i++) if (t[i] !== open.char) return false;
  return true;
}

/**
 * Drops what is markup only: HTML comments (also over several lines), `:::` lines (`::: zone`, `:::image ...:::`)
 * and `[!INCLUDE ...]` lines. Lines inside fenced code blocks are left alone. A line that held only markup is
 * removed altogether (rather than turned blank) so it does not split the paragraph around it.
 */
function stripMarkupLines(lines: Line[]): Line[] {
  const out: Line[] = [];
  let fence: { char: string; length: number } | null = null;
  let inComment = false;
  for (const line of lines) {
    if (fence) {
      out.push(line);
      if (isFenceClose(line.text, fence)) fence = null;
      continue;
    }
    let text = line.text;
    if (inComment || text.includes("<!--")) {
      const before = text;
      ({ text, inComment } = removeComments(text, inComment));
      if (text.trim() === "" && before.trim() !== "") continue;
    }
    const t = text.trim();
    if (t.startsWith(":::") || /^\[!INCLUDE\b/i.test(t)) continue;
    const open = fenceOpen(text);
    if (open) fence = open;
    out.push(text === line.text ? line : { text, no: line.no });
  }
  return out;
}

function removeComments(text: string, inComment: boolean): { text: string; inComment: boolean } {
  let out = "";
  let i = 0;
  let open = inComment;
  while (i < text.length) {
    if (open) {
      const end = text.indexOf("-->", i);
      if (end < 0) return { text: out, inComment: true };
      i = end + 3;
      open = false;
    } else {
      const start = text.indexOf("<!--", i);
      if (start < 0) {
        out += text.slice(i);
        break;
      }
      out += text.slice(i, start);
      i = start + 4;
      open = true;
    }
  }
  return { text: out, inComment: open };
}

/** Splits the body into a flat list of blocks; list items, quotes and code keep their indentation. */
function toBlocks(lines: Line[]): Block[] {
  const blocks: Block[] = [];
  let current: ParagraphBlock | ListItemBlock | QuoteBlock | TableBlock | null = null;
  let code: { block: CodeBlock; fence: { char: string; length: number } } | null = null;

  for (const { text, no } of lines) {
    if (code) {
      code.block.raw.push(text);
      if (isFenceClose(text, code.fence)) code = null;
      else code.block.content.push(text);
      continue;
    }
    const t = text.trim();
    if (t === "") {
      current = null;
      continue;
    }
    const indent = indentOf(text);

    const open = fenceOpen(text);
    if (open) {
      current = null;
      const block: CodeBlock = { kind: "code", raw: [text], content: [], indent: open.indent, line: no };
      blocks.push(block);
      code = { block, fence: open };
      continue;
    }

    const atx = indent <= 3 ? ATX_HEADING.exec(text) : null;
    if (atx) {
      current = null;
      const raw = stripClosingHashes((atx[2] ?? "").trim());
      blocks.push({ kind: "heading", level: (atx[1] as string).length, raw, line: no });
      continue;
    }

    if (current?.kind === "para" && current.indent <= 3 && SETEXT_UNDERLINE.test(text)) {
      const para: ParagraphBlock = current;
      blocks.pop();
      blocks.push({
        kind: "heading",
        level: t[0] === "=" ? 1 : 2,
        raw: para.lines.join(" "),
        line: para.line,
      });
      current = null;
      continue;
    }

    if (THEMATIC_BREAK.test(text)) {
      current = null;
      continue;
    }

    if (t[0] === ">") {
      // Keep trailing spaces: two of them are a hard line break.
      const content = text.trimStart().replace(/^> ?/, "");
      if (current?.kind === "quote") current.lines.push(content);
      else {
        current = { kind: "quote", lines: [content], indent, line: no };
        blocks.push(current);
      }
      continue;
    }

    const item = LIST_ITEM.exec(text);
    if (item) {
      current = {
        kind: "item",
        indent,
        marker: item[2] as string,
        lines: [text.slice(item[0].length).trimStart()],
        line: no,
      };
      blocks.push(current);
      continue;
    }

    if (t[0] === "|") {
      if (current?.kind === "table") current.lines.push(t);
      else {
        current = { kind: "table", lines: [t], indent, line: no };
        blocks.push(current);
      }
      continue;
    }

    // Plain text: continues the open paragraph, list item or (lazily) quote, else starts a paragraph.
    if (current && current.kind !== "table") {
      current.lines.push(text.trimStart());
      continue;
    }
    current = { kind: "para", lines: [text.trimStart()], indent, line: no };
    blocks.push(current);
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------------------------
// Inline text

const ENTITIES = new Map<string, string>(
  Object.entries({
    amp: "&",
    lt: "<",
    gt: ">",
    quot: '"',
    apos: "'",
    nbsp: " ",
    ensp: " ",
    emsp: " ",
    thinsp: " ",
    zwsp: "",
    zwnj: "",
    zwj: "",
    shy: "",
    ndash: "\u2013",
    mdash: "\u2014",
    hellip: "\u2026",
    lsquo: "\u2018",
    rsquo: "\u2019",
    ldquo: "\u201c",
    rdquo: "\u201d",
    laquo: "\u00ab",
    raquo: "\u00bb",
    bull: "\u2022",
    middot: "\u00b7",
    copy: "\u00a9",
    reg: "\u00ae",
    trade: "\u2122",
    deg: "\u00b0",
    times: "\u00d7",
    rarr: "\u2192",
    larr: "\u2190",
    hyphen: "-",
    colon: ":",
    lpar: "(",
    rpar: ")",
    lsqb: "[",
    rsqb: "]",
    ast: "*",
    num: "#",
    bsol: "\\",
    verbar: "|",
    grave: "`",
  }),
);

const ENTITY = /^&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/;
const BR_TAG = /^<br[ \t]*\/?>/i;
const INLINE_SPECIAL = /[`\\&<]/g;
const INLINE_SPECIAL_PLAIN = /[`\\&<*_![]/g;
const ASCII_PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");

function decodeEntity(s: string, at: number): { text: string; length: number } | null {
  const m = ENTITY.exec(s.slice(at, at + 40));
  if (!m) return null;
  let text: string | undefined;
  if (m[1] !== undefined || m[2] !== undefined) {
    const code = m[1] !== undefined ? Number.parseInt(m[1], 10) : Number.parseInt(m[2] as string, 16);
    if (code === 0xa0) text = " ";
    else if (code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff))
      text = String.fromCodePoint(code);
  } else {
    text = ENTITIES.get((m[3] as string).toLowerCase());
  }
  return text === undefined ? null : { text, length: m[0].length };
}

/** Length of the run of `ch` starting at `at`. */
function runLength(s: string, at: number, ch: string): number {
  let n = 0;
  while (s[at + n] === ch) n++;
  return n;
}

/** Start positions of the backtick runs of a string, by run length, and how far each list has been consumed. */
type BacktickRuns = Map<number, { starts: number[]; next: number }>;

function backtickRuns(s: string): BacktickRuns {
  const runs: BacktickRuns = new Map();
  for (let i = s.indexOf("`"); i >= 0; i = s.indexOf("`", i)) {
    const len = runLength(s, i, "`");
    const entry = runs.get(len);
    if (entry) entry.starts.push(i);
    else runs.set(len, { starts: [i], next: 0 });
    i += len;
  }
  return runs;
}

/** Start of the first run of exactly `len` backticks at or after `from` (a code span closes only on its own length). */
function nextRun(runs: BacktickRuns, len: number, from: number): number {
  const entry = runs.get(len);
  if (!entry) return -1;
  while (entry.next < entry.starts.length && (entry.starts[entry.next] as number) < from) entry.next++;
  return entry.next < entry.starts.length ? (entry.starts[entry.next] as number) : -1;
}

/** Where a `[text]` that opens at `at` closes (index of `]`), looking at most `limit` characters ahead. */
function matchingBracket(s: string, at: number, open: string, close: string, limit: number): number {
  let depth = 0;
  const end = Math.min(s.length, at + limit);
  for (let i = at; i < end; i++) {
    const c = s[i];
    if (c === "\\") i++;
    else if (c === open) depth++;
    else if (c === close) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * Cleans inline Markdown. Both modes turn `<br>` into a line break, decode HTML entities and remove backslash
 * escapes (not inside code spans). `plain` also strips `**` / `__`, backticks and links (`[text](url)` -> text,
 * images dropped), for quoted messages and titles.
 */
function cleanInline(s: string, plain: boolean): string {
  const special = plain ? INLINE_SPECIAL_PLAIN : INLINE_SPECIAL;
  special.lastIndex = 0;
  if (!special.test(s)) return s;
  let out = "";
  let i = 0;
  const n = s.length;
  let runs: BacktickRuns | undefined;
  while (i < n) {
    // Copy the run of ordinary characters up to the next one that may start markup.
    special.lastIndex = i;
    const next = special.exec(s);
    const at = next ? next.index : n;
    if (at > i) {
      out += s.slice(i, at);
      i = at;
      if (i >= n) break;
    }
    const c = s[i] as string;
    if (c === "`") {
      const len = runLength(s, i, "`");
      const fence = s.slice(i, i + len);
      runs ??= backtickRuns(s);
      const close = nextRun(runs, len, i + len);
      if (close < 0) {
        if (!plain) out += fence;
        i += len;
        continue;
      }
      const content = s.slice(i + len, close);
      out += plain ? content : fence + content + fence;
      i = close + len;
      continue;
    }
    if (c === "\\" && i + 1 < n && ASCII_PUNCTUATION.has(s[i + 1] as string)) {
      out += s[i + 1];
      i += 2;
      continue;
    }
    if (c === "&") {
      const entity = decodeEntity(s, i);
      if (entity) {
        out += entity.text;
        i += entity.length;
        continue;
      }
    }
    if (c === "<") {
      const br = BR_TAG.exec(s.slice(i, i + 8));
      if (br) {
        out += "\n";
        i += br[0].length;
        continue;
      }
    }
    if (plain) {
      if ((c === "*" || c === "_") && s[i + 1] === c) {
        const len = runLength(s, i, c);
        // `__init__`-style names keep their underscores; `**` is always markup.
        if (c === "*" || !isWordChar(s[i - 1]) || !isWordChar(s[i + len])) {
          out += len % 2 === 1 ? c : "";
          i += len;
          continue;
        }
        out += c.repeat(len);
        i += len;
        continue;
      }
      if (c === "!" && s[i + 1] === "[") {
        const close = matchingBracket(s, i + 1, "[", "]", 500);
        if (close > 0 && s[close + 1] === "(") {
          const end = matchingBracket(s, close + 1, "(", ")", 2000);
          if (end > 0) {
            i = end + 1;
            continue;
          }
        }
      }
      if (c === "[") {
        const close = matchingBracket(s, i, "[", "]", 500);
        if (close > 0 && (s[close + 1] === "(" || s[close + 1] === "[")) {
          const end =
            s[close + 1] === "("
              ? matchingBracket(s, close + 1, "(", ")", 2000)
              : matchingBracket(s, close + 1, "[", "]", 500);
          if (end > 0 && !s.slice(i + 1, close).startsWith("!")) {
            out += cleanInline(s.slice(i + 1, close), true);
            i = end + 1;
            continue;
          }
        }
      }
    }
    out += c;
    i++;
  }
  return out;
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}]/u.test(c);
}

/** Plain one-line text: markup stripped, entities decoded, whitespace collapsed. */
function plainText(s: string): string {
  return squash(cleanInline(s, true));
}

/** Whether a raw paragraph line ends with a Markdown hard break (two spaces or a backslash). */
function hardBreak(raw: string): boolean {
  return raw.endsWith("  ") || (raw.endsWith("\\") && !raw.endsWith("\\\\"));
}

/** Joins a paragraph's lines: soft wraps become spaces, hard breaks and `<br>` line breaks. */
function joinParagraph(lines: string[]): string {
  let joined = "";
  for (let k = 0; k < lines.length; k++) {
    const raw = lines[k] as string;
    let line = raw.trim();
    if (k < lines.length - 1 && hardBreak(raw) && line.endsWith("\\")) line = line.slice(0, -1).trimEnd();
    joined += line;
    if (k < lines.length - 1) joined += hardBreak(raw) ? "\n" : " ";
  }
  return cleanInline(joined, false)
    .split("\n")
    .map((l) => l.replace(/[ \t\u00a0]+/g, " ").trim())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

// ---------------------------------------------------------------------------------------------------------
// Section text

const CALLOUT = /^\[!([A-Za-z]+)\]/;

function isCallout(block: QuoteBlock): boolean {
  const first = block.lines.find((l) => l.trim() !== "");
  return first !== undefined && CALLOUT.test(first.trim());
}

/** The quote's paragraphs: runs of lines between empty `>` lines. */
function quoteParagraphs(block: QuoteBlock): string[][] {
  const paras: string[][] = [];
  let para: string[] = [];
  for (const line of block.lines) {
    if (line.trim() === "") {
      if (para.length > 0) paras.push(para);
      para = [];
    } else para.push(line);
  }
  if (para.length > 0) paras.push(para);
  return paras;
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case "heading":
      return joinParagraph([block.raw]);
    case "para":
      return joinParagraph(block.lines);
    case "item": {
      const text = joinParagraph(block.lines);
      const pad = " ".repeat(Math.min(block.indent, 12));
      return `${pad}${block.marker} ${text.replace(/\n/g, `\n${pad}  `)}`.trimEnd();
    }
    case "quote": {
      const out: string[] = [];
      for (const para of quoteParagraphs(block)) {
        if (out.length > 0) out.push(">");
        // A callout marker (`[!NOTE]`) stays on its own line.
        const first = (para[0] as string).trim();
        const callout = CALLOUT.exec(first);
        if (callout && callout[0].length === first.length) {
          out.push(`> ${first}`);
          para.shift();
          if (para.length === 0) continue;
        }
        for (const line of joinParagraph(para).split("\n")) out.push(line ? `> ${line}` : ">");
      }
      return out.join("\n");
    }
    case "code":
      return block.raw.join("\n");
    case "table":
      return block.lines.map((l) => cleanInline(l, false)).join("\n");
  }
}

function renderSection(blocks: Block[]): string {
  let out = "";
  let previous: Block | null = null;
  let inList = false;
  for (const block of blocks) {
    let text = renderBlock(block);
    if (text.trim() === "") continue;
    // Paragraphs and quotes indented under a list item stay indented, so they read as part of the item.
    if (block.kind === "item") inList = true;
    else if (block.kind !== "code" && block.kind !== "heading" && inList && block.indent >= 2) {
      const pad = " ".repeat(Math.min(block.indent, 12));
      text = text
        .split("\n")
        .map((l) => (l ? pad + l : l))
        .join("\n");
    } else if (block.kind === "heading" || block.indent === 0) inList = false;
    if (previous) out += previous.kind === "item" && block.kind === "item" ? "\n" : "\n\n";
    out += text;
    previous = block;
  }
  return out.trimEnd();
}

// ---------------------------------------------------------------------------------------------------------
// Quoted messages

/** A line written in bold as a whole: `**...**` or `__...__` (trailing hard break / `<br>` allowed). */
function isBoldLine(raw: string): boolean {
  const t = raw
    .trim()
    .replace(/(?:<br[ \t]*\/?>|\\)$/i, "")
    .trimEnd();
  if (t.length < 5) return false;
  const mark = t.slice(0, 2);
  return (mark === "**" || mark === "__") && t.endsWith(mark);
}

const OR_LINE = /^[-\s]*(?:or|and|-or-)[-\s]*$/i;

/** Text of a message: lines joined with single spaces, markup stripped. */
function messageText(lines: string[]): string {
  return plainText(lines.map((l) => l.replace(/^(?:> ?)+/, "")).join(" "));
}

function codeMessage(block: CodeBlock): string {
  return squash(block.content.join(" "));
}

interface Intro {
  plural: boolean;
  /** Indent of the intro when it is itself a list item: only deeper items are its messages. */
  itemIndent: number | null;
  /** Set once a singular intro's message turned out to be a list: the list's other items follow, nothing else. */
  listIndent?: number;
}

/** Blocks that may sit between an intro and its messages without ending the intro. */
function isSkippable(block: Block): boolean {
  if (block.kind === "quote") return isCallout(block);
  if (block.kind === "para") {
    const text = plainText(block.lines.join(" "));
    return text === "" || OR_LINE.test(text);
  }
  return false;
}

// After "the following", these words do not start a noun phrase of its own ("the following when you start X:").
const FOLLOWING_FUNCTION_WORDS = new Set(
  "when whenever while if in on at after before during from to as for by and or is are was were be been appears appear displays displayed occurs occur might may can could will would".split(
    " ",
  ),
);
// Noun phrases after "the following" that announce quoted text without naming an error or message.
const FOLLOWING_TEXT_NOUNS =
  /\b(?:examples?|entry|entries|strings?|lines?|results?|responses?|events?|logs?|exceptions?)\b/;

/**
 * An intro must announce the message that follows, not only mention one: in "you see this error message when you
 * try either of the following copy operations:" the blocks after it are operations, not messages.
 */
function announcesMessage(intro: string): boolean {
  const lower = intro.toLowerCase();
  const at = lower.lastIndexOf("following ");
  if (at < 0) return true;
  const tail = trimEndChars(lower.slice(at + "following ".length), " \t:");
  const first = /^[a-z]+/.exec(tail)?.[0];
  if (first === undefined || FOLLOWING_FUNCTION_WORDS.has(first)) return true;
  return isErrorIntro(`${tail}:`, "markdown") || FOLLOWING_TEXT_NOUNS.test(tail);
}

/**
 * A list item or bold line that names the message after it rather than being one: "**In Word 2013:**",
 * "- Error message 1" followed by an indented quote.
 */
function isLabel(block: Block, next: Block | undefined): boolean {
  if (block.kind === "item") {
    if (plainText(block.lines.join(" ")).endsWith(":")) return true;
    return (
      next !== undefined && (next.kind === "quote" || next.kind === "code") && next.indent > block.indent
    );
  }
  if (block.kind === "para" && block.lines.length === 1 && isBoldLine(block.lines[0] as string)) {
    return plainText(block.lines[0] as string).endsWith(":");
  }
  return false;
}

/** The messages quoted in Symptoms: blocks after an intro that speaks of an error or message. */
function extractErrors(blocks: Block[], loose = false): string[] {
  const errors: string[] = [];
  let intro: Intro | null = null;
  for (let k = 0; k < blocks.length; k++) {
    const block = blocks[k] as Block;
    if (block.kind === "heading") {
      intro = null;
      continue;
    }
    if (intro) {
      if (isSkippable(block) || isLabel(block, blocks[k + 1])) continue;
      const messages = loose && block.kind !== "quote" ? [] : messagesOf(block, intro);
      if (messages.length > 0) {
        errors.push(...messages);
        // After a singular intro the message is one block, or every item of one list.
        if (!intro.plural)
          intro = block.kind === "item" ? { ...(intro as Intro), listIndent: block.indent } : null;
        continue;
      }
      intro = null;
    }
    if (block.kind === "para" || block.kind === "item") {
      const text = plainText(block.lines.join(" "));
      if (loose ? text.endsWith(":") : isErrorIntro(text, "markdown") && announcesMessage(text)) {
        intro = { plural: isPluralIntro(text), itemIndent: block.kind === "item" ? block.indent : null };
      }
    }
  }
  const found = unique(errors.filter((e) => e.length > 0));
  // No intro speaks of an error ("... lists the following reason:"): take the quotes after any colon instead.
  if (found.length === 0 && !loose) return extractErrors(blocks, true);
  return found;
}

function messagesOf(block: Block, intro: Intro): string[] {
  if (intro.listIndent !== undefined && (block.kind !== "item" || block.indent !== intro.listIndent))
    return [];
  switch (block.kind) {
    case "quote": {
      if (isCallout(block)) return [];
      const lines = block.lines.filter((l) => !fenceOpen(l.trim()));
      if (!intro.plural) return [messageText(lines)];
      return quoteParagraphs({ ...block, lines }).map(messageText);
    }
    case "code":
      return [codeMessage(block)];
    case "para": {
      if (!block.lines.every(isBoldLine)) return [];
      return intro.plural ? block.lines.map((l) => messageText([l])) : [messageText(block.lines)];
    }
    case "item":
      if (intro.itemIndent !== null && block.indent <= intro.itemIndent) return [];
      return [messageText(block.lines)];
    default:
      return [];
  }
}

// ---------------------------------------------------------------------------------------------------------
// Front matter

interface FrontMatter {
  values: Map<string, { value: unknown; line: number }>;
}

function describeType(value: unknown): string {
  if (value === null) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "number") return "a number";
  if (typeof value === "boolean") return "a boolean";
  return `a ${typeof value}`;
}

/** A JSON-safe copy: Dates become ISO strings, Maps objects, non-finite numbers strings. */
function jsonSafe(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value === undefined) return null;
  if (depth > 50) return null;
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v, depth + 1));
  if (value instanceof Set) return [...value].map((v) => jsonSafe(v, depth + 1));
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) setKey(out, keyString(k), jsonSafe(v, depth + 1));
    return out;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setKey(out, k, jsonSafe(v, depth + 1));
    return out;
  }
  return String(value);
}

function keyString(key: unknown): string {
  if (typeof key === "string") return key;
  if (key === null || typeof key !== "object") return String(key);
  try {
    return JSON.stringify(jsonSafe(key));
  } catch {
    return String(key);
  }
}

/** Sets a key without tripping over `__proto__`. */
function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else target[key] = value;
}

function parseFrontMatter(
  yamlText: string,
  firstLine: number,
  report: (severity: Severity, line: number, code: string, message: string) => void,
): FrontMatter | null {
  try {
    return readFrontMatter(yamlText, firstLine, report);
  } catch (error) {
    // E.g. a stack overflow on absurdly deep nesting, or an alias bomb.
    report(
      "error",
      firstLine,
      "bad-front-matter",
      `The front matter could not be read (${error instanceof Error ? error.message : String(error)}), so it is ignored.`,
    );
    return null;
  }
}

function readFrontMatter(
  yamlText: string,
  firstLine: number,
  report: (severity: Severity, line: number, code: string, message: string) => void,
): FrontMatter | null {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number | undefined) =>
    firstLine + Math.max(0, lineCounter.linePos(Math.max(0, offset ?? 0)).line - 1);
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const detail = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
      const hint =
        error.code === "BLOCK_AS_IMPLICIT_KEY"
          ? ' A value that contains ": " must be quoted, e.g. title: "Error: disk full".'
          : "";
      report(
        "error",
        lineAt(error.pos[0]),
        "bad-front-matter",
        `The front matter is not valid YAML (${detail}), so it is ignored: the title, id and products it sets are lost.${hint}`,
      );
    }
    return null;
  }
  keepNumbersAsWritten(doc);
  const contents = doc.contents;
  const values = new Map<string, { value: unknown; line: number }>();
  if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ""))) {
    return { values };
  }
  if (!isNode(contents) || !("items" in contents) || isSeq(contents)) {
    report(
      "error",
      lineAt(contents.range?.[0]),
      "bad-front-matter",
      "The front matter must be `key: value` lines (a YAML mapping), so it is ignored.",
    );
    return null;
  }
  for (const pair of contents.items as Pair[]) {
    const keyNode = pair.key;
    const key = isScalar(keyNode)
      ? keyString(keyNode.value)
      : isNode(keyNode)
        ? keyString(keyNode.toJS(doc))
        : keyString(keyNode);
    const valueNode = pair.value;
    const value = isNode(valueNode) ? valueNode.toJS(doc, { maxAliasCount: 100 }) : (valueNode ?? null);
    const offset = isNode(keyNode)
      ? keyNode.range?.[0]
      : isNode(valueNode)
        ? valueNode.range?.[0]
        : undefined;
    if (!values.has(key)) values.set(key, { value: jsonSafe(value), line: lineAt(offset) });
  }
  return { values };
}

/**
 * YAML reads `0x8004de40` as 2147802688 and `1.10` as 1.1; in a KB the text as written is what matters
 * (error codes, versions), so a plain number whose source text differs keeps the text.
 */
function keepNumbersAsWritten(doc: Document): void {
  visit(doc, {
    Scalar(_, node) {
      const source = (node as Scalar & { source?: string }).source;
      if (
        node.type === "PLAIN" &&
        (typeof node.value === "number" || typeof node.value === "bigint") &&
        typeof source === "string" &&
        source !== String(node.value)
      ) {
        node.value = source;
      }
    },
  });
}

/** A list of names from a string (split on commas / semicolons / line breaks) or a list of scalars. */
function nameList(value: unknown): string[] | null {
  if (typeof value === "string") {
    return unique(
      value
        .split(/[,;\n]/)
        .map((s) => squash(s))
        .filter((s) => s.length > 0),
    );
  }
  if (Array.isArray(value) && value.every((v) => v === null || ["string", "number"].includes(typeof v))) {
    return unique(value.map((v) => squash(String(v ?? ""))).filter((s) => s.length > 0));
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// Parser

interface SectionPart {
  name: SectionName;
  line: number;
  /** Heading text kept in the section ("Resolution 1: Use the EMC"), or null for a plain "Resolution". */
  label: string | null;
  blocks: Block[];
}

// "Symptoms", "Causes", "Resolution 2: ...", "Resolution option 1: ...", "Resolution - Method 1: ...".
const SECTION_HEADING =
  /^(symptoms?|causes?|resolutions?|solutions?|workarounds?|status|more information|more info)(?:(?: (?:option|method|step|part|scenario))? ?\d{1,3})?(?:$| ?[:\u2013\u2014-].*)$/;

/** Which section a heading opens; numbered or subtitled headings keep their text as a label. */
function sectionOf(raw: string): { name: SectionName; label: string | null } | null {
  const text = plainText(raw);
  const lower = trimEndChars(text.toLowerCase(), " \t:.");
  const exact = SECTION_NAMES.get(lower);
  if (exact) return { name: exact, label: null };
  const m = SECTION_HEADING.exec(lower);
  const name = m ? SECTION_NAMES.get(m[1] as string) : undefined;
  return name ? { name, label: text } : null;
}

function fileId(source: string): string {
  const base = source.split(/[\\/]/).pop() ?? "";
  return base.replace(/\.(?:md|markdown)$/i, "");
}

export function parseMarkdown(text: string, source: string): ParseResult {
  const problems: Problem[] = [];
  const report = (severity: Severity, line: number, code: string, message: string) =>
    problems.push({ severity, file: source, line, code, message });

  const raw = normalizeNewlines(text.startsWith("\uFEFF") ? text.slice(1) : text);
  const lines: Line[] = raw.map((l, k) => ({ text: l, no: k + 1 }));

  // Front matter: a `---` first line up to the next `---` (or `...`) line.
  let bodyStart = 0;
  let front: FrontMatter | null = null;
  if (lines.length > 0 && (lines[0] as Line).text.trimEnd() === "---") {
    let close = -1;
    for (let k = 1; k < lines.length; k++) {
      const t = (lines[k] as Line).text.trimEnd();
      if (t === "---" || t === "...") {
        close = k;
        break;
      }
    }
    if (close < 0) {
      report(
        "error",
        1,
        "unterminated-front-matter",
        "The front matter opened by `---` on line 1 is never closed by another `---` line, so it is ignored and the whole file is read as Markdown.",
      );
    } else {
      const yamlLines = raw.slice(1, close);
      front = parseFrontMatter(yamlLines.join("\n"), 2, report);
      bodyStart = close + 1;
    }
  }
  const fm = front?.values ?? new Map<string, { value: unknown; line: number }>();

  // Id: front matter, else the file name.
  let id = fileId(source);
  let idFromFrontMatter = false;
  const idEntry = fm.get("id");
  if (idEntry && idEntry.value !== null) {
    const v = idEntry.value;
    if (typeof v === "string" || (typeof v === "number" && Number.isFinite(v))) {
      const candidate = String(v).trim();
      if (ID_PATTERN.test(candidate)) {
        id = candidate;
        idFromFrontMatter = true;
      } else {
        report(
          "error",
          idEntry.line,
          "bad-id",
          `The id ${JSON.stringify(candidate)} is not usable: an id starts with a letter or digit and has only letters, digits, '.', '_', ':' and '-' (at most 128 characters). The file name ${JSON.stringify(id)} is used instead.`,
        );
      }
    } else {
      report(
        "error",
        idEntry.line,
        "wrong-type",
        `\`id\` must be a single word, not ${describeType(v)}; the file name ${JSON.stringify(id)} is used instead.`,
      );
    }
  }
  if (!idFromFrontMatter && !FILE_ID_PATTERN.test(id)) {
    report(
      "error",
      1,
      "bad-id",
      `The file name gives the id ${JSON.stringify(id)}, which is not usable: it has control characters or is over 255 characters. Rename the file or set \`id:\` in the front matter.`,
    );
  }

  const stringValue = (key: string): string | null => {
    const entry = fm.get(key);
    if (!entry || entry.value === null) return null;
    if (typeof entry.value === "string") return entry.value;
    if (typeof entry.value === "number" || typeof entry.value === "boolean") return String(entry.value);
    report(
      "warning",
      entry.line,
      "wrong-type",
      `\`${key}\` must be a single line of text, not ${describeType(entry.value)}; it is ignored.`,
    );
    return null;
  };

  const fmTitle = squash(stringValue("title") ?? "");

  let url: string | undefined;
  const urlEntry = fm.get("url");
  if (urlEntry && urlEntry.value !== null) {
    if (typeof urlEntry.value === "string" && urlEntry.value.trim() !== "") url = urlEntry.value.trim();
    else
      report(
        "warning",
        urlEntry.line,
        "wrong-type",
        `\`url\` must be a web address, not ${describeType(urlEntry.value)}; it is ignored.`,
      );
  }

  let products: string[] = [];
  for (const key of ["products", "appliesto"]) {
    const entry = fm.get(key);
    if (!entry || entry.value === null) continue;
    const list = nameList(entry.value);
    if (list === null) {
      report(
        "warning",
        entry.line,
        "wrong-type",
        `\`${key}\` must be a product name or a list of product names, not ${describeType(entry.value)}; it is ignored.`,
      );
      continue;
    }
    if (list.length > 0) {
      products = list;
      break;
    }
  }

  let keywords: string[] = [];
  const keywordsEntry = fm.get("keywords");
  if (keywordsEntry && keywordsEntry.value !== null) {
    const v = keywordsEntry.value;
    if (typeof v === "string") keywords = splitKeywords(v);
    else if (Array.isArray(v) && v.every((k) => k === null || ["string", "number"].includes(typeof k))) {
      keywords = unique(v.map((k) => squash(String(k ?? ""))).filter((k) => k.length > 0));
    } else {
      report(
        "warning",
        keywordsEntry.line,
        "wrong-type",
        `\`keywords\` must be a list or a comma-separated line of words, not ${describeType(v)}; it is ignored.`,
      );
    }
  }

  const meta: Record<string, unknown> = {};
  for (const [key, entry] of fm) if (!OWN_KEYS.has(key)) setKey(meta, key, entry.value);
  const description = fm.get("description");
  if (description && description.value !== null && typeof description.value !== "string") {
    report(
      "warning",
      description.line,
      "wrong-type",
      `\`description\` should be a line of text, not ${describeType(description.value)}.`,
    );
  }

  // Body: blocks, H1, sections.
  const blocks = toBlocks(stripMarkupLines(lines.slice(bodyStart)));
  let h1: string | null = null;
  const parts: SectionPart[] = [];
  // Open sections, innermost last: a heading closes those at its level or deeper.
  const open: { level: number; part: SectionPart }[] = [];
  for (const block of blocks) {
    if (block.kind === "heading") {
      while (open.length > 0 && (open[open.length - 1] as { level: number }).level >= block.level) open.pop();
      const section = block.level >= 2 ? sectionOf(block.raw) : null;
      if (section) {
        const part: SectionPart = { name: section.name, line: block.line, label: section.label, blocks: [] };
        parts.push(part);
        open.push({ level: block.level, part });
        continue;
      }
      if (block.level === 1 && h1 === null) h1 = plainText(block.raw);
    }
    open[open.length - 1]?.part.blocks.push(block);
  }

  const sectionText = (name: SectionName): { text: string; line: number | null } => {
    const texts: string[] = [];
    let line: number | null = null;
    for (const p of parts) {
      if (p.name !== name) continue;
      line ??= p.line;
      const body = renderSection(p.blocks);
      if (p.label) texts.push(body ? `${p.label}\n\n${body}` : p.label);
      else if (body) texts.push(body);
    }
    return { text: texts.join("\n\n"), line };
  };

  let title = fmTitle || h1 || "";
  if (!title) {
    report(
      "warning",
      1,
      "missing-title",
      `No title: add \`title:\` to the front matter or a \`# Heading\` line. The id ${JSON.stringify(id)} is shown instead.`,
    );
    title = id;
  }
  if (h1 && h1 !== title && !Object.hasOwn(meta, "h1")) meta.h1 = h1;

  const symptoms = sectionText("symptoms");
  const symptomsBlocks = parts.filter((p) => p.name === "symptoms").flatMap((p) => p.blocks);
  if (symptoms.line === null) {
    report(
      "error",
      1,
      "missing-symptoms",
      "No `## Symptoms` section: the bot matches pastes against Symptoms, so this article can never be found.",
    );
  } else if (!symptoms.text) {
    report(
      "error",
      symptoms.line,
      "empty-symptoms",
      "The `## Symptoms` section is empty: the bot matches pastes against Symptoms, so this article can never be found.",
    );
  }
  // An article that quotes no message still loads; `triage kb check` lists it apart from the warnings.
  const errors = extractErrors(symptomsBlocks);

  const cause = sectionText("cause");
  if (!cause.text) {
    report(
      "warning",
      cause.line ?? 1,
      cause.line === null ? "missing-cause" : "empty-cause",
      cause.line === null
        ? "No `## Cause` section: the bot's answer will not say why the problem happens."
        : "The `## Cause` section is empty: the bot's answer will not say why the problem happens.",
    );
  }
  const resolutionOnly = sectionText("resolution");
  const workaround = sectionText("workaround");
  const resolution = resolutionOnly.text || workaround.text;
  if (!resolution) {
    const line = resolutionOnly.line ?? workaround.line;
    report(
      "warning",
      line ?? 1,
      line === null ? "missing-resolution" : "empty-resolution",
      line === null
        ? "No `## Resolution`, `## Solution` or `## Workaround` section: the bot's answer will have no fix to offer."
        : "The resolution section is empty: the bot's answer will have no fix to offer.",
    );
  }

  // Problems in file order, so an author can work down the file.
  problems.sort((a, b) => a.line - b.line);
  if (!symptoms.text) return { article: null, problems };

  const article: Article = {
    id,
    format: "markdown",
    title,
    products,
    symptoms: symptoms.text,
    errors,
    cause: cause.text,
    resolution,
    workaround: workaround.text,
    status: sectionText("status").text,
    moreInfo: sectionText("moreInfo").text,
    keywords,
    queryWords: [],
    source,
    meta,
  };
  if (url !== undefined) article.url = url;
  return { article, problems, idLine: idFromFrontMatter ? (idEntry as { line: number }).line : 1 };
}
