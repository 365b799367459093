/**
 * @mentions: always answered in the thread, "no match" included (with what to do next). A bare mention
 * inside a thread triages the thread's parent message; a bare mention elsewhere gets the usage.
 */
import type { App } from "@slack/bolt";
import { usageBlocks } from "../../reply/blocks.js";
import { answerButtons, replyFor, type SlackDeps, triage, withoutMention } from "../triage.js";

interface MentionEventLike {
  channel?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
}

export function registerEventListeners(app: App, deps: SlackDeps): void {
  app.event("app_mention", async ({ event, body, context, client }) => {
    const mention = event as MentionEventLike;
    if (mention.bot_id || !mention.user || mention.user === context.botUserId) return;
    if (!mention.channel || !mention.ts) return;
    const eventId = (body as { event_id?: string }).event_id;
    if (eventId && !deps.dedupe.firstTime(`event:${eventId}`)) return;
    if (!deps.dedupe.firstTime(`mention:${mention.channel}:${mention.ts}`)) return;

    const threadTs = mention.thread_ts ?? mention.ts;
    let text = withoutMention(mention.text ?? "", context.botUserId);
    let aboutTs = mention.ts;
    if (!text && mention.thread_ts && mention.thread_ts !== mention.ts) {
      // "@triage" alone in a thread: the question is the thread's first message.
      const thread = await client.conversations.replies({
        channel: mention.channel,
        ts: mention.thread_ts,
        limit: 1,
      });
      const parent = thread.messages?.[0];
      text = withoutMention(parent?.text ?? "", context.botUserId);
      aboutTs = mention.thread_ts;
    }
    if (!text) {
      const usage = usageBlocks();
      await client.chat.postMessage({
        channel: mention.channel,
        thread_ts: threadTs,
        text: usage.text,
        blocks: usage.blocks as never,
      });
      return;
    }
    const triaged = await triage(deps, text, {
      source: "mention",
      channel: mention.channel,
      user: mention.user,
      messageTs: aboutTs,
    });
    const reply = replyFor(triaged, { buttons: answerButtons(deps, ["fullArticle"]), mentioned: true });
    await client.chat.postMessage({
      channel: mention.channel,
      thread_ts: threadTs,
      text: reply.text,
      blocks: reply.blocks as never,
      unfurl_links: false,
      unfurl_media: false,
    });
  });
}
