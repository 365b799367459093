/**
 * The sandbox page's server side, on the fake Web API's port: the page and its script, the workspace's state
 * rendered as HTML panes, live change notifications (server-sent events), and the person's doings (messages,
 * slash commands, button clicks, shortcuts, App Home, modal submissions) turned into the payloads Slack would
 * deliver, signed and sent to the app. It knows nothing of the app beyond what Slack would.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { nowTs } from "../ids.js";
import {
  appMentionEvent,
  blockAction,
  channelTypeOf,
  messageEvent,
  messageShortcut,
  viewSubmission,
} from "../payloads.js";
import type { HttpSender, SendResult } from "../signed-http.js";
import type { FakeWebApi } from "../web-api.js";
import type { ResponseUrlContext, SlackMessage } from "../workspace.js";
import { clientBundle } from "./bundle.js";
import { pageHtml } from "./page.js";
import { channelHtml, type Notice, type PaneContext, plainText, threadHtml, viewHtml } from "./panes.js";

export interface SandboxCommand {
  command: string;
  description: string;
  usageHint: string;
}

export interface SandboxUiOptions {
  api: FakeWebApi;
  /** Delivers payloads to the app, signed as Slack signs them. */
  send: HttpSender;
  me: { id: string; name: string };
  botName: string;
  /** The DM between the person and the bot (App Home's Messages tab). */
  dmChannel: string;
  /** The channel shown first. */
  homeChannel: string;
  commands: SandboxCommand[];
  shortcuts: Array<{ name: string; callbackId: string }>;
  examples: () => Array<{ title: string; text: string }>;
  /** Whether the app is ready, for the page's banner. */
  status: () => { ready: boolean; articles: number; problem?: string };
}

export interface SandboxUi {
  routes(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
  /** Ends the live streams (before the server closes). */
  close(): void;
}

/** Slack refuses longer messages (`msg_too_long`). */
export const MAX_MESSAGE_CHARS = 40_000;
const MAX_BODY = 512 * 1024;

class BadRequest extends Error {}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new BadRequest("request too large");
    chunks.push(chunk as Buffer);
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error();
    return parsed as Record<string, unknown>;
  } catch {
    throw new BadRequest("expected a JSON object");
  }
}

const str = (body: Record<string, unknown>, key: string): string | undefined =>
  typeof body[key] === "string" ? (body[key] as string) : undefined;

/**
 * Only the page itself may drive the sandbox: requests must name a loopback host (no DNS rebinding) and, for
 * changes, be JSON from the same origin (a cross-site form cannot send that without a refused preflight).
 */
function isLocal(req: IncomingMessage): boolean {
  const host = (req.headers.host ?? "").toLowerCase();
  return /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host);
}

function isSameOriginJson(req: IncomingMessage): boolean {
  if (!(req.headers["content-type"] ?? "").toLowerCase().startsWith("application/json")) return false;
  const origin = req.headers.origin;
  return origin === undefined || origin === `http://${req.headers.host}`;
}

/**
 * What Slack's client sends for typed text: `&`, `<`, `>` escaped, `@name` of a member as `<@U…>`, bare
 * links as `<url>`.
 */
export function slackText(raw: string, members: Map<string, string>): string {
  let text = raw.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  text = text.replace(/\bhttps?:\/\/[^\s<>"]+/g, (url) => {
    const trimmed = url.replace(/[.,;:!?)\]]+$/, "");
    return `<${trimmed}>${url.slice(trimmed.length)}`;
  });
  return text.replace(/(^|[\s(])@([a-z0-9][a-z0-9._-]*)/gi, (whole, before: string, name: string) => {
    const id = members.get(name.toLowerCase()) ?? members.get(name.toLowerCase().replace(/[.]+$/, ""));
    return id ? `${before}<@${id}>` : whole;
  });
}

