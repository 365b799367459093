/**
 * Block Kit JSON → HTML for the sandbox page (messages, modals, App Home). The JSON is untrusted in shape and
 * content: a malformed block becomes a visible "Unsupported block" and nothing here throws. Interactive elements
 * carry `data-action-id`, `data-block-id` and `data-type` so the page can rebuild Slack's payloads from the DOM.
 */
import { emojiFor, emojify } from "./emoji.js";
import { anchor, attr, decodeSlackEntities, escapeHtml, safeHttpUrl, safeLinkUrl } from "./html.js";
import { mrkdwnToHtml, plainTextToHtml, type RenderContext } from "./mrkdwn-html.js";

/** Thrown for a block or element whose JSON Slack would reject; caught and shown as unsupported. */
class Broken extends Error {}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** A type name for display: never String(v), which throws for null-prototype objects. */
const typeName = (v: unknown): string => (typeof v === "string" ? v.slice(0, 80) : "unknown");

interface Scope {
  blockId: string;
  ctx: RenderContext;
  /** Inside an input block: form fields get the `bk-field` class. */
  input: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Text objects

/** A text object's text, or Broken. */
function textOf(v: unknown): { text: string; mrkdwn: boolean; emoji: boolean } {
  if (!isObj(v) || typeof v.text !== "string" || (v.type !== "plain_text" && v.type !== "mrkdwn")) {
    throw new Broken("text object");
  }
  return { text: v.text, mrkdwn: v.type === "mrkdwn", emoji: v.emoji !== false };
}

/** A text object (mrkdwn or plain_text) as HTML. */
function textHtml(v: unknown, ctx: RenderContext): string {
  const t = textOf(v);
  return t.mrkdwn ? mrkdwnToHtml(t.text, ctx) : plainTextToHtml(t.text, t.emoji);
}

/** A label that Slack only allows as plain_text (buttons, headers, input labels): never formatted. */
function plainHtml(v: unknown): string {
  const t = textOf(v);
  return plainTextToHtml(t.text, t.emoji);
}

/** Raw one-line text for an attribute or an <option>, where markup is not allowed; escape it when emitting. */
function flatText(v: unknown): string {
  if (!isObj(v) || typeof v.text !== "string") return "";
  const text = decodeSlackEntities(v.text).replace(/\s*[\r\n]+\s*/g, " ");
  return v.emoji === false ? text : emojify(text);
}

// ---------------------------------------------------------------------------------------------------------------
// Elements

/** `data-action-id`, `data-block-id` and `data-type`: what a client needs for `state.values` and block_actions. */
function dataAttrs(el: Obj, type: string, scope: Scope): string {
  return `${attr("data-action-id", str(el.action_id))}${attr("data-block-id", scope.blockId)}${attr("data-type", type)}`;
}

function button(el: Obj, scope: Scope): string {
  const style = el.style === "primary" ? " bk-primary" : el.style === "danger" ? " bk-danger" : "";
  const value = typeof el.value === "string" ? attr("data-value", el.value) : "";
  const url = safeHttpUrl(el.url);
  const label = plainHtml(el.text);
  return `<button type="button" class="bk-button${style}"${dataAttrs(el, "button", scope)}${value}${
    url === null ? "" : attr("data-url", url)
  }>${label}</button>`;
}

function overflow(el: Obj, scope: Scope): string {
  const items = list(el.options)
    .filter(isObj)
    .map((option) => {
      const url = safeHttpUrl(option.url);
      return `<button type="button" class="bk-overflow-option"${dataAttrs(el, "overflow", scope)}${attr(
        "data-value",
        str(option.value),
      )}${url === null ? "" : attr("data-url", url)}>${escapeHtml(flatText(option.text))}</button>`;
    });
  return `<details class="bk-overflow"><summary class="bk-button bk-overflow-toggle" title="More actions">⋯</summary><div class="bk-overflow-menu">${items.join(
    "",
  )}</div></details>`;
}

function optionTag(value: string, text: string, selected: ReadonlySet<string>): string {
  return `<option${attr("value", value)}${selected.has(value) ? " selected" : ""}>${escapeHtml(text)}</option>`;
}

/** The `value`s of `initial_option` / `initial_options`. */
function initialValues(el: Obj): Set<string> {
  const initial = [el.initial_option, ...list(el.initial_options)];
  return new Set(initial.filter(isObj).map((o) => str(o.value)));
}

function staticOptions(options: unknown, selected: ReadonlySet<string>): string {
  return list(options)
    .filter((o): o is Obj => isObj(o) && typeof o.value === "string")
    .map((o) => optionTag(str(o.value), flatText(o.text), selected))
    .join("");
}

function selectTag(el: Obj, type: string, scope: Scope, optionsHtml: string, multi: boolean): string {
  const cls = scope.input ? "bk-select bk-field" : "bk-select";
  // A single select shows its placeholder as an empty first choice, so "nothing selected" is visible.
  const placeholder = multi ? "" : `<option value="">${escapeHtml(flatText(el.placeholder))}</option>`;
  return `<select class="${cls}"${dataAttrs(el, type, scope)}${multi ? " multiple" : ""}>${placeholder}${optionsHtml}</select>`;
}

function staticSelect(el: Obj, type: string, scope: Scope): string {
  const selected = initialValues(el);
  let options = staticOptions(el.options, selected);
  for (const group of list(el.option_groups).filter(isObj)) {
    options += `<optgroup${attr("label", flatText(group.label))}>${staticOptions(group.options, selected)}</optgroup>`;
  }
  // external_select has no options of its own; keep its initial choice visible.
  if (type.endsWith("external_select")) {
    options += [el.initial_option, ...list(el.initial_options)]
      .filter(isObj)
      .map((o) => optionTag(str(o.value), flatText(o.text), selected))
      .join("");
  }
  return selectTag(el, type, scope, options, type.startsWith("multi_"));
}

function conversationSelect(el: Obj, type: string, scope: Scope): string {
  const { ctx } = scope;
  const multi = type.startsWith("multi_");
  const initial = multi
    ? list(type.includes("channels") ? el.initial_channels : el.initial_conversations)
    : [type.includes("channels") ? el.initial_channel : el.initial_conversation];
  const selected = new Set(initial.filter((id): id is string => typeof id === "string"));
  const channels = list(ctx.channels).filter(
    (c): c is { id: string; name: string } =>
      isObj(c) && typeof c.id === "string" && typeof c.name === "string",
  );
  const known = new Set(channels.map((c) => c.id));
  const missing = [...selected].filter((id) => !known.has(id));
  const options = [
    ...channels.map((c) => optionTag(c.id, `#${c.name}`, selected)),
    ...missing.map((id) => optionTag(id, `#${ctx.channelName(id) ?? id}`, selected)),
  ];
  return selectTag(el, type, scope, options.join(""), multi);
}

function userSelect(el: Obj, type: string, scope: Scope): string {
  const multi = type.startsWith("multi_");
  const ids = (multi ? list(el.initial_users) : [el.initial_user]).filter(
    (id): id is string => typeof id === "string",
  );
  const selected = new Set(ids);
  const options = ids.map((id) => optionTag(id, `@${scope.ctx.userName(id) ?? id}`, selected)).join("");
  return selectTag(el, type, scope, options, multi);
}

/**
 * Checkboxes / radio buttons. Only the inputs carry the data-* attributes (a client collects
 * `[data-action-id][data-type]`); `data-text` is the option's text for `selected_option(s)`.
 */
function choices(el: Obj, type: "checkboxes" | "radio_buttons", scope: Scope): string {
  const checked = initialValues(el);
  const inputType = type === "checkboxes" ? "checkbox" : "radio";
  const name = `${scope.blockId}/${str(el.action_id)}`;
  const items = list(el.options)
    .filter((o): o is Obj => isObj(o) && typeof o.value === "string")
    .map((o) => {
      const value = str(o.value);
      const input = `<input type="${inputType}"${dataAttrs(el, type, scope)}${attr("name", name)}${attr("value", value)}${attr(
        "data-text",
        flatText(o.text),
      )}${checked.has(value) ? " checked" : ""}>`;
      const description =
        o.description === undefined
          ? ""
          : `<div class="bk-option-desc">${textHtml(o.description, scope.ctx)}</div>`;
      return `<label class="bk-option">${input}<span class="bk-option-text">${textHtml(o.text, scope.ctx)}${description}</span></label>`;
    });
  return `<div class="bk-options bk-${type}">${items.join("")}</div>`;
}

const finite = (v: unknown): number | null => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : null;
};

