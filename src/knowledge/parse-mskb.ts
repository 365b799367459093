import {
  indentOf,
  isBlank,
  isErrorIntro,
  isPluralIntro,
  listItemTextColumn,
  normalizeNewlines,
  splitKeywords,
  squash,
  unique,
} from "./text.js";
import type { Article, ParseResult, Problem, Severity } from "./types.js";

/**
 * Parser for the classic Microsoft Knowledge Base plain-text format:
 *
 *   DOCUMENT:Q263411  20-OCT-2000  [sms]
 *   TITLE   :...
 *   (applies-to list between dashed lines)
 *   SYMPTOMS          <- any heading underlined with `=`
 *   ========
 *   ...
 *   Additional query words: ...
 *   ====================  (keyword footer, then the legal notice, which is dropped)
 */

/** Canonical section a heading maps to; anything else is kept under its own name. */
const SECTION_ALIASES: Record<string, CanonicalSection> = {
  SYMPTOMS: "symptoms",
  SYMPTOM: "symptoms",
  CAUSE: "cause",
  CAUSES: "cause",
  RESOLUTION: "resolution",
  RESOLUTIONS: "resolution",
  SOLUTION: "resolution",
  WORKAROUND: "workaround",
  WORKAROUNDS: "workaround",
  STATUS: "status",
  "MORE INFORMATION": "moreInfo",
  SUMMARY: "summary",
  REFERENCES: "references",
};
type CanonicalSection =
  | "symptoms"
  | "cause"
  | "resolution"
  | "workaround"
  | "status"
  | "moreInfo"
  | "summary"
  | "references";

const HEADER_KEYS = new Set(["DOCUMENT", "TITLE", "PRODUCT", "PROD/VER", "OPER/SYS", "KEYWORDS"]);
const HEADER_LINE = /^([A-Z][A-Z/]*(?: [A-Z/]+)*) *:(.*)$/;
const DOCUMENT_VALUE = /^(\S+)(?:\s+(\d{1,2}-[A-Za-z]{3}-\d{2,4}))?(?:\s+\[([^\]]*)\])?/;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const FOOTER_KEY = /^(Keywords|Technology|Version|Issue type|Solution Type)\s*:(.*)$/i;
/** Footer fields kept in `meta`, under these names. */
const FOOTER_META_KEYS: Record<string, string> = {
  technology: "technology",
  version: "version",
  "issue type": "issueType",
  "solution type": "solutionType",
};
const QUERY_WORDS = /^Additional query words\s*:(.*)$/i;
const LONG_RULE = /^\s*={20,}\s*$/;
const DASH_RULE = /^\s*-{20,}\s*$/;
const UNDERLINE = /^=+\s*$/;
const DASH_UNDERLINE = /^-+\s*$/;
// The legal notice that ends real MS KB files, and its copyright line (words matched loosely on purpose).
const LEGAL_NOTICE =
  /^(THE\s+INFORMATION\s+PROVIDED\s+IN\s+THE\s+MICROSOFT\s+KNOWLEDGE\s+BASE|Copyright\s+Microsoft\s+Corp)/i;
// Sub-blocks under an intro that are connectives or commentary, not messages.
const NOT_A_MESSAGE = /^(?:-+ *or *-+|or|-or-|\(?or\)?)$|^(?:notes?|where|for example)\b/i;
/** Lines up to this long are taken as prose when guessing the width the article was wrapped at. */
const MAX_PROSE_WIDTH = 80;
const MIN_WIDTH = 40;
/** "When installing Exchange Server 5.5:" is a sub-intro naming a case: one line, so no longer than a line. */
const MAX_SUB_INTRO = MAX_PROSE_WIDTH;
const POINTS_AHEAD = /\b(?:following|these|this|below)\b/i;
const BULLET = /^\s*[-*\u2022o]\s+(?=\S)/;

interface Section {
  name: string;
  canonical: CanonicalSection | null;
  /** 0-based index of the heading line. */
  headingIndex: number;
  /** Body lines (raw, trailing spaces trimmed) and their 0-based indexes. */
  lines: string[];
  start: number;
}

