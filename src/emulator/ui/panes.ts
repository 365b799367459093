/**
 * The sandbox page's panes as HTML, from the fake workspace's state: a channel's messages, a thread, a view
 * (App Home or a modal). Pure: the same state always renders the same HTML, and every piece of text goes
 * through the Block Kit renderer, which escapes it.
 */
import { parseTs } from "../ids.js";

import { EMOJI, messageToHtml, plainTextToHtml, type RenderContext } from "../render/index.js";
import type { EphemeralMessage, Reaction, SlackMessage, SlackView } from "../workspace.js";

export interface PaneContext extends RenderContext {
  /** The person using the sandbox: ephemeral messages are theirs only. */
  me: string;
  botUserId: string;
  botName: string;
  /** Slackbot's own ephemeral notices ("/foo is not a valid command"). */
  notices: Notice[];
}

export interface Notice {
  channel: string;
  ts: string;
  threadTs?: string;
  text: string;
}

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/** `10:42 AM`, as Slack shows a message's time. */
export function timeOf(ts: string): string {
  const micros = parseTs(ts) ?? 0;
  return new Date(micros / 1000).toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" });
}

function avatar(name: string, id: string, bot: boolean): string {
  let hash = 0;
  for (const c of id) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  const hue = bot ? 210 : hash % 360;
  const initial = (name.trim()[0] ?? "?").toUpperCase();
  return `<div class="avatar" style="background:hsl(${hue} 45% ${bot ? 30 : 45}%)" aria-hidden="true">${esc(initial)}</div>`;
}

function author(message: SlackMessage, ctx: PaneContext): { name: string; id: string; bot: boolean } {
  if (message.bot_id !== undefined) return { name: ctx.botName, id: ctx.botUserId, bot: true };
  const id = message.user ?? "";
  return { name: ctx.userName(id) ?? id, id, bot: false };
}

function reactionsHtml(reactions: Reaction[] | undefined): string {
  if (!reactions?.length) return "";
  const items = reactions.map((r) => {
    const glyph = EMOJI[r.name] ?? `:${r.name}:`;
    return `<span class="reaction" title=":${esc(r.name)}:">${esc(glyph)} <span class="reaction-count">${r.count}</span></span>`;
  });
  return `<div class="reactions">${items.join("")}</div>`;
}

function messageHtml(message: SlackMessage, channel: string, ctx: PaneContext, inThread: boolean): string {
  const who = author(message, ctx);
  const replies =
    !inThread && message.reply_count
      ? `<button type="button" class="replies" data-open-thread="${esc(message.ts)}">${message.reply_count} ${message.reply_count === 1 ? "reply" : "replies"}</button>`
      : "";
  const edited = message.edited ? ` <span class="edited">(edited)</span>` : "";
  const reply = inThread
    ? ""
    : `<button type="button" class="msg-tool" data-open-thread="${esc(message.ts)}" title="Reply in thread" aria-label="Reply in thread">Reply</button>`;
  return [
    `<div class="msg" data-channel="${esc(channel)}" data-ts="${esc(message.ts)}">`,
    avatar(who.name, who.id, who.bot),
    `<div class="msg-body"><div class="msg-meta"><span class="msg-author">${esc(who.name)}</span>`,
    who.bot ? `<span class="app-badge">APP</span>` : "",
    `<time>${esc(timeOf(message.ts))}</time></div>`,
    `<div class="msg-content">${messageToHtml(message, ctx)}${edited}</div>`,
    reactionsHtml(message.reactions),
    replies,
    `</div><div class="msg-tools">${reply}<button type="button" class="msg-tool" data-shortcuts="${esc(message.ts)}" title="More actions" aria-label="More actions">⋯</button></div>`,
    `</div>`,
  ].join("");
}

