/**
 * Pure Block Kit builders for every reply the bot sends, and a checker for Slack's limits. Nothing here talks to
 * Slack: each builder takes articles and match results and returns `{ text, blocks }` (or a modal view) that is
 * always within Slack's limits and never contains a special mention we did not put there on purpose.
 */
import type { Article } from "../knowledge/types.js";
import type { MatchResult, MatchWhy, Verdict } from "../match/types.js";
import { ACTIONS, ARTICLE_MODAL_CALLBACK, BLOCK_IDS, COMMAND, tryEncodeButtonValue } from "./ids.js";
import {
  escapeMrkdwn,
  inlineCode,
  link,
  safeUrl,
  sanitizeText,
  splitMrkdwn,
  toMrkdwn,
  truncate,
} from "./mrkdwn.js";

// ---------------------------------------------------------------------------------------------------------------
// Minimal Block Kit types: only what the builders produce. They are assignable to @slack/types' blocks and views.

export interface PlainText {
  type: "plain_text";
  text: string;
  emoji?: boolean;
}
export interface Mrkdwn {
  type: "mrkdwn";
  text: string;
}
export type TextObject = PlainText | Mrkdwn;

export interface Button {
  type: "button";
  text: PlainText;
  action_id: string;
  value?: string;
  style?: "primary" | "danger";
}
export interface SectionBlock {
  type: "section";
  block_id?: string;
  text?: TextObject;
  fields?: TextObject[];
  accessory?: Button;
}
export interface HeaderBlock {
  type: "header";
  block_id?: string;
  text: PlainText;
}
export interface ActionsBlock {
  type: "actions";
  block_id?: string;
  elements: Button[];
}
export interface ContextBlock {
  type: "context";
  block_id?: string;
  elements: TextObject[];
}
export interface DividerBlock {
  type: "divider";
  block_id?: string;
}
export type Block = SectionBlock | HeaderBlock | ActionsBlock | ContextBlock | DividerBlock;

export interface SlackMessage {
  /** Plain-text fallback for notifications and screen readers; Slack still parses it as mrkdwn, so it is escaped. */
  text: string;
  blocks: Block[];
}

export interface ModalView {
  type: "modal";
  callback_id: string;
  title: PlainText;
  close: PlainText;
  blocks: Block[];
}

/** The App Home tab (views.publish): up to 100 blocks, like a modal, without title or buttons. */
export interface HomeView {
  type: "home";
  blocks: Block[];
}

/** Slack's documented Block Kit limits (characters are counted as UTF-16 units, which never undercounts). */
export const LIMITS = {
  messageBlocks: 50,
  modalBlocks: 100,
  messageText: 40_000,
  sectionText: 3000,
  headerText: 150,
  fields: 10,
  fieldText: 2000,
  buttonText: 75,
  buttonValue: 2000,
  id: 255,
  actionsElements: 25,
  contextElements: 10,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
} as const;

export type AnswerButton =
  | "fixed"
  | "notIt"
  | "escalate"
  | "share"
  | "otherMatches"
  | "fullArticle"
  | "postInThread";

const BUTTON_LABELS: Record<AnswerButton, string> = {
  fixed: "Fixed it",
  notIt: "Not it",
  escalate: "Escalate",
  share: "Share in channel",
  otherMatches: "Other matches",
  fullArticle: "Full article",
  postInThread: "Post in thread",
};

const USER_ID = /^[UW][A-Z0-9]+$/;
const MAX_CANDIDATES = 3;
const MAX_TITLE = 300;
const MAX_ID = 80;
const MAX_FALLBACK = 3000;

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

/** Inputs are typed, but come from files and pastes: a missing field must not throw. */
function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export function plain(text: string, max: number): PlainText {
  return { type: "plain_text", text: truncate(escapeMrkdwn(text), max) || "…", emoji: true };
}

export function section(text: string, blockId?: string): SectionBlock {
  const block: SectionBlock = {
    type: "section",
    text: { type: "mrkdwn", text: truncate(text, LIMITS.sectionText) || "…" },
  };
  if (blockId) block.block_id = blockId;
  return block;
}

function percent(score: number): number {
  return Number.isFinite(score) ? Math.round(Math.min(1, Math.max(0, score)) * 100) : 0;
}

function oneLine(text: string): string {
  return sanitizeText(text)
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join(" ");
}