/** One unwrapped line of text: a paragraph, a list item or a kept line break. */
interface LogicalLine {
  text: string;
  /** Indent of the first raw line. */
  indent: number;
  /** Column continuation lines align to (the text column of a list item). */
  continuation: number;
  /** 0-based index of its first raw line. */
  first: number;
}

export function parseMskb(text: string, source: string): ParseResult {
  const problems: Problem[] = [];
  const report = (severity: Severity, index: number, code: string, message: string) =>
    problems.push({ severity, file: source, line: index + 1, code, message });

  const lines = normalizeNewlines(text).map((l) => l.trimEnd());
  const width = wrapWidth(lines);

  // Header block: KEY:value lines at the top, up to the first blank or rule line.
  const header = new Map<string, { value: string; index: number }>();
  let i = 0;
  while (i < lines.length && isBlank(lines[i] as string)) i++;
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (isBlank(line) || LONG_RULE.test(line) || DASH_RULE.test(line)) break;
    const m = HEADER_LINE.exec(line);
    if (!m || !HEADER_KEYS.has(m[1] as string)) break;
    const key = m[1] as string;
    if (!header.has(key)) header.set(key, { value: (m[2] as string).trim(), index: i });
  }
  const headerEnd = i;

  let id: string | null = null;
  const meta: Record<string, unknown> = {};
  const documentLine = header.get("DOCUMENT");
  if (!documentLine) {
    report(
      "error",
      0,
      "missing-document-header",
      "No `DOCUMENT:` header line (e.g. `DOCUMENT:Q263411  20-OCT-2000  [sms]`) at the top of the file, so the article has no id.",
    );
  } else {
    const m = DOCUMENT_VALUE.exec(documentLine.value);
    const candidate = m?.[1] ?? "";
    if (!ID_PATTERN.test(candidate)) {
      report(
        "error",
        documentLine.index,
        "bad-id",
        `The DOCUMENT id ${JSON.stringify(candidate)} is not a usable id (letters, digits, '.', '_', ':', '-').`,
      );
    } else {
      id = candidate;
    }
    if (m?.[2]) meta.date = m[2];
    if (m?.[3]) meta.category = m[3];
  }
  const titleLine = header.get("TITLE");
  let title = titleLine?.value ?? "";
  if (!title) {
    report(
      "warning",
      titleLine?.index ?? 0,
      "missing-title",
      "No `TITLE   :` header line; the id is shown instead.",
    );
    title = id ?? "";
  }
  const product = header.get("PRODUCT")?.value ?? "";
  if (product) meta.product = product;
  const prodVer = header.get("PROD/VER")?.value ?? "";
  if (prodVer) meta.prodVer = prodVer;
  const operSys = header.get("OPER/SYS")?.value ?? "";
  if (operSys) meta.operSys = operSys;
  let keywords = splitKeywords(header.get("KEYWORDS")?.value ?? "");

  // Where the article body ends: "Additional query words:", else the keyword footer's rule, else the legal notice.
  const footerStart = findFooterStart(lines, headerEnd);

  // Headings (a line underlined with `=`) between the header and the footer.
  const sections: Section[] = [];
  let firstHeading = footerStart;
  for (let j = headerEnd; j < footerStart; j++) {
    const span = headingSpan(lines, j);
    if (span > 0 && j + span <= footerStart) {
      if (sections.length === 0) firstHeading = j;
      const name = squash(lines[j] as string);
      const canonical = SECTION_ALIASES[name.toUpperCase()] ?? null;
      sections.push({ name, canonical, headingIndex: j, lines: [], start: j + span });
      j += span - 1;
    } else if (sections.length > 0) {
      (sections[sections.length - 1] as Section).lines.push(lines[j] as string);
    }
  }

  // The applies-to list between the header and the first heading.
  const products = parseAppliesTo(lines.slice(headerEnd, firstHeading));
  if (products.length === 0 && product) products.push(product);

  // Footer: query words and the keyword block; the legal notice after it is dropped.
  const footer = parseFooter(lines, footerStart);
  keywords = unique([...keywords, ...footer.keywords]);
  Object.assign(meta, footer.meta);

  // Known section names typed without their underline are a common authoring slip.
  const headingLines = new Set(sections.map((section) => section.headingIndex));
  for (let j = headerEnd; j < footerStart; j++) {
    const line = lines[j] as string;
    if (line.length <= 16 && /^[A-Z]/.test(line) && line in SECTION_ALIASES && !headingLines.has(j)) {
      report(
        "warning",
        j,
        "heading-not-underlined",
        `\`${line}\` looks like a section heading but is not underlined with \`=\`; it is read as text.`,
      );
    }
  }

  // Merge sections: unknown headings after a known section are sub-headings of it.
  const texts = new Map<CanonicalSection, { raw: Section[]; headingIndex: number }>();
  const otherSections: Record<string, string> = {};
  let current: CanonicalSection | null = null;
  for (const section of sections) {
    if (section.canonical) {
      current = section.canonical;
      const entry = texts.get(current);
      if (entry) entry.raw.push(section);
      else texts.set(current, { raw: [section], headingIndex: section.headingIndex });
    } else if (current) {
      (texts.get(current) as { raw: Section[] }).raw.push(section);
    } else {
      otherSections[section.name] = sectionText([section], width, true);
    }
  }
  const textOf = (name: CanonicalSection) => {
    const entry = texts.get(name);
    return entry ? sectionText(entry.raw, width, false, name === "symptoms") : "";
  };

  const symptomsEntry = texts.get("symptoms");
  const symptoms = textOf("symptoms");
  if (!symptomsEntry) {
    report(
      "error",
      firstHeading < footerStart ? firstHeading : headerEnd,
      "missing-symptoms",
      "No SYMPTOMS section (a `SYMPTOMS` line underlined with `=`): the bot matches pastes against SYMPTOMS, so this article could never be found.",
    );
  } else if (!symptoms) {
    report(
      "error",
      symptomsEntry.headingIndex,
      "empty-symptoms",
      "The SYMPTOMS section is empty: nothing to match a paste against.",
    );
  }
  const cause = textOf("cause");
  if (!cause) {
    report(
      "warning",
      texts.get("cause")?.headingIndex ?? symptomsEntry?.headingIndex ?? 0,
      texts.has("cause") ? "empty-cause" : "missing-cause",
      texts.has("cause")
        ? "The CAUSE section is empty."
        : "No CAUSE section; the answer will not say why it happens.",
    );
  }
  const resolutionOnly = textOf("resolution");
  const workaround = textOf("workaround");
  const resolution = resolutionOnly || workaround;
  if (!resolution) {
    report(
      "warning",
      texts.get("resolution")?.headingIndex ?? symptomsEntry?.headingIndex ?? 0,
      texts.has("resolution") ? "empty-resolution" : "missing-resolution",
      texts.has("resolution")
        ? "The RESOLUTION section is empty and there is no WORKAROUND; the answer will have no fix."
        : "No RESOLUTION or WORKAROUND section; the answer will have no fix.",
    );
  }

  const errors = symptomsEntry ? extractMessages(symptomsEntry.raw, width) : [];
  const summary = textOf("summary");
  if (summary) meta.summary = summary;
  const references = textOf("references");
  if (references) meta.references = references;
  if (Object.keys(otherSections).length > 0) meta.sections = otherSections;

  problems.sort((a, b) => a.line - b.line);
  if (id === null || !symptoms) return { article: null, problems };
  const article: Article = {
    id,
    format: "mskb",
    title,
    products,
    symptoms,
    errors,
    cause,
    resolution,
    workaround,
    status: textOf("status"),
    moreInfo: textOf("moreInfo"),
    keywords,
    queryWords: footer.queryWords,
    source,
    meta,
  };
  return { article, problems, idLine: (documentLine?.index ?? 0) + 1 };
}

