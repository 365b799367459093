/**
 * Paste normalizer: turns what people paste into Slack into the error message itself, so the matcher
 * compares like with like. Pure functions, no I/O, no environment.
 *
 * Pipeline of `normalizePaste` (each step one pass over text already capped at MAX_PASTE_CHARS):
 *   1. cap, then sanitize (line breaks, control characters, lone surrogates, zero-width and odd spaces);
 *   2. HTML entities Slack sends (`&amp; &lt; &gt; &quot; &#39;` ..., nested `&amp;lt;` too);
 *   3. Slack markup: `<url|label>` → label (or the url), `<mailto:x|x>`, mentions `<@U…> <#C…> <!here>` dropped;
 *   4. structure: code fences (their content is the message, the rest is chatter), `>` quotes,
 *      inline backticks, the Windows message-box Ctrl+C format (caption kept apart, buttons dropped);
 *   5. per line: log prefixes (timestamps, levels, pids, thread names, syslog host/tag), stack-frame
 *      lines; chatty lines at either end (greetings, questions, thanks, emoji, lead-ins);
 *   6. join lines with single spaces, then repeat until stable: maskVariables, leading/trailing chatter
 *      phrases, a trailing "..." (cutOff).
 *
 * Linear time by construction: input is capped first; every regular expression has bounded
 * quantifiers (or a single-character class followed by nothing that can fail), no nested unbounded
 * repetition and no alternation that can re-scan a long run; end-anchored patterns only look at a
 * bounded tail; loops run a bounded number of rounds.
 *
 * Canonical code forms (`canonicalCode`):
 *   - hexadecimal codes: `0x` + upper-case digits padded to 8 (`0x80070005`, `0x0000007B`, `0xC0000005`);
 *     `80004005`, `&H80004005`, `0X80004005`, `STOP 0x7B` and negative decimals `-2147467259` become the same;
 *   - numbers after error / code / WinError / errno: `ERROR 1603` (leading zeros dropped, `ERROR 30010-45` keeps a suffix);
 *   - event ids: `EVENT 4625`; `SQLSTATE 28000`; HTTP statuses: `HTTP 404`;
 *   - named codes upper-cased as written: `ORA-12154`, `AADSTS50058`, `C2061`, `R6003`, `LNK1104`,
 *     `ECONNREFUSED`, `E_ACCESSDENIED`, `ERROR_ACCESS_DENIED`, `STATUS_ACCESS_VIOLATION`.
 *
 * Placeholder tokens emitted by `maskVariables`: ⟨path⟩ (a file name with an extension is kept after it:
 * `⟨path⟩\DWINTL.DLL`), ⟨url⟩, ⟨email⟩, ⟨guid⟩, ⟨ip⟩, ⟨addr⟩, ⟨date⟩, ⟨time⟩, ⟨user⟩ (`DOMAIN\user`),
 * ⟨n⟩ (line numbers), ⟨var⟩ (`<servername>`, `xxxx`, `%1`, `{0}`). A `<placeholder>` named like a path,
 * url, e-mail, GUID, IP, date or time gets that kind instead of ⟨var⟩.
 */

/** Pastes longer than this are cut before any work (a 1 MB paste must cost no more than this much). */
export const MAX_PASTE_CHARS = 20_000;

