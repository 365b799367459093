/**
 * Text safety and Markdown / MS KB → Slack mrkdwn conversion. Everything here is pure and runs in linear time:
 * the texts come from knowledge files and from pastes, so no regex may backtrack on them.
 */
import type { ArticleFormat } from "../knowledge/types.js";

const ZWSP = "\u200B";
const ELLIPSIS = "…";
const FENCE = "```";
/** Link targets longer than this are shown as plain text, so a link always fits in one section. */
const MAX_URL = 1000;
const MAX_LINK_LABEL = 300;

/**
 * Strips C0 controls (except \n and \t) and DEL, turns \r\n and lone \r into \n, and replaces lone surrogates
 * with U+FFFD: Slack rejects or mangles all of them.
 */
export function sanitizeText(text: string): string {
  let out = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let replacement: string | null = null;
    if (c < 0x20 || c === 0x7f) {
      if (c === 0x0a || c === 0x09) continue;
      replacement = c === 0x0d ? (text.charCodeAt(i + 1) === 0x0a ? "" : "\n") : "";
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      replacement = "\uFFFD";
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      replacement = "\uFFFD";
    }
    if (replacement !== null) {
      out += text.slice(start, i) + replacement;
      start = i + 1;
    }
  }
  return start === 0 ? text : out + text.slice(start);
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const SPECIAL = /[&<>]/g;
const BROADCAST = /@(?=channel|here|everyone)/gi;
const BACKTICK_RUN = /`{3,}/g;

/** Puts a zero-width space after every second backtick of a run of 3+, so no ``` fence can form. */
function breakFences(text: string): string {
  return text.replace(BACKTICK_RUN, (run) => run.replace(/``/g, `\`\`${ZWSP}`));
}

/**
 * Makes any text safe to post as mrkdwn: escapes `&`, `<`, `>` (so no `<!channel>`, `<@U…>` or forged
 * `<url|label>` can be formed), puts a zero-width space after the `@` of `@channel`, `@here`, `@everyone`, and
 * breaks up ``` so a paste cannot open a code block that swallows the rest of the message.
 */
export function escapeMrkdwn(text: string): string {
  return breakFences(
    sanitizeText(text)
      .replace(SPECIAL, (c) => ENTITIES[c] ?? c)
      .replace(BROADCAST, `@${ZWSP}`),
  );
}

