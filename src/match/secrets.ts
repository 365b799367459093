/**
 * Secret redaction for pasted text. People paste connection strings, tokens and keys along with their errors;
 * before a paste is stored, escalated, logged or echoed, `redactSecrets` replaces each secret VALUE with
 * `[redacted]` and leaves everything else byte for byte, so the error still reads naturally and still matches.
 *
 * The input is Slack message text: `&`, `<`, `>` arrive as `&amp;`, `&lt;`, `&gt;`, and links as `<url|label>`.
 *
 * Detectors (each yields candidate spans; overlapping candidates are merged into one redaction):
 * - url-password: `scheme://user:PASSWORD@host` (the last `@` of the authority ends the password), Oracle
 *   `jdbc:oracle:thin:user/PASSWORD@host`.
 * - connection-string: `Password=`/`Pwd=` after a `;` (ADO.NET, ODBC, JDBC SQL Server), `AccountKey=`,
 *   `SharedAccessKey=`, `SharedAccessSignature=`; quoted (`"a;b"`) and ODBC braced (`{a;b}`) values.
 * - authorization-header: `(Proxy-)Authorization:` with or without a scheme (Bearer, Basic, Token, Digest,
 *   Negotiate, NTLM ...), `X-Api-Key:`/`Api-Key:` and friends, every value of `Cookie:`, the first of
 *   `Set-Cookie:`, and a bare `Bearer <token>` when the token is long and has letters and digits.
 * - jwt: `eyJ<header>.<payload>.<signature>`.
 * - aws-key: `AKIA`/`ASIA` + 16, and the value of `aws_secret_access_key` / `SecretAccessKey`.
 * - github-token: `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` + 36 or more, `github_pat_...`.
 * - slack-token: `xoxb-`/`xoxp-`/`xoxa-`/`xoxr-`/`xoxs-`/`xoxe-`/`xoxo-`, `xapp-`, and the secret (last) path
 *   segment of `hooks.slack.com/services/T../B../...` webhook URLs.
 * - private-key: `-----BEGIN ... PRIVATE KEY-----` blocks. The BEGIN and END lines are KEPT and only the body is
 *   replaced (they say what was pasted and are what key-format errors talk about); a truncated block without END
 *   loses the base64 lines that follow BEGIN. Also the value of kubeconfig's `client-key-data`.
 * - password-pair: `password`, `passwd`, `passphrase`, `pwd`, `pass`, `secret`, `client_secret`, `api_key`,
 *   `apikey`, `access_token`, `token`, `secret_key`, `private_key`, `_auth` ... (with any prefix, such as
 *   `DB_PASSWORD`, `spring.datasource.password`, `clientSecret`) in `key=value`, `key: value`, JSON/dict
 *   (`"key": "value"`), CLI (`--password value`) and .netrc forms; `mysql -pSECRET`, `sqlcmd -P SECRET`,
 *   `docker login -p SECRET`, `curl -u user:SECRET`, `sqlplus user/SECRET@db`, `ConvertTo-SecureString "SECRET"`.
 * - api-key: Google `AIza...`, Stripe `sk_live_`/`rk_live_` (and `_test_`), `whsec_`, npm `npm_...`, GitLab
 *   `glpat-...`, SendGrid `SG.x.y`, Docker `dckr_pat_`, Hugging Face `hf_`, PyPI `pypi-AgE...`, OpenAI-style
 *   `sk-...` (32+ characters with a digit), and the Azure SAS `sig=` query parameter.
 *
 * Not secrets: a value that is empty, already masked (`****`, `xxxx`), a placeholder (`${VAR}`, `$VAR`,
 * `%VAR%`, `{{ var }}`, `<value>`), `[redacted]`, a word like `YES`/`null`/`expired`, a path, or a URL (the URL's
 * own password is found by url-password). A `key: value` in the middle of prose ("using password: YES") and a CLI
 * flag's value ("Using --password via the CLI") need a secret-shaped value: six characters or more with a digit, a
 * symbol or irregular mixed case, and not an error code (`IDX10223`, `0x80070005`, digits, a GUID). `key=value`,
 * a quoted value, a JSON key and a key at the start of a line (YAML, .env, headers) need only a non-trivial value.
 * Bare hex, base64 and GUIDs without a key are never redacted.
 *
 * An unquoted value ends at whitespace, a quote, a backtick, `<`, `>` (and `&lt;`, `&gt;`), `,`, `;`, `)`, `]`,
 * `}`, `|`, `\"`/`\n` escapes, and at `&key=` / `&amp;key=`; a connection-string value after `;` runs to the next
 * `;` (spaces included). A password holding one of these characters unquoted is redacted only up to it.
 *
 * Linear time: every regular expression starts with a literal (or a one-character look-behind boundary that lets
 * a run of token characters be tried from its start only) and bounds its repetitions; values are scanned by hand,
 * the key scan resumes after every accepted (and every long) value, and a short value is judged in bounded time.
 * A final check re-runs the detectors on the redacted text and folds anything found back in (see redactSecrets),
 * so the result is idempotent; it costs one more pass when something was redacted.
 */

export type SecretKind =
  | "url-password"
  | "connection-string"
  | "authorization-header"
  | "jwt"
  | "aws-key"
  | "github-token"
  | "slack-token"
  | "private-key"
  | "password-pair"
  | "api-key";

export interface Redaction {
  /** The text with each secret value replaced by `[redacted]`, everything else byte-for-byte unchanged. */
  text: string;
  /** One entry per redacted value, in order of appearance. */
  found: Array<{ kind: SecretKind; start: number; end: number }>;
}

export const REDACTED = "[redacted]";

interface Candidate {
  kind: SecretKind;
  start: number;
  end: number;
}

/** When two detectors report exactly the same span, the more specific kind names it. */
const RANK: Record<SecretKind, number> = {
  jwt: 3,
  "aws-key": 3,
  "github-token": 3,
  "slack-token": 3,
  "api-key": 3,
  "private-key": 3,
  "url-password": 2,
  "connection-string": 1,
  "authorization-header": 1,
  "password-pair": 0,
};

/** Values longer than this are not examined for "not a secret after all"; they are redacted. */
const MAX_JUDGED = 256;
/** How far a quoted value may run looking for its closing quote. */
const MAX_QUOTED = 1024;
/** How far the authority of a URL may run. */
const MAX_AUTHORITY = 2048;

