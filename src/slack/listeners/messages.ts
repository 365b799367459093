/**
 * Messages in channels the bot is in (public and private) and in its DMs. Channel messages that look like an
 * error paste get a thread reply when the matcher is sure (candidates when it is not; silence when nothing
 * fits); a DM always gets an answer. Thread replies, edits, deletions, joins and bots are ignored; a message
 * mentioning the bot is left to the app_mention listener, so it is answered once.
 */
import type { App } from "@slack/bolt";
import { passiveAction, pasteShape } from "../../match/paste-shape.js";
import { possibleBlocks } from "../../reply/blocks.js";
import type { TriageSource } from "../../store/recent-triages.js";
import { settingsFor } from "../channel-settings.js";
import { isTextSnippet, readSnippet, type SlackFile } from "../snippets.js";
import { answerButtons, replyFor, type SlackDeps, triage, warnAboutSecrets } from "../triage.js";

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
  // Answers given unasked, by channel and error, for the cooldown.
  const answered = new Map<string, { ts: string; at: number }>();
  app.event("message", async ({ event, body, context, client }) => {
    const message = event as MessageEventLike;
    if (!PASTE_SUBTYPES.has(message.subtype)) return;
    if (message.bot_id || !message.user || message.user === context.botUserId) return;
    if (!message.channel || !message.ts) return;
    const eventId = (body as { event_id?: string }).event_id;
    if (eventId && !(await deps.dedupe.firstTime(`event:${eventId}`))) return;
    const dm = message.channel_type === "im";
    // In channels, replies inside threads are conversation, not pastes (a mention there is app_mention's).
    if (!dm && message.thread_ts && message.thread_ts !== message.ts) return;
    if (context.botUserId && message.text?.includes(`<@${context.botUserId}>`)) return;
    if (!(await deps.dedupe.firstTime(`message:${message.channel}:${message.ts}`))) return;

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

    const settings = dm ? null : await settingsFor(deps, message.channel);
    // Off: silent; mentions only: the app_mention listener answers, not this one.
    if (settings && (settings.mode === "off" || settings.mode === "mentions")) return;

    const triaged = await triage(deps, text, {
      source,
      team: context.teamId ?? null,
      channel: message.channel,
      user: message.user,
      messageTs: message.ts,
    });
    await warnAboutSecrets(deps, client, triaged, {
      channel: message.channel,
      user: message.user,
      threadTs: message.thread_ts,
    });
    const top = triaged.response.results[0];
    if (settings) {
      let action = passiveAction(
        pasteShape(text),
        triaged.response.verdict,
        top?.score ?? 0,
        settings.mode === "all",
      );
      // The channel may ask for more confidence before answering unasked: below it, candidates instead.
      if (action === "answer" && (top?.score ?? 0) < settings.minScore) action = "candidates";
      if (action === "silent") return;
      const key = `${message.channel}:${triaged.normalized.toLowerCase().slice(0, 500)}`;
      const earlier = answered.get(key);
      if (
        earlier &&
        settings.cooldownMinutes > 0 &&
        Date.now() - earlier.at < settings.cooldownMinutes * 60_000
      ) {
        // The same error again shortly after: point to the earlier answer instead of repeating it.
        const link = await client.chat
          .getPermalink({ channel: message.channel, message_ts: earlier.ts })
          .then((r) => r.permalink ?? null)
          .catch(() => null);
        const minutes = Math.max(1, Math.round((Date.now() - earlier.at) / 60_000));
        await client.chat.postMessage({
          channel: message.channel,
          thread_ts: message.ts,
          text: `Same error as ${link ? `<${link}|this earlier message>` : "earlier in this channel"} (${minutes} min ago): the answer is in its thread.`,
          unfurl_links: false,
        });
        return;
      }
      answered.set(key, { ts: message.ts, at: Date.now() });
      if (answered.size > 5000) answered.delete(answered.keys().next().value as string);
      if (action === "candidates" && triaged.response.verdict === "match") {
        const reply = possibleBlocks({
          triageId: triaged.record.id,
          results: triaged.response.results.slice(0, 3),
        });
        await client.chat.postMessage({
          channel: message.channel,
          thread_ts: message.ts,
          text: reply.text,
          blocks: reply.blocks as never,
          unfurl_links: false,
          unfurl_media: false,
        });
        return;
      }
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