/**
 * The width the article was hard-wrapped at, guessed from its long prose lines. A line break is taken as a soft
 * wrap when the next word would not have fitted within it. Not the longest line: one stray long line (a header
 * or footer field, a path) would make every wrapped line look deliberately short. The 90th percentile of the
 * lines that are at least half a screen wide sits at the wrap margin in real articles.
 */
function wrapWidth(lines: string[]): number {
  const counts = new Array<number>(MAX_PROSE_WIDTH + 1).fill(0);
  let total = 0;
  for (const line of lines) {
    const n = line.length;
    if (n >= MIN_WIDTH && n <= MAX_PROSE_WIDTH && !LONG_RULE.test(line) && !DASH_RULE.test(line)) {
      counts[n] = (counts[n] as number) + 1;
      total++;
    }
  }
  if (total === 0) return MIN_WIDTH;
  let seen = 0;
  for (let n = MIN_WIDTH; n <= MAX_PROSE_WIDTH; n++) {
    seen += counts[n] as number;
    if (seen >= total * 0.9) return n;
  }
  return MAX_PROSE_WIDTH;
}

/**
 * How many lines the heading at `j` takes (0 when it is not one): a line underlined with `=`; for the known
 * section names also an underline of `-`, or an `=` underline after a stray blank line (both seen in real files).
 */
