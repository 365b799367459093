/**
 * Slack mrkdwn → HTML for the sandbox page. The output goes into innerHTML, so every character of the input ends
 * up escaped unless it is part of markup built here. Runs in O(n log n): messages can hold pasted logs.
 */
import { emojify } from "./emoji.js";
import { anchor, decodeSlackEntities, escapeHtml, safeLinkUrl } from "./html.js";

export interface RenderContext {
  /** `<@U123>` → `@alice`; undefined → show the raw id `@U123`. */
  userName(id: string): string | undefined;
  /** `<#C123>` → `#general`; the `|label` form's label wins; undefined → `#C123`. */
  channelName(id: string): string | undefined;
  /** Options of a `conversations_select` / `channels_select`. */
  channels: Array<{ id: string; name: string }>;
  /** Errors to show under input blocks, keyed by block_id (from a view_submission's `response_action: "errors"`). */
  errors?: Record<string, string>;
}

const NEWLINES = /\r\n?/g;

/** Slack-escaped literal text → HTML text: `&lt; &gt; &amp;` decoded, then everything escaped. */
function literal(text: string, emoji: boolean): string {
  const html = escapeHtml(decodeSlackEntities(text));
  return emoji ? emojify(html) : html;
}

/** A plain_text object's text: no formatting, only entities decoded, emoji converted and line breaks kept. */
export function plainTextToHtml(text: string, emoji = true): string {
  if (typeof text !== "string") return "";
  return literal(text.replace(NEWLINES, "\n"), emoji).replace(/\n/g, "<br>");
}

// ---------------------------------------------------------------------------------------------------------------
// Control sequences: <@U1>, <#C1|name>, <!here>, <https://x|label>

const mention = (text: string) => `<span class="bk-mention">${escapeHtml(text)}</span>`;

/** `name` with `sigil` in front unless it already has it (`<!subteam^S1|@team>` carries its own `@`). */
const withSigil = (sigil: string, name: string) => (name.startsWith(sigil) ? name : sigil + name);

const BROADCASTS = new Set(["here", "channel", "everyone"]);

function controlToHtml(body: string, ctx: RenderContext): string {
  const bar = body.indexOf("|");
  const target = bar < 0 ? body : body.slice(0, bar);
  const rawLabel = bar < 0 ? "" : body.slice(bar + 1);
  const label = rawLabel === "" ? undefined : decodeSlackEntities(rawLabel);
  const id = decodeSlackEntities(target.slice(1));

  if (target.startsWith("@")) return mention(withSigil("@", label ?? ctx.userName(id) ?? id));
  if (target.startsWith("#")) {
    return `<span class="bk-channel">${escapeHtml(withSigil("#", label ?? ctx.channelName(id) ?? id))}</span>`;
  }
  if (target.startsWith("!")) {
    const [command = "", ...args] = id.split("^");
    if (BROADCASTS.has(command)) return mention(`@${command}`);
    if (command === "subteam") return mention(withSigil("@", label ?? args[0] ?? "team"));
    if (command === "date") return escapeHtml(label ?? dateFallback(args[0]));
    return escapeHtml(label ?? `<${decodeSlackEntities(body)}>`);
  }
  const url = safeLinkUrl(decodeSlackEntities(target));
  const text = literal(label === undefined ? target : rawLabel, true);
  return url === null ? text : anchor(url, text);
}