function textInput(el: Obj, type: string, scope: Scope): string {
  const data = dataAttrs(el, type, scope);
  const placeholder = el.placeholder === undefined ? "" : attr("placeholder", flatText(el.placeholder));
  const initial = str(el.initial_value);
  const max = finite(el.max_length);
  const maxLength = max !== null && max > 0 ? attr("maxlength", Math.floor(max)) : "";
  if (type === "plain_text_input" && el.multiline === true) {
    return `<textarea class="bk-field bk-textarea"${data}${placeholder}${maxLength} rows="4">${escapeHtml(initial)}</textarea>`;
  }
  const inputType = type === "email_text_input" ? "email" : type === "url_text_input" ? "url" : "text";
  return `<input type="${inputType}" class="bk-field"${data}${attr("value", initial)}${placeholder}${maxLength}>`;
}

function numberInput(el: Obj, scope: Scope): string {
  const min = finite(el.min_value);
  const max = finite(el.max_value);
  const placeholder = el.placeholder === undefined ? "" : attr("placeholder", flatText(el.placeholder));
  return `<input type="number" class="bk-field"${dataAttrs(el, "number_input", scope)}${attr(
    "value",
    str(el.initial_value),
  )}${attr("step", el.is_decimal_allowed === true ? "any" : "1")}${min === null ? "" : attr("min", min)}${
    max === null ? "" : attr("max", max)
  }${placeholder}>`;
}