export interface NormalizedPaste {
  /** The error text itself: Slack markup, wrappers, chatter, log prefixes and message-box frames removed,
   *  lines of one message joined with single spaces, whitespace collapsed, original case kept,
   *  variable parts masked with maskVariables. "" when nothing usable is left. */
  text: string;
  /** The caption line of a Windows message-box paste ("Microsoft Exchange"), else "". Not part of `text`. */
  caption: string;
  /** Error codes in the paste, canonical form (canonicalCode), deduplicated, in order of appearance. */
  codes: string[];
  /** The input was longer than MAX_PASTE_CHARS and was cut. */
  truncated: boolean;
  /** The message ended with "..." / "…" (a cut-off paste): the last word may be incomplete. The dots are removed from `text`. */
  cutOff: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

const HAS_ALNUM = /[\p{L}\p{N}]/u;
const WS_RUN = /\s+/g;
const NONBLANK = /\S/;

function squash(text: string): string {
  return text.replace(WS_RUN, " ").trim();
}

function wordCount(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 10 || c === 9 || c === 13;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------------
// 1. Cap and sanitize

function capInput(raw: string): { text: string; truncated: boolean } {
  if (raw.length <= MAX_PASTE_CHARS) return { text: raw, truncated: false };
  let end = MAX_PASTE_CHARS;
  // Do not split a surrogate pair.
  const last = raw.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  // Do not cut a word in two when a word boundary is near: a cut word could read as another code.
  if (!/\s/.test(raw.charAt(end))) {
    let i = end;
    const stop = end - 200;
    while (i > stop && !/\s/.test(raw.charAt(i - 1))) i--;
    if (i > stop && i > 0) end = i;
  }
  return { text: raw.slice(0, end), truncated: true };
}

/** Line breaks to `\n`; control characters, lone surrogates and odd spaces to a space; zero-width characters removed. */
function sanitize(text: string): string {
  const out: string[] = [];
  let runStart = 0;
  const flush = (i: number, replacement: string) => {
    if (i > runStart) out.push(text.slice(runStart, i));
    if (replacement) out.push(replacement);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let replacement: string | null = null;
    let skip = 0;
    if (c === 13) {
      replacement = "\n";
      if (text.charCodeAt(i + 1) === 10) skip = 1;
    } else if (c === 10) {
      continue;
    } else if (c === 0x85 || c === 0x2028 || c === 0x2029) {
      replacement = "\n";
    } else if (c < 32 || (c >= 0x7f && c <= 0x9f)) {
      replacement = " ";
    } else if (c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f) {
      replacement = " ";
    } else if (c === 0x3000) {
      replacement = " ";
    } else if ((c >= 0x200b && c <= 0x200d) || c === 0x2060 || c === 0xfeff || c === 0xad) {
      replacement = "";
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      replacement = " ";
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      replacement = " ";
    }
    if (replacement === null) continue;
    flush(i, replacement);
    i += skip;
    runStart = i + 1;
  }
  if (runStart === 0) return text;
  flush(text.length, "");
  return out.join("");
}

// ---------------------------------------------------------------------------------------------------
// 2. Entities. A chain of `&amp;` / `&#38;` before an entity is decoded in one go (`&amp;lt;` → `<`), so
// the result never holds an entity a second pass would decode.

const ENTITY =
  /&(?:(?:amp|#0{0,4}38|#[xX]0{0,4}26);)*(?:(amp|lt|gt|quot|apos|nbsp)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));/g;
const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
};

function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(ENTITY, (whole, name?: string, dec?: string, hex?: string) => {
    if (name) return NAMED_ENTITIES[name] ?? whole;
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? "", 16);
    if (!Number.isFinite(code) || code < 32 || (code >= 0x7f && code <= 0x9f)) return " ";
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return " ";
    if (code === 0xa0) return " ";
    return String.fromCodePoint(code);
  });
}

// ---------------------------------------------------------------------------------------------------
// 3. Slack markup

const SLACK_MENTION =
  /<(?:@[UWB][A-Z0-9]{2,30}|#[CG][A-Z0-9]{2,30}|!(?:here|channel|everyone|group|subteam\^[A-Za-z0-9]{1,30}|date\^[^<>|\n]{1,200}))(?:\|[^<>\n]{0,200})?>/g;
const SLACK_LINK =
  /<((?:https?|ftps?|sftp|mailto|tel|file|ssh|smb):[^<>\s|]{1,1000})(?:\|([^<>\n]{0,300}))?>/gi;

function slackMarkup(text: string): string {
  if (!text.includes("<")) return text;
  return text.replace(SLACK_MENTION, " ").replace(SLACK_LINK, (_w, url: string, label?: string) => {
    const l = label?.trim();
    if (l) return l;
    return /^mailto:/i.test(url) ? url.slice(7) : url;
  });
}

// ---------------------------------------------------------------------------------------------------
// Chatter: general rules for the lines and phrases people wrap around an error.

// Words that mark a chatty lead-in ("customer gets this error:", "repro'd on my box too:").
// Strong markers: people, times, greetings. Weak ones: verbs that also occur in messages ("Error getting file:").
// Pronouns and greetings also count capitalized at the start ("She gets this:"); nouns only in lower case, as
// chat writes them ("customer", "team"), so "Team Foundation Server:" or "My Documents:" are not chatter.
const LEAD_PRONOUNS = [
  "she",
  "he",
  "her",
  "his",
  "they",
  "they're",
  "their",
  "them",
  "someone",
  "anyone",
  "somebody",
  "anybody",
  "everyone",
  "everybody",
  "fyi",
  "pls",
  "plz",
  "lol",
  "ugh",
  "hey",
  "hi",
  "hello",
].join("|");
const LEAD_NOUNS = [
  "me",
  "my",
  "mine",
  "FYI",
  "today",
  "yesterday",
  "tonight",
  "morning",
  "thanks",
  "customer",
  "customers",
  "boss",
  "manager",
  "colleague",
  "colleagues",
  "coworker",
  "coworkers",
  "co-worker",
  "team",
  "folks",
  "guys",
  "repro",
  "repro'd",
  "reproed",
].join("|");
const LEAD_WEAK = [
  "seeing",
  "getting",
  "gets",
  "got",
  "keeps",
  "says",
  "saying",
  "reports",
  "reported",
  "complains",
  "complaining",
  "pops",
  "popped",
  "popping",
  "happening",
].join("|");
// Lead-ins that start like an error message are not chatter ("Error getting file list: ...").
const LEAD_REJECT_FIRST =
  /^\s*(?:errors?|failed|failure|cannot|can't|unable|could|couldn't|exception|warning|fatal|stop|event|the|a|an)\b/i;
const LEAD_MARKER_PRONOUN = new RegExp(
  `(?:^|[^\\w'/.-])(?:${LEAD_PRONOUNS}|[iI](?:'m|'ve|'d|m)?)(?![\\w'/.-])`,
);
const LEAD_MARKER_NOUN = new RegExp(`(?:^|[^\\w'/.-])(?:${LEAD_NOUNS})(?![\\w'/.-])`);
// A weak marker counts when it announces something ("getting this", "keeps saying the following") or ends the lead-in.
const LEAD_MARKER_WEAK = new RegExp(
  `(?:^|[^\\w'/.-])(?:${LEAD_WEAK})(?:\\s(?:up\\s)?(?:this|these|that|it|the\\sfollowing|an?|the\\ssame|same)\\b|\\s*$)|^(?:this|it)\\s(?:started|starts|keeps|kept|came|comes|shows|showed|appeared|appears|happened|happens|popped|pops|began|is\\shappening|just)\\b`,
);
// "Profile error:" ending a lead-in is the message's own heading, unless announced ("this error:").
const LEAD_ENDS_WITH_HEADING =
  /(?:^|\s)(?!(?:this|that|the|an?|following|same|these|those|weird|strange|odd|new|below|above|some)\s)\S+\s(?:error|warning|exception|failure|fault|alert)s?\s*$/i;

// Questions that are chatter ("anyone seen this?", "what does this mean?") ...
const QUESTION_MARKER =
  /\b(?:any\s?(?:one|body)|some\s?(?:one|body)|ideas?|thoughts|clues?|suggestions?|advice|pointers|help|mean(?:s|ing)?|seen|fix(?:ed)?|solve|resolve|know|familiar|normal|experienced?|encountered|wtf|wth|huh|what'?s\s(?:this|that|up|going\son)|(?:what|why|how)\s(?:is|does|do|did|can|could|should|would|to)\s(?:this|that|it|i|we)\b)/i;
// ... but not the prompts error dialogs ask ("Do you want to create a new file?").
const PROMPT_MARKER =
  /\b(?:(?:do|would|did)\s(?:you|u)\s(?:still\s)?(?:want|wish|like)|are\syou\ssure|continue|retry|save|overwrite|replace|proceed|reassign|abort|cancel)\b/i;

const EMOTICON = String.raw`(?::-?[()/\\|]|:'\(|;-?\)|:-?[DPp](?![\w])|xD|<3)`;
const TEAM_WORDS = String.raw`(?:team|all|everyone|everybody|folks|guys|gang|there|y'?all|people|helpdesk|support|again|@[\w.-]{1,40})`;

const LEADING: RegExp[] = [
  // emoji code, emoticon or @mention at the very start
  new RegExp(`^(?:${EMOTICON}|(?:cc:?\\s{1,2})?@[\\w.-]{1,40}[,:;]?)(?=\\s|$)`),
  // greetings: "hey team,", "hi all", "hello!"
  new RegExp(
    `^(?:hi|hey|hello|hiya|heya|howdy|yo|greetings|morning|good\\s(?:morning|afternoon|evening)|dear\\s(?:all|team|colleagues))(?:\\s{1,3}${TEAM_WORDS}[,!.:;-]{0,3}(?=\\s|$)|\\s{0,2}[,!.:;-]{1,3}(?=\\s|$)|\\s*$)`,
    "i",
  ),
  // a lower-case greeting word leading the message ("hey <@U…> getting this" once the mention is gone)
  /^(?:hi|hey|hello|hiya|heya|yo)(?=\s)/,
  // requests and flags: "fyi", "pls help", "need help with this", "help:", "urgent!"
  /^(?:fyi|psa|heads[\s-]up|quick\s(?:q|question)|help\sneeded|need\s(?:some\s)?help(?:\s(?:with|on)\s(?:this|that|it))?|(?:pls|plz|please)\s(?:help|advise|assist)(?:\sme)?(?!\s(?:us|you|them|improve|protect|keep|make)\b)|help\s(?:pls|plz|please|me)|halp|sos)(?:\s{0,2}[,!.:;-]{1,3})?(?=\s|$)/i,
  /^(?:help|question|q|urgent|qq)\s{0,2}[!:,]{1,3}(?=\s|$)/i,
  // ticket references: "ticket #48213 -", "re: case 123:", "#4711 -"
  /^(?:re:\s{0,2})?(?:(?:ticket|case|incident|inc|req|request|sr|issue|bug|jira|zendesk)\s{0,2}#?\s{0,2}[A-Z]{0,6}-?\d{1,12}\s{0,3}[-:–—|,]{0,2}|#\d{2,12}\s{0,3}[-:–—|,]{1,2}|(?:INC|RITM|REQ|CS)\d{4,12}\s{0,3}[-:–—|,]{0,2})(?=\s|$)/i,
  // "can someone look at this", "could you please check this out"
  /^(?:can|could|would|will|pls|please|plz)\s{1,3}(?:some\s?one|any\s?one|some\s?body|any\s?body|you(?:\sguys)?|u|y'?all)\s{1,3}(?:please\s{1,3}|pls\s{1,3})?(?:look|help|check|explain|tell|take\sa\slook|have\sa\slook|advise|figure|debug|decode|investigate|assist|see|translate)\b[^.!?:\n]{0,40}?\b(?:this|these|it|out|pls|please|me)\b\s{0,2}[?:,.!]{0,3}(?=\s|$)/i,
  // "still broken :(" — a few lower-case words closed by an emoticon
  new RegExp(`^[a-z][a-z' ]{0,30}?\\s{0,2}${EMOTICON}(?=\\s|$)`),
];

// "getting", "I'm seeing", "we keep getting this error:" — only when an error clearly follows.
const LEADING_GETTING =
  /^(?:(?:[iI]'?m|[iI]\sam|[wW]e'?re|[wW]e\sare|[tT]hey'?re|[tT]hey\sare|[sS]he'?s|[hH]e'?s|[uU]sers?\s(?:is|are)|still|also|now|(?:[iI]|[wW]e|[tT]hey|[yY]ou)(?:\s(?:keep|still|also|now))?)\s{1,2})?(?:getting|seeing|receiving|hitting|got|get|keep\sgetting)(\s{1,2}(?:this|these|the\sfollowing|an?|the\ssame|same)(?:\s{1,2}(?:error|message|msg|warning|popup|pop-up|prompt|dialog)s?)?)?(?:\s{1,2}(?:again|now|today|every\s?time))?\s{0,2}[:,–—-]?(?=\s)/;

// Text before the first ": " of a line, when it is a chatty lead-in.
const COLON_LEAD = /^([^:\n]{1,120}):(?=\s|$)/;
const COLON_LEAD_REJECT = /[()[\]"`<>={}\\⟨]|[.!?;]\s|\d{3}/;

const QUESTION_LEAD = /^([^?.!\n]{1,120})\?{1,3}(?=\s|$)/;

const TRAILING: RegExp[] = [
  new RegExp(`\\s${EMOTICON}$`),
  /(?:^|\s)(?:cc:?\s{1,2})?@[\w.-]{1,40}[.!]?$/,
  // chatty questions, with or without the question mark
  /(?<=^|[\s,;.!)\]–—-])\s{0,2}(?:(?:does\s|has\s|did\s)?(?:any\s?one|any\s?body|some\s?one|some\s?body|you\sguys|y'?all)\s(?:know|seen|have|had|got|ever|else|experienced?|encountered|run|ran|hit|familiar|able|help|recogni[sz]e|an?\sidea)\b[^.!?\n]{0,60}|any\s(?:ideas?|thoughts|clues?|suggestions|help|advice|pointers|fix|workaround)(?:\s(?:on|about|what|why|how)\b[^.!?\n]{0,40})?|what\s(?:does|do)\s(?:this|that|it)\smean|what(?:'s|\sis)\s(?:this|that|going\son|wrong|happening)|how\s(?:do|can|should|would)\s(?:i|we|you|u)\s(?:fix|solve|resolve|get\srid\sof|handle|stop|avoid|deal\swith)\s(?:this|that|it)|(?:have\syou\s|has\sanyone\s)?(?:ever\s)?seen\s(?:this|that|it)(?:\s(?:one|error|message))?(?:\sbefore)?|is\s(?:this|that|it)\s(?:a\sknown\s(?:issue|bug|problem)|normal|expected|fixable|bad|serious)|why(?:\sis|\sdoes|\sdo)\s(?:this|that|it)\b[^.!?\n]{0,40}|(?:any|some)\sidea\s(?:what|why|how)\b[^.!?\n]{0,40}|(?:can|could)\s(?:someone|anyone|you|u|somebody|anybody)\s(?:help|look|check|take\sa\slook|have\sa\slook)\b[^.!?\n]{0,40})\s{0,2}\?{0,3}$/i,
  // remarks after the error: "happens every time", "rebooted already, no luck", "thanks!"
  /(?<=^|[\s,;.!)\]–—-])\s{0,2}(?:(?:it\s|this\s)?(?:still\s)?(?:happens|happening|keeps\shappening|occurs|recurs|shows\sup|pops\sup|comes\sup)(?:\s(?:every\s?time|each\stime|all\sthe\stime|constantly|daily|again|randomly|intermittently|(?:on|for|with)\s(?:every|all|multiple|several|some|a\sfew|a\scouple\sof|many|most)\s[\w-]{1,20})){1,3}|(?:[iI]|[wW]e|[tT]hey|already)\s(?:already\s)?(?:rebooted|restarted|reinstalled|re-installed|repaired|tried\s(?:rebooting|restarting|reinstalling|that|everything))(?:\s(?:already|twice|again|it|the\s(?:pc|machine|computer|laptop|server|app)))?(?:,?\s{1,2}(?:no\sluck|didn'?t\shelp|did\snot\shelp|no\schange|same\s(?:thing|result|error|issue)|nothing|still\s(?:broken|failing|the\ssame|happening)))?|(?:rebooted|restarted|reinstalled|re-installed|repaired|tried\s(?:rebooting|restarting|reinstalling|that|everything))\s(?:already|twice|again)(?:,?\s{1,2}(?:no\sluck|didn'?t\shelp|did\snot\shelp|no\schange|same\s(?:thing|result|error|issue)|nothing|still\s(?:broken|failing|the\ssame|happening)))?|(?:rebooted|restarted|reinstalled|re-installed|repaired|tried\s(?:rebooting|restarting|reinstalling|that|everything)),?\s{1,2}(?:no\sluck|didn'?t\shelp|did\snot\shelp|no\schange|same\s(?:thing|result|error|issue)|nothing|still\s(?:broken|failing|the\ssame|happening))|no\sluck(?:\sso\sfar)?|still\s(?:broken|failing|not\sworking|happening)|(?:pls|please|plz)\s(?:help|advise)|help\s(?:pls|please|plz)|(?:see\s)?(?:screenshot|screen\sshot|screencap|pic|image|logs?)\s(?:attached|below|above|in\s(?:the\s)?thread)|see\s(?:attached|thread|screenshot)|thanks?(?:\syou)?(?:\s(?:in\sadvance|so\smuch|a\slot|all|team|guys|everyone))?|thx|tia|ty|cheers|much\sappreciated|appreciate\s(?:it|any\shelp)|lol|ugh|smh|asap|halp|sos)[\s!.,]{0,4}$/i,
];
TRAILING.push(
  // single-word questions need their question mark
  /(?<=^|[\s,;.!)\]–—-])\s{0,2}(?:ideas|thoughts|help|halp|anyone|any\s?body|someone)\s{0,2}\?{1,3}$/i,
);
const TRAILING_PAREN = /(?:^|\s)\(([^()\n]{1,80})\)[.!]?$/;
const PAREN_CHAT =
  /\b(?:screenshot|screen\sshot|screencap|attached|attachment|thread|pic|image|photo|sorry|edited|fyi|lol|urgent|ticket|my|we|our|see\s(?:above|below|attached|thread|screenshot))\b|(?<![\w/])[iI](?:'m|'ve)?(?![\w/'])|#\d|^\s*(?:again|still|same)\W{0,3}$/;

const LEAD_IN_LINE =
  /(?:^|\s)(?:keeps?\s|kept\s|just\s|now\s|always\s)?(?:saying|says|said|shows|showing|showed|displays|displaying|throws|throwing|gives|giving|reports|reporting|getting|gets|got|seeing|pops\sup(?:\swith)?|popping\sup(?:\swith)?|comes\sup\swith|spits\sout|complains|complaining)(?:\s(?:me|us|this|these|that|the\sfollowing|an?|error|errors|message|messages|msg|warning|with|again|now))*\s?[:.,…-]{0,3}$/i;

function tail(text: string, n: number): { head: string; tail: string } {
  if (text.length <= n) return { head: "", tail: text };
  return { head: text.slice(0, text.length - n), tail: text.slice(text.length - n) };
}

function lowerFirst(text: string): string {
  const t = text.trimStart();
  return t.charAt(0).toLowerCase() + t.slice(1);
}

/** A lead-in before a colon that is chatter ("customer gets this error", "repro'd on my box too"). */
function isChatLead(lead: string): boolean {
  if (wordCount(lead) > 12 || COLON_LEAD_REJECT.test(lead) || LEAD_ENDS_WITH_HEADING.test(lead)) return false;
  const l = lowerFirst(lead);
  if (LEAD_MARKER_PRONOUN.test(l) || LEAD_MARKER_NOUN.test(lead)) return true;
  return !LEAD_REJECT_FIRST.test(l) && LEAD_MARKER_WEAK.test(l);
}

/** A short question asking the channel ("anyone seen this before", "what does this mean"), not a dialog's prompt. */
function isChatQuestion(question: string): boolean {
  if (wordCount(question) > 10 || /\d{3}|0x/i.test(question) || PROMPT_MARKER.test(question)) return false;
  const firstWords = question.trim().split(/\s+/).slice(0, 4).join(" ");
  return QUESTION_MARKER.test(firstWords);
}

/** One leading chatter phrase removed, or null when there is none. */
function stripOneLeading(text: string): string | null {
  const head = text.slice(0, 260);
  for (const re of LEADING) {
    const m = re.exec(head);
    if (m && m[0].length > 0) return text.slice(m[0].length);
  }
  const c = COLON_LEAD.exec(head);
  if (c?.[1] && isChatLead(c[1])) return text.slice(c[0].length);
  const g = LEADING_GETTING.exec(head);
  if (g && g[0].length > 0) {
    const rest = text.slice(g[0].length).trimStart();
    // Only before something that reads as the start of a message, or after "getting this error".
    if (
      rest &&
      (g[1] ||
        /^[A-Z0-9"'([⟨`]/.test(rest) ||
        /^(?:fatal\s)?(?:error|warning)\s[A-Za-z]{0,6}\d{3}/i.test(rest))
    ) {
      return rest;
    }
  }
  const q = QUESTION_LEAD.exec(head);
  if (q?.[1] && isChatQuestion(q[1])) {
    return text.slice(q[0].length);
  }
  return null;
}

/** One trailing chatter phrase removed, or null when there is none. */
function stripOneTrailing(text: string): string | null {
  const { head, tail: t } = tail(text, 240);
  for (const re of TRAILING) {
    const m = re.exec(t);
    if (m && m[0].length > 0) return head + t.slice(0, m.index);
  }
  const p = TRAILING_PAREN.exec(t);
  if (p?.[1] && PAREN_CHAT.test(p[1])) return head + t.slice(0, p.index);
  return null;
}

const LEAD_SEPARATORS = /^[\s,;:|–—-]{1,10}/;
const TRAIL_SEPARATORS = /[\s,;|–—-]{1,10}$/;

/** Leading and trailing chatter phrases removed from a line (or a whole one-line paste). */
function stripChatter(text: string): string {
  let t = text.trim();
  for (let round = 0; round < 16; round++) {
    let changed = false;
    const lead = stripOneLeading(t);
    if (lead !== null) {
      t = lead.replace(LEAD_SEPARATORS, "");
      changed = true;
    }
    const trail = stripOneTrailing(t);
    if (trail !== null) {
      const { head, tail: tl } = tail(trail, 20);
      t = head + tl.replace(TRAIL_SEPARATORS, "");
      changed = true;
    }
    t = t.trim();
    if (!changed || !t) break;
  }
  return t;
}

function isChatterLine(line: string): boolean {
  return !HAS_ALNUM.test(stripChatter(removeEmoji(line)));
}

/** A short first line that announces the message on the next line ("hey team, outlook keeps saying"). */
function isLeadInLine(line: string): boolean {
  const t = stripChatter(removeEmoji(line));
  if (!HAS_ALNUM.test(t)) return true;
  if (wordCount(t) > 12) return false;
  if (t.endsWith(":") && isChatLead(t.slice(0, -1))) return true;
  return LEAD_IN_LINE.test(t.slice(-160));
}

const EMOJI_CODE = /(^|\s)(?::[a-z0-9][a-z0-9_+'-]{0,40}:){1,4}(?=\s|$)/g;
const PICTOGRAPH = /\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}]|\u{FE0F}|\u{20E3}/gu;

function removeEmoji(text: string): string {
  return text
    .replace(EMOJI_CODE, (whole: string, lead: string) => (/[a-z]/i.test(whole) ? lead : whole))
    .replace(PICTOGRAPH, " ");
}

// ---------------------------------------------------------------------------------------------------
// 4. Structure: fences, quotes, inline code, message boxes

const FENCE = /`{3,}/;
const CODE_LANGS = new Set(
  "text txt plaintext plain log logs console shell sh bash zsh ps ps1 powershell pwsh cmd bat batch json yaml yml xml html js javascript ts typescript python py java cs csharp c cpp sql ini toml diff output none nohighlight go rust ruby rb php kotlin swift dockerfile makefile terminal stacktrace trace".split(
    " ",
  ),
);
const QUOTE_MARK = /^[ \t]{0,8}(?:>[ \t]?){1,10}/;

function stripLangTag(block: string): string {
  const nl = block.indexOf("\n");
  if (nl < 0) return block;
  const first = block.slice(0, nl).trim();
  if (first && CODE_LANGS.has(first.toLowerCase())) return block.slice(nl + 1);
  return block;
}

function unquoteIfAllQuoted(lines: string[]): string[] {
  const nonblank = lines.filter((l) => NONBLANK.test(l));
  if (nonblank.length === 0 || !nonblank.every((l) => QUOTE_MARK.test(l))) return lines;
  return lines.map((l) => l.replace(QUOTE_MARK, ""));
}

/** Words left in chatter once chatty phrases are removed (how much real text it holds). */
function residualWords(parts: readonly string[]): number {
  let n = 0;
  for (const p of parts) {
    for (const line of p.split("\n")) {
      const t = stripChatter(removeEmoji(line));
      if (HAS_ALNUM.test(t)) n += wordCount(t);
    }
  }
  return n;
}

interface Region {
  lines: string[];
  caption: string;
}

/** The part of the paste that holds the message; text outside fences, quotes or long inline code is chatter. */
function selectRegion(text: string): Region {
  let region = text;
  if (FENCE.test(text)) {
    const parts = text.split(/`{3,}/);
    const inside: string[] = [];
    for (let i = 1; i < parts.length; i += 2) inside.push(stripLangTag(parts[i] ?? ""));
    region = inside.some((p) => HAS_ALNUM.test(p))
      ? unquoteIfAllQuoted(inside.join("\n").split("\n")).join("\n")
      : parts.join(" ");
  }
  const box = messageBox(region.split("\n"));
  if (box) return { lines: box.lines.map((l) => l.replace(QUOTE_MARK, "")), caption: box.caption };
  return { lines: inlineCode(quotedPart(region)).split("\n"), caption: "" };
}

/** The quoted lines, when the paste quotes the message and adds a question or two outside the quote. */
function quotedPart(text: string): string {
  const lines = text.split("\n");
  const quoted: string[] = [];
  const other: string[] = [];
  // A quote runs on over the lines that follow it up to a blank line (Markdown's lazy continuation):
  // a message broken over lines is often quoted on its first line only. Chatty last lines go later.
  let inQuote = false;
  for (const l of lines) {
    if (QUOTE_MARK.test(l)) {
      quoted.push(l.replace(QUOTE_MARK, ""));
      inQuote = true;
    } else if (!NONBLANK.test(l)) {
      inQuote = false;
    } else if (inQuote) {
      quoted.push(l);
    } else {
      other.push(l);
    }
  }
  if (!quoted.some((l) => HAS_ALNUM.test(l))) return text;
  if (other.length > 0) {
    const rest = residualWords(other);
    if (rest > 3 && wordCount(quoted.join(" ")) < 2 * rest) {
      return lines.map((l) => l.replace(QUOTE_MARK, "")).join("\n");
    }
  }
  return quoted.join("\n");
}

function inlineCode(text: string): string {
  if (!text.includes("`")) return text;
  const parts = text.split("`");
  const inside: string[] = [];
  const outside: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] ?? "";
    if (i % 2 === 1) inside.push(p);
    else outside.push(p);
  }
  // An odd number of backticks: the last span is unclosed (a paste cut off inside the code).
  const insideWords = wordCount(inside.join(" "));
  if (insideWords >= 3) {
    const rest = residualWords(outside);
    if (rest <= 3 || insideWords >= 2 * rest) return inside.join(" ");
  }
  return parts.join("");
}

const DASH_LINE = /^[ \t]{0,8}[-─—=_]{5,}[ \t]*$/;
const BUTTON_PHRASES =
  /\b(?:try again|don'?t send|send error report|yes to all|no to all|show details|hide details|end now|end task|close program|check online for a solution)\b/gi;
const BUTTON_WORDS = new Set(
  "ok cancel yes no retry abort ignore help continue close details debug skip apply restart allow deny fail send next back finish".split(
    " ",
  ),
);

function isButtonLine(line: string): boolean {
  const rest = line.toLowerCase().replace(/&/g, "").replace(BUTTON_PHRASES, " ");
  const words = rest.split(/[\s,/|]+/).filter((w) => w.length > 0);
  for (const w of words) {
    const bare = w.replace(/^[[(<]+|[\])>.!]+$/g, "");
    if (bare && !BUTTON_WORDS.has(bare)) return false;
  }
  return true;
}

/** The Windows message-box Ctrl+C format: dashed lines, a caption, the message, the buttons. */
function messageBox(lines: string[]): Region | null {
  const dashes: number[] = [];
  for (let i = 0; i < lines.length; i++) if (DASH_LINE.test(lines[i] ?? "")) dashes.push(i);
  if (dashes.length < 2) return null;
  const first = dashes[0] ?? 0;
  const lastDash = dashes[dashes.length - 1] ?? 0;
  const before = lines.slice(0, first);
  const blocks: string[][] = [];
  for (let k = 0; k + 1 < dashes.length; k++) {
    blocks.push(lines.slice((dashes[k] ?? 0) + 1, dashes[k + 1]).filter((l) => NONBLANK.test(l)));
  }
  const after = lines.slice(lastDash + 1).filter((l) => NONBLANK.test(l));
  // Text before the box must be chatter; otherwise these dashes are something else.
  if (residualWords(before) > 3) return null;
  let caption = "";
  let start = 0;
  const b0 = blocks[0] ?? [];
  if (b0.length === 1 && wordCount(b0[0] ?? "") <= 8 && (blocks.length >= 2 || after.length > 0)) {
    caption = squash(b0[0] ?? "");
    start = 1;
  }
  const message: string[] = [];
  for (const b of blocks.slice(start)) {
    if (b.length === 0 || b.every(isButtonLine)) continue;
    message.push(...b);
  }
  if (message.length === 0) {
    // A box cut off after the caption: the message follows the last dashed line.
    message.push(...after.filter((l) => !isButtonLine(l)));
  }
  return { lines: message, caption };
}

// ---------------------------------------------------------------------------------------------------
// 5. Log prefixes and stack frames

const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)";
const TIME = String.raw`\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:\s?[AaPp]\.?[Mm]\.?)?`;
const TIME_S = String.raw`\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:\s?[AaPp]\.?[Mm]\.?)?`;
const ZONE = String.raw`(?:\s?(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}))?`;
const TIMESTAMPS: RegExp[] = [
  new RegExp(String.raw`\[?\d{4}-\d{2}-\d{2}(?:[T ]${TIME})?${ZONE}\]?`, "y"),
  new RegExp(String.raw`\[?\d{1,2}([/-])\d{1,2}\1\d{2,4}(?:,?\s${TIME})?${ZONE}\]?`, "y"),
  new RegExp(String.raw`\[?\d{4}/\d{1,2}/\d{1,2}(?:\s${TIME})?${ZONE}\]?`, "y"),
  /\[?⟨date⟩(?:[T ]⟨time⟩)?\]?/y,
  new RegExp(String.raw`\[?${TIME_S}${ZONE}\]?`, "y"),
  /\[\d{1,2}:\d{2}(?:\s?[AaPp][Mm])?\]/y,
  /\[?⟨time⟩\]?/y,
  /\[\s{0,8}\d{1,10}\.\d{1,9}\]/y,
];
const SECOND_TIME = new RegExp(String.raw`\[?${TIME_S}${ZONE}\]?`, "y");
const SYSLOG_TS = new RegExp(
  String.raw`\[?(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s)?${MONTH}\s{1,2}\d{1,2}(?:\s\d{4})?\s(?:${TIME_S}|⟨time⟩)(?:\s\d{4})?\]?`,
  "y",
);
const LEVEL_AFTER_TS =
  /(?:[[<(])?(?:ERROR|ERR|WARN|WARNING|FATAL|CRITICAL|CRIT|SEVERE|ALERT|EMERG|EMERGENCY|NOTICE|INFO|INFORMATION|DEBUG|TRACE|VERBOSE|Error|Warning|Warn|Fatal|Critical|Info|Debug|Trace|Notice|error|warning|warn|fatal|critical|info|debug|trace|E|W)(?:[\]>)])?:?(?=\s|$)/y;
const LEVEL_BRACKETED =
  /[[<](?:ERROR|ERR|WARN|WARNING|FATAL|CRITICAL|CRIT|SEVERE|ALERT|EMERG|NOTICE|INFO|DEBUG|TRACE|VERBOSE|Error|Warning|Warn|Fatal|Critical|Info|Debug|Trace)[\]>]:?(?=\s|$)/y;
const PID = /(?:\[\d{1,10}\]|\(\d{1,10}\)|pid[=:]\s?\d{1,10}|\d{1,10}(?=\s---\s))(?=[\s:]|$)/y;
const THREAD = /\[[^\]\s[]{1,60}\]:?(?=\s|$)/y;
const LOG_SEP = /\s{0,4}(?:---|[-|:—]|::)?\s{1,4}/y;
const SYSLOG_HOST = /[\w.-]{1,64}(?=\s)/y;
const SYSLOG_TAG = /[\w./-]{1,64}(?:\[\d{1,10}\])?:(?=\s|$)/y;
const LOGGER = /[\w$]{1,40}(?:\.[\w$]{1,60}){1,10}\s{1,3}:(?=\s)/y;
const LOGCAT = /^[VDIWEF]\/[\w.$-]{1,80}\(\s{0,6}\d{1,10}\):\s/;
const PY_LOGGING = /^(?:ERROR|WARNING|CRITICAL|INFO|DEBUG):[\w.]{1,80}:(?=\S)/;

function stickyAt(re: RegExp, text: string, pos: number): number {
  re.lastIndex = pos;
  const m = re.exec(text);
  return m ? m[0].length : 0;
}

/** Removes a log prefix at the start of a line: timestamps, level, pid, thread, syslog host and tag. */
function stripLogPrefix(line: string): string {
  let pos = 0;
  while (pos < line.length && (line[pos] === " " || line[pos] === "\t")) pos++;
  const start = pos;
  let stamped = false;
  let syslog = false;
  let len = stickyAt(SYSLOG_TS, line, pos);
  if (len) {
    stamped = true;
    syslog = true;
    pos += len;
  } else {
    for (const re of TIMESTAMPS) {
      len = stickyAt(re, line, pos);
      if (len && (pos + len >= line.length || /[\s\]|,:-]/.test(line.charAt(pos + len)))) {
        stamped = true;
        pos += len;
        break;
      }
    }
  }
  if (!stamped) {
    const lc = LOGCAT.exec(line.slice(pos, pos + 120));
    if (lc) return line.slice(pos + lc[0].length);
    const py = PY_LOGGING.exec(line.slice(pos, pos + 120));
    if (py) return line.slice(pos + py[0].length);
    len = stickyAt(LEVEL_BRACKETED, line, pos);
    if (!len) return line;
    pos += len;
  }
  let hostDone = !syslog;
  let levelSeen = !stamped;
  for (let round = 0; round < 10 && pos < line.length; round++) {
    const sep = stickyAt(LOG_SEP, line, pos);
    const at = pos + sep;
    if (at >= line.length) {
      pos = at;
      break;
    }
    let step = stamped ? stickyAt(SECOND_TIME, line, at) : 0; // "date | time"
    if (!step && !levelSeen) {
      step = stickyAt(LEVEL_AFTER_TS, line, at);
      if (step) {
        levelSeen = true;
        hostDone = true;
      }
    }
    if (!step && !hostDone) {
      hostDone = true;
      step = stickyAt(SYSLOG_HOST, line, at);
      const tagLen = step ? stickyAt(SYSLOG_TAG, line, at + step + 1) : 0;
      if (tagLen) step += 1 + tagLen;
    }
    if (!step) step = stickyAt(PID, line, at) || stickyAt(THREAD, line, at);
    if (!step && levelSeen) step = stickyAt(LOGGER, line, at); // logger name followed by " : "
    if (!step) {
      step = stickyAt(LEVEL_BRACKETED, line, at);
      if (step) levelSeen = true;
    }
    if (!step) break;
    pos = at + step;
  }
  if (pos === start) return line;
  return line.slice(pos).replace(/^[\s|:—-]{0,6}/, "");
}

const STACK_FRAME =
  /^\s{0,40}(?:at\s{1,3}(?:async\s)?[\w$.<>`[\]-]{1,200}[.:][\w$.<>`[\]-]{0,200}\s?\(|at\s{1,3}\/|at\s{1,3}[A-Za-z]:\\|File\s"[^"]{1,300}",\sline\s\d{1,7}|Traceback\s\(most\srecent\scall\slast\):?\s*$|\.\.\.\s\d{1,6}\smore\s*$|---\sEnd\sof\s(?:inner\sexception\s)?stack\strace)/;

// ---------------------------------------------------------------------------------------------------
// Region → lines → one string

function extractLines(text: string): Region {
  const region = selectRegion(text);
  const caption = region.caption;
  let lines = region.lines;
  lines = lines.map((l) => stripLogPrefix(l.replace(/`/g, "")));
  let kept = lines.filter((l) => NONBLANK.test(l) && !DASH_LINE.test(l));
  if (kept.length > 1) {
    const frames = kept.filter((l) => !STACK_FRAME.test(l));
    if (frames.length > 0 && frames.length < kept.length) kept = frames;
  }
  // Chatty lines at either end ("anyone seen this?", "thanks!", "customer gets this error:").
  let a = 0;
  let b = kept.length;
  while (b - a > 1 && (isChatterLine(kept[a] ?? "") || isLeadInLine(kept[a] ?? ""))) a++;
  while (b - a > 1 && isChatterLine(kept[b - 1] ?? "")) b--;
  kept = kept.slice(a, b);
  return { lines: kept, caption };
}

const CUT_OFF = /\s{0,3}(?:\.{3,12}|…{1,3}|(?:\.\s?){3,6})\s{0,3}$/;
const LEADING_QUOTE_MARKS = /^(?:>\s?){1,10}/;

function finalize(text: string): { text: string; cutOff: boolean } {
  let t = squash(removeEmoji(text));
  let cutOff = false;
  for (let round = 0; round < 12; round++) {
    const before = t;
    t = maskVariables(t);
    t = t.replace(LEADING_QUOTE_MARKS, "");
    t = stripLogPrefix(t);
    t = stripChatter(t);
    const { head, tail: tl } = tail(t, 40);
    const m = CUT_OFF.exec(tl);
    if (m) {
      cutOff = true;
      t = head + tl.slice(0, m.index);
    }
    t = squash(t);
    if (t === before) break;
  }
  if (!HAS_ALNUM.test(t)) return { text: "", cutOff };
  return { text: t, cutOff };
}

function normalizeOnce(input: string): { text: string; caption: string; cutOff: boolean } {
  let s = sanitize(input);
  s = decodeEntities(s);
  s = slackMarkup(s);
  const { lines, caption } = extractLines(s);
  const { text, cutOff } = finalize(lines.join("\n"));
  return { text, caption, cutOff };
}

/**
 * The error message in a Slack paste (see the pipeline at the top of this file). Pure and total: any string,
 * however odd, gives a result; the work is bounded by MAX_PASTE_CHARS. `normalizePaste(r.text).text === r.text`.
 */
export function normalizePaste(raw: string): NormalizedPaste {
  const { text: capped, truncated } = capInput(typeof raw === "string" ? raw : "");
  const first = normalizeOnce(capped);
  let text = first.text;
  let cutOff = first.cutOff;
  // Normalizing the result must change nothing; a few rounds settle the rare paste that still would.
  for (let round = 0; round < 3 && text; round++) {
    const again = normalizeOnce(text);
    if (again.text === text) break;
    text = again.text;
    cutOff ||= again.cutOff;
  }
  const allowed = new Set(extractErrorCodes(capped));
  const codes = extractErrorCodes(text).filter((c) => allowed.has(c));
  return { text, caption: first.caption, codes, truncated, cutOff };
}

// ---------------------------------------------------------------------------------------------------
// Masking variable parts

const PLACEHOLDER = /\\<([A-Za-z][A-Za-z0-9 _|./-]{0,48})\\>|<([A-Za-z][A-Za-z0-9 _|./-]{0,48})>/g;
const BRACE_PLACEHOLDER = /\{\d{1,2}\}/g;

function placeholderKind(name: string): string {
  const n = name.toLowerCase();
  if (/\b(?:guid|uuid|clsid|iid)\b|guid/.test(n)) return "⟨guid⟩";
  if (/\bip\b|ip\s?address|ipaddress/.test(n)) return "⟨ip⟩";
  if (/\b(?:url|uri)\b/.test(n)) return "⟨url⟩";
  if (/e-?mail|smtp\s?address/.test(n)) return "⟨email⟩";
  if (/path|folder|director|\bdir\b|drive/.test(n)) return "⟨path⟩";
  if (/\bdate\b/.test(n)) return "⟨date⟩";
  if (/\btime\b/.test(n)) return "⟨time⟩";
  return "⟨var⟩";
}

const URL_RE =
  /(?<![\w.])(?:(?:https?|ftps?|sftp|file|ldaps?|smb|nntp|telnet|gopher|mms|rtsp):\/\/[^\s"'`<>()[\]{}|\\^]{0,1000}|www\.[A-Za-z0-9-]{1,63}\.[^\s"'`<>()[\]{}|\\^]{1,1000})/gi;
const MAILTO = /mailto:[^\s"'`<>()]{1,300}/gi;
const EMAIL =
  /(?<![\w.%+⟩-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63}|⟨var⟩)@([A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9-]{1,63}){0,8}|⟨var⟩)(?![\w@⟨-])/g;
const GUID_RE =
  /(?<![\w-])\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?(?![\w-])/g;
const UNIX_PATH = /(?<![\w.~/:\\⟩-])\/(?:[\w.@+~-]{1,100}\/){2,20}[\w.@+~-]{0,100}/g;
const DOMAIN_USER = /(?<![\w\\:.$⟩-])([A-Z][A-Z0-9-]{1,14})\\([a-z][A-Za-z0-9._-]{0,63})(?![\w\\])/g;
const SEG_ADDR = /(?<![\w:.])(?:[0-9A-Fa-f]{4}|[Xx]{4}):(?:[0-9A-Fa-f]{4,8}|[Xx]{4,8})(?![\w:])/g;
const AT_ADDR = /(?<![\w])(at|address|addr|eip|rip)(\s{0,3}[:=]?\s{0,3})0[xX][0-9A-Fa-f]{4,16}(?![\w])/gi;
const OFFSET_ADDR = /(?<![\w])(address|offset)(\s{0,3}[:=]?\s{0,3})(?:0[xX])?([0-9A-Fa-f]{4,16})(?![\w])/gi;
const IPV4 = /(?<![\w.])(?:[xX]{1,3}|\d{1,3})(?:\.(?:[xX]{1,3}|\d{1,3})){3}(?![\w]|\.\w)/g;
const IPV6 = /(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:.])/g;
const ISO_DATE = new RegExp(
  String.raw`(?<![\w.:/-])\d{4}-\d{2}-\d{2}(?:[T ](${TIME})${ZONE})?(?![\w/-]|\.\d)`,
  "g",
);
const NUM_DATE =
  /(?<![\w./:-])(?:\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})|\d{4}\/\d{1,2}\/\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4})(?![\w/-]|\.\d)/g;
const MONTH_DATE =
  /(?<![\w])(?:(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s{1,2}\d{1,2}(?:st|nd|rd|th)?(?:,?\s{1,2}\d{4}(?![\w])|(?=\s\d{1,2}:\d{2}))|\d{1,2}\s(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?,?\s\d{4}(?![\w]))/gi;
const TIME_RE = new RegExp(String.raw`(?<![\w:.])(${TIME})${ZONE}(?![\w]|:\d|\.\d)`, "g");
const FILE_LINE =
  /(?<=\.[A-Za-z][A-Za-z0-9]{0,4})(\(\d{1,7}(?:,\s?\d{1,5})?\)|:\d{1,7}(?::\d{1,5})?)(?![\w])/g;
const LINE_NO = /(?<![\w])([Ll]ine)(\s{1,2}|:)(?:\d{1,7}|[xX]{2,6})(?![\w])/g;
const X_RUN = /(?<![\w.⟩])[xX]{3,16}(?![\w⟨])/g;
const PRINTF =
  /(?<![\w%])%(?:\d{1,2}|[-+ #0]{0,2}\d{0,3}(?:\.\d{1,2})?(?:ll|l|h|I64)?[sdiuxXcfgeEpS])(?![\w%])/g;

function validIpv4(m: string): boolean {
  for (const part of m.split(".")) {
    if (/^\d+$/.test(part) && Number(part) > 255) return false;
  }
  return true;
}

function validIpv6(m: string): boolean {
  const doubles = m.split("::").length - 1;
  if (doubles > 1) return false;
  const groups = m.split(":").filter((g) => g.length > 0);
  if (doubles === 0 && groups.length !== 8) return false;
  if (groups.length < 2) return false;
  let digits = 0;
  for (const g of groups) digits += g.length;
  return digits >= 4;
}

/** Windows drive, UNC and masked-path prefixes: `C:\`, `C:/`, `\\server\`, `⟨path⟩\`, `⟨x⟩:\`. */
function pathStartAt(text: string, i: number): number {
  const prev = i > 0 ? text.charAt(i - 1) : "";
  if (prev && /[\w\\:⟩]/.test(prev)) return 0;
  const c = text.charAt(i);
  if (/[A-Za-z]/.test(c) && text.charAt(i + 1) === ":") {
    const sep = text.charAt(i + 2);
    if (sep === "\\") return 3;
    if (sep === "/" && text.charAt(i + 3) !== "/") return 3;
    return 0;
  }
  if (c === "\\" && text.charAt(i + 1) === "\\" && /[\w⟨$.-]/.test(text.charAt(i + 2))) return 2;
  if (c === "⟨") {
    const close = text.indexOf("⟩", i);
    if (close < 0 || close - i > 10) return 0;
    const name = text.slice(i, close + 1);
    if (text.charAt(close + 1) === ":" && text.charAt(close + 2) === "\\") return close + 3 - i;
    if (name === "⟨path⟩" && text.charAt(close + 1) === "\\") return close + 2 - i;
  }
  return 0;
}

const PATH_STOP = /[\s\\/*?"<>|,;'`]/;
const FILE_EXT =
  /^(.+\.[A-Za-z][A-Za-z0-9]{0,4})((?:\((?:\d{1,7}|⟨n⟩)(?:,\s?\d{1,5})?\)|:(?:\d{1,7}|⟨n⟩)(?::\d{1,5})?)?)$/;

/** Masks Windows paths in one left-to-right pass; a trailing file name with an extension is kept. */
function maskWindowsPaths(text: string): string {
  if (!text.includes("\\") && !/[A-Za-z]:\//.test(text)) return text;
  const out: string[] = [];
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c !== "\\" && c !== "⟨" && !/[A-Za-z]/.test(c)) {
      i++;
      continue;
    }
    const startLen = pathStartAt(text, i);
    if (!startLen) {
      i++;
      continue;
    }
    const slash = text.charAt(i + startLen - 1) === "/" ? "/" : "\\";
    let j = i + startLen;
    let compStart = j;
    let opens = 0;
    let closes = 0;
    // Components separated by the slash; a single space continues the path only when the next word
    // holds another separator ("Program Files\Microsoft Games\...").
    while (j < text.length) {
      const ch = text.charAt(j);
      if (ch === slash) {
        j++;
        compStart = j;
        continue;
      }
      if (ch === " ") {
        let k = j + 1;
        const limit = Math.min(text.length, j + 101);
        while (k < limit && !PATH_STOP.test(text.charAt(k))) k++;
        if (k < text.length && text.charAt(k) === slash && k > j + 1 && !pathStartAt(text, j + 1)) {
          for (let x = j + 1; x < k; x++) {
            const cx = text.charAt(x);
            if (cx === "(" || cx === "[") opens++;
            else if (cx === ")" || cx === "]") closes++;
          }
          j = k;
          continue;
        }
        break;
      }
      if (PATH_STOP.test(ch)) break;
      if (ch === "(" || ch === "[") opens++;
      else if (ch === ")" || ch === "]") closes++;
      j++;
    }
    let end = j;
    // Trailing punctuation and unbalanced closing brackets belong to the sentence, not the path.
    while (end > i + startLen) {
      const last = text.charAt(end - 1);
      if (/[.,;:!?]/.test(last)) end--;
      else if ((last === ")" || last === "]") && closes > opens) {
        closes--;
        end--;
      } else break;
    }
    if (end < compStart) compStart = end;
    const final = text.slice(compStart, end);
    const m = FILE_EXT.exec(final);
    out.push(text.slice(copied, i));
    out.push(m ? `⟨path⟩${slash}${final}` : "⟨path⟩");
    copied = end;
    i = Math.max(end, i + 1);
  }
  if (copied === 0) return text;
  out.push(text.slice(copied));
  return out.join("");
}

/** Replaces variable parts with placeholder tokens of the form ⟨kind⟩ (U+27E8 … U+27E9, e.g. ⟨path⟩, ⟨ip⟩, ⟨guid⟩, ⟨email⟩, ⟨url⟩, ⟨addr⟩, ⟨date⟩, ⟨time⟩, ⟨var⟩) and keeps error codes untouched. Used on BOTH pastes and articles' quoted messages so `\\fs01\share`, `C:\Users\jsmith\Documents`, `<servername>`, `<computer name>`, `xxxxxxxx`, `X.X.X.X` and `%1` compare alike. Idempotent. */
export function maskVariables(text: string): string {
  if (typeof text !== "string" || text.length === 0) return "";
  // Every mask needs one of these characters; most lines have none, and masking costs ~20 regex scans.
  if (!MASK_TRIGGER.test(text)) return text;
  // A mask can make a later one match ("a@May 3, 2024" → "a@⟨date⟩"); a second round settles it.
  let t = maskOnce(text);
  for (let round = 0; round < 3; round++) {
    const again = maskOnce(t);
    if (again === t) break;
    t = again;
  }
  return t;
}

// A digit, a path or placeholder character, an `xx`/`X.X` run or an all-hex GUID start (checked against the
// full masking on every line of ~57k real KB articles: none that lacks these is changed by it).
const MASK_TRIGGER = /[0-9\\/:<>{}%@]|[xX]{2}|[xX]\.[xX]|[0-9a-fA-F]{8}-|www\./i;

function maskOnce(text: string): string {
  let t = text;
  if (t.includes("<"))
    t = t.replace(PLACEHOLDER, (_w, escaped?: string, name?: string) =>
      placeholderKind(escaped ?? name ?? ""),
    );
  if (t.includes("{")) t = t.replace(BRACE_PLACEHOLDER, "⟨var⟩");
  if (t.includes(":")) {
    t = t.replace(MAILTO, "⟨email⟩");
  }
  if (/[:.]/.test(t)) t = t.replace(URL_RE, (m) => (m.length > 4 ? "⟨url⟩" : m));
  if (t.includes("@"))
    t = t.replace(EMAIL, (whole, _local: string, host: string) =>
      host.startsWith("⟨") || /\.[A-Za-z]{2,}/.test(host) ? "⟨email⟩" : whole,
    );
  if (t.includes("-")) t = t.replace(GUID_RE, "⟨guid⟩");
  t = maskWindowsPaths(t);
  if (t.includes("/")) t = t.replace(UNIX_PATH, (m) => maskUnixPath(m));
  if (t.includes("\\"))
    t = t.replace(DOMAIN_USER, (whole, domain: string) =>
      /^(?:BUILTIN|NT|SYSTEM|HKLM|HKCU|HKCR|HKU|HKEY)$/.test(domain) ? whole : "⟨user⟩",
    );
  if (t.includes(":")) {
    t = t.replace(SEG_ADDR, (m) => (/\d/.test(m) || /^[Xx]{4}:[Xx]{4,8}$/.test(m) ? "⟨addr⟩" : m));
  }
  t = t.replace(AT_ADDR, (_w, kw: string, sep: string) => `${kw}${sep}⟨addr⟩`);
  t = t.replace(OFFSET_ADDR, (whole, kw: string, sep: string, hex: string) =>
    /\d/.test(hex) && !/^[89Cc][0-9A-Fa-f]{7}$/.test(hex) ? `${kw}${sep}⟨addr⟩` : whole,
  );
  if (t.includes(".")) t = t.replace(IPV4, (m) => (validIpv4(m) ? "⟨ip⟩" : m));
  if (t.includes("::") || /:[0-9A-Fa-f]{1,4}:/.test(t))
    t = t.replace(IPV6, (m) => (validIpv6(m) ? "⟨ip⟩" : m));
  t = t.replace(ISO_DATE, (_w, time?: string) => (time ? "⟨date⟩ ⟨time⟩" : "⟨date⟩"));
  t = t.replace(NUM_DATE, "⟨date⟩");
  t = t.replace(MONTH_DATE, "⟨date⟩");
  if (t.includes(":")) t = t.replace(TIME_RE, (whole, time: string) => (validTime(time) ? "⟨time⟩" : whole));
  t = t.replace(FILE_LINE, (m) => (m.startsWith("(") ? "(⟨n⟩)" : ":⟨n⟩"));
  t = t.replace(LINE_NO, (_w, word: string, sep: string) => `${word}${sep}⟨n⟩`);
  t = t.replace(X_RUN, "⟨var⟩");
  if (t.includes("%")) t = t.replace(PRINTF, "⟨var⟩");
  return t;
}

function maskUnixPath(path: string): string {
  let p = path;
  while (p.length > 1 && /[.,;:!?]$/.test(p)) p = p.slice(0, -1);
  const rest = path.slice(p.length);
  const slash = p.lastIndexOf("/");
  const last = p.slice(slash + 1);
  return (/^.+\.[A-Za-z][A-Za-z0-9]{0,4}$/.test(last) ? `⟨path⟩/${last}` : "⟨path⟩") + rest;
}

function validTime(time: string): boolean {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(time);
  if (!m) return false;
  const h = Number(m[1]);
  const min = Number(m[2]);
  const sec = m[3] === undefined ? 0 : Number(m[3]);
  return h <= 24 && min <= 59 && sec <= 60;
}

// ---------------------------------------------------------------------------------------------------
// Error codes

interface Found {
  pos: number;
  code: string;
}

const ERRNO_NAMES = new Set(
  (
    "E2BIG EACCES EADDRINUSE EADDRNOTAVAIL EAFNOSUPPORT EAGAIN EALREADY EBADF EBADMSG EBUSY ECANCELED ECHILD " +
    "ECONNABORTED ECONNREFUSED ECONNRESET EDEADLK EDESTADDRREQ EDOM EDQUOT EEXIST EFAULT EFBIG EHOSTDOWN " +
    "EHOSTUNREACH EIDRM EILSEQ EINPROGRESS EINTR EINVAL EIO EISCONN EISDIR ELOOP EMFILE EMLINK EMSGSIZE " +
    "ENAMETOOLONG ENETDOWN ENETRESET ENETUNREACH ENFILE ENOBUFS ENODATA ENODEV ENOENT ENOEXEC ENOLCK ENOLINK " +
    "ENOMEM ENOMSG ENOPROTOOPT ENOSPC ENOSR ENOSTR ENOSYS ENOTBLK ENOTCONN ENOTDIR ENOTEMPTY ENOTRECOVERABLE " +
    "ENOTSOCK ENOTSUP ENOTTY ENXIO EOPNOTSUPP EOVERFLOW EOWNERDEAD EPERM EPIPE EPROTO EPROTONOSUPPORT " +
    "EPROTOTYPE ERANGE EROFS ESHUTDOWN ESPIPE ESRCH ESTALE ETIME ETIMEDOUT ETXTBSY EWOULDBLOCK EXDEV " +
    "ENOTFOUND EAI_AGAIN EAI_NONAME EAI_FAIL ESOCKETTIMEDOUT EINTEGRITY ELIFECYCLE ERESOLVE EBADENGINE " +
    "EJSONPARSE ENOTCACHED ECOMPROMISED EOTP ENEEDAUTH"
  ).split(" "),
);
// Prefixes of product names, versions and hardware, not of error codes ("WIN2000", "KB123456", "CP1252").
const ALNUM_STOP = new Set(
  (
    "WIN WINDOWS WINNT OFFICE SQL MSSQL EXCH EXCHANGE SERVER SRV NT XP Q KB MS MSDN VS IE DOS MSDOS OS PC SP CP ISO " +
    "RFC ANSI IEEE ECMA UTF IPV V VER REV BUILD MAC IOS HTTP HTTPS TCP UDP PORT COM LPT DB X H HD UHD USB DDR " +
    "CORE AS PS TLS SSL SHA MD RSA AES DES HOST NODE VM LAPTOP DESKTOP DC FS WS RTX GTX GT RX TPM PCI IRQ DMA " +
    "INT LAN WAN VLAN ROOM FLOOR BLDG TEL FAX EXT MODEL SN SIZE PAGE STEP ITEM ROW COL NO NUM ID SMS"
  ).split(" "),
);
const DASH_STOP = new Set(
  "KB CVE ISO IEC RFC SHA AES RSA DES MD SP TLS SSL PEP JSR IPV RT WIN RX TX USB COM UTF".split(" "),
);
const ORACLE_LIKE = new Set("ORA TNS PLS IMP EXP RMAN LRM DBV NID KUP DRG AUD SP2".split(" "));

const HEX0X = /(?<![\w])0[xX]([0-9A-Fa-f]{1,16})[hH]?(?![\w])/g;
const VBHEX = /(?<![\w])&[hH]([0-9A-Fa-f]{8})(?![\w])/g;
const BAREHEX = /(?<![\w.\\/:$#@&%-])([8Cc][0-9A-Fa-f]{7})(?![\w\\/]|\.\w|:[0-9A-Fa-f])/g;
const NEGDEC = /(?<![\w-])-(\d{10})(?![\w])/g;
const HASHDEC = /(?<![\w])#(\d{10})(?![\w])/g;
const ERRKW =
  /(?<![\w])(?:win)?(?:error|err|errno)(?:[\s_-]{0,2}(?:code|number|num|no\.?|#|value|id))?[\s:=#'"([]{0,4}(-?\d{1,6}(?:-\d{1,4})?)(?![\w]|\.\d)/gi;
const CODEKW =
  /(?<![\w?&])(?:(return|result|reason|status|response|exit|error)[\s_-]{0,2})?code[\s:=#'"([]{0,4}(-?\d{1,6}(?:-\d{1,4})?)(?![\w]|\.\d)/gi;
const STATUSKW =
  /(?<![\w?&])(?:http[\s_-]{0,2})?status(?:[\s_-]{0,2}code)?[\s:=#'"([]{0,4}([1-5]\d\d)(?![\w]|\.\d)/gi;
const HTTPKW =
  /(?<![\w])http(?:\/\d(?:\.\d)?)?(?:[\s_-]{1,3}(?:error|code|response))?[\s:=#]{1,3}([1-5]\d\d)(?![\w])/gi;
const HTTPREASON =
  /(?<![\w.])([1-5]\d\d)\s{1,3}(?:-\s{1,2})?(?:not\sfound|forbidden|unauthori[sz]ed|bad\srequest|internal\sserver\serror|service\s(?:temporarily\s)?unavailable|bad\sgateway|gateway\stime-?\s?out|method\snot\sallowed|request\stime-?\s?out|not\sacceptable|conflict|gone|too\smany\srequests|not\simplemented|payload\stoo\slarge|request\sentity\stoo\slarge|unsupported\smedia\stype|moved\spermanently|precondition\sfailed|length\srequired|unprocessable\sentity|proxy\sauthentication\srequired)(?![\w])/gi;
const EVENTKW = /(?<![\w])event(?:[\s_-]{0,2}id)?[\s:=#'"([]{0,4}(\d{1,5})(?![\w]|\.\d)/gi;
const SQLSTATE = /(?<![\w])sql\s?state[\s:=#'"([]{0,4}([0-9A-Za-z]{5})(?![\w])/gi;
const ALNUM = /(?<![\w.\\/$@%&#-])([A-Za-z]{1,6})(\d{3,6})(?![\w]|\.[A-Za-z0-9]|-\d)/g;
const DASHCODE = /(?<![\w./-])([A-Za-z]{2,6})-(\d{3,5})(?![\w]|-\w|\.\d)/g;
const ERRNO = /(?<![\w])(?:WSA)?E[A-Za-z0-9_]{2,20}(?![\w])/g;
const CODE_ALPHA = /(?<![\w?&])(?:error[\s_-]{0,2})?code[\s:=#'"([]{0,4}([A-Za-z]{1,4}\d{1,6})(?![\w])/gi;
const SNAKE = /(?<![\w])[A-Za-z][A-Za-z0-9]{0,30}(?:_[A-Za-z0-9]{1,30}){1,8}(?![\w])/g;

const WEAK_CONTEXT =
  /(?<![\w])(?:error|err|code|status|stop|bug\s?check|hresult|hr|exception|returned|result|reason|ntstatus|number|failed\swith|failure)[\s:=#'"([]{0,5}$/i;
const ADDRESS_CONTEXT = /(?<![\w])(?:at|address|addr|offset|eip|rip|esp|ebp|location|base)[\s:=]{0,3}$/i;
const ALNUM_CONTEXT =
  /(?<![\w])(?:error|warning|fatal|code|exception|runtime|run-time|err|errno)[\s:=#'"([]{0,4}$/i;
const SNAKE_CONTEXT = /(?<![\w])(?:error|code|status|exception|reason)[\s:=#'"([]{0,4}$/i;

function isHttpStatus(num: string): boolean {
  const n = Number(num);
  return (
    (n >= 100 && n <= 103) ||
    (n >= 200 && n <= 226) ||
    (n >= 300 && n <= 308) ||
    (n >= 400 && n <= 451) ||
    (n >= 500 && n <= 511)
  );
}

function before(text: string, pos: number, n = 40): string {
  return text.slice(Math.max(0, pos - n), pos);
}

function hexCode(digits: string): string {
  return `0x${digits.toUpperCase().padStart(8, "0")}`;
}

function decimalCode(prefix: string, num: string): string {
  const m = /^(-?)(\d+)(-\d+)?$/.exec(num);
  if (!m) return `${prefix} ${num}`;
  return `${prefix} ${m[1]}${String(Number(m[2]))}${m[3] ?? ""}`;
}

const NONE: RegExpExecArray[] = [];

function scanCodes(text: string, lenient: boolean): Found[] {
  const found: Found[] = [];
  // Each pattern needs a digit and/or a keyword: texts without them skip it (a KB article's symptoms are
  // scanned at build, and most patterns would find nothing).
  const lower = text.toLowerCase();
  const digit = /\d/.test(text);
  const each = (re: RegExp, needed: boolean): Iterable<RegExpExecArray> =>
    needed ? text.matchAll(re) : NONE;
  const excluded = new Uint8Array(text.length + 1);
  const exclude = (from: number, to: number) => excluded.fill(1, from, to);
  for (const m of each(GUID_RE, text.includes("-"))) exclude(m.index, m.index + m[0].length);
  for (const m of each(SEG_ADDR, text.includes(":"))) exclude(m.index, m.index + m[0].length);
  const add = (pos: number, code: string) => {
    if (!excluded[pos]) found.push({ pos, code });
  };

  for (const m of each(HEX0X, lower.includes("0x"))) {
    const digits = m[1] ?? "";
    if (digits.length > 8) continue;
    const value = Number.parseInt(digits, 16);
    if (value === 0) continue;
    const ctx = before(text, m.index);
    if (!lenient && ADDRESS_CONTEXT.test(ctx)) continue;
    const strong = digits.length === 8 && /^[8Cc]/.test(digits);
    const paddedSmall = digits.length === 8 && /^0000/.test(digits) && !/[(,]\s{0,2}$/.test(ctx);
    if (lenient || strong || paddedSmall || WEAK_CONTEXT.test(ctx)) add(m.index, hexCode(digits));
  }
  for (const m of each(VBHEX, lower.includes("&h"))) {
    if (lenient || /^[8Cc]/.test(m[1] ?? "")) add(m.index, hexCode(m[1] ?? ""));
  }
  for (const m of each(BAREHEX, digit)) {
    const digits = m[1] ?? "";
    if (!/\d/.test(digits)) continue;
    if (!lenient && ADDRESS_CONTEXT.test(before(text, m.index))) continue;
    add(m.index, hexCode(digits));
  }
  for (const m of each(NEGDEC, digit && text.includes("-"))) {
    const v = Number(m[1]);
    if (v >= 1_000_000_000 && v <= 2_147_483_648) add(m.index, hexCode((2 ** 32 - v).toString(16)));
  }
  for (const m of each(HASHDEC, digit && text.includes("#"))) {
    const v = Number(m[1]);
    if (v >= 2_147_483_648 && v <= 4_294_967_295) add(m.index, hexCode(v.toString(16)));
  }
  for (const m of each(ERRKW, digit && lower.includes("err"))) add(m.index, decimalCode("ERROR", m[1] ?? ""));
  for (const m of each(CODEKW, digit && lower.includes("code"))) {
    const kind = (m[1] ?? "").toLowerCase();
    const num = m[2] ?? "";
    if (kind === "exit") continue;
    if (kind === "status" || kind === "response") {
      if (isHttpStatus(num)) add(m.index, `HTTP ${num}`);
      continue;
    }
    add(m.index, decimalCode("ERROR", num));
  }
  for (const re of [STATUSKW, HTTPKW, HTTPREASON]) {
    for (const m of each(re, digit)) if (isHttpStatus(m[1] ?? "")) add(m.index, `HTTP ${m[1]}`);
  }
  for (const m of each(CODE_ALPHA, digit && lower.includes("code"))) {
    const upper = (m[1] ?? "").toUpperCase();
    if (!ALNUM_STOP.has(upper.replace(/\d+$/, ""))) add(m.index, upper);
  }
  for (const m of each(EVENTKW, digit && lower.includes("event")))
    add(m.index, decimalCode("EVENT", m[1] ?? ""));
  for (const m of each(SQLSTATE, lower.includes("sql")))
    add(m.index, `SQLSTATE ${(m[1] ?? "").toUpperCase()}`);
  for (const m of each(ALNUM, digit)) {
    const letters = m[1] ?? "";
    const digits = m[2] ?? "";
    const upper = letters.toUpperCase();
    if (ALNUM_STOP.has(upper)) continue;
    const ok =
      lenient ||
      letters === upper ||
      (letters === letters.toLowerCase() && letters.length >= 2 && digits.length >= 4) ||
      ALNUM_CONTEXT.test(before(text, m.index));
    if (ok) add(m.index, upper + digits);
  }
  for (const m of each(DASHCODE, digit && text.includes("-"))) {
    const prefix = m[1] ?? "";
    const upper = prefix.toUpperCase();
    if (DASH_STOP.has(upper)) continue;
    if (lenient || prefix === upper || ORACLE_LIKE.has(upper)) add(m.index, `${upper}-${m[2]}`);
  }
  for (const m of text.matchAll(ERRNO)) {
    const word = m[0];
    const upper = word.toUpperCase();
    const name = upper.startsWith("WSAE") ? upper.slice(3) : upper;
    if (!ERRNO_NAMES.has(name)) continue;
    if (lenient || word === upper || (word === word.toLowerCase() && name.length >= 6)) add(m.index, upper);
  }
  for (const m of each(SNAKE, text.includes("_"))) {
    const word = m[0];
    const upper = word.toUpperCase();
    const segments = upper.split("_");
    const errorish =
      /^(?:E|ERROR|ERR|STATUS|WSAE|NS|CO|RPC|DISP|TYPE|STG|MK|CERT|TRUST|SEC|CRYPT|NTE|MAPI|SCARD|FVE|DXGI|D3DERR)_/.test(
        upper,
      ) &&
      (/^(?:E|ERROR|ERR|STATUS)_/.test(upper) || segments.includes("E") || segments.includes("ERROR"));
    const named = segments.includes("ERROR") || segments.includes("ERR") || segments.includes("EXCEPTION");
    if ((word === upper && (errorish || named)) || SNAKE_CONTEXT.test(before(text, m.index))) {
      add(m.index, upper);
    }
  }
  found.sort((a, b) => a.pos - b.pos);
  return found;
}

/** Error codes in a text, canonical form, deduplicated, in order. */
export function extractErrorCodes(text: string): string[] {
  if (typeof text !== "string" || text.length === 0) return [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const f of scanCodes(text, false)) {
    if (seen.has(f.code)) continue;
    seen.add(f.code);
    out.push(f.code);
  }
  return out;
}

/**
 * Canonical form of one code, so the same code written two ways gives the same string:
 * `0x` + upper-case hex padded to 8 digits (`0x80070005`, `0x0000007B`; `80070005`, `0X80070005`,
 * `&H80070005`, `STOP 0x7B`, `-2147024891` alike), `ERROR 1603` (`Error 1603`, `error: 1603`, `WinError 1603`,
 * `error code 01603`), `EVENT 4625`, `SQLSTATE 28000`, `HTTP 404` (`404 Not Found`, `HTTP/1.1 404`), and named
 * codes upper-cased (`ORA-12154`, `AADSTS50058`, `ECONNREFUSED`, `E_ACCESSDENIED`). Text that is not a
 * recognisable code comes back trimmed, whitespace collapsed and upper-cased.
 */
export function canonicalCode(code: string): string {
  const s = squash(typeof code === "string" ? code : "");
  if (!s) return "";
  const found = scanCodes(s, true);
  const first = found[0];
  if (first) return first.code;
  return s.toUpperCase();
}