function ephemeralHtml(e: EphemeralMessage, ctx: PaneContext): string {
  return [
    `<div class="msg ephemeral" data-channel="${esc(e.channel)}" data-ephemeral-ts="${esc(e.message_ts)}">`,
    `<div class="ephemeral-note">Only visible to you · <button type="button" class="link" data-dismiss="${esc(e.message_ts)}">Dismiss message</button></div>`,
    avatar(ctx.botName, ctx.botUserId, true),
    `<div class="msg-body"><div class="msg-meta"><span class="msg-author">${esc(ctx.botName)}</span><span class="app-badge">APP</span>`,
    `<time>${esc(timeOf(e.message_ts))}</time></div>`,
    `<div class="msg-content">${messageToHtml(e, ctx)}</div>`,
    `</div></div>`,
  ].join("");
}

function noticeHtml(n: Notice): string {
  return [
    `<div class="msg ephemeral" data-notice-ts="${esc(n.ts)}">`,
    `<div class="ephemeral-note">Only visible to you</div>`,
    `<div class="avatar" style="background:#4a154b" aria-hidden="true">S</div>`,
    `<div class="msg-body"><div class="msg-meta"><span class="msg-author">Slackbot</span><time>${esc(timeOf(n.ts))}</time></div>`,
    `<div class="msg-content">${plainTextToHtml(n.text)}</div></div></div>`,
  ].join("");
}

type Item = { ts: string; html: string };

function byTs(items: Item[]): string {
  return items
    .sort((a, b) => (parseTs(a.ts) ?? 0) - (parseTs(b.ts) ?? 0))
    .map((i) => i.html)
    .join("");
}

/** A channel's top-level messages (thread replies only as "N replies"), with my ephemerals in place. */
export function channelHtml(
  messages: SlackMessage[],
  ephemerals: EphemeralMessage[],
  channel: string,
  ctx: PaneContext,
): string {
  const items: Item[] = messages
    .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.subtype === "thread_broadcast")
    .map((m) => ({ ts: m.ts, html: messageHtml(m, channel, ctx, false) }));
  for (const e of ephemerals) {
    if (e.channel === channel && e.user === ctx.me && e.thread_ts === undefined)
      items.push({ ts: e.message_ts, html: ephemeralHtml(e, ctx) });
  }
  for (const n of ctx.notices) {
    if (n.channel === channel && n.threadTs === undefined) items.push({ ts: n.ts, html: noticeHtml(n) });
  }
  return byTs(items);
}

/** A thread: its parent, then the replies and my ephemerals in it. */
export function threadHtml(
  thread: SlackMessage[],
  ephemerals: EphemeralMessage[],
  channel: string,
  rootTs: string,
  ctx: PaneContext,
): string {
  const items: Item[] = thread.map((m) => ({ ts: m.ts, html: messageHtml(m, channel, ctx, true) }));
  for (const e of ephemerals) {
    if (e.channel === channel && e.user === ctx.me && e.thread_ts === rootTs)
      items.push({ ts: e.message_ts, html: ephemeralHtml(e, ctx) });
  }
  for (const n of ctx.notices) {
    if (n.channel === channel && n.threadTs === rootTs) items.push({ ts: n.ts, html: noticeHtml(n) });
  }
  // conversations.replies order: the parent comes first.
  const [parent, ...rest] = items;
  if (!parent) return "";
  const replies = Math.max(0, thread.length - 1);
  const divider = `<div class="thread-divider"><span>${replies} ${replies === 1 ? "reply" : "replies"}</span></div>`;
  return `${parent.html}${divider}${byTs(rest)}`;
}

/** An App Home tab or a modal's body. */
export function viewHtml(view: SlackView, ctx: RenderContext): string {
  return `<div class="view" data-view-id="${esc(view.id)}">${messageToHtml({ blocks: view.blocks }, ctx)}</div>`;
}

/** A plain_text object's text (a modal's title or buttons), rendered. */
export function plainText(value: unknown, fallback: string): string {
  const text = (value as { text?: unknown } | undefined)?.text;
  return plainTextToHtml(typeof text === "string" ? text : fallback);
}