export function redactSecrets(text: string): Redaction {
  if (typeof text !== "string" || text.length === 0)
    return { text: typeof text === "string" ? text : "", found: [] };
  let found = merge(detect(text));
  let out = apply(text, found);
  // Idempotence guard: a value judged "not a secret" can read differently once a secret inside or next to it has
  // become `[redacted]` (the detectors are written to prevent this, but they are many). Whatever the redacted
  // text still yields is mapped back onto the original and added; this stops as soon as nothing more is found,
  // which for real pastes is the first check.
  for (let round = 0; round < MAX_ROUNDS && found.length > 0; round++) {
    const again = detect(out);
    if (again.length === 0) break;
    found = merge([...found, ...again.map(mapBack(found))]);
    out = apply(text, found);
  }
  return { text: out, found };
}

const MAX_ROUNDS = 8;

function detect(text: string): Candidate[] {
  const ctx = new Context(text);
  const candidates: Candidate[] = [];
  findUrlPasswords(ctx, candidates);
  findKeyedValues(ctx, candidates);
  findPrivateKeys(ctx, candidates);
  findTokens(ctx, candidates);
  findCommandLinePasswords(ctx, candidates);
  return candidates;
}

function apply(text: string, found: Candidate[]): string {
  let out = "";
  let at = 0;
  for (const f of found) {
    out += text.slice(at, f.start) + REDACTED;
    at = f.end;
  }
  return out + text.slice(at);
}

/** Maps spans of the redacted text back to the original: a `[redacted]` a span touches stands for the secret. */
function mapBack(found: Candidate[]): (c: Candidate) => Candidate {
  // Where each redaction starts in the redacted text.
  const starts: number[] = [];
  let shift = 0;
  for (const f of found) {
    starts.push(f.start + shift);
    shift += REDACTED.length - (f.end - f.start);
  }
  const locate = (x: number): { span: Candidate | undefined; inside: boolean; orig: number } => {
    const index = lastAtOrBelow(starts, x);
    const span = found[index];
    const outStart = starts[index];
    if (!span || outStart === undefined) return { span, inside: false, orig: x };
    if (x < outStart + REDACTED.length) return { span, inside: true, orig: span.start };
    return { span, inside: false, orig: span.end + (x - outStart - REDACTED.length) };
  };
  return (c) => {
    const first = locate(c.start);
    const last = locate(c.end - 1);
    const end = last.inside && last.span ? last.span.end : last.orig + 1;
    return { kind: c.kind, start: first.orig, end };
  };
}

/** The index of the last element of the sorted `list` that is at most `x`, or -1. */
function lastAtOrBelow(list: number[], x: number): number {
  let lo = 0;
  let hi = list.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] ?? Number.POSITIVE_INFINITY) <= x) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/** Overlapping candidates become one redaction covering all of them, named by the earliest (and longest). */