function titleText(article: Article): string {
  return oneLine(str(article.title)) || oneLine(str(article.id)) || "Untitled article";
}

/** The title, as a link when the article has an http(s) URL. Escaped. */
function titleLink(article: Article): string {
  const title = truncate(titleText(article), MAX_TITLE);
  return safeUrl(str(article.url)) ? link(str(article.url), title) : escapeMrkdwn(title);
}

function idCode(id: string): string {
  const text = oneLine(id);
  return text === "" ? "" : inlineCode(truncate(text, MAX_ID));
}

function formatOf(article: Article): "mskb" | "markdown" {
  return article.format === "markdown" ? "markdown" : "mskb";
}

function button(label: string, actionId: string, value: string, primary = false): Button {
  const element: Button = {
    type: "button",
    text: plain(label, LIMITS.buttonText),
    action_id: actionId,
    value,
  };
  if (primary) element.style = "primary";
  return element;
}

/** `> quoted line` plus the shared error codes, or null when there is nothing to show. */
function whyText(why: MatchWhy | undefined, maxLine: number): string | null {
  const line = oneLine(str(why?.line));
  const codes = (Array.isArray(why?.codes) ? why.codes : [])
    .map((code) => oneLine(str(code)))
    .filter((code) => code !== "")
    .slice(0, 10);
  const parts: string[] = [];
  if (line !== "") parts.push(`> ${truncate(escapeMrkdwn(line), maxLine)}`);
  if (codes.length > 0)
    parts.push(`Error codes: ${codes.map((code) => inlineCode(truncate(code, 60))).join(", ")}`);
  return parts.length > 0 ? parts.join("\n") : null;
}

function fallback(text: string): string {
  return truncate(escapeMrkdwn(oneLine(text)), MAX_FALLBACK) || "Knowledge-base triage";
}

/** Results with a usable article, each article once, best first as given. */
function distinctResults(
  results: readonly MatchResult[],
  exclude: string | undefined,
  limit: number,
): MatchResult[] {
  const seen = new Set<string>();
  const kept: MatchResult[] = [];
  for (const result of Array.isArray(results) ? results : []) {
    if (kept.length >= limit) break;
    if (!result?.article) continue;
    const id = str(result.article.id);
    if ((exclude !== undefined && id === exclude) || seen.has(id)) continue;
    seen.add(id);
    kept.push(result);
  }
  return kept;
}

// ---------------------------------------------------------------------------------------------------------------
// Builders

export interface AnswerInput {
  triageId: string;
  result: MatchResult;
  verdict: Verdict;
  buttons: readonly AnswerButton[];
  /** Slack user id of whoever shared the answer into the channel; shown as a mention. */
  sharedBy?: string;
  /** Slack user ids of those who confirmed the answer fixed their problem. */
  confirmedBy?: readonly string[];
}