function pickerInput(el: Obj, type: "datepicker" | "timepicker", scope: Scope): string {
  const initial = str(type === "datepicker" ? el.initial_date : el.initial_time);
  const inputType = type === "datepicker" ? "date" : "time";
  return `<input type="${inputType}" class="bk-field"${dataAttrs(el, type, scope)}${attr("value", initial)}>`;
}

function imageElement(el: Obj, cls: string): string {
  const src = safeHttpUrl(el.image_url);
  if (src === null) throw new Broken("image url");
  return `<img class="${cls}"${attr("src", src)}${attr("alt", str(el.alt_text))}>`;
}

function elementHtml(el: unknown, scope: Scope, imageClass = "bk-accessory-image"): string {
  let type = "unknown";
  try {
    if (!isObj(el)) throw new Broken("element");
    type = typeName(el.type);
    switch (type) {
      case "button":
        return button(el, scope);
      case "overflow":
        return overflow(el, scope);
      case "static_select":
      case "multi_static_select":
      case "external_select":
      case "multi_external_select":
        return staticSelect(el, type, scope);
      case "conversations_select":
      case "channels_select":
      case "multi_conversations_select":
      case "multi_channels_select":
        return conversationSelect(el, type, scope);
      case "users_select":
      case "multi_users_select":
        return userSelect(el, type, scope);
      case "checkboxes":
      case "radio_buttons":
        return choices(el, type, scope);
      case "plain_text_input":
      case "email_text_input":
      case "url_text_input":
        return textInput(el, type, scope);
      case "number_input":
        return numberInput(el, scope);
      case "datepicker":
      case "timepicker":
        return pickerInput(el, type, scope);
      case "image":
        return imageElement(el, imageClass);
      default:
        throw new Broken(type);
    }
  } catch {
    return `<span class="bk-unsupported">Unsupported element: ${escapeHtml(type)}</span>`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// rich_text: what Slack clients send for what people type

const BROADCASTS = new Set(["here", "channel", "everyone"]);

/** `"1f44d-1f3fb"` → 👍🏻, or null unless every part is a valid scalar value. */
function fromCodePoints(hex: unknown): string | null {
  if (typeof hex !== "string" || !/^[0-9a-f]{1,6}(?:-[0-9a-f]{1,6}){0,9}$/i.test(hex)) return null;
  const points = hex.split("-").map((h) => Number.parseInt(h, 16));
  const valid = points.every((p) => p <= 0x10ffff && (p < 0xd800 || p > 0xdfff));
  return valid ? String.fromCodePoint(...points) : null;
}

function mentionSpan(cls: "bk-mention" | "bk-channel", text: string): string {
  return `<span class="${cls}">${escapeHtml(text)}</span>`;
}

function richInline(e: unknown, ctx: RenderContext, pre: boolean): string {
  if (!isObj(e)) return "";
  let html: string;
  switch (e.type) {
    case "text": {
      const text = escapeHtml(str(e.text));
      html = pre ? text : text.replace(/\r?\n/g, "<br>");
      break;
    }
    case "link": {
      const url = safeLinkUrl(e.url);
      const label = escapeHtml(str(e.text) || str(e.url));
      html = url === null ? label : anchor(url, label);
      break;
    }
    case "user": {
      const id = str(e.user_id);
      html = mentionSpan("bk-mention", `@${ctx.userName(id) ?? id}`);
      break;
    }
    case "usergroup":
      html = mentionSpan("bk-mention", `@${str(e.usergroup_id)}`);
      break;
    case "channel": {
      const id = str(e.channel_id);
      html = mentionSpan("bk-channel", `#${ctx.channelName(id) ?? id}`);
      break;
    }
    case "broadcast": {
      const range = str(e.range);
      html = mentionSpan("bk-mention", `@${BROADCASTS.has(range) ? range : "here"}`);
      break;
    }
    case "emoji": {
      const name = str(e.name);
      html = fromCodePoints(e.unicode) ?? emojiFor(name) ?? escapeHtml(`:${name}:`);
      break;
    }
    case "date":
      html = escapeHtml(str(e.fallback));
      break;
    case "color":
      html = escapeHtml(str(e.value));
      break;
    default:
      html = `<span class="bk-unsupported">Unsupported element: ${escapeHtml(typeName(e.type))}</span>`;
  }
  const style = isObj(e.style) && !pre ? e.style : {};
  if (style.code === true) html = `<code class="bk-code">${html}</code>`;
  if (style.strike === true) html = `<s>${html}</s>`;
  if (style.italic === true) html = `<i>${html}</i>`;
  if (style.bold === true) html = `<b>${html}</b>`;
  return html;
}

const richInlines = (elements: unknown, ctx: RenderContext, pre = false) =>
  list(elements)
    .map((e) => richInline(e, ctx, pre))
    .join("");

function richList(e: Obj, ctx: RenderContext): string {
  const ordered = e.style === "ordered";
  const tag = ordered ? "ol" : "ul";
  const indent = Math.min(Math.max(Math.floor(finite(e.indent) ?? 0), 0), 8);
  const offset = finite(e.offset);
  const start = ordered && offset !== null && offset > 0 ? attr("start", Math.floor(offset) + 1) : "";
  const items = list(e.elements).map(
    (item) => `<li>${isObj(item) ? richInlines(item.elements, ctx) : ""}</li>`,
  );
  return `<${tag} class="bk-rt-list bk-rt-indent-${indent}"${start}>${items.join("")}</${tag}>`;
}

function richTextHtml(block: Obj, ctx: RenderContext): string {
  return list(block.elements)
    .map((e) => {
      if (!isObj(e)) return "";
      const type = e.type;
      if (type === "rich_text_section")
        return `<div class="bk-rt-section">${richInlines(e.elements, ctx)}</div>`;
      if (type === "rich_text_preformatted")
        return `<pre class="bk-pre">${richInlines(e.elements, ctx, true)}</pre>`;
      if (type === "rich_text_quote")
        return `<blockquote class="bk-quote">${richInlines(e.elements, ctx)}</blockquote>`;
      if (type === "rich_text_list") return richList(e, ctx);
      return `<span class="bk-unsupported">Unsupported element: ${escapeHtml(typeName(type))}</span>`;
    })
    .join("");
}

// ---------------------------------------------------------------------------------------------------------------
// markdown block: standard Markdown, rendered simply (fences, headings, **bold**, ~~strike~~, `code`, links)

const MD_INLINE: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/`([^`\n]{1,2000})`/y, (m) => `<code class="bk-code">${escapeHtml(m[1] ?? "")}</code>`],
  [/\*\*([^*\n]{1,2000})\*\*/y, (m) => `<b>${markdownInline(m[1] ?? "")}</b>`],
  [/__([^_\n]{1,2000})__/y, (m) => `<b>${markdownInline(m[1] ?? "")}</b>`],
  [/~~([^~\n]{1,2000})~~/y, (m) => `<s>${markdownInline(m[1] ?? "")}</s>`],
  [
    /\[([^[\]\n]{1,500})\]\(((?:[^()\s]|\([^()\s]{0,500}\)){1,2000})\)/y,
    (m) => {
      const url = safeLinkUrl(m[2]);
      const label = escapeHtml(m[1] ?? "");
      return url === null ? label : anchor(url, label);
    },
  ],
];

function markdownInline(line: string): string {
  let out = "";
  let plain = 0;
  for (let i = 0; i < line.length; i++) {
    if (!"`*_~[".includes(line[i] ?? " ")) continue;
    for (const [pattern, render] of MD_INLINE) {
      pattern.lastIndex = i;
      const m = pattern.exec(line);
      if (!m) continue;
      out += escapeHtml(line.slice(plain, i)) + render(m);
      plain = i + m[0].length;
      i = plain - 1;
      break;
    }
  }
  return out + escapeHtml(line.slice(plain));
}