function headingSpan(lines: string[], j: number): number {
  const line = lines[j];
  const next = lines[j + 1];
  if (line === undefined || next === undefined) return 0;
  // Fast exit for the common case: the next line is text (lines are trimmed at the end, so a blank one is
  // empty), so this is no heading.
  const lead = next.charCodeAt(0);
  if (line.length === 0 || (next.length > 0 && lead !== 61 && lead !== 45)) return 0;
  if (isBlank(line) || indentOf(line) > 0 || UNDERLINE.test(line) || DASH_RULE.test(line)) return 0;
  const heading = line.trimEnd();
  if (heading.length > 60 || QUERY_WORDS.test(heading) || /[.,;]$/.test(heading)) return 0;
  // The underline is not always exactly as long as the heading, but a long rule under a short line is a separator.
  const fits = (underline: string) => Math.abs(underline.trimEnd().length - heading.length) <= 3;
  if (UNDERLINE.test(next)) return fits(next) ? 2 : 0;
  if (!(heading in SECTION_ALIASES)) return 0;
  if (DASH_UNDERLINE.test(next) && fits(next)) return 2;
  const after = lines[j + 2];
  if (isBlank(next) && after !== undefined && UNDERLINE.test(after) && fits(after)) return 3;
  return 0;
}

function findFooterStart(lines: string[], from: number): number {
  for (let j = from; j < lines.length; j++) {
    if (QUERY_WORDS.test(lines[j] as string)) return j;
  }
  for (let j = from; j < lines.length; j++) {
    const line = lines[j] as string;
    if (LEGAL_NOTICE.test(line)) return j;
    if (LONG_RULE.test(line)) {
      // A rule followed by footer keys or the legal notice (blank lines allowed in between).
      let k = j + 1;
      while (k < lines.length && isBlank(lines[k] as string)) k++;
      const after = lines[k] ?? "";
      if (k >= lines.length || FOOTER_KEY.test(after) || LEGAL_NOTICE.test(after)) return j;
    }
  }
  return lines.length;
}

function parseAppliesTo(lines: string[]): string[] {
  const products: string[] = [];
  let inList = false;
  let last: { indent: number } | null = null;
  for (const line of lines) {
    if (/applies to\s*:?\s*$/i.test(line)) {
      inList = true;
      continue;
    }
    if (!inList) continue;
    if (DASH_RULE.test(line) || LONG_RULE.test(line)) {
      if (products.length > 0) break;
      continue;
    }
    if (isBlank(line)) continue;
    const item = /^(\s*)[-*\u2022o]\s+(.*)$/.exec(line);
    if (item) {
      products.push(squash(item[2] as string));
      last = { indent: (item[1] as string).length };
    } else if (last && indentOf(line) > last.indent && products.length > 0) {
      products[products.length - 1] = squash(`${products[products.length - 1]} ${line}`);
    }
  }
  return unique(products.filter((p) => p.length > 0));
}

