/**
 * Does a channel message look like a pasted error? Decides which messages in a busy channel are worth a
 * triage at all. A miss costs a deflection; a false alarm costs only a match run, because the bot stays
 * silent unless the matcher is sure, so the rules lean towards "yes". Measured by `npm run eval` (pastes
 * from kb-dev against ordinary chat messages in test/fixtures/chat-messages.txt).
 */
import { extractErrorCodes } from "./normalize.js";

export interface PasteShape {
  isError: boolean;
  /** Which signals fired: `code`, `quoted`, `error-words`, `message-box`, `log-line`, `stack-trace`. */
  signals: string[];
}

// Words that (almost) only appear when something went wrong.
const ERROR_WORDS =
  /\b(?:error|errors|err|exception|failed|failure|fails|fatal|denied|refused|forbidden|unauthori[sz]ed|invalid|incorrect|illegal|insufficient|not\s+enough|no\s+more|out\s+of\s+memory|cannot|can't|could\s+not|couldn't|unable|not\s+found|timed\s+out|timeout|crash(?:ed|es)?|corrupt(?:ed)?|unexpected|unknown|not\s+recognized|not\s+responding|not\s+available|not\s+installed|not\s+supported|not\s+allowed|not\s+valid|stopped\s+working|blue\s*screen|bsod|traceback|panic|abort(?:ed)?|violation|exceeded|no\s+such|missing|expired|unavailable|rejected|disconnected|locked\s+out|disabled)\b/gi;
// Text quoted as code (a fence, an indented block or inline backticks) of a few words is usually copied
// from a screen.
const QUOTED = /```|^\s{4,}\S|`[^`\n]*\s[^`\n]*\s[^`\n]*`/m;
const MESSAGE_BOX =
  /^-{5,}\s*$[\s\S]*^(?:OK|Cancel|Retry|Abort|Ignore|Yes|No)(?:\s+(?:OK|Cancel|Retry|Ignore|No))*\s*$/im;
const LOG_LINE =
  /^\s*(?:\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\[?\d{2}:\d{2}:\d{2}|\[?(?:ERROR|FATAL|WARN|WARNING|CRITICAL|SEVERE)\]?[\s:])/m;
const STACK_TRACE =
  /^\s+at\s+[\w$.<>]+\s*\(|^Traceback \(most recent call last\)|^\s+File "[^"]+", line \d+/m;

const MAX_SCAN = 20_000;

export function pasteShape(raw: string): PasteShape {
  const text = (typeof raw === "string" ? raw : "").slice(0, MAX_SCAN);
  const signals: string[] = [];
  if (extractErrorCodes(text).length > 0) signals.push("code");
  if (MESSAGE_BOX.test(text)) signals.push("message-box");
  if (LOG_LINE.test(text)) signals.push("log-line");
  if (STACK_TRACE.test(text)) signals.push("stack-trace");
  const errorWords = text.match(ERROR_WORDS)?.length ?? 0;
  if (errorWords > 0) signals.push("error-words");
  if (QUOTED.test(text)) signals.push("quoted");
  const strong = signals.some((s) => s === "code" || s === "message-box" || s === "stack-trace");
  // A log line alone is often a status line; with an error word it is a paste.
  const shaped = signals.includes("quoted") || (signals.includes("log-line") && errorWords > 0);
  // Prose with an error word: a question about an error usually quotes or describes it.
  const described = errorWords > 0 && text.trim().length >= 12;
  return { isError: strong || shaped || described, signals };
}

/** What the bot does with a channel message nobody asked it about. */
export type PassiveAction = "answer" | "candidates" | "silent";

/** A score this high means an article quotes the message (almost) word for word: an error by definition. */
export const RECOGNIZED_SCORE = 0.9;

/**
 * Passive triage policy: answer a confident match of anything shaped like an error (or of anything at all
 * in a triage-everything channel); offer candidates only for error-shaped messages; and for messages that
 * do not look like errors, speak only when an article quotes them almost word for word.
 */
export function passiveAction(
  shape: PasteShape,
  verdict: "match" | "possible" | "none",
  topScore: number,
  triageAll: boolean,
): PassiveAction {
  if (shape.isError || triageAll) {
    if (verdict === "match") return "answer";
    return verdict === "possible" ? "candidates" : "silent";
  }
  return verdict === "match" && topScore >= RECOGNIZED_SCORE ? "answer" : "silent";
}
