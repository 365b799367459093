/**
 * Message shortcut "Triage this message": triages the selected message (or its text snippet) and answers
 * ephemerally, with "Post in thread" to share the answer under that message.
 */
import type { App, MessageShortcut } from "@slack/bolt";
import { SHORTCUT_CALLBACK } from "../../reply/ids.js";
import { secretWarning } from "../../reply/secret-warning.js";
import { isTextSnippet, readSnippet, type SlackFile } from "../snippets.js";
import { replyFor, type SlackDeps, triage, withoutMention } from "../triage.js";
import type { MessageListenerOptions } from "./messages.js";

export function registerShortcutListeners(app: App, deps: SlackDeps, options: MessageListenerOptions): void {
  app.shortcut<MessageShortcut>(SHORTCUT_CALLBACK, async ({ shortcut, ack, respond, context }) => {
    await ack();
    const message = shortcut.message as { text?: string; ts?: string; files?: SlackFile[] };
    let text = withoutMention(message.text ?? "", context.botUserId);
    const snippet = message.files?.find(isTextSnippet);
    if (snippet && context.botToken) {
      const content = await readSnippet(
        snippet,
        context.botToken,
        options.fileOrigins,
        options.fetchFn,
      ).catch(() => null);
      if (content) text = `${text}\n${content}`.trim();
    }
    if (!text) {
      await respond({
        response_type: "ephemeral",
        text: "That message has no text to triage. Pick the message with the error in it.",
      });
      return;
    }
    const triaged = await triage(deps, text, {
      source: "shortcut",
      team: context.teamId ?? null,
      channel: shortcut.channel?.id ?? null,
      user: shortcut.user?.id ?? null,
      messageTs: message.ts ?? shortcut.message_ts ?? null,
    });
    const reply = replyFor(triaged, {
      buttons: ["postInThread", "otherMatches", "fullArticle"],
      mentioned: true,
    });
    await respond({ response_type: "ephemeral", text: reply.text, blocks: reply.blocks as never });
    if (triaged.secrets.length > 0) {
      await respond({ response_type: "ephemeral", text: secretWarning(triaged.secrets, true) });
    }
  });
}