/** The answer for one article: title, confidence, what matched, cause, resolution and the requested buttons. */
export function answerBlocks(input: AnswerInput): SlackMessage {
  const { triageId, result, verdict } = input;
  const article = result.article;
  const id = str(article.id);
  const label = verdict === "match" ? "Best match" : "Possible match";
  const confidence = `Confidence: ${percent(result.score)} %`;
  const blocks: Block[] = [];

  const headline = [label, confidence, idCode(id)].filter((part) => part !== "").join(" · ");
  blocks.push(section(`*${titleLink(article)}*\n${headline}`, BLOCK_IDS.answerTitle));

  const why = whyText(result.why, 600);
  if (why) blocks.push(section(`*What matched*\n${why}`, BLOCK_IDS.answerMatch));

  let truncated = false;
  const addSection = (heading: string, text: string, blockId: string): void => {
    const prefix = `*${heading}*\n`;
    const body = toMrkdwn(text, formatOf(article));
    if (body.trim() === "") return;
    const room = LIMITS.sectionText - prefix.length;
    if (body.length > room) truncated = true;
    blocks.push(section(prefix + truncate(body, room), blockId));
  };
  addSection("Cause", str(article.cause), BLOCK_IDS.answerCause);
  const resolution = str(article.resolution);
  const useWorkaround = resolution.trim() === "" && str(article.workaround).trim() !== "";
  if (useWorkaround) addSection("Workaround", str(article.workaround), BLOCK_IDS.answerResolution);
  else if (resolution.trim() !== "") addSection("Resolution", resolution, BLOCK_IDS.answerResolution);
  else
    blocks.push(
      section("*Resolution*\n_This article has no resolution written down._", BLOCK_IDS.answerResolution),
    );

  const sharedBy = str(input.sharedBy);
  if (sharedBy.length <= 64 && USER_ID.test(sharedBy)) {
    blocks.push({
      type: "context",
      block_id: BLOCK_IDS.answerSharedBy,
      elements: [{ type: "mrkdwn", text: `Shared by <@${sharedBy}>` }],
    });
  }

  const confirmed = (Array.isArray(input.confirmedBy) ? input.confirmedBy : [])
    .map(str)
    .filter((user) => user.length <= 64 && USER_ID.test(user))
    .slice(0, 10);
  if (confirmed.length > 0) {
    blocks.push({
      type: "context",
      block_id: BLOCK_IDS.answerConfirmed,
      elements: [
        {
          type: "mrkdwn",
          text: `:white_check_mark: Fixed it, confirmed by ${confirmed.map((u) => `<@${u}>`).join(", ")}`,
        },
      ],
    });
  }

  const wanted = new Set<AnswerButton>(
    (Array.isArray(input.buttons) ? input.buttons : []).filter((kind) => Object.hasOwn(BUTTON_LABELS, kind)),
  );
  // Whoever sees a cut-off section must be able to read the rest.
  if (truncated) wanted.add("fullArticle");
  const value = tryEncodeButtonValue({ triageId: str(triageId), articleId: id });
  if (value !== null && wanted.size > 0) {
    blocks.push({
      type: "actions",
      block_id: BLOCK_IDS.answerActions,
      elements: [...wanted].map((kind) =>
        // One primary button: "Fixed it" where offered, else "Share in channel".
        button(
          BUTTON_LABELS[kind],
          ACTIONS[kind],
          value,
          kind === "fixed" || (kind === "share" && !wanted.has("fixed")),
        ),
      ),
    });
  }

  const idNote = id.trim() === "" ? "" : ` (${oneLine(id).slice(0, MAX_ID)})`;
  return {
    text: fallback(`${label}: ${titleText(article).slice(0, MAX_TITLE)}${idNote}. ${confidence}.`),
    blocks,
  };
}

function candidateBlocks(
  triageId: string,
  results: readonly MatchResult[],
  intro: string,
  pickLabel = "Show answer",
): SlackMessage {
  const blocks: Block[] = [section(intro, BLOCK_IDS.candidatesIntro)];
  results.forEach((result, index) => {
    const article = result.article;
    const id = str(article.id);
    const lines = [
      `*${titleLink(article)}* ${idCode(id)}`.trimEnd(),
      `Confidence: ${percent(result.score)} %`,
    ];
    const why = whyText(result.why, 200);
    if (why) lines.push(why);
    const block = section(lines.join("\n"), `${BLOCK_IDS.candidatePrefix}${index}`);
    const value = tryEncodeButtonValue({ triageId: str(triageId), articleId: id });
    // Without an article id the pick could not be resolved, so no button.
    if (value !== null && id !== "") block.accessory = button(pickLabel, ACTIONS.pick, value);
    blocks.push(block);
  });
  const titles = results.map((result) => titleText(result.article).slice(0, 100)).join("; ");
  return { text: fallback(`${intro} ${titles}`), blocks };
}

/** Up to 3 candidates, each with a "Show answer" button, when no article is a clear match. */
export function possibleBlocks(input: { triageId: string; results: readonly MatchResult[] }): SlackMessage {
  const shown = distinctResults(input.results, undefined, MAX_CANDIDATES);
  if (shown.length === 0) return noMatchBlocks({ mentioned: false });
  return candidateBlocks(input.triageId, shown, "I'm not sure which article fits. These might:");
}

interface AlternativesInput {
  triageId: string;
  results: readonly MatchResult[];
  excludeArticleId: string;
}

/** Candidates other than the article already shown, or `none` when there are no others. */
function alternativesBlocks(
  input: AlternativesInput,
  none: string,
  intro: string,
  pickLabel?: string,
): SlackMessage {
  const shown = distinctResults(input.results, str(input.excludeArticleId), MAX_CANDIDATES);
  if (shown.length === 0) return { text: none, blocks: [section(none, BLOCK_IDS.candidatesIntro)] };
  return candidateBlocks(input.triageId, shown, intro, pickLabel);
}

