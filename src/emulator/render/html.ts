/** HTML building blocks shared by the mrkdwn and Block Kit renderers. Every literal goes through `escapeHtml`. */

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const HTML_SPECIAL = /[&<>"']/g;

/** Escapes text for both element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(HTML_SPECIAL, (c) => HTML_ESCAPES[c] ?? c);
}

const SLACK_ENTITY = /&(amp|lt|gt);/g;
const SLACK_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">" };

/** Undoes Slack's escaping of `&`, `<`, `>` in one pass, so `&amp;lt;` becomes the text `&lt;`. */
export function decodeSlackEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(SLACK_ENTITY, (whole, name: string) => SLACK_ENTITIES[name] ?? whole);
}

const LINK_SCHEME = /^(https?:\/\/|mailto:)/i;
const IMAGE_SCHEME = /^https?:\/\//i;

/** True for characters a browser strips from or ignores in a URL; refusing them keeps the scheme check honest. */
function hasSpaceOrControl(url: string): boolean {
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true;
  }
  return false;
}

function allowed(raw: unknown, scheme: RegExp): string | null {
  if (typeof raw !== "string") return null;
  const url = raw.trim();
  const match = scheme.exec(url);
  if (!match || hasSpaceOrControl(url)) return null;
  // Lower-case the scheme so every href/src the page gets starts with exactly http://, https:// or mailto:.
  return (match[1] ?? "").toLowerCase() + url.slice((match[1] ?? "").length);
}

/** The URL if it is http(s) or mailto, else null (javascript:, data:, vbscript:, relative, …). Not escaped yet. */
export function safeLinkUrl(raw: unknown): string | null {
  return allowed(raw, LINK_SCHEME);
}

/** The URL if it is http(s), else null: for images and button URLs. Not escaped yet. */
export function safeHttpUrl(raw: unknown): string | null {
  return allowed(raw, IMAGE_SCHEME);
}

/** ` name="value"` with the value escaped. */
export function attr(name: string, value: string | number): string {
  return ` ${name}="${escapeHtml(String(value))}"`;
}

/** `<a>` for a URL already checked by `safeLinkUrl`; `labelHtml` must already be HTML. */
export function anchor(url: string, labelHtml: string): string {
  return `<a${attr("href", url)} target="_blank" rel="noopener noreferrer">${labelHtml}</a>`;
}