// Slack's clients link bare web addresses in any message, bots' included.
const BARE_URL = /\bhttps?:\/\/[^\s<>"]+/g;

function autolinked(raw: string): string {
  let out = "";
  let last = 0;
  for (const match of raw.matchAll(BARE_URL)) {
    const url = match[0].replace(/[.,;:!?)\]'*_~]+$/, "");
    const at = match.index ?? 0;
    const safe = safeLinkUrl(decodeSlackEntities(url));
    out += literal(raw.slice(last, at), true);
    out += safe === null ? literal(url, false) : anchor(safe, literal(url, false));
    last = at + url.length;
  }
  return out + literal(raw.slice(last), true);
}

function dateFallback(seconds: string | undefined): string {
  const ms = Number(seconds) * 1000;
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toUTCString() : "";
}

// ---------------------------------------------------------------------------------------------------------------
// Inline formatting within one line

const MARKER_TAGS: Record<string, string> = { "*": "b", _: "i", "~": "s" };
const SPACE = /\s/u;
const PUNCT = /[\p{P}\p{S}]/u;

type Side = "edge" | "space" | "punct" | "word";

function classify(ch: string): Side {
  if (SPACE.test(ch)) return "space";
  return PUNCT.test(ch) ? "punct" : "word";
}

/** Next index of one character at or after `from`, remembering the last answer so a scan stays linear. */
class NextIndex {
  private from = Number.POSITIVE_INFINITY;
  private at = -1;
  constructor(
    private readonly text: string,
    private readonly ch: string,
  ) {}
  find(from: number): number {
    const known = from >= this.from && (this.at === -1 || this.at >= from);
    if (!known) {
      this.from = from;
      this.at = this.text.indexOf(this.ch, from);
    }
    return this.at;
  }
}

class InlineRenderer {
  /** For an index where a code span or control sequence starts: its end (exclusive); else 0. */
  private readonly atomEnd: Int32Array;
  private readonly atomEndsAt: Uint8Array;
  /** Valid closing positions per marker character, ascending. */
  private readonly closers: Record<string, number[]> = { "*": [], _: [], "~": [] };

  constructor(
    private readonly src: string,
    private readonly ctx: RenderContext,
  ) {
    this.atomEnd = new Int32Array(src.length);
    this.atomEndsAt = new Uint8Array(src.length + 1);
    this.findAtoms();
    this.findClosers();
  }

  private findAtoms(): void {
    const { src } = this;
    const tick = new NextIndex(src, "`");
    const gt = new NextIndex(src, ">");
    const lt = new NextIndex(src, "<");
    for (let i = 0; i < src.length; i++) {
      let end = 0;
      if (src[i] === "`") {
        const close = tick.find(i + 1);
        if (close > i + 1) end = close + 1;
      } else if (src[i] === "<") {
        const close = gt.find(i + 1);
        const nextOpen = lt.find(i + 1);
        if (close > i + 1 && (nextOpen < 0 || nextOpen > close)) end = close + 1;
      }
      if (end > 0) {
        this.atomEnd[i] = end;
        this.atomEndsAt[end] = 1;
        i = end - 1;
      }
    }
  }

  private before(i: number): Side {
    if (i === 0) return "edge";
    if (this.atomEndsAt[i]) return "punct";
    const { src } = this;
    const low = src.charCodeAt(i - 1);
    const pair = low >= 0xdc00 && low <= 0xdfff && i >= 2 && (src.charCodeAt(i - 2) & 0xfc00) === 0xd800;
    return classify(src.slice(pair ? i - 2 : i - 1, i));
  }

  private after(i: number): Side {
    if (i + 1 >= this.src.length) return "edge";
    if (this.atomEnd[i + 1]) return "punct";
    return classify(String.fromCodePoint(this.src.codePointAt(i + 1) ?? 0));
  }

  private isOpener(i: number): boolean {
    const prev = this.before(i);
    const next = this.after(i);
    return prev !== "word" && next !== "space" && next !== "edge";
  }

  private findClosers(): void {
    const { src } = this;
    for (let i = 0; i < src.length; i++) {
      const end = this.atomEnd[i] ?? 0;
      if (end > 0) {
        i = end - 1;
        continue;
      }
      const list = this.closers[src[i] ?? ""];
      if (!list) continue;
      const prev = this.before(i);
      const next = this.after(i);
      if (prev !== "space" && prev !== "edge" && next !== "word") list.push(i);
    }
  }

  /** The first valid closer of `marker` after `after`, or -1. */
  private closerAfter(marker: string, after: number): number {
    const list = this.closers[marker] ?? [];
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] ?? 0) > after) hi = mid;
      else lo = mid + 1;
    }
    return list[lo] ?? -1;
  }

  private text(from: number, to: number): string {
    return from < to ? autolinked(this.src.slice(from, to)) : "";
  }

  private atom(from: number, to: number): string {
    const body = this.src.slice(from + 1, to - 1);
    if (this.src[from] === "`") return `<code class="bk-code">${literal(body, false)}</code>`;
    return controlToHtml(body, this.ctx);
  }

  /** Renders src[from, to). Nesting depth is at most 3: a span cannot contain a span with its own marker. */
  render(from = 0, to = this.src.length): string {
    let out = "";
    let plain = from;
    let i = from;
    while (i < to) {
      const end = this.atomEnd[i] ?? 0;
      if (end > 0) {
        out += this.text(plain, i) + this.atom(i, end);
        i = plain = end;
        continue;
      }
      const marker = this.src[i] ?? "";
      const tag = MARKER_TAGS[marker];
      if (tag && this.isOpener(i)) {
        const close = this.closerAfter(marker, i + 1);
        if (close > 0 && close < to) {
          out += `${this.text(plain, i)}<${tag}>${this.render(i + 1, close)}</${tag}>`;
          i = plain = close + 1;
          continue;
        }
      }
      i++;
    }
    return out + this.text(plain, to);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Code blocks, lines and quotes

interface Pre {
  pre: string;
}
type Piece = string | Pre;
interface Line {
  pieces: Piece[];
  quoted: boolean;
}

const FENCE = "```";

/** Splits out ``` blocks first: they may span lines and nothing inside them is formatting. */
function splitFences(text: string): Piece[] {
  const pieces: Piece[] = [];
  let done = 0;
  let open = text.indexOf(FENCE);
  while (open >= 0) {
    const close = text.indexOf(FENCE, open + 3);
    if (close < 0) break;
    if (close === open + 3) {
      open = text.indexOf(FENCE, open + 1);
      continue;
    }
    let body = text.slice(open + 3, close);
    // Slack drops the line break right after the opening and right before the closing fence.
    if (body.startsWith("\n")) body = body.slice(1);
    if (body.endsWith("\n")) body = body.slice(0, -1);
    pieces.push(text.slice(done, open), { pre: body });
    done = close + 3;
    open = text.indexOf(FENCE, done);
  }
  pieces.push(text.slice(done));
  return pieces;
}

function toLines(pieces: Piece[]): Piece[][] {
  let current: Piece[] = [];
  const lines: Piece[][] = [current];
  for (const piece of pieces) {
    if (typeof piece !== "string") {
      current.push(piece);
      continue;
    }
    const parts = piece.split("\n");
    parts.forEach((part, k) => {
      if (k > 0) {
        current = [];
        lines.push(current);
      }
      if (part !== "") current.push(part);
    });
  }
  return lines;
}

const QUOTE_REST = /^(?:&gt;|>){3} ?/;
const QUOTE_LINE = /^(?:&gt;|>)(?: |$)/;

/** `&gt; ` starts a quote line; `&gt;&gt;&gt;` quotes everything after it. Raw `>` is accepted as well. */
function markQuotes(lines: Piece[][]): Line[] {
  let quoteRest = false;
  return lines.map((pieces) => {
    const first = pieces[0];
    if (quoteRest || typeof first !== "string") return { pieces, quoted: quoteRest };
    const restMatch = QUOTE_REST.exec(first);
    if (restMatch) quoteRest = true;
    const match = restMatch ?? QUOTE_LINE.exec(first);
    if (!match) return { pieces, quoted: false };
    const rest = first.slice(match[0].length);
    return { pieces: rest === "" ? pieces.slice(1) : [rest, ...pieces.slice(1)], quoted: true };
  });
}

function lineToHtml(line: Line, ctx: RenderContext): string {
  return line.pieces
    .map((piece) =>
      typeof piece === "string"
        ? new InlineRenderer(piece, ctx).render()
        : `<pre class="bk-pre">${literal(piece.pre, false)}</pre>`,
    )
    .join("");
}

const isPre = (piece: Piece | undefined) => piece !== undefined && typeof piece !== "string";

/** Slack mrkdwn (Slack-escaped) → HTML. Never throws; non-string input renders as nothing. */
export function mrkdwnToHtml(text: string, ctx: RenderContext): string {
  if (typeof text !== "string" || text === "") return "";
  const lines = markQuotes(toLines(splitFences(text.replace(NEWLINES, "\n"))));
  let html = "";
  for (let i = 0; i < lines.length; ) {
    const quoted = lines[i]?.quoted ?? false;
    let group = "";
    let j = i;
    for (; j < lines.length && lines[j]?.quoted === quoted; j++) {
      const line = lines[j] as Line;
      // A <pre> is a block already; a <br> next to it would add an empty line.
      if (j > i && !isPre(lines[j - 1]?.pieces.at(-1)) && !isPre(line.pieces[0])) group += "<br>";
      group += lineToHtml(line, ctx);
    }
    html += quoted ? `<blockquote class="bk-quote">${group}</blockquote>` : group;
    i = j;
  }
  return html;
}