/** The other candidates for a triage, without the article already shown. */
export function otherMatchesBlocks(input: AlternativesInput): SlackMessage {
  return alternativesBlocks(
    input,
    "I have no other articles that match this.",
    "Other articles that might fit:",
  );
}

/** After "Not it": the next candidates, up to 3, each with a "This one" button. */
export function notItBlocks(input: AlternativesInput): SlackMessage {
  return alternativesBlocks(
    input,
    "Thanks, noted. I have no other article for this one: the helpdesk can help.",
    "Thanks, noted. Could it be one of these?",
    "This one",
  );
}

/** An honest "no article", with what to try next. `mentioned`: the paste came as an @mention in a channel. */
export function noMatchBlocks(input: { mentioned: boolean }): SlackMessage {
  const retry = input.mentioned ? "Mention me again with the exact error text" : "Paste the exact error text";
  const text = "I couldn't find an article for this.";
  return {
    text,
    blocks: [
      section(`*${text}*`, BLOCK_IDS.noMatch),
      section(
        [
          "What you can do next:",
          `• ${retry}: the full message as it appears, error codes included (for example \`0x80070005\`), copied rather than retyped.`,
          "• If that doesn't help, contact the helpdesk or escalate your ticket, and include the full error message.",
        ].join("\n"),
      ),
    ],
  };
}

/** Help for `/triage` with no text (and for "help"). */
export function usageBlocks(): SlackMessage {
  const command = escapeMrkdwn(COMMAND);
  return {
    text: `How to use ${command}: ${command} followed by the error text.`,
    blocks: [
      section(
        "*Paste an error message and I'll look it up in the knowledge base.* I reply with the cause and the fix.",
        BLOCK_IDS.usage,
      ),
      section(
        [
          `• \`${command} &lt;error text&gt;\`: only you see the answer, and you can share it in the channel.`,
          "• Mention me in a channel, followed by the error text.",
          "• Send me a direct message with the error text.",
          "• On any message: *More actions* (⋮) → *Triage this message*.",
          "Paste the full message, error codes included: exact text finds the right article.",
        ].join("\n"),
      ),
    ],
  };
}

