/**
 * `/triage <error text>`: an ephemeral answer with "Share in channel" and "Other matches"; `/triage` or
 * `/triage help` shows the usage. Acknowledged at once, answered through the command's response_url, so it
 * works in channels the bot is not a member of.
 */
import type { App } from "@slack/bolt";
import { usageBlocks } from "../../reply/blocks.js";
import { COMMAND } from "../../reply/ids.js";
import { answerButtons, replyFor, type SlackDeps, triage } from "../triage.js";

export function registerCommandListeners(app: App, deps: SlackDeps): void {
  app.command(COMMAND, async ({ command, ack, respond }) => {
    await ack();
    const text = command.text?.trim() ?? "";
    if (!text || /^(help|-h|--help|\?)$/i.test(text)) {
      const usage = usageBlocks();
      await respond({ response_type: "ephemeral", text: usage.text, blocks: usage.blocks as never });
      return;
    }
    const triaged = await triage(deps, text, {
      source: "command",
      channel: command.channel_id ?? null,
      user: command.user_id ?? null,
      messageTs: null,
    });
    const reply = replyFor(triaged, {
      buttons: answerButtons(deps, ["share", "otherMatches", "fullArticle"]),
      mentioned: true,
    });
    await respond({ response_type: "ephemeral", text: reply.text, blocks: reply.blocks as never });
  });
}