function merge(candidates: Candidate[]): Candidate[] {
  candidates.sort((a, b) => a.start - b.start || b.end - a.end || RANK[b.kind] - RANK[a.kind]);
  const found: Candidate[] = [];
  let cur: Candidate | undefined;
  for (const c of candidates) {
    if (c.end <= c.start) continue;
    if (cur && c.start < cur.end) {
      if (c.end > cur.end) cur.end = c.end;
      continue;
    }
    cur = { kind: c.kind, start: c.start, end: c.end };
    found.push(cur);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Characters

const C = {
  TAB: 9,
  LF: 10,
  CR: 13,
  SPACE: 32,
  DQ: 34,
  HASH: 35,
  DOLLAR: 36,
  PERCENT: 37,
  AMP: 38,
  SQ: 39,
  LPAREN: 40,
  RPAREN: 41,
  STAR: 42,
  COMMA: 44,
  DASH: 45,
  DOT: 46,
  SLASH: 47,
  COLON: 58,
  SEMI: 59,
  LT: 60,
  EQ: 61,
  GT: 62,
  QUESTION: 63,
  AT: 64,
  LBRACK: 91,
  BSL: 92,
  RBRACK: 93,
  UNDERSCORE: 95,
  BACKTICK: 96,
  LBRACE: 123,
  PIPE: 124,
  RBRACE: 125,
  TILDE: 126,
} as const;

function code(t: string, i: number): number {
  return i >= 0 && i < t.length ? t.charCodeAt(i) : -1;
}
function isSpace(c: number): boolean {
  return (
    c === C.SPACE ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x85 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
function isHSpace(c: number): boolean {
  return c === C.SPACE || c === C.TAB || c === 0xa0;
}
function isLineBreak(c: number): boolean {
  return c === C.LF || c === C.CR;
}
function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}
function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isLetter(c: number): boolean {
  return isUpper(c) || isLower(c);
}
function isAlnum(c: number): boolean {
  return isLetter(c) || isDigit(c);
}
function isQuote(c: number): boolean {
  return c === C.DQ || c === C.SQ;
}
/** Characters of a key's prefix: `DB_`, `spring.datasource.`, `--`, `$`. */
function isKeyChar(c: number): boolean {
  return isAlnum(c) || c === C.UNDERSCORE || c === C.DASH || c === C.DOT || c === C.DOLLAR;
}
function isBase64(c: number): boolean {
  return isAlnum(c) || c === 43 || c === C.SLASH || c === C.EQ;
}
function isBase64Url(c: number): boolean {
  return isAlnum(c) || c === C.DASH || c === C.UNDERSCORE;
}
function isAlnumUnderscore(c: number): boolean {
  return isAlnum(c) || c === C.UNDERSCORE;
}
function isAlnumDash(c: number): boolean {
  return isAlnum(c) || c === C.DASH;
}
/** Characters of a bearer token (RFC 6750 b64token). */
function isB64Token(c: number): boolean {
  return (
    isAlnum(c) ||
    c === C.DASH ||
    c === C.DOT ||
    c === C.UNDERSCORE ||
    c === C.TILDE ||
    c === 43 ||
    c === C.SLASH ||
    c === C.EQ
  );
}
function isSasChar(c: number): boolean {
  return (
    isAlnum(c) ||
    c === C.PERCENT ||
    c === 43 ||
    c === C.SLASH ||
    c === C.EQ ||
    c === C.UNDERSCORE ||
    c === C.DASH
  );
}

/** Characters that end an unquoted value. `&`, `\` and whitespace are handled separately. */
const STOP = new Uint8Array(128);
for (const ch of "\"'`<>,;)]}|") STOP[ch.charCodeAt(0)] = 1;

/** `&key=` (or Slack's `&amp;key=`) separates query parameters; any other `&` belongs to the value. */
const PARAM_AMP = /&(?:amp;)?[A-Za-z0-9_.[\]-]{1,64}=/y;
function isParamAmp(t: string, i: number): boolean {
  PARAM_AMP.lastIndex = i;
  return PARAM_AMP.test(t);
}
/** The length of Slack's `&amp;`, `&lt;` or `&gt;` at `i` (its `;` does not end a value), or 0. */
function entityLength(t: string, i: number): number {
  if (t.startsWith("&amp;", i)) return 5;
  if (t.startsWith("&lt;", i) || t.startsWith("&gt;", i)) return 4;
  return 0;
}
/** `\"`, `\n` ... inside an escaped (JSON-in-a-string) paste end a value; a lone backslash does not. */
function isEscapeStop(t: string, i: number): boolean {
  const n = code(t, i + 1);
  return n === C.DQ || n === C.SQ || n === 110 || n === 114 || n === 116;
}

/**
 * The end of an unquoted value starting at `p`. A `[redacted]` inside is passed over as a unit (and reported), so
 * that the value seen in redacted text is the value seen in the original.
 */
function scanPlain(t: string, p: number): { end: number; redacted: boolean } {
  let i = p;
  let redacted = false;
  const n = t.length;
  while (i < n) {
    const c = t.charCodeAt(i);
    if (c === C.LBRACK && t.startsWith(REDACTED, i)) {
      redacted = true;
      i += REDACTED.length;
      continue;
    }
    if (isSpace(c) || (c < 128 && STOP[c] === 1)) break;
    if (c === C.AMP) {
      if (isParamAmp(t, i)) break;
      const entity = entityLength(t, i);
      if (entity > 0 && entity !== 5) break; // a `<` or `>` ends a value, as it would unescaped
      i += Math.max(entity, 1);
      continue;
    }
    if (c === C.BSL && isEscapeStop(t, i)) break;
    i++;
  }
  return { end: i, redacted };
}

/**
 * The end of an unquoted connection-string value: it runs to `;`, so it may hold spaces; if no `;` ends it (end of
 * line, closing quote), the value ends at its first space instead.
 */
function scanConnection(
  t: string,
  p: number,
): { end: number; scanEnd: number; semicolon: boolean; redacted: boolean } {
  let i = p;
  let firstSpace = -1;
  let redacted = false;
  const n = t.length;
  while (i < n) {
    const c = t.charCodeAt(i);
    if (c === C.LBRACK && t.startsWith(REDACTED, i)) {
      redacted = true;
      i += REDACTED.length;
      continue;
    }
    if (
      isLineBreak(c) ||
      c === C.SEMI ||
      c === C.DQ ||
      c === C.BACKTICK ||
      c === C.LT ||
      c === C.GT ||
      c === C.PIPE
    )
      break;
    if (c === C.SQ && !isAlnum(code(t, i + 1))) break;
    if (c === C.AMP) {
      if (isParamAmp(t, i)) break;
      const entity = entityLength(t, i);
      if (entity > 0 && entity !== 5) break;
      i += Math.max(entity, 1);
      continue;
    }
    if (c === C.BSL && isEscapeStop(t, i)) break;
    if (firstSpace < 0 && isSpace(c)) firstSpace = i;
    i++;
  }
  const semicolon = code(t, i) === C.SEMI;
  let end = semicolon || firstSpace < 0 ? i : firstSpace;
  while (end > p && isSpace(t.charCodeAt(end - 1))) end--;
  return { end, scanEnd: semicolon ? i : end, semicolon, redacted };
}

/** The closing quote `q` of a quoted value on the same line, honouring backslash escapes; -1 if none. */
function findClose(t: string, p: number, q: number): number {
  const limit = Math.min(t.length, p + MAX_QUOTED);
  for (let i = p; i < limit; i++) {
    const c = t.charCodeAt(i);
    if (c === q) return i;
    if (isLineBreak(c)) return -1;
    if (c === C.BSL) i++;
  }
  return -1;
}
/** The `\"` closing a value opened by `\"` (JSON inside a JSON string); -1 if none. */
function findEscapedClose(t: string, p: number, q: number): number {
  const limit = Math.min(t.length, p + MAX_QUOTED);
  for (let i = p; i < limit; i++) {
    const c = t.charCodeAt(i);
    if (isLineBreak(c)) return -1;
    if (c === C.BSL && code(t, i + 1) === q) return i;
  }
  return -1;
}
/** The `}` closing an ODBC braced value (`}}` is an escaped brace); -1 if none. */
function findBraceClose(t: string, p: number): number {
  const limit = Math.min(t.length, p + MAX_QUOTED);
  for (let i = p; i < limit; i++) {
    const c = t.charCodeAt(i);
    if (isLineBreak(c)) return -1;
    if (c === C.RBRACE) {
      if (code(t, i + 1) === C.RBRACE) i++;
      else return i;
    }
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------------------
// Is this value a secret?

const URL_START = /[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\//y;

/** Cheap checks on the start of a value that rule it out whatever its length. */
function rejectedByPrefix(t: string, p: number, braceAllowed: boolean): boolean {
  if (t.startsWith(REDACTED, p)) return true;
  const c = code(t, p);
  if (c === C.LBRACK || c === C.LPAREN || (c === C.LBRACE && !braceAllowed)) return true;
  if (c === C.DASH && t.startsWith("-----BEGIN", p)) return true;
  if (isLetter(c)) {
    URL_START.lastIndex = p;
    if (URL_START.test(t)) return true;
  }
  return false;
}

const STOPWORDS = new Set(
  (
    "yes no y n none null nil undefined true false empty blank on off ok required optional expired invalid " +
    "incorrect wrong missing changed unknown hidden masked redacted removed censored omitted set unset " +
    "n/a na tbd todo bearer basic digest negotiate ntlm token password secret the a an is was are were has have " +
    "had be been not for and or of in to from with by at as this that it its must should cannot can't could does " +
    "did will would may might provided specified supplied given sent received rejected denied failed failure " +
    "error mismatch please your my our their see here below above via string number boolean object any str bytes"
  ).split(" "),
);
const STATUS_WORD =
  /^(?:invalid|expired|missing|revoked|unauthori[sz]ed|access_denied|unsupported|not_found)[\w-]*$/i;
const MASKED = /^(?:[*•●·#?]+|[xX]{3,}|\.{3,}|_{3,}|-{3,})$/;
const PLACEHOLDER =
  /^(?:\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_][A-Za-z0-9_]*%|\{\{.*\}\}|&lt;.*&gt;|<[^>]*>)$/s;
const PATH =
  /^(?:~\/|\.\.?[/\\]|[A-Za-z]:\\|\\\\|\/(?:run|var|etc|home|tmp|opt|usr|mnt|srv|root|Users|data|secrets|proc|dev)\/)/;
const ERROR_CODE =
  /^(?:[A-Z]{2,12}[-_]?\d{2,8}|0x[0-9A-Fa-f]{1,16}|\d+|[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12})$/;
const PASCAL_WORDS = /^[A-Z]?[a-z]+(?:[A-Z][a-z]+)*$/;

/**
 * Whether the value `t[s, e)` is a secret. Values longer than MAX_JUDGED are (cheap to decide, and a long value
 * after a secret's key is one); `weak` is a key met in the middle of prose, which needs a secret-shaped value.
 */
function isSecretValue(t: string, s: number, e: number, weak: boolean): boolean {
  if (e <= s || t.startsWith(REDACTED, s)) return false;
  // Already (partly) redacted: judging the rest again would not give the answer the original got.
  if (e - s > MAX_JUDGED) return !t.slice(s, e).includes(REDACTED);
  const v = t.slice(s, e);
  if (v.includes(REDACTED)) return false;
  if (MASKED.test(v) || v.includes("***") || v.includes("•••")) return false;
  if (PLACEHOLDER.test(v) || PATH.test(v)) return false;
  const lower = v.toLowerCase();
  if (STOPWORDS.has(lower) || STATUS_WORD.test(v)) return false;
  if (!weak) return true;
  if (v.length < 6 || ERROR_CODE.test(v)) return false;
  if (/\d/.test(v) || /[^A-Za-z0-9_.-]/.test(v)) return true;
  return /[a-z]/.test(v) && /[A-Z]/.test(v) && !PASCAL_WORDS.test(v);
}

// ---------------------------------------------------------------------------------------------------------------
// Context: line starts and command markers, computed on demand.

class Context {
  readonly t: string;
  private lineBreaks: number[] | undefined;
  private readonly markers = new Map<RegExp, number[]>();

  constructor(t: string) {
    this.t = t;
  }

  /** The index of the first character of the line holding `pos`. */
  lineStart(pos: number): number {
    if (!this.lineBreaks) {
      const breaks: number[] = [];
      for (let i = this.t.indexOf("\n"); i >= 0; i = this.t.indexOf("\n", i + 1)) breaks.push(i);
      this.lineBreaks = breaks;
    }
    return (this.lineBreaks[lastAtOrBelow(this.lineBreaks, pos - 1)] ?? -1) + 1;
  }

  /** Whether `re` (global) matches on the line holding `pos`, before `pos`. */
  markedBefore(re: RegExp, pos: number): boolean {
    let positions = this.markers.get(re);
    if (!positions) {
      positions = [];
      re.lastIndex = 0;
      for (let m = re.exec(this.t); m !== null; m = re.exec(this.t)) positions.push(m.index);
      this.markers.set(re, positions);
    }
    const last = positions[lastAtOrBelow(positions, pos - 1)];
    return last !== undefined && last >= this.lineStart(pos);
  }
}

const MYSQL_COMMAND = /\b(?:mysql|mariadb)[a-z-]{0,12}\b/gi;
const SQLCMD_COMMAND = /\b(?:sqlcmd|bcp|osql|isql)\b/gi;
const LOGIN_COMMAND =
  /\b(?:(?:docker|podman|nerdctl|buildah|skopeo|oc|helm[ \t]{1,8}registry)[ \t]{1,8}login|sshpass)\b/gi;
const CURL_COMMAND = /\bcurl\b/gi;
const NETRC_LINE = /\bmachine[ \t]{1,8}[^\s]{1,256}[ \t]{1,8}login[ \t]/g;

// ---------------------------------------------------------------------------------------------------------------
// url-password

const ORACLE_JDBC = /jdbc:oracle:[a-z]{1,10}:[A-Za-z0-9_$#.]{1,128}\//gi;

function findUrlPasswords(ctx: Context, out: Candidate[]): void {
  const t = ctx.t;
  for (let idx = t.indexOf("://"); idx >= 0; idx = t.indexOf("://", idx + 3)) {
    if (!isAlnum(code(t, idx - 1))) continue;
    const a = idx + 3;
    const limit = Math.min(t.length, a + MAX_AUTHORITY);
    let firstColon = -1;
    let lastAt = -1;
    let i = a;
    for (; i < limit; i++) {
      const c = t.charCodeAt(i);
      if (
        isSpace(c) ||
        c === C.SLASH ||
        c === C.BSL ||
        c === C.LT ||
        c === C.GT ||
        c === C.PIPE ||
        c === C.DQ ||
        c === C.SQ ||
        c === C.BACKTICK
      )
        break;
      if (c === C.COLON && firstColon < 0) firstColon = i;
      else if (c === C.AT) lastAt = i;
    }
    if (firstColon < 0 || lastAt < firstColon) continue;
    const user = t.slice(a, firstColon);
    if (user.includes("?") || user.includes("#") || user.includes("@")) continue;
    const s = firstColon + 1;
    if (rejectedByPrefix(t, s, true)) continue;
    // `host:8080?next=a@b` is a port and a query, not a password.
    if (/^\d{1,5}[?#]/.test(t.slice(s, Math.min(lastAt, s + 8)))) continue;
    if (isSecretValue(t, s, lastAt, false)) out.push({ kind: "url-password", start: s, end: lastAt });
  }
  // Oracle: jdbc:oracle:thin:user/password@host
  pushLabelled(ctx, out, ORACLE_JDBC, "url-password", (s) => {
    let e = s;
    while (e < t.length && !isSpace(t.charCodeAt(e)) && !"@/\"'<>|;".includes(t.charAt(e))) e++;
    return code(t, e) === C.AT ? e : -1;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Keyed values: key=value, key: value, "key": "value", --key value, Authorization/Cookie headers.

const KEY_RE = new RegExp(
  [
    "proxy-authorization",
    "authorization",
    "x-api-key",
    "x-auth-token",
    "x-access-token",
    "x-vault-token",
    "private-token",
    "ocp-apim-subscription-key",
    "x-functions-key",
    "set-cookie",
    "cookie",
    "aws_?secret_?access_?key",
    "secret_?access_?key",
    "aws_?secret_?key",
    "client-key-data",
    "sharedaccesssignature",
    "sharedaccesskey",
    "accountkey",
    "secret[_-]?key",
    "private[_-]?key",
    "api[_-]?key",
    "access[_-]?key",
    "passphrase",
    "password",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "token",
    "auth",
  ].join("|"),
  "gi",
);

type Family = "authorization" | "header" | "cookie" | "set-cookie" | "pair";
interface KeySpec {
  family: Family;
  /** A fixed kind; otherwise password-pair, or connection-string after a `;`. */
  kind?: SecretKind;
  /** A short word that is part of longer words: needs a non-letter (or camelCase) boundary before it. */
  boundary?: boolean;
  /** Only `key=value`, a quoted key or a CLI flag: `pass: 3` in test output is not a password. */
  equalsOnly?: boolean;
}
const KEY_SPECS = new Map<string, KeySpec>([
  ["proxyauthorization", { family: "authorization" }],
  ["authorization", { family: "authorization" }],
  ["xapikey", { family: "header" }],
  ["xauthtoken", { family: "header" }],
  ["xaccesstoken", { family: "header" }],
  ["xvaulttoken", { family: "header" }],
  ["privatetoken", { family: "header" }],
  ["ocpapimsubscriptionkey", { family: "header" }],
  ["xfunctionskey", { family: "header" }],
  ["setcookie", { family: "set-cookie" }],
  ["cookie", { family: "cookie" }],
  ["awssecretaccesskey", { family: "pair", kind: "aws-key" }],
  ["secretaccesskey", { family: "pair", kind: "aws-key" }],
  ["awssecretkey", { family: "pair", kind: "aws-key" }],
  ["clientkeydata", { family: "pair", kind: "private-key" }],
  ["sharedaccesssignature", { family: "pair", kind: "connection-string" }],
  ["sharedaccesskey", { family: "pair", kind: "connection-string" }],
  ["accountkey", { family: "pair", kind: "connection-string" }],
  ["pass", { family: "pair", boundary: true, equalsOnly: true }],
  ["pwd", { family: "pair", boundary: true, equalsOnly: true }],
  ["auth", { family: "pair", boundary: true, equalsOnly: true }],
  ["token", { family: "pair", boundary: true }],
]);
const PAIR: KeySpec = { family: "pair" };

const SCHEME =
  /(?:bearer|basic|token|digest|negotiate|ntlm|apikey|api-key|sso-key|ssws|oauth|hmac-sha256|hmac|aws4-hmac-sha256|sharedkey|sharedaccesssignature|key)[ \t]{1,8}/iy;
const PARAM_SCHEMES = new Set([
  "digest",
  "oauth",
  "hmac",
  "hmac-sha256",
  "aws4-hmac-sha256",
  "sharedaccesssignature",
]);
const ENTITY_END = /&(?:amp|lt|gt|quot|#\d{1,6});$/;
const NEXT_PAIR = /;[ \t]{0,8}[A-Za-z][A-Za-z0-9 _]{0,40}=/y;

function findKeyedValues(ctx: Context, out: Candidate[]): void {
  const t = ctx.t;
  KEY_RE.lastIndex = 0;
  for (let m = KEY_RE.exec(t); m !== null; m = KEY_RE.exec(t)) {
    const next = keyedValue(ctx, m.index, m.index + m[0].length, m[0], out);
    if (next > KEY_RE.lastIndex) KEY_RE.lastIndex = next;
  }
}

/** Looks for the value of the key at `t[ks, ke)`; returns where the key scan resumes. */
function keyedValue(ctx: Context, ks: number, ke: number, key: string, out: Candidate[]): number {
  const t = ctx.t;
  const norm = key.toLowerCase().replace(/[_-]/g, "");
  const spec = KEY_SPECS.get(norm) ?? PAIR;
  const prev = code(t, ks - 1);
  if (spec.boundary && isAlnum(prev) && !(isLower(prev) && isUpper(t.charCodeAt(ks)))) return ke;
  // The key's prefix (`DB_`, `--`, `spring.datasource.`).
  let j = ks;
  for (let steps = 0; steps < 64 && j > 0; steps++) {
    if (isKeyChar(t.charCodeAt(j - 1))) j--;
    else if (t.charCodeAt(j - 1) === C.RBRACK && t.endsWith(REDACTED, j)) j -= REDACTED.length;
    else break;
  }
  // `https://token:x@host` is a URL's user name; url-password handles it.
  if (code(t, j - 1) === C.SLASH && code(t, j - 2) === C.SLASH) return ke;

  let p = ke;
  let keyQuoted = false;
  const afterKey = code(t, p);
  if (isQuote(afterKey)) {
    keyQuoted = code(t, j - 1) === afterKey;
    p++;
  } else if (afterKey === C.BSL && isQuote(code(t, p + 1))) {
    keyQuoted = true;
    p += 2;
  }
  const keyEnd = p;
  for (let k = 0; k < 16 && isHSpace(code(t, p)); k++) p++;
  let sep: "=" | ":" | "" = "";
  const c = code(t, p);
  if ((c === C.COLON && code(t, p + 1) === C.EQ) || (c === C.EQ && code(t, p + 1) === C.GT)) {
    sep = "=";
    p += 2;
  } else if (c === C.EQ) {
    if (code(t, p + 1) === C.EQ) return ke;
    sep = "=";
    p++;
  } else if (c === C.COLON) {
    if (code(t, p + 1) === C.COLON) return ke;
    sep = ":";
    p++;
  }
  let spaced = false;
  let cli = false;
  let netrc = false;
  if (sep !== "") {
    const sepEnd = p;
    for (let k = 0; k < 16 && isHSpace(code(t, p)); k++) p++;
    spaced = p > sepEnd;
  } else {
    // `--password value` (a flag, a space, a value that is not another flag), or .netrc's `password value`.
    const v0 = code(t, p);
    if (p === keyEnd || v0 < 0 || isLineBreak(v0) || v0 === C.DASH) return ke;
    if (code(t, j) === C.DASH && (j === 0 || isSpace(code(t, j - 1)) || isQuote(code(t, j - 1)))) cli = true;
    else if ((norm === "password" || norm === "passwd") && ctx.markedBefore(NETRC_LINE, ks)) netrc = true;
    else return ke;
  }
  if (spec.equalsOnly && !(sep === "=" || (sep === ":" && keyQuoted) || cli)) return ke;
  if (code(t, p) < 0 || isLineBreak(code(t, p))) return ke;

  if (spec.family === "cookie" || spec.family === "set-cookie") {
    return cookieValues(t, p, spec.family === "set-cookie", out);
  }

  const lineStartish = keyAtLineStart(t, j);
  // A CLI flag's value is judged like prose: "Using --password via the CLI is insecure".
  // `key:value` is not: OpenSSL's `lib:function:reason` strings look just like it.
  const strongByForm = keyQuoted || netrc || (sep === "=" && !spaced) || (lineStartish && !cli);
  let kind: SecretKind = spec.kind ?? "password-pair";
  if (spec.family === "authorization" || spec.family === "header") kind = "authorization-header";
  if (norm === "apikey" && key.includes("-") && sep === ":") kind = "authorization-header";

  if (spec.family === "authorization") {
    return authorizationValue(t, j, p, strongByForm, out);
  }

  // `;Password=` is a connection string (but not `&amp;password=`).
  let connection = false;
  if (sep === "=" && spec.family === "pair" && spec.kind === undefined) {
    let b = j;
    for (let k = 0; k < 16 && isHSpace(code(t, b - 1)); k++) b--;
    connection = code(t, b - 1) === C.SEMI && !ENTITY_END.test(t.slice(Math.max(0, b - 7), b));
    if (connection) kind = "connection-string";
  }

  const v = readValue(t, p, sep === "=", connection);
  if (!v) return ke;
  if (v.redacted) return v.scanEnd;
  const start = v.start;
  let end = v.end;
  if (!v.quoted && sep === "=" && v.semicolon && spec.family === "pair" && spec.kind === undefined) {
    NEXT_PAIR.lastIndex = end;
    if (NEXT_PAIR.test(t)) kind = "connection-string";
  }
  if (norm === "pwd" && !v.quoted && (code(t, start) === C.SLASH || code(t, start) === C.TILDE)) return ke; // $PWD
  if (norm === "pass" && /^\d{1,6}$/.test(t.slice(start, Math.min(end, start + 7)))) return ke; // pass=3 fail=0
  const weak = !v.quoted && !strongByForm;
  if (weak) {
    while (end > start && (code(t, end - 1) === C.DOT || code(t, end - 1) === C.COLON)) end--;
  }
  if (!isSecretValue(t, start, end, weak)) return end - start > MAX_JUDGED ? v.scanEnd : ke;
  out.push({ kind, start, end });
  return v.scanEnd;
}

/** Whether the key (whose prefix starts at `j`) starts a line, a list item or an object member. */
function keyAtLineStart(t: string, j: number): boolean {
  let k = j;
  if (isQuote(code(t, k - 1))) k--;
  if (code(t, k - 1) === C.BSL) k--;
  for (let steps = 0; steps < 64 && isHSpace(code(t, k - 1)); steps++) k--;
  if (k === 0) return true;
  const c = code(t, k - 1);
  if (
    isLineBreak(c) ||
    c === C.LBRACE ||
    c === C.COMMA ||
    c === C.SEMI ||
    c === C.LPAREN ||
    c === C.LBRACK ||
    c === C.QUESTION ||
    c === C.AMP ||
    c === C.PIPE ||
    c === C.STAR ||
    c === C.BACKTICK
  )
    return true;
  return c === C.DASH && (k - 1 === 0 || isSpace(code(t, k - 2)));
}

interface Value {
  start: number;
  end: number;
  scanEnd: number;
  quoted: boolean;
  semicolon: boolean;
  /** The value holds a `[redacted]`: it was judged in the original text already. */
  redacted: boolean;
}

/** The value starting at `p`: quoted, ODBC-braced or plain; undefined if it cannot be a secret. */
function readValue(t: string, p: number, braceAllowed: boolean, connection: boolean): Value | undefined {
  const c = code(t, p);
  let from = p;
  if (isQuote(c)) {
    const close = findClose(t, p + 1, c);
    if (close >= 0) return quotedValue(t, p + 1, close, close + 1);
    from = p + 1;
  } else if (c === C.BSL && isQuote(code(t, p + 1))) {
    const q = code(t, p + 1);
    const close = findEscapedClose(t, p + 2, q);
    if (close >= 0) return quotedValue(t, p + 2, close, close + 2);
    from = p + 2;
  } else if (c === C.LBRACE && braceAllowed && code(t, p + 1) !== C.LBRACE) {
    const close = findBraceClose(t, p + 1);
    if (close < 0) return undefined;
    return quotedValue(t, p + 1, close, close + 1);
  }
  if (rejectedByPrefix(t, from, false)) return undefined;
  // `${VAR}`, `$(cmd)`: placeholders, whose closing bracket would otherwise end the value early.
  if (code(t, from) === C.DOLLAR && (code(t, from + 1) === C.LBRACE || code(t, from + 1) === C.LPAREN))
    return undefined;
  if (connection) {
    const r = scanConnection(t, from);
    if (r.end <= from) return undefined;
    return {
      start: from,
      end: r.end,
      scanEnd: r.scanEnd,
      quoted: false,
      semicolon: r.semicolon,
      redacted: r.redacted,
    };
  }
  const { end, redacted } = scanPlain(t, from);
  if (end <= from) return undefined;
  return { start: from, end, scanEnd: end, quoted: false, semicolon: code(t, end) === C.SEMI, redacted };
}

function quotedValue(t: string, s: number, e: number, scanEnd: number): Value | undefined {
  if (e <= s || rejectedByPrefix(t, s, true)) return undefined;
  const redacted = t.slice(s, e).includes(REDACTED);
  return { start: s, end: e, scanEnd, quoted: true, semicolon: false, redacted };
}

/** `Authorization: <scheme> <credentials>`, quoted or not; returns where the key scan resumes. */
function authorizationValue(
  t: string,
  j: number,
  p: number,
  strongByForm: boolean,
  out: Candidate[],
): number {
  let a = p;
  let b = -1;
  let scanEnd = p;
  const q = code(t, p);
  if (isQuote(q)) {
    const close = findClose(t, p + 1, q);
    a = p + 1;
    if (close >= 0) {
      b = close;
      scanEnd = close + 1;
    }
  }
  SCHEME.lastIndex = a;
  const scheme = SCHEME.exec(t);
  let strong = strongByForm || b >= 0;
  let paramStyle = false;
  if (scheme) {
    a += scheme[0].length;
    strong = true;
    paramStyle = PARAM_SCHEMES.has(scheme[0].trim().toLowerCase());
  }
  if (rejectedByPrefix(t, a, false)) return p;
  if (b < 0) {
    if (paramStyle) {
      // Digest/OAuth parameters run to the end of the line, or to the quote the header started with.
      const enclosing = code(t, j - 1);
      let e = a;
      while (
        e < t.length &&
        !isLineBreak(t.charCodeAt(e)) &&
        !(isQuote(enclosing) && t.charCodeAt(e) === enclosing)
      )
        e++;
      b = e;
    } else b = scanPlain(t, a).end;
    scanEnd = b;
  }
  let end = b;
  while (end > a && isSpace(t.charCodeAt(end - 1))) end--;
  if (!strong) while (end > a && (code(t, end - 1) === C.DOT || code(t, end - 1) === C.COLON)) end--;
  if (!isSecretValue(t, a, end, !strong)) return end - a > MAX_JUDGED ? Math.max(scanEnd, end) : p;
  out.push({ kind: "authorization-header", start: a, end });
  return Math.max(scanEnd, end);
}

/** Every `name=value` of a Cookie header (only the first of Set-Cookie); returns where the key scan resumes. */
function cookieValues(t: string, p: number, firstOnly: boolean, out: Candidate[]): number {
  let i = p;
  const q = code(t, i);
  if (isQuote(q)) i++;
  for (;;) {
    while (isHSpace(code(t, i))) i++;
    const nameStart = i;
    while (i < t.length && i - nameStart < 256) {
      const c = t.charCodeAt(i);
      if (
        c === C.EQ ||
        c === C.SEMI ||
        c === C.COMMA ||
        isSpace(c) ||
        isQuote(c) ||
        c === C.LT ||
        c === C.GT ||
        c === C.PIPE
      )
        break;
      i++;
    }
    if (i === nameStart || code(t, i) !== C.EQ) break;
    i++;
    const vs = i;
    while (i < t.length) {
      const c = t.charCodeAt(i);
      if (
        c === C.SEMI ||
        c === C.COMMA ||
        isSpace(c) ||
        isQuote(c) ||
        c === C.LT ||
        c === C.GT ||
        c === C.PIPE
      )
        break;
      if (c === C.BSL && isEscapeStop(t, i)) break;
      i++;
    }
    const v = t.slice(vs, i);
    const judged = v.length <= MAX_JUDGED;
    if (v.length > 0 && !v.includes(REDACTED) && !(judged && (MASKED.test(v) || PLACEHOLDER.test(v))))
      out.push({ kind: "authorization-header", start: vs, end: i });
    if (firstOnly) break;
    while (isHSpace(code(t, i))) i++;
    if (code(t, i) !== C.SEMI) break;
    i++;
  }
  return i;
}

// ---------------------------------------------------------------------------------------------------------------
// private-key

const PEM_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,16} ){0,3}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END = /-----END (?:[A-Z0-9]{1,16} ){0,3}PRIVATE KEY(?: BLOCK)?-----/y;
const PEM_HEADER = /(?:Proc-Type|DEK-Info|Comment|Version|Hash):/y;

function findPrivateKeys(ctx: Context, out: Candidate[]): void {
  const t = ctx.t;
  PEM_BEGIN.lastIndex = 0;
  for (let m = PEM_BEGIN.exec(t); m !== null; m = PEM_BEGIN.exec(t)) {
    const body = pemBody(t, m.index + m[0].length);
    if (body) {
      out.push({ kind: "private-key", start: body.start, end: body.end });
      if (body.end > PEM_BEGIN.lastIndex) PEM_BEGIN.lastIndex = body.end;
    }
  }
}

/** Skips whitespace and literal `\n`/`\r` (a key inside a JSON string). */
function skipPemSpace(t: string, i: number): number {
  let k = i;
  for (;;) {
    const c = code(t, k);
    if (isSpace(c)) k++;
    else if (c === C.BSL && (code(t, k + 1) === 110 || code(t, k + 1) === 114)) k += 2;
    else return k;
  }
}

/**
 * The body of a key block after its BEGIN line: up to the END line when everything before it is base64 and
 * headers; otherwise (a truncated paste) the lines right after BEGIN that are wholly base64.
 */
function pemBody(t: string, from: number): { start: number; end: number } | undefined {
  // Pass 1: a complete block.
  let i = skipPemSpace(t, from);
  const start = i;
  let lastContent = -1;
  for (;;) {
    i = skipPemSpace(t, i);
    PEM_HEADER.lastIndex = i;
    if (PEM_HEADER.test(t)) {
      while (i < t.length && !isLineBreak(t.charCodeAt(i)) && t.charCodeAt(i) !== C.BSL) i++;
      lastContent = i;
      continue;
    }
    const runStart = i;
    while (i < t.length && isBase64(t.charCodeAt(i))) i++;
    if (i > runStart) {
      lastContent = i;
      continue;
    }
    break;
  }
  if (lastContent < 0 || t.startsWith(REDACTED, start)) return undefined;
  PEM_END.lastIndex = i;
  if (PEM_END.test(t)) return { start, end: lastContent };
  // Pass 2: a truncated block; whole base64 lines only, so the error text after it stays.
  let end = -1;
  let k = start;
  while (k < lastContent) {
    let e = k;
    while (e < t.length && isBase64(t.charCodeAt(e))) e++;
    const lineLen = e - k;
    const next = code(t, e);
    const lineEnds =
      next < 0 || isLineBreak(next) || (next === C.BSL && code(t, e + 1) === 110) || next === C.BACKTICK;
    let trailing = e;
    while (isHSpace(code(t, trailing))) trailing++;
    const endsAfterSpace = trailing > e && (code(t, trailing) < 0 || isLineBreak(code(t, trailing)));
    if (lineLen === 0 || !(lineEnds || endsAfterSpace)) break;
    const line = t.slice(k, e);
    if (lineLen < 16 && !/[0-9+/=]/.test(line)) break;
    end = e;
    k = skipPemSpace(t, e);
  }
  return end > start ? { start, end } : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens with a recognisable shape

interface TokenRule {
  re: RegExp;
  kind: SecretKind;
  /** Characters that continue the token past the match. */
  continues: (c: number) => boolean;
  /** The match is a label (`sig=`, `Bearer `) and the token starts after it. */
  labelled?: boolean;
  check?: (t: string, s: number, e: number) => boolean;
}

const hasDigitAndLetter = (t: string, s: number, e: number): boolean => {
  const v = t.slice(s, Math.min(e, s + 4096));
  return /\d/.test(v) && /[A-Za-z]/.test(v);
};

const TOKEN_RULES: TokenRule[] = [
  {
    re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{7,4096}\.[A-Za-z0-9_-]{8,16384}\./g,
    kind: "jwt",
    continues: isBase64Url,
  },
  {
    re: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    kind: "aws-key",
    continues: () => false,
  },
  { re: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36}/g, kind: "github-token", continues: isAlnum },
  { re: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22}/g, kind: "github-token", continues: isAlnumUnderscore },
  { re: /(?<![A-Za-z0-9-])xox[abposre]-[A-Za-z0-9-]{10}/g, kind: "slack-token", continues: isAlnumDash },
  { re: /(?<![A-Za-z0-9-])xapp-\d-[A-Za-z0-9-]{10}/g, kind: "slack-token", continues: isAlnumDash },
  {
    re: /hooks\.slack\.com\/(?:services|workflows|triggers)\/T[A-Z0-9]{6,12}\/[AB][A-Z0-9]{6,14}\/(?=[A-Za-z0-9]{16})/g,
    kind: "slack-token",
    continues: isAlnum,
    labelled: true,
  },
  { re: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}/g, kind: "api-key", continues: isBase64Url },
  { re: /(?<![A-Za-z0-9_])(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10}/g, kind: "api-key", continues: isAlnum },
  { re: /(?<![A-Za-z0-9_])whsec_[A-Za-z0-9+/=]{20}/g, kind: "api-key", continues: isBase64 },
  { re: /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}/g, kind: "api-key", continues: isAlnum },
  { re: /(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20}/g, kind: "api-key", continues: isBase64Url },
  {
    re: /(?<![A-Za-z0-9_.-])SG\.[A-Za-z0-9_-]{16,64}\.[A-Za-z0-9_-]{16}/g,
    kind: "api-key",
    continues: isBase64Url,
  },
  { re: /(?<![A-Za-z0-9_-])dckr_pat_[A-Za-z0-9_-]{20}/g, kind: "api-key", continues: isBase64Url },
  { re: /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30}/g, kind: "api-key", continues: isAlnum },
  { re: /(?<![A-Za-z0-9_-])pypi-AgE[A-Za-z0-9_-]{50}/g, kind: "api-key", continues: isBase64Url },
  {
    re: /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{32}/g,
    kind: "api-key",
    continues: isBase64Url,
    check: (t, s, e) => hasDigitAndLetter(t, s + 3, e),
  },
  { re: /(?<=[?&;])sig=(?=[A-Za-z0-9%+/=_-]{8})/g, kind: "api-key", continues: isSasChar, labelled: true },
  {
    re: /(?<![A-Za-z0-9_-])bearer[ \t]{1,8}(?=[A-Za-z0-9._~+/=-]{16})/gi,
    kind: "authorization-header",
    continues: isB64Token,
    labelled: true,
    check: hasDigitAndLetter,
  },
];

function findTokens(ctx: Context, out: Candidate[]): void {
  const t = ctx.t;
  for (const rule of TOKEN_RULES) {
    rule.re.lastIndex = 0;
    for (let m = rule.re.exec(t); m !== null; m = rule.re.exec(t)) {
      const matchEnd = m.index + m[0].length;
      const start = rule.labelled ? matchEnd : m.index;
      let end = matchEnd;
      while (end < t.length && rule.continues(t.charCodeAt(end))) end++;
      if (end > start && (!rule.check || rule.check(t, start, end)))
        out.push({ kind: rule.kind, start, end });
      rule.re.lastIndex = Math.max(end, matchEnd);
    }
  }
}

/** For a regex whose match ends where a secret starts: `end(start)` gives the secret's end, or -1. */
function pushLabelled(
  ctx: Context,
  out: Candidate[],
  re: RegExp,
  kind: SecretKind,
  endOf: (start: number) => number,
): void {
  const t = ctx.t;
  re.lastIndex = 0;
  for (let m = re.exec(t); m !== null; m = re.exec(t)) {
    const s = m.index + m[0].length;
    const e = endOf(s);
    if (e > s && isSecretValue(t, s, e, false)) {
      out.push({ kind, start: s, end: e });
      re.lastIndex = Math.max(re.lastIndex, e);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Command lines

const MYSQL_P = /(?<=[ \t])-p(?=[^\s-])/g;
const SQLCMD_P = /(?<=[ \t])-P(?:[ \t]{1,8})?(?=[^\s-])/g;
const LOGIN_P = /(?<=[ \t])-p[ \t]{1,8}(?=[^\s-])/g;
const CURL_U = /(?<=[ \t])(?:-u|--user)(?:[ \t]{1,8}|=)(?=[^\s-])/g;
const SQLPLUS =
  /(?<![A-Za-z0-9_-])sqlplus(?:64)?[ \t]{1,8}(?:-[A-Za-z]{1,10}[ \t]{1,8}){0,3}["']?[A-Za-z0-9_$#.]{1,128}\//gi;
const SECURE_STRING = /ConvertTo-SecureString[ \t]{1,8}(?:-String[ \t]{1,8})?/gi;

function findCommandLinePasswords(ctx: Context, out: Candidate[]): void {
  const t = ctx.t;
  const flagValue = (s: number): Value | undefined => readValue(t, s, false, false);
  const quotedOrPlain = (re: RegExp, needs: RegExp | undefined): void => {
    re.lastIndex = 0;
    for (let m = re.exec(t); m !== null; m = re.exec(t)) {
      if (needs && !ctx.markedBefore(needs, m.index)) continue;
      const v = flagValue(m.index + m[0].length);
      if (v && isSecretValue(t, v.start, v.end, false)) {
        out.push({ kind: "password-pair", start: v.start, end: v.end });
        re.lastIndex = Math.max(re.lastIndex, v.scanEnd);
      }
    }
  };
  quotedOrPlain(MYSQL_P, MYSQL_COMMAND);
  quotedOrPlain(SQLCMD_P, SQLCMD_COMMAND);
  quotedOrPlain(LOGIN_P, LOGIN_COMMAND);
  quotedOrPlain(SECURE_STRING, undefined);
  // curl -u user:password
  CURL_U.lastIndex = 0;
  for (let m = CURL_U.exec(t); m !== null; m = CURL_U.exec(t)) {
    if (!ctx.markedBefore(CURL_COMMAND, m.index)) continue;
    const v = flagValue(m.index + m[0].length);
    if (!v) continue;
    let colon = v.start;
    while (colon < v.end && t.charCodeAt(colon) !== C.COLON) colon++;
    if (colon >= v.end - 1) continue;
    if (isSecretValue(t, colon + 1, v.end, false)) {
      out.push({ kind: "password-pair", start: colon + 1, end: v.end });
      CURL_U.lastIndex = Math.max(CURL_U.lastIndex, v.scanEnd);
    }
  }
  // sqlplus user/password@db
  pushLabelled(ctx, out, SQLPLUS, "password-pair", (s) => {
    let e = s;
    while (e < t.length && !isSpace(t.charCodeAt(e)) && !"@/\"'<>|;".includes(t.charAt(e))) e++;
    return e;
  });
}
