/**
 * Messages in channels the bot is in (public and private) and in its DMs. Channel messages that look like an
 * error paste get a thread reply when the matcher is sure (candidates when it is not; silence when nothing
 * fits); a DM always gets an answer. Thread replies, edits, deletions, joins and bots are ignored; a message
 * mentioning the bot is left to the app_mention listener, so it is answered once.
 */
import type { App } from "@slack/bolt";
import { passiveAction, pasteShape } from "../../match/paste-shape.js";
import type { TriageSource } from "../../store/recent-triages.js";
import { isTextSnippet, readSnippet, type SlackFile } from "../snippets.js";
import { answerButtons, replyFor, type SlackDeps, triage } from "../triage.js";

export interface MessageEventLike {
  type?: string;
  subtype?: string;
  channel?: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  files?: SlackFile[];
}

// Subtypes that are a person posting something; everything else (edits, deletions, joins, topic changes,
// bot messages) is not a paste.
const PASTE_SUBTYPES = new Set([undefined, "file_share", "thread_broadcast"]);

export interface MessageListenerOptions {
  /** Origins the bot token may be sent to when downloading a snippet. */
  fileOrigins: readonly string[];
  fetchFn?: typeof fetch;
}

export function registerMessageListeners(app: App, deps: SlackDeps, options: MessageListenerOptions): void {
  app.event("message", async ({ event, body, context, client }) => {
    const message = event as MessageEventLike;
    if (!PASTE_SUBTYPES.has(message.subtype)) return;
    if (message.bot_id || !message.user || message.user === context.botUserId) return;
    if (!message.channel || !message.ts) return;
    const eventId = (body as { event_id?: string }).event_id;
    if (eventId && !deps.dedupe.firstTime(`event:${eventId}`)) return;
    const dm = message.channel_type === "im";
    // In channels, replies inside threads are conversation, not pastes (a mention there is app_mention's).
    if (!dm && message.thread_ts && message.thread_ts !== message.ts) return;
    if (context.botUserId && message.text?.includes(`<@${context.botUserId}>`)) return;
    if (!deps.dedupe.firstTime(`message:${message.channel}:${message.ts}`)) return;

    let text = message.text ?? "";
    let source: TriageSource = dm ? "dm" : "channel";
    const snippet = message.files?.find(isTextSnippet);
    if (snippet && context.botToken) {
      try {
        const content = await readSnippet(snippet, context.botToken, options.fileOrigins, options.fetchFn);
        if (content) {
          text = `${text}\n${content}`;
          source = "snippet";
        }
      } catch (error) {
        deps.logger.warn(
          { err: error, channel: message.channel, file: snippet.id },
          "snippet download failed",
        );
      }
    }
    if (!text.trim()) return;

    const triaged = await triage(deps, text, {
      source,
      channel: message.channel,
      user: message.user,
      messageTs: message.ts,
    });
    const top = triaged.response.results[0];
    if (!dm) {
      const action = passiveAction(
        pasteShape(text),
        triaged.response.verdict,
        top?.score ?? 0,
        deps.triageChannels.has(message.channel),
      );
      if (action === "silent") return;
    }
    const reply = replyFor(triaged, { buttons: answerButtons(deps, ["fullArticle"]), mentioned: dm });
    await client.chat.postMessage({
      channel: message.channel,
      // In a channel the answer goes in the message's thread; in a DM it follows the question (in its
      // thread when the question was asked in one).
      ...(dm && !message.thread_ts ? {} : { thread_ts: message.thread_ts ?? message.ts }),
      text: reply.text,
      blocks: reply.blocks as never,
      unfurl_links: false,
      unfurl_media: false,
    });
  });
}