function markdownHtml(text: string): string {
  const parts: Array<{ html: string; block: boolean }> = [];
  let fence: string[] | null = null;
  for (const line of text.split(/\r\n?|\n/)) {
    if (/^ {0,3}```/.test(line)) {
      if (fence)
        parts.push({ html: `<pre class="bk-pre">${escapeHtml(fence.join("\n"))}</pre>`, block: true });
      fence = fence ? null : [];
      continue;
    }
    if (fence) {
      fence.push(line);
      continue;
    }
    const heading = /^ {0,3}#{1,6}[ \t]+(.*)$/.exec(line);
    if (heading)
      parts.push({
        html: `<div class="bk-md-heading">${markdownInline(heading[1] ?? "")}</div>`,
        block: true,
      });
    else parts.push({ html: markdownInline(line), block: false });
  }
  if (fence) parts.push({ html: `<pre class="bk-pre">${escapeHtml(fence.join("\n"))}</pre>`, block: true });
  return parts.map((p, k) => (k > 0 && !p.block && !parts[k - 1]?.block ? "<br>" : "") + p.html).join("");
}

// ---------------------------------------------------------------------------------------------------------------
// Blocks

function contextItem(el: unknown, scope: Scope): string {
  if (isObj(el) && el.type === "image") return elementHtml(el, scope, "bk-context-image");
  try {
    return `<span class="bk-context-item">${textHtml(el, scope.ctx)}</span>`;
  } catch {
    const type = isObj(el) ? typeName(el.type) : "unknown";
    return `<span class="bk-unsupported">Unsupported element: ${escapeHtml(type)}</span>`;
  }
}

type BlockRenderer = (block: Obj, scope: Scope) => string;

const BLOCKS = new Map<string, BlockRenderer>([
  ["header", (b) => plainHtml(b.text)],
  ["divider", () => `<hr class="bk-divider">`],
  [
    "section",
    (b, scope) => {
      const fields = list(b.fields);
      if (b.text === undefined && fields.length === 0) throw new Broken("empty section");
      const text = b.text === undefined ? "" : `<div class="bk-text">${textHtml(b.text, scope.ctx)}</div>`;
      const cells = fields
        .map((f) => `<div class="bk-section-field">${textHtml(f, scope.ctx)}</div>`)
        .join("");
      const grid = fields.length > 0 ? `<div class="bk-fields">${cells}</div>` : "";
      const accessory =
        b.accessory === undefined ? "" : `<div class="bk-accessory">${elementHtml(b.accessory, scope)}</div>`;
      return `<div class="bk-section-body"><div class="bk-section-main">${text}${grid}</div>${accessory}</div>`;
    },
  ],
  [
    "context",
    (b, scope) =>
      list(b.elements)
        .map((el) => contextItem(el, scope))
        .join(""),
  ],
  [
    "actions",
    (b, scope) =>
      list(b.elements)
        .map((el) => elementHtml(el, scope))
        .join(""),
  ],
  [
    "image",
    (b) => {
      const title = b.title === undefined ? "" : `<div class="bk-image-title">${plainHtml(b.title)}</div>`;
      return title + imageElement(b, "bk-image-img");
    },
  ],
  ["rich_text", (b, scope) => richTextHtml(b, scope.ctx)],
  [
    "markdown",
    (b) => {
      if (typeof b.text !== "string") throw new Broken("markdown text");
      return markdownHtml(b.text);
    },
  ],
  [
    "input",
    (b, scope) => {
      const optional = b.optional === true ? ` <span class="bk-optional">(optional)</span>` : "";
      const label = `<label class="bk-label">${plainHtml(b.label)}${optional}</label>`;
      const element = elementHtml(b.element, { ...scope, input: true });
      const hint = b.hint === undefined ? "" : `<div class="bk-hint">${plainHtml(b.hint)}</div>`;
      const errors = scope.ctx.errors;
      const message =
        isObj(errors) && Object.hasOwn(errors, scope.blockId) ? errors[scope.blockId] : undefined;
      const error = typeof message === "string" ? `<div class="bk-error">${escapeHtml(message)}</div>` : "";
      return label + element + hint + error;
    },
  ],
]);

function blockHtml(block: unknown, ctx: RenderContext): string {
  let type = "unknown";
  let blockId = "";
  try {
    if (!isObj(block)) throw new Broken("block");
    type = typeName(block.type);
    blockId = str(block.block_id);
    const render = BLOCKS.get(type);
    if (!render) throw new Broken(type);
    return `<div class="bk-block bk-${type}"${attr("data-block-id", blockId)}>${render(block, { blockId, ctx, input: false })}</div>`;
  } catch {
    return `<div class="bk-block"${attr("data-block-id", blockId)}><div class="bk-unsupported">Unsupported block: ${escapeHtml(type)}</div></div>`;
  }
}

const unsupported = (type: string) =>
  `<div class="bk-block"><div class="bk-unsupported">Unsupported block: ${type}</div></div>`;

/** Block Kit blocks → HTML, one `<div class="bk-block bk-TYPE">` each. Never throws. */
export function blocksToHtml(blocks: unknown[], ctx: RenderContext): string {
  try {
    return list(blocks)
      .map((block) => blockHtml(block, ctx))
      .join("");
  } catch {
    // Only a hostile container (a Proxy, a throwing getter) gets here; each block has its own catch.
    return unsupported("blocks");
  }
}

/** A message as Slack shows it: its blocks when it has any, else its `text` as mrkdwn. Never throws. */
export function messageToHtml(message: { text?: string; blocks?: unknown[] }, ctx: RenderContext): string {
  try {
    const m: unknown = message;
    if (!isObj(m)) return "";
    if (Array.isArray(m.blocks) && m.blocks.length > 0) return blocksToHtml(m.blocks, ctx);
    const text = str(m.text);
    return text === "" ? "" : `<div class="bk-text bk-message-text">${mrkdwnToHtml(text, ctx)}</div>`;
  } catch {
    return unsupported("message");
  }
}