function parseFooter(
  lines: string[],
  start: number,
): { queryWords: string[]; keywords: string[]; meta: Record<string, string> } {
  const meta: Record<string, string> = {};
  let queryWords: string[] = [];
  let keywords: string[] = [];
  let key: string | null = null;
  let value = "";
  const flush = () => {
    if (key === null) return;
    const v = squash(value);
    if (key === "additional query words") queryWords = splitKeywords(v);
    else if (key === "keywords") keywords = splitKeywords(v);
    else if (v) meta[FOOTER_META_KEYS[key] ?? key] = v;
    key = null;
    value = "";
  };
  for (let j = start; j < lines.length; j++) {
    const line = lines[j] as string;
    if (LEGAL_NOTICE.test(line)) break;
    const q = QUERY_WORDS.exec(line);
    const f = FOOTER_KEY.exec(line);
    if (q) {
      flush();
      key = "additional query words";
      value = q[1] as string;
    } else if (f) {
      flush();
      key = (f[1] as string).toLowerCase();
      value = f[2] as string;
    } else if (isBlank(line) || LONG_RULE.test(line)) {
      flush();
    } else if (key !== null) {
      value += ` ${line}`;
    }
  }
  flush();
  return { queryWords, keywords, meta };
}

/** Lines between blank lines, with the index of the first one. */
interface Block {
  lines: string[];
  first: number;
}

/** Splits raw lines into blocks separated by blank lines, keeping each line's index in `lines`. */
function blocksOf(lines: string[], offset: number): Block[] {
  const blocks: Block[] = [];
  let current: Block | null = null;
  lines.forEach((line, k) => {
    if (isBlank(line)) {
      current = null;
      return;
    }
    if (!current) {
      current = { lines: [], first: offset + k };
      blocks.push(current);
    }
    current.lines.push(line);
  });
  return blocks;
}

/** Undoes hard wraps inside a block: joins a line to the previous one when it only broke because it was full. */
function logicalLines(block: Block, width: number): LogicalLine[] {
  const out: LogicalLine[] = [];
  let previousRaw = "";
  block.lines.forEach((raw, k) => {
    const indent = indentOf(raw);
    const itemColumn = listItemTextColumn(raw);
    const last = out[out.length - 1];
    if (last && itemColumn === null && indent === last.continuation && isSoftWrap(previousRaw, raw, width)) {
      last.text = `${last.text} ${raw.trim()}`;
    } else {
      out.push({ text: raw, indent, continuation: itemColumn ?? indent, first: block.first + k });
    }
    previousRaw = raw;
  });
  return out;
}

function isSoftWrap(previous: string, next: string, width: number): boolean {
  const text = next.trimStart();
  const space = text.indexOf(" ");
  const wordLength = space === -1 ? text.length : space;
  if (previous.length + 1 + wordLength > width) return true;
  // A sentence that carries on in lower case after a fairly full line was wrapped early by a narrower editor;
  // short lines (commands one per line) keep their breaks.
  return previous.length >= width * 0.6 && /^[a-z]/.test(text) && !/[.:!?]$/.test(previous);
}

/** The text of one canonical section (possibly with sub-headed parts), unwrapped, common indent removed. */
function sectionText(parts: Section[], width: number, bodyOnly: boolean, unwrapIndented = false): string {
  const chunks: string[] = [];
  parts.forEach((part, n) => {
    const body = renderBlocks(part.lines, part.start, width, unwrapIndented);
    if (n > 0 && !bodyOnly) chunks.push(part.name);
    if (body) chunks.push(body);
  });
  return chunks.join("\n\n");
}

/**
 * Renders a section's lines: blocks separated by one blank line, wraps undone. A block indented deeper than the
 * text it follows (commands, registry paths, listings under a step) is kept line for line, except in SYMPTOMS,
 * where such blocks are the quoted messages and are unwrapped like prose.
 */
function renderBlocks(lines: string[], offset: number, width: number, unwrapIndented: boolean): string {
  const blocks = blocksOf(lines, offset);
  if (blocks.length === 0) return "";
  let base = Number.POSITIVE_INFINITY;
  for (const b of blocks) for (const l of b.lines) base = Math.min(base, indentOf(l));
  let textColumn = base;
  return blocks
    .map((b) => {
      const first = b.lines[0] as string;
      const indented = Math.min(...b.lines.map(indentOf)) > textColumn && listItemTextColumn(first) === null;
      if (indented && !unwrapIndented) return b.lines.map((l) => l.slice(base)).join("\n");
      const logical = logicalLines(b, width);
      if (!indented) textColumn = (logical[logical.length - 1] as LogicalLine).continuation;
      return logical.map((l) => l.text.slice(base).trimEnd()).join("\n");
    })
    .join("\n\n");
}