/** Escaped text for inside `inline code`: a backtick would end the span early, so it becomes a look-alike. */
export function inlineCode(text: string): string {
  const body = escapeMrkdwn(text).replace(/`/g, "ˋ").replace(/\n/g, " ");
  return body.trim() === "" ? escapeMrkdwn(text) : `\`${body}\``;
}

/**
 * The URL as it may appear inside `<…|…>`, or null unless it is a plain http(s) URL. Credentials in a URL are a
 * phishing trick, so those are refused too.
 */
export function safeUrl(raw: string | undefined): string | null {
  if (typeof raw !== "string") return null;
  const text = sanitizeText(raw).trim();
  if (text.length > MAX_URL || !/^https?:\/\//i.test(text)) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.username !== "" || url.password !== "") {
    return null;
  }
  const href = url.href.replace(/[|<> "`]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return href.length > MAX_URL ? null : href.replace(/&/g, "&amp;");
}

/** Label text for inside `<url|label>`: `|` would end the URL part, so it becomes a look-alike. */
function linkLabel(escaped: string): string {
  return truncate(escaped.replace(/\|/g, "｜"), MAX_LINK_LABEL);
}

/** `<url|label>` for an http(s) URL, otherwise the escaped label alone. */
export function link(url: string | undefined, label: string): string {
  const href = safeUrl(url);
  const text = linkLabel(escapeMrkdwn(label));
  if (!href) return text;
  return text.trim() === "" ? `<${href}>` : `<${href}|${text}>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Block-level conversion

/** Collects output lines, collapsing runs of blank lines into one and dropping leading/trailing blanks. */
class Lines {
  private readonly lines: string[] = [];
  private pendingBlank = false;

  blank(): void {
    if (this.lines.length > 0) this.pendingBlank = true;
  }

  push(line: string): void {
    if (this.pendingBlank) {
      this.lines.push("");
      this.pendingBlank = false;
    }
    this.lines.push(line);
  }

  code(lines: readonly string[]): void {
    this.push(FENCE);
    for (const line of lines) this.push(escapeMrkdwn(line.trimEnd()));
    this.push(FENCE);
  }

  toString(): string {
    return this.lines.join("\n");
  }
}

/** Width of the leading whitespace (a tab counts as 4) and where the text starts. */
function indentOf(line: string): { width: number; start: number } {
  let width = 0;
  let start = 0;
  while (start < line.length) {
    const c = line.charCodeAt(start);
    if (c === 0x20) width += 1;
    else if (c === 0x09) width += 4;
    else break;
    start++;
  }
  return { width, start };
}

function isBlank(line: string): boolean {
  return indentOf(line).start === line.length;
}

/** Removes the smallest common indentation so relative indentation inside a command block survives. */
function dedent(lines: readonly string[]): string[] {
  let common = Number.POSITIVE_INFINITY;
  for (const line of lines) if (!isBlank(line)) common = Math.min(common, indentOf(line).start);
  if (!Number.isFinite(common)) return lines.map(() => "");
  return lines.map((line) => line.slice(Math.min(common, indentOf(line).start)));
}

const NUMBERED = /^(\d{1,9})[.)][ \t]+/;
const BULLET = /^[-*+•][ \t]+/;

/**
 * MS KB plain text: paragraphs and list items stay one per line; lines indented by 3+ columns are quoted error
 * messages or commands and go into code blocks.
 */
function mskbToMrkdwn(lines: readonly string[]): string {
  const out = new Lines();
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    if (isBlank(line)) {
      out.blank();
      i++;
      continue;
    }
    const { width, start } = indentOf(line);
    if (width >= 3) {
      const run: string[] = [];
      while (i < lines.length && !isBlank(lines[i] as string) && indentOf(lines[i] as string).width >= 3) {
        run.push(lines[i] as string);
        i++;
      }
      out.code(dedent(run));
      continue;
    }
    const text = line.slice(start).trimEnd();
    const numbered = NUMBERED.exec(text);
    const bullet = numbered ? null : BULLET.exec(text);
    if (numbered) out.push(`${numbered[1]}. ${escapeMrkdwn(text.slice(numbered[0].length))}`);
    else if (bullet) out.push(`• ${escapeMrkdwn(text.slice(bullet[0].length))}`);
    else out.push(escapeMrkdwn(text));
    i++;
  }
  return out.toString();
}

/** The fence that opens a Markdown code block (``` or ~~~, 3+ long), or null. */
function openingFence(text: string): { char: string; length: number } | null {
  const char = text[0];
  if (char !== "`" && char !== "~") return null;
  let length = 0;
  while (text[length] === char) length++;
  if (length < 3) return null;
  // A backtick fence's info string cannot hold a backtick (that would be inline code).
  if (char === "`" && text.indexOf("`", length) >= 0) return null;
  return { char, length };
}

function closesFence(text: string, fence: { char: string; length: number }): boolean {
  let length = 0;
  while (text[length] === fence.char) length++;
  return length >= fence.length && text.slice(length).trim() === "";
}

/** `## Heading ##` → `Heading`, or null when the line is not an ATX heading. */
function headingText(text: string): string | null {
  let level = 0;
  while (text[level] === "#") level++;
  if (level === 0 || level > 6) return null;
  if (level < text.length && text[level] !== " " && text[level] !== "\t") return null;
  let body = text.slice(level).trim();
  // Optional closing sequence: trailing #s preceded by a space (or the whole body).
  let end = body.length;
  while (end > 0 && body[end - 1] === "#") end--;
  if (end === 0) body = "";
  else if (end < body.length && (body[end - 1] === " " || body[end - 1] === "\t"))
    body = body.slice(0, end).trim();
  return body;
}

function isThematicBreak(text: string): boolean {
  const char = text[0];
  if (char !== "-" && char !== "*" && char !== "_") return false;
  let count = 0;
  for (const c of text) {
    if (c === char) count++;
    else if (c !== " " && c !== "\t") return false;
  }
  return count >= 3;
}

function markdownToMrkdwn(lines: readonly string[]): string {
  const out = new Lines();
  let fence: { char: string; length: number; indent: number } | null = null;
  let code: string[] = [];
  for (const line of lines) {
    const { width, start } = indentOf(line);
    const text = line.slice(start).trimEnd();
    if (fence) {
      if (closesFence(text, fence)) {
        out.code(dedent(code));
        fence = null;
        code = [];
      } else {
        code.push(line.slice(Math.min(start, fence.indent)));
      }
      continue;
    }
    if (text === "") {
      out.blank();
      continue;
    }
    const opening = openingFence(text);
    if (opening) {
      fence = { ...opening, indent: start };
      continue;
    }
    const heading = width <= 3 ? headingText(text) : null;
    if (heading !== null) {
      const converted = inlineToMrkdwn(heading, true).trim();
      if (converted !== "") out.push(`*${converted}*`);
      continue;
    }
    if (isThematicBreak(text)) {
      out.blank();
      continue;
    }
    if (text[0] === ">") {
      let depth = 0;
      while (text[depth] === ">" || text[depth] === " " || text[depth] === "\t") depth++;
      const quoted = text.slice(depth);
      // A bare `>` is safe: only `<…>` forms special sequences.
      out.push(`> ${inlineToMrkdwn(quoted, false)}`);
      continue;
    }
    const pad = " ".repeat(Math.min(width, 12));
    const numbered = NUMBERED.exec(text);
    if (numbered) {
      out.push(`${pad}${numbered[1]}. ${inlineToMrkdwn(text.slice(numbered[0].length), false)}`);
      continue;
    }
    const bullet = BULLET.exec(text);
    if (bullet) {
      out.push(`${pad}• ${inlineToMrkdwn(text.slice(bullet[0].length), false)}`);
      continue;
    }
    out.push(inlineToMrkdwn(text, false));
  }
  if (fence) out.code(dedent(code)); // an unclosed fence runs to the end, as in CommonMark
  return out.toString();
}

// ---------------------------------------------------------------------------------------------------------------
// Inline conversion

interface Delimiter {
  char: string;
  length: number;
  canOpen: boolean;
  canClose: boolean;
  partner: number;
}

const ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

function isSpace(c: string | undefined): boolean {
  return c === undefined || c === " " || c === "\t" || c === "\n" || c === "\u00A0";
}

function isPunctuation(c: string | undefined): boolean {
  return c !== undefined && (ASCII_PUNCTUATION.includes(c) || /\p{P}/u.test(c));
}

/** Answers "next index of `char` at or after `from`" for non-decreasing `from` in amortised O(1). */
class NextIndex {
  private found = -2;
  constructor(
    private readonly text: string,
    private readonly char: string,
  ) {}

  from(index: number): number {
    if (this.found === -1 || this.found >= index) return this.found;
    this.found = this.text.indexOf(this.char, index);
    return this.found;
  }
}

/**
 * One line of Markdown inline syntax → mrkdwn. `plain` drops the formatting (for headings, which are bolded as a
 * whole, and for link labels). Emphasis follows CommonMark's flanking rules, pairing delimiters left to right.
 */
function inlineToMrkdwn(line: string, plain: boolean, allowLinks = true): string {
  const parts: (string | Delimiter)[] = [];
  let pending = "";
  const flush = (): void => {
    if (pending !== "") parts.push(escapeMrkdwn(pending));
    pending = "";
  };
  const closeBracket = new NextIndex(line, "]");
  const closeParen = new NextIndex(line, ")");
  const backtickLengthsWithoutCloser = new Set<number>();

  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === "\\" && i + 1 < line.length && ASCII_PUNCTUATION.includes(line[i + 1] as string)) {
      pending += line[i + 1];
      i += 2;
      continue;
    }
    if (c === "`") {
      let n = 0;
      while (line[i + n] === "`") n++;
      const closer = backtickLengthsWithoutCloser.has(n) ? -1 : findBacktickRun(line, i + n, n);
      if (closer < 0) {
        backtickLengthsWithoutCloser.add(n);
        pending += line.slice(i, i + n);
        i += n;
        continue;
      }
      let content = line.slice(i + n, closer);
      if (content.length >= 2 && content[0] === " " && content.endsWith(" ") && content.trim() !== "") {
        content = content.slice(1, -1);
      }
      flush();
      parts.push(plain ? escapeMrkdwn(content) : inlineCode(content));
      i = closer + n;
      continue;
    }
    const image = c === "!" && line[i + 1] === "[";
    if (allowLinks && (c === "[" || image)) {
      const open = image ? i + 1 : i;
      const close = closeBracket.from(open + 1);
      let paren = close >= 0 && line[close + 1] === "(" ? closeParen.from(close + 2) : -1;
      if (paren >= 0) {
        // `(https://en.wikipedia.org/wiki/X_(y))`: one nested pair, as long as the destination has no space.
        const destination = line.slice(close + 2, paren);
        if (destination.includes("(") && !/\s/.test(destination)) {
          const next = closeParen.from(paren + 1);
          if (next >= 0 && !/\s/.test(line.slice(paren, next))) paren = next;
        }
        const target = line.slice(close + 2, paren).trim();
        const space = target.search(/\s/);
        let url = space >= 0 ? target.slice(0, space) : target;
        if (url.startsWith("<") && url.endsWith(">")) url = url.slice(1, -1);
        const label = inlineToMrkdwn(line.slice(open + 1, close), true, false);
        const href = safeUrl(url);
        flush();
        if (href) parts.push(label.trim() === "" ? `<${href}>` : `<${href}|${linkLabel(label)}>`);
        else parts.push(label);
        i = paren + 1;
        continue;
      }
      pending += c;
      i++;
      continue;
    }
    if (c === "*" || c === "_" || c === "~") {
      let n = 0;
      while (line[i + n] === c) n++;
      const usable = c === "~" ? n === 2 : n <= 2;
      if (!usable) {
        pending += line.slice(i, i + n);
        i += n;
        continue;
      }
      const before = i > 0 ? line[i - 1] : undefined;
      const after = line[i + n];
      const leftFlanking =
        !isSpace(after) && (!isPunctuation(after) || isSpace(before) || isPunctuation(before));
      const rightFlanking =
        !isSpace(before) && (!isPunctuation(before) || isSpace(after) || isPunctuation(after));
      let canOpen = leftFlanking;
      let canClose = rightFlanking;
      if (c === "_") {
        // snake_case and file_names_like_this are not emphasis.
        canOpen = leftFlanking && (!rightFlanking || isPunctuation(before));
        canClose = rightFlanking && (!leftFlanking || isPunctuation(after));
      }
      flush();
      parts.push({ char: c, length: n, canOpen, canClose, partner: -1 });
      i += n;
      continue;
    }
    // Copy the run of ordinary characters in one go.
    let j = i + 1;
    while (j < line.length && !"\\`![*_~".includes(line[j] as string)) j++;
    pending += line.slice(i, j);
    i = j;
  }
  flush();

  // Pair each closer with the latest opener of the same kind.
  const openers = new Map<string, number>();
  parts.forEach((part, index) => {
    if (typeof part === "string") return;
    const key = part.char + part.length;
    const opener = openers.get(key);
    if (part.canClose && opener !== undefined) {
      (parts[opener] as Delimiter).partner = index;
      part.partner = opener;
      openers.delete(key);
    } else if (part.canOpen) {
      openers.set(key, index);
    }
  });

  let out = "";
  for (const part of parts) {
    if (typeof part === "string") out += part;
    else if (part.partner < 0) out += part.char.repeat(part.length);
    else if (!plain) out += part.char === "~" ? "~" : part.length === 2 ? "*" : "_";
  }
  // Escaped pieces are fence-free, but two of them side by side may not be.
  return breakFences(out);
}

/** Index of the next run of exactly `length` backticks at or after `from`, or -1. */
function findBacktickRun(line: string, from: number, length: number): number {
  let at = line.indexOf("`", from);
  while (at >= 0) {
    let n = 0;
    while (line[at + n] === "`") n++;
    if (n === length) return at;
    at = line.indexOf("`", at + n);
  }
  return -1;
}

/**
 * Article section text → Slack mrkdwn, escaped. MS KB: paragraphs, numbered steps and bullets one per line,
 * indented command blocks fenced. Markdown: emphasis, code, fences, headings, http(s) links and lists converted.
 */
export function toMrkdwn(text: string, format: ArticleFormat): string {
  if (typeof text !== "string") return toMrkdwnUncached("", format);
  // The same articles are answered again and again: their sections are converted once (bounded, oldest out).
  const key = `${format}\u0000${text}`;
  let converted = convertedSections.get(key);
  if (converted === undefined) {
    converted = toMrkdwnUncached(text, format);
    convertedSections.set(key, converted);
    if (convertedSections.size > 2000)
      convertedSections.delete(convertedSections.keys().next().value as string);
  }
  return converted;
}

const convertedSections = new Map<string, string>();

function toMrkdwnUncached(text: string, format: ArticleFormat): string {
  const lines = sanitizeText(text).split("\n");
  return format === "markdown" ? markdownToMrkdwn(lines) : mskbToMrkdwn(lines);
}

// ---------------------------------------------------------------------------------------------------------------
// Truncation and splitting

function countFences(text: string): number {
  let count = 0;
  let at = text.indexOf(FENCE);
  while (at >= 0) {
    count++;
    at = text.indexOf(FENCE, at + FENCE.length);
  }
  return count;
}

/**
 * The largest index ≤ `limit` where mrkdwn can be cut, preferring a line break or a space in the last 40 %, and
 * never splitting a surrogate pair, an `&amp;`-style entity or a `<…>` link.
 */
function safeCut(text: string, limit: number): number {
  if (limit >= text.length) return text.length;
  if (limit <= 0) return 0;
  let cut = limit;
  const floor = Math.floor(limit * 0.6);
  const newline = text.lastIndexOf("\n", limit);
  if (newline > 0 && newline >= floor) cut = newline;
  else {
    const space = text.lastIndexOf(" ", limit);
    if (space > 0 && space >= floor) cut = space;
  }
  const amp = text.lastIndexOf("&", cut - 1);
  if (amp >= 0 && cut - amp < 5) {
    const semicolon = text.indexOf(";", amp);
    if (semicolon >= cut && semicolon - amp <= 4) cut = amp;
  }
  const lt = text.lastIndexOf("<", cut - 1);
  if (lt >= 0 && text.lastIndexOf(">", cut - 1) < lt) cut = lt;
  const before = text.charCodeAt(cut - 1);
  if (cut > 0 && before >= 0xd800 && before <= 0xdbff) cut--;
  return cut;
}

function head(text: string, limit: number): string {
  return limit <= 0 ? "" : text.slice(0, safeCut(text, limit)).trimEnd();
}

/**
 * Shortens mrkdwn to at most `max` characters, ending in "…": cut at a line break or space where possible, never
 * inside an entity, a link or a surrogate pair, and an open code block is closed.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (!(max >= 1)) return "";
  let kept = head(text, Math.floor(max) - 1);
  if (countFences(kept) % 2 === 1) {
    kept = head(text, Math.floor(max) - 1 - (FENCE.length + 1));
    if (countFences(kept) % 2 === 1) return `${kept}${ELLIPSIS}\n${FENCE}`;
  }
  return kept + ELLIPSIS;
}

/**
 * Splits mrkdwn into pieces of at most `max` characters at line breaks where possible. A code block cut in two
 * is closed at the end of one piece and reopened at the start of the next. Stops after `maxPieces` pieces (ask for
 * one more than you can use to learn whether anything was left over).
 */
export function splitMrkdwn(text: string, max: number, maxPieces = Number.POSITIVE_INFINITY): string[] {
  const pieces: string[] = [];
  const reserve = FENCE.length + 1;
  let rest = text;
  let inCode = false;
  while (rest.trim() !== "" && pieces.length < maxPieces) {
    if (inCode && rest.startsWith(FENCE)) {
      // The block closes right here: no need to reopen it.
      rest = rest.slice(FENCE.length).replace(/^\n+/, "");
      inCode = false;
      continue;
    }
    const prefix = inCode ? `${FENCE}\n` : "";
    const budget = max - prefix.length;
    if (rest.length <= budget) {
      pieces.push(prefix + rest);
      break;
    }
    let cut = safeCut(rest, budget);
    let open: boolean = inCode !== (countFences(rest.slice(0, cut)) % 2 === 1);
    if (open) {
      cut = safeCut(rest, budget - reserve);
      open = inCode !== (countFences(rest.slice(0, cut)) % 2 === 1);
    }
    if (cut <= 0) {
      // Nothing cuts cleanly (a huge link): cut hard rather than loop forever.
      cut = Math.max(1, Math.min(rest.length, budget - reserve));
      const before = rest.charCodeAt(cut - 1);
      if (cut > 1 && before >= 0xd800 && before <= 0xdbff) cut--;
      open = inCode !== (countFences(rest.slice(0, cut)) % 2 === 1);
    }
    pieces.push(prefix + rest.slice(0, cut).trimEnd() + (open ? `\n${FENCE}` : ""));
    // Inside a code block only the line break goes: the next line's indentation is content.
    rest = open ? rest.slice(cut).replace(/^\n/, "") : rest.slice(cut).trimStart();
    inCode = open;
  }
  return pieces;
}
