/** Shared by the render tests: what "the output is only our markup" means, checked structurally. */
import fc from "fast-check";
import type { RenderContext } from "../../../src/emulator/render/index.js";

export const ALLOWED_TAGS = new Set([
  "a",
  "b",
  "blockquote",
  "br",
  "button",
  "code",
  "details",
  "div",
  "hr",
  "i",
  "img",
  "input",
  "label",
  "li",
  "ol",
  "optgroup",
  "option",
  "pre",
  "s",
  "select",
  "span",
  "summary",
  "textarea",
  "ul",
]);

const ALLOWED_ATTRIBUTES = new Set([
  "alt",
  "checked",
  "class",
  "data-action-id",
  "data-block-id",
  "data-text",
  "data-type",
  "data-url",
  "data-value",
  "href",
  "label",
  "max",
  "maxlength",
  "min",
  "multiple",
  "name",
  "placeholder",
  "rel",
  "rows",
  "selected",
  "src",
  "start",
  "step",
  "target",
  "title",
  "type",
  "value",
]);

const SAFE_URL = /^(https?:\/\/|mailto:)/;
const TAG_NAME = /<\/?([a-zA-Z0-9]+)/g;
const OPEN_TAG = /<([a-zA-Z0-9]+)([^<>]*)>/g;
/** One attribute: a name, optionally `="value"` whose value holds no quote or angle bracket (all escaped). */
const ATTRIBUTE = /\s([^\s="'<>/]+)(?:="([^"<>]*)")?/gy;

/** Every way `html` is not markup we generate; empty when it is safe to put into innerHTML. */
export function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  const tags = [...html.matchAll(TAG_NAME)];
  const lt = html.split("<").length - 1;
  const gt = html.split(">").length - 1;
  if (lt !== tags.length) problems.push(`${lt - tags.length} '<' not starting a tag`);
  if (gt !== tags.length) problems.push(`${gt - tags.length} '>' not ending a tag`);
  for (const [, name = ""] of tags) {
    if (!ALLOWED_TAGS.has(name)) problems.push(`tag <${name}>`);
  }
  for (const [, , attrs = ""] of html.matchAll(OPEN_TAG)) {
    ATTRIBUTE.lastIndex = 0;
    let consumed = 0;
    for (let m = ATTRIBUTE.exec(attrs); m; m = ATTRIBUTE.exec(attrs)) {
      consumed = ATTRIBUTE.lastIndex;
      const [, name = "", value] = m;
      if (/^on/i.test(name)) problems.push(`event handler ${name}`);
      if (!ALLOWED_ATTRIBUTES.has(name)) problems.push(`attribute ${name}`);
      if ((name === "href" || name === "src") && !SAFE_URL.test(value ?? ""))
        problems.push(`${name}="${value}"`);
      if (name === "data-url" && !/^https?:\/\//.test(value ?? "")) problems.push(`data-url="${value}"`);
    }
    if (consumed !== attrs.length)
      problems.push(`unparsable attributes: ${attrs.slice(consumed, consumed + 40)}`);
  }
  return problems;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };

/** The text a browser shows for our HTML: tags dropped, `<br>` as a newline, our five entities decoded. */
export function visibleText(html: string): string {
  return html
    .replace(/<br>/g, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ENTITIES[name] ?? "");
}

/** How Slack escapes literal text in mrkdwn and plain_text. */
export const slackEscape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const USERS = new Map([
  ["U1", "alice"],
  ["U2", "bob"],
]);
const CHANNELS = new Map([
  ["C1", "general"],
  ["C2", "helpdesk"],
]);

export const ctx: RenderContext = {
  userName: (id) => USERS.get(id),
  channelName: (id) => CHANNELS.get(id),
  channels: [...CHANNELS].map(([id, name]) => ({ id, name })),
};

/** Pieces that exercise every mrkdwn rule and every escape, glued together in random order. */
const TOKENS = [
  "<",
  ">",
  "&",
  '"',
  "'",
  "`",
  "```",
  "*",
  "_",
  "~",
  "\n",
  " ",
  ":",
  "|",
  "@",
  "#",
  "!",
  "^",
  "a",
  "é",
  "👍",
  "&lt;",
  "&gt;",
  "&amp;",
  "&gt; ",
  "&gt;&gt;&gt;",
  "<@U1>",
  "<#C1|x>",
  "<!here>",
  "javascript:",
  "https://",
  "mailto:",
  "data:",
  " onerror=",
  "<script>",
  "</",
  ":wave:",
  ":+1:",
  "\u0000",
  "\uD800",
];

/** Any string: full Unicode (lone surrogates too) or a soup of the markup-relevant tokens. */
export const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.string({ unit: fc.constantFrom(...TOKENS), maxLength: 40 }),
);