/**
 * The literal messages quoted in SYMPTOMS: the indented block(s) after a paragraph that ends with `:` and
 * speaks of an error, message, warning, dialog box or prompt. A plural intro gives one message per block.
 */
function extractMessages(parts: Section[], width: number): string[] {
  const messages: string[] = [];
  for (const part of parts) {
    const blocks = blocksOf(part.lines, part.start);
    const endsWithIntro = (block: Block) => {
      return logicalLines(block, width).at(-1)?.text.trimEnd().endsWith(":") === true;
    };
    for (let b = 0; b < blocks.length; b++) {
      const intro = lastParagraph(logicalLines(blocks[b] as Block, width));
      // The colon test first: it is cheap and rules out nearly every paragraph.
      if (!intro?.text.trimEnd().endsWith(":") || !isErrorIntro(squash(intro.text))) continue;
      let plural = isPluralIntro(intro.text);
      const quoted: string[][] = [];
      let k = b + 1;
      for (; k < blocks.length; k++) {
        const block = blocks[k] as Block;
        const minIndent = Math.min(...block.lines.map(indentOf));
        if (minIndent > intro.indent) {
          // Under a list item, a block at the item's text column may be the message or more of the item:
          // a singular intro takes one such block, and a new intro ends the quote either way.
          const atItemText = minIndent <= intro.continuation;
          if (atItemText && endsWithIntro(block)) break;
          if (atItemText && !plural && quoted.length > 0) break;
          quoted.push(block.lines);
          continue;
        }
        // "...the following error message:" / "IIS 4.0:" / (indented message) / "IIS 5.0:" / (indented message):
        // one-line labels name the cases, so each quoted block is a message of its own. A line that points
        // ahead ("The log contains the following text:") introduces something else, and so does any line
        // ending in a colon after a singular intro's message.
        const next = blocks[k + 1];
        const label = block.lines[0] as string;
        const isLabel =
          label.trim().length <= MAX_SUB_INTRO &&
          ((block.lines.length === 1 && endsWithIntro(block) && !POINTS_AHEAD.test(label)) ||
            // "Windows NT 4.0" underlined with dashes names a case the same way.
            (block.lines.length === 2 && DASH_UNDERLINE.test(block.lines[1] as string)));
        const subIntro =
          (plural || quoted.length === 0) &&
          isLabel &&
          next !== undefined &&
          Math.min(...next.lines.map(indentOf)) > minIndent;
        if (!subIntro) break;
        plural = true;
      }
      const texts = quoted.flatMap(bulletItems).map((ls) => squash(ls.join(" ")));
      const kept = texts.filter((m) => m && !NOT_A_MESSAGE.test(m));
      if (kept.length === 0) continue;
      // Blocks separated by "-or-" are alternatives, whatever the intro said.
      if (kept.length < texts.length) plural = true;
      if (plural) messages.push(...kept);
      else messages.push(kept.join(" "));
      b = k - 1;
    }
  }
  return unique(messages);
}

/**
 * The paragraph a block ends with: its last list item, or else its trailing lines of plain text joined (a
 * deliberate line break inside the intro must not hide the words "error message" from the intro test).
 */
function lastParagraph(logical: LogicalLine[]): LogicalLine | undefined {
  const last = logical.at(-1);
  if (!last || last.continuation !== last.indent) return last;
  let first = logical.length - 1;
  while (first > 0) {
    const previous = logical[first - 1] as LogicalLine;
    if (previous.indent !== last.indent || previous.continuation !== previous.indent) break;
    first--;
  }
  if (first === logical.length - 1) return last;
  const text = logical
    .slice(first)
    .map((l) => l.text.trim())
    .join(" ");
  return { ...last, text, first: (logical[first] as LogicalLine).first };
}

/** A quoted block written as a bulleted list gives one message per item, without the bullet. */
function bulletItems(lines: string[]): string[][] {
  if (!BULLET.test(lines[0] as string)) return [lines];
  const items: string[][] = [];
  for (const line of lines) {
    if (BULLET.test(line)) items.push([line.replace(BULLET, "")]);
    else (items[items.length - 1] as string[]).push(line);
  }
  return items;
}