/** A modal with the whole article, split into sections; what does not fit in 100 blocks is replaced by a note. */
export function articleModal(article: Article): ModalView {
  const id = oneLine(str(article.id));
  const blocks: Block[] = [
    { type: "header", block_id: BLOCK_IDS.modalHeader, text: plain(titleText(article), LIMITS.headerText) },
  ];
  const href = safeUrl(str(article.url));
  const where = href ? `<${href}|Open in the knowledge base>` : escapeMrkdwn(oneLine(str(article.source)));
  const meta = [idCode(id), where].filter((part) => part !== "").join(" · ");
  if (meta !== "") blocks.push(section(meta, BLOCK_IDS.modalMeta));

  const resolution = str(article.resolution);
  const workaround = str(article.workaround);
  const parts: [string, string][] = [
    ["Symptoms", str(article.symptoms)],
    ["Cause", str(article.cause)],
    ["Resolution", resolution],
    // The parser fills an empty RESOLUTION from WORKAROUND; don't show it twice.
    ["Workaround", workaround.trim() === resolution.trim() ? "" : workaround],
    ["Status", str(article.status)],
    ["More information", str(article.moreInfo)],
  ];
  // One block stays free for the "too long" note.
  const room = LIMITS.modalBlocks - 1;
  let tooLong = false;
  let index = 0;
  let content = 0;
  for (const [heading, text] of parts) {
    const body = toMrkdwn(text, formatOf(article));
    if (body.trim() === "") continue;
    const pieces = splitMrkdwn(`*${heading}*\n${body}`, LIMITS.sectionText, room - blocks.length + 1);
    for (const piece of pieces) {
      if (blocks.length >= room) {
        tooLong = true;
        break;
      }
      blocks.push(section(piece, `${BLOCK_IDS.modalSectionPrefix}${index++}`));
      content++;
    }
    if (tooLong) break;
  }
  if (tooLong) {
    const rest = href ? ` Read the rest in the <${href}|knowledge base>.` : "";
    blocks.push(section(`_The article is too long to show here in full._${rest}`, BLOCK_IDS.modalTooLong));
  } else if (content === 0) {
    blocks.push(section("_This article has no text yet._", BLOCK_IDS.modalTooLong));
  }

  const title = `Article ${id}`;
  return {
    type: "modal",
    callback_id: ARTICLE_MODAL_CALLBACK,
    title: plain(
      id !== "" && escapeMrkdwn(title).length <= LIMITS.modalTitle ? title : "KB article",
      LIMITS.modalTitle,
    ),
    close: plain("Close", LIMITS.modalButton),
    blocks,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Limit checker

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const BROADCAST = /@(?:channel|here|everyone)/i;
const LINK_SEGMENT = /<[^<>]*>/g;

/** Problems with one rendered string: control characters, lone surrogates, special sequences, broadcasts. */
function textProblems(text: string, allowUserMention: boolean): string[] {
  const problems: string[] = [];
  if (sanitizeText(text) !== text) problems.push("contains a control character or a lone surrogate");
  let at = text.indexOf("<");
  while (at >= 0) {
    const end = text.indexOf(">", at);
    if (end < 0) {
      problems.push("contains an unescaped '<'");
      break;
    }
    const inner = text.slice(at + 1, end);
    const isLink = /^https?:\/\//.test(inner) && !inner.includes("<");
    const isUser = allowUserMention && /^@[UW][A-Z0-9]+$/.test(inner);
    // A channel link (`<#C123>`) notifies nobody.
    const isChannel = /^#[CG][A-Z0-9]{6,}$/.test(inner);
    if (!isLink && !isUser && !isChannel) {
      problems.push(`contains the special sequence <${truncate(inner, 40)}>`);
    }
    at = text.indexOf("<", end);
  }
  if (BROADCAST.test(text.replace(LINK_SEGMENT, "")))
    problems.push("contains a bare @channel/@here/@everyone");
  return problems;
}

/**
 * Every Block Kit limit the payload breaks, as readable strings (empty = valid): block counts, text lengths,
 * button and id limits, the fallback text, the modal title, and any `<!…>` / `<@…>` / unescaped `<` in any text
 * (a `<@U…>` user mention is allowed in context blocks only, where "Shared by" puts it).
 */
export function checkLimits(payload: SlackMessage | ModalView | HomeView): string[] {
  const problems: string[] = [];
  const report = (path: string, problem: string): void => {
    problems.push(`${path}: ${problem}`);
  };
  const root: unknown = payload;
  if (!isObject(root)) return ["payload: not an object"];

  const checkText = (value: unknown, path: string, max: number, plainOnly = false): void => {
    if (!isObject(value) || (value.type !== "plain_text" && value.type !== "mrkdwn")) {
      report(path, "not a text object");
      return;
    }
    if (plainOnly && value.type !== "plain_text") report(path, "must be plain_text");
    if (typeof value.text !== "string" || value.text.length === 0) report(path, "text is empty");
    else if (value.text.length > max) report(path, `text is ${value.text.length} characters (max ${max})`);
  };
  const checkId = (value: unknown, path: string, required: boolean): void => {
    if (value === undefined && !required) return;
    if (typeof value !== "string" || value.length === 0) report(path, "missing or empty");
    else if (value.length > LIMITS.id) report(path, `is ${value.length} characters (max ${LIMITS.id})`);
  };
  /** A block's elements when present and not too many (reported either way), else null. */
  const elementsOf = (block: Json, path: string, max: number): unknown[] | null => {
    const elements = block.elements;
    if (!Array.isArray(elements) || elements.length === 0) {
      report(`${path}.elements`, "missing or empty");
      return null;
    }
    if (elements.length > max) report(`${path}.elements`, `${elements.length} elements (max ${max})`);
    return elements;
  };
  const checkButton = (value: unknown, path: string): string | undefined => {
    if (!isObject(value) || value.type !== "button") {
      report(path, "not a button");
      return undefined;
    }
    checkText(value.text, `${path}.text`, LIMITS.buttonText, true);
    checkId(value.action_id, `${path}.action_id`, true);
    if (value.value !== undefined) {
      if (typeof value.value !== "string") report(`${path}.value`, "not a string");
      else if (value.value.length > LIMITS.buttonValue) {
        report(`${path}.value`, `is ${value.value.length} characters (max ${LIMITS.buttonValue})`);
      }
    }
    return typeof value.action_id === "string" ? value.action_id : undefined;
  };

  const modal = root.type === "modal";
  const home = root.type === "home";
  if (modal) {
    checkText(root.title, "title", LIMITS.modalTitle, true);
    if (root.close !== undefined) checkText(root.close, "close", LIMITS.modalButton, true);
    if (root.submit !== undefined) checkText(root.submit, "submit", LIMITS.modalButton, true);
    checkId(root.callback_id, "callback_id", false);
    if (typeof root.private_metadata === "string" && root.private_metadata.length > LIMITS.privateMetadata) {
      report(
        "private_metadata",
        `is ${root.private_metadata.length} characters (max ${LIMITS.privateMetadata})`,
      );
    }
  } else if (home) {
    // App Home views have no fallback text.
  } else if (typeof root.text !== "string" || root.text.trim() === "") {
    report("text", "the fallback text is missing or empty");
  } else if (root.text.length > LIMITS.messageText) {
    report("text", `is ${root.text.length} characters (max ${LIMITS.messageText})`);
  }

  const blocks = root.blocks;
  const maxBlocks = modal || home ? LIMITS.modalBlocks : LIMITS.messageBlocks;
  if (!Array.isArray(blocks)) report("blocks", "not an array");
  else {
    if (blocks.length > maxBlocks) report("blocks", `${blocks.length} blocks (max ${maxBlocks})`);
    const blockIds = new Set<string>();
    blocks.forEach((block: unknown, n) => {
      const path = `blocks[${n}]`;
      if (!isObject(block)) {
        report(path, "not an object");
        return;
      }
      checkId(block.block_id, `${path}.block_id`, false);
      if (typeof block.block_id === "string") {
        if (blockIds.has(block.block_id)) report(`${path}.block_id`, `duplicate "${block.block_id}"`);
        blockIds.add(block.block_id);
      }
      switch (block.type) {
        case "section": {
          if (block.text === undefined && block.fields === undefined)
            report(path, "section without text or fields");
          if (block.text !== undefined) checkText(block.text, `${path}.text`, LIMITS.sectionText);
          if (block.fields !== undefined) {
            if (!Array.isArray(block.fields)) report(`${path}.fields`, "not an array");
            else {
              if (block.fields.length > LIMITS.fields) {
                report(`${path}.fields`, `${block.fields.length} fields (max ${LIMITS.fields})`);
              }
              block.fields.forEach((field: unknown, f) => {
                checkText(field, `${path}.fields[${f}]`, LIMITS.fieldText);
              });
            }
          }
          if (block.accessory !== undefined) checkButton(block.accessory, `${path}.accessory`);
          break;
        }
        case "header":
          checkText(block.text, `${path}.text`, LIMITS.headerText, true);
          break;
        case "actions": {
          const elements = elementsOf(block, path, LIMITS.actionsElements);
          if (!elements) break;
          const actionIds = new Set<string>();
          elements.forEach((element: unknown, e) => {
            const actionId = checkButton(element, `${path}.elements[${e}]`);
            if (actionId === undefined) return;
            if (actionIds.has(actionId))
              report(`${path}.elements[${e}].action_id`, `duplicate "${actionId}"`);
            actionIds.add(actionId);
          });
          break;
        }
        case "context": {
          const elements = elementsOf(block, path, LIMITS.contextElements);
          if (!elements) break;
          elements.forEach((element: unknown, e) => {
            checkText(element, `${path}.elements[${e}]`, LIMITS.sectionText);
          });
          break;
        }
        case "divider":
          break;
        case "input":
          // Only in modals: a label (plain_text, ≤ 2000) and one element with its action_id.
          if (!modal) report(`${path}.type`, "input blocks belong in modals");
          checkText(block.label, `${path}.label`, LIMITS.fieldText, true);
          if (!isObject(block.element)) report(`${path}.element`, "missing");
          else checkId(block.element.action_id, `${path}.element.action_id`, true);
          break;
        default:
          report(`${path}.type`, `unexpected block type ${JSON.stringify(block.type)}`);
      }
    });
  }

  // Every rendered string, wherever it sits.
  const scan = (value: unknown, path: string, inContext: boolean): void => {
    if (Array.isArray(value)) {
      value.forEach((item, n) => {
        scan(item, `${path}[${n}]`, inContext);
      });
      return;
    }
    if (!isObject(value)) return;
    const context = inContext || value.type === "context";
    for (const [key, child] of Object.entries(value)) {
      const childPath = path === "" ? key : `${path}.${key}`;
      if (key === "text" && typeof child === "string") {
        for (const problem of textProblems(child, context)) report(childPath, problem);
      } else {
        scan(child, childPath, context);
      }
    }
  };
  scan(root, "", false);
  return problems;
}