export function createSandboxUi(options: SandboxUiOptions): SandboxUi {
  const { api, send, me } = options;
  const ws = api.workspace;
  const notices: Notice[] = [];
  const modals: string[] = []; // open modal view ids, bottom to top
  const streams = new Set<ServerResponse>();
  let version = 0;
  let pending: NodeJS.Timeout | null = null;

  /** Coalesces bursts (an answer is often several calls) into one notification. */
  const notify = () => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = null;
      version += 1;
      for (const res of streams) res.write(`event: change\ndata: ${version}\n\n`);
    }, 15);
  };
  const unsubscribe = api.onCall((call) => {
    const view = call.response.view as { id?: string; type?: string } | undefined;
    if (call.ok && (call.method === "views.open" || call.method === "views.push") && view?.type === "modal") {
      if (view.id) modals.push(view.id);
    }
    notify();
  });
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(": ping\n\n");
  }, 20_000);
  heartbeat.unref();

  const notice = (n: Omit<Notice, "ts">) => {
    notices.push({ ...n, ts: ws.nextTs() });
    notify();
  };
  /** A delivery Slack would have reported as failed: say so the way Slack does, privately. */
  const deliveryFailed = (result: SendResult | Error, where: Omit<Notice, "ts" | "text">, what: string) => {
    const why = result instanceof Error ? result.message : `HTTP ${result.status}`;
    notice({ ...where, text: `${options.botName} did not respond to ${what} (${why}).` });
  };

  const members = () => {
    const map = new Map<string, string>([
      [options.botName.toLowerCase(), ws.botUserId],
      [me.name.toLowerCase(), me.id],
    ]);
    const bot = ws.user(ws.botUserId);
    if (bot) map.set(bot.name.toLowerCase(), bot.id);
    return map;
  };

  const renderContext = (): PaneContext => ({
    me: me.id,
    botUserId: ws.botUserId,
    botName: options.botName,
    notices,
    userName: (id) => {
      if (id === ws.botUserId) return options.botName;
      const user = ws.user(id);
      return user ? String(user.profile.display_name || user.real_name || user.name) : undefined;
    },
    channelName: (id) => ws.channel(id)?.name,
    channels: ws
      .allChannels()
      .filter((c) => !c.is_im)
      .map((c) => ({ id: c.id, name: c.name })),
  });

  const channelOrThrow = (id: string | undefined) => {
    const channel = id ? ws.channel(id) : undefined;
    if (!channel) throw new BadRequest("unknown channel");
    return channel;
  };

  const state = (url: URL) => {
    const ctx = renderContext();
    const paneId = url.searchParams.get("pane") ?? options.homeChannel;
    const threadTs = url.searchParams.get("thread");
    const channels = ws.allChannels().map((c) => {
      const top = ws.messages(c.id).filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
      return {
        id: c.id,
        name: c.is_im ? options.botName : c.name,
        kind: c.is_im ? "im" : c.is_private ? "private" : "channel",
        topic: c.topic.value,
        latest: top.at(-1)?.ts ?? null,
      };
    });
    let pane: Record<string, unknown>;
    if (paneId === "home") {
      const home = ws.homeView(me.id);
      pane = { id: "home", kind: "home", html: home ? viewHtml(home, ctx) : null };
    } else {
      const channel = ws.channel(paneId) ?? ws.channel(options.homeChannel);
      const id = channel?.id ?? options.homeChannel;
      pane = {
        id,
        kind: channel?.is_im ? "im" : "channel",
        html: channelHtml(ws.messages(id), ws.ephemerals.slice(), id, ctx),
      };
    }
    let thread: Record<string, unknown> | null = null;
    if (threadTs && pane.kind !== "home") {
      const messages = ws.thread(String(pane.id), threadTs);
      if (messages.length > 0) {
        thread = {
          ts: messages[0]?.ts,
          html: threadHtml(messages, ws.ephemerals.slice(), String(pane.id), messages[0]?.ts ?? "", ctx),
        };
      }
    }
    const top = modals.at(-1);
    const view = top ? ws.viewById(top) : undefined;
    const modal = view
      ? {
          id: view.id,
          hash: view.hash,
          title: plainText(view.title, "Modal"),
          submit: view.submit ? plainText(view.submit, "Submit") : null,
          close: plainText(view.close, "Cancel"),
          html: viewHtml(view, ctx),
        }
      : null;
    return {
      version,
      team: ws.teamName,
      me,
      botName: options.botName,
      channels,
      dm: options.dmChannel,
      pane,
      thread,
      modal,
      commands: options.commands,
      shortcuts: options.shortcuts.map((s) => ({ name: s.name, callbackId: s.callbackId })),
      examples: options.examples(),
      status: options.status(),
    };
  };

  const postMessage = async (body: Record<string, unknown>) => {
    const channel = channelOrThrow(str(body, "channel"));
    const raw = (str(body, "text") ?? "").replace(/\r\n?/g, "\n");
    const threadTs = str(body, "threadTs");
    if (raw.trim() === "") throw new BadRequest("empty message");
    if (raw.length > MAX_MESSAGE_CHARS) {
      throw new BadRequest(
        `message too long: Slack's limit is ${MAX_MESSAGE_CHARS.toLocaleString("en")} characters`,
      );
    }
    if (raw.startsWith("/")) return command(channel.id, raw, threadTs);
    const text = slackText(raw, members());
    const message = api.addMessage({
      channel: channel.id,
      text,
      user: me.id,
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
    notify();
    const where = { channel: channel.id, ...(threadTs ? { threadTs } : {}) };
    const common = {
      channel: channel.id,
      user: me.id,
      text,
      ts: message.ts,
      ...(message.thread_ts !== undefined && message.thread_ts !== message.ts
        ? { thread_ts: message.thread_ts }
        : {}),
    };
    // As Slack does: a `message` event for every message in a channel the bot is in, and also an
    // `app_mention` when it is mentioned outside a DM (two deliveries, two event ids).
    const deliveries: Array<Promise<SendResult>> = [
      send.sendEvent(messageEvent({ ...common, channel_type: channelTypeOf(channel.id) })),
    ];
    if (!channel.is_im && text.includes(`<@${ws.botUserId}>`)) {
      deliveries.push(send.sendEvent(appMentionEvent(common)));
    }
    for (const result of await Promise.allSettled(deliveries)) {
      if (result.status === "rejected") deliveryFailed(result.reason as Error, where, "your message");
      else if (result.value.status !== 200) deliveryFailed(result.value, where, "your message");
    }
    return { ok: true, ts: message.ts };
  };

  const command = async (channel: string, raw: string, threadTs: string | undefined) => {
    const [, name = "", args = ""] = /^(\/\S*)\s*([\s\S]*)$/.exec(raw) ?? [];
    const where = { channel, ...(threadTs ? { threadTs } : {}) };
    const known = options.commands.find((c) => c.command === name.toLowerCase());
    if (!known) {
      notice({
        ...where,
        text: `${name} is not a valid command. In Slack, all messages that start with the "/" character are interpreted as commands. If you are trying to send a message and not run a command, try preceding the "/" with an empty space.`,
      });
      return { ok: true };
    }
    const context: ResponseUrlContext = { channel, user: me.id, ...(threadTs ? { threadTs } : {}) };
    const result = await send
      .sendCommand({
        command: known.command,
        // The manifest's `should_escape: false`: only &, < and > are escaped, mentions stay as typed.
        text: args.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"),
        channel_id: channel,
        channel_name: ws.channel(channel)?.is_im ? "directmessage" : (ws.channel(channel)?.name ?? ""),
        user_id: me.id,
        user_name: me.name,
        response_url: api.responseUrl(context),
      })
      .catch((error: Error) => error);
    if (result instanceof Error || result.status !== 200) {
      notice({ ...where, text: `${known.command} failed with the error "dispatch_failed"` });
      return { ok: true };
    }
    // An immediate answer in the acknowledgement is shown like a response_url post.
    const json = result.json as Record<string, unknown> | undefined;
    if (json && (typeof json.text === "string" || Array.isArray(json.blocks))) {
      ws.handleResponseUrl(context, json);
      notify();
    }
    return { ok: true };
  };

  const findMessage = (channel: string, ts: string | undefined): SlackMessage => {
    const message = ws.messages(channel).find((m) => m.ts === ts);
    if (!message) throw new BadRequest("unknown message");
    return message;
  };

  const action = async (body: Record<string, unknown>) => {
    const actionId = str(body, "actionId");
    const type = str(body, "type") ?? "button";
    if (!actionId) throw new BadRequest("actionId is required");
    const element: Record<string, unknown> = {
      action_id: actionId,
      block_id: str(body, "blockId") ?? "",
      type,
      action_ts: nowTs(),
    };
    if (type === "button") {
      element.text = { type: "plain_text", text: str(body, "text") ?? "", emoji: true };
      if (str(body, "value") !== undefined) element.value = str(body, "value");
    } else if (str(body, "selected") !== undefined) {
      element.selected_option = {
        text: { type: "plain_text", text: str(body, "text") ?? "", emoji: true },
        value: str(body, "selected"),
      };
    }
    const user = { id: me.id, username: me.name };
    const viewId = str(body, "viewId");
    let payload: ReturnType<typeof blockAction>;
    let where: Omit<Notice, "ts" | "text"> = { channel: options.dmChannel };
    if (viewId) {
      const view = ws.viewById(viewId);
      if (!view) throw new BadRequest("unknown view");
      const values = (body.values as Record<string, Record<string, unknown>> | undefined) ?? {};
      payload = blockAction({
        action_id: actionId,
        user,
        action: element,
        container: { type: "view", view_id: view.id },
        view: { ...view, state: { values } },
        state: { values } as never,
      });
    } else {
      const channel = channelOrThrow(str(body, "channel"));
      const ephemeralTs = str(body, "ephemeralTs");
      const channelRef = { id: channel.id, name: channel.is_im ? "directmessage" : channel.name };
      if (ephemeralTs) {
        const eph = ws.ephemerals.find((e) => e.message_ts === ephemeralTs && e.channel === channel.id);
        if (!eph) throw new BadRequest("unknown message");
        where = { channel: channel.id, ...(eph.thread_ts ? { threadTs: eph.thread_ts } : {}) };
        payload = blockAction({
          action_id: actionId,
          user,
          channel: channelRef,
          action: element,
          container: {
            type: "message",
            message_ts: eph.message_ts,
            channel_id: channel.id,
            is_ephemeral: true,
            ...(eph.thread_ts ? { thread_ts: eph.thread_ts } : {}),
          },
          response_url: api.responseUrl({
            channel: channel.id,
            user: me.id,
            ephemeralTs,
            ...(eph.thread_ts ? { threadTs: eph.thread_ts } : {}),
          }),
        });
      } else {
        const message = findMessage(channel.id, str(body, "messageTs"));
        const threadTs =
          message.thread_ts !== undefined && message.thread_ts !== message.ts ? message.thread_ts : undefined;
        where = { channel: channel.id, ...(threadTs ? { threadTs } : {}) };
        payload = blockAction({
          action_id: actionId,
          user,
          channel: channelRef,
          message,
          action: element,
          response_url: api.responseUrl({
            channel: channel.id,
            user: me.id,
            messageTs: message.ts,
            ...(threadTs ? { threadTs } : {}),
          }),
        });
      }
    }
    const result = await send.sendInteraction(payload).catch((error: Error) => error);
    if (result instanceof Error || result.status !== 200) deliveryFailed(result, where, "that click");
    return { ok: true };
  };

  const shortcut = async (body: Record<string, unknown>) => {
    const channel = channelOrThrow(str(body, "channel"));
    const callbackId = str(body, "callbackId");
    if (!options.shortcuts.some((s) => s.callbackId === callbackId)) throw new BadRequest("unknown shortcut");
    const message = findMessage(channel.id, str(body, "messageTs"));
    const threadTs =
      message.thread_ts !== undefined && message.thread_ts !== message.ts ? message.thread_ts : undefined;
    const result = await send
      .sendInteraction(
        messageShortcut({
          callback_id: callbackId as string,
          message,
          channel: { id: channel.id, name: channel.is_im ? "directmessage" : channel.name },
          user: { id: me.id, username: me.name },
          response_url: api.responseUrl({
            channel: channel.id,
            user: me.id,
            ...(threadTs ? { threadTs } : {}),
          }),
        }),
      )
      .catch((error: Error) => error);
    if (result instanceof Error || result.status !== 200)
      deliveryFailed(result, { channel: channel.id, ...(threadTs ? { threadTs } : {}) }, "the shortcut");
    return { ok: true };
  };

  const homeOpened = async () => {
    const view = ws.homeView(me.id);
    const result = await send
      .sendEvent({
        type: "app_home_opened",
        user: me.id,
        channel: options.dmChannel,
        tab: "home",
        event_ts: nowTs(),
        ...(view ? { view } : {}),
      })
      .catch((error: Error) => error);
    if (result instanceof Error || result.status !== 200)
      deliveryFailed(result, { channel: options.dmChannel }, "opening App Home");
    return { ok: true };
  };

  const submit = async (body: Record<string, unknown>) => {
    const viewId = str(body, "viewId");
    const view = viewId ? ws.viewById(viewId) : undefined;
    if (!view || !modals.includes(view.id)) throw new BadRequest("that modal is not open");
    const values = (body.values as Record<string, Record<string, unknown>> | undefined) ?? {};
    const result = await send
      .sendInteraction(viewSubmission({ view: { ...view }, values, user: { id: me.id, username: me.name } }))
      .catch((error: Error) => error);
    if (result instanceof Error || result.status !== 200) {
      return { ok: false, problem: `${options.botName} did not respond. Try again.` };
    }
    const ack = (result.json ?? {}) as { response_action?: string; errors?: Record<string, string> };
    if (ack.response_action === "errors") return { ok: false, errors: ack.errors ?? {} };
    if (ack.response_action === "clear") modals.length = 0;
    else modals.splice(modals.indexOf(view.id), 1);
    notify();
    return { ok: true };
  };

  const closeModal = async (body: Record<string, unknown>) => {
    const viewId = str(body, "viewId");
    const view = viewId ? ws.viewById(viewId) : undefined;
    if (!view || !modals.includes(view.id)) return { ok: true };
    modals.splice(modals.indexOf(view.id), 1);
    notify();
    if (view.notify_on_close) {
      await send
        .sendInteraction({
          type: "view_closed",
          team: { id: ws.teamId, domain: ws.teamDomain },
          user: { id: me.id, username: me.name, name: me.name, team_id: ws.teamId },
          api_app_id: ws.appId,
          view,
          is_cleared: false,
        })
        .catch(() => undefined);
    }
    return { ok: true };
  };

  const dismiss = async (body: Record<string, unknown>) => {
    const ts = str(body, "ts");
    const at = ws.ephemerals.findIndex((e) => e.message_ts === ts && e.user === me.id);
    if (at !== -1) ws.ephemerals.splice(at, 1);
    notify();
    return { ok: true };
  };

  const posts: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    "/ui/message": postMessage,
    "/ui/action": action,
    "/ui/shortcut": shortcut,
    "/ui/home": homeOpened,
    "/ui/submit": submit,
    "/ui/close": closeModal,
    "/ui/dismiss": dismiss,
  };

  return {
    async routes(req, res, url) {
      const path = url.pathname;
      const isUi = path === "/" || path === "/sandbox.js" || path.startsWith("/ui/");
      if (!isUi) return false;
      if (!isLocal(req)) {
        res.writeHead(403, { "content-type": "text/plain" });
        res.end("The sandbox answers on localhost only.");
        return true;
      }
      if (req.method === "GET" && path === "/") {
        res.writeHead(200, {
          "content-type": "text/html; charset=utf-8",
          "cache-control": "no-store",
          "content-security-policy":
            "default-src 'self'; img-src 'self' http: https: data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        });
        res.end(pageHtml(ws.teamName));
        return true;
      }
      if (req.method === "GET" && path === "/sandbox.js") {
        const js = await clientBundle();
        res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-store" });
        res.end(js);
        return true;
      }
      if (req.method === "GET" && path === "/ui/state") {
        sendJson(res, 200, state(url));
        return true;
      }
      if (req.method === "GET" && path === "/ui/events") {
        res.writeHead(200, {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-store",
          connection: "keep-alive",
        });
        res.write(`retry: 1000\nevent: change\ndata: ${version}\n\n`);
        streams.add(res);
        req.on("close", () => streams.delete(res));
        return true;
      }
      const handler = posts[path];
      if (req.method === "POST" && handler) {
        if (!isSameOriginJson(req)) {
          sendJson(res, 403, { ok: false, problem: "same-origin JSON requests only" });
          return true;
        }
        try {
          sendJson(res, 200, await handler(await readJson(req)));
        } catch (error) {
          if (!(error instanceof BadRequest)) throw error;
          sendJson(res, 400, { ok: false, problem: error.message });
        }
        return true;
      }
      sendJson(res, 404, { ok: false, problem: "not found" });
      return true;
    },
    close() {
      unsubscribe();
      clearInterval(heartbeat);
      if (pending) clearTimeout(pending);
      for (const res of streams) res.end();
      streams.clear();
    },
  };
}
