/**
 * `/triage <error text>`: an ephemeral answer with "Share in channel" and "Other matches"; `/triage` or
 * `/triage help` shows the usage. Acknowledged at once, answered through the command's response_url, so it
 * works in channels the bot is not a member of.
 */
import type { App, SlashCommand } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { usageBlocks } from "../../reply/blocks.js";
import { COMMAND } from "../../reply/ids.js";
import { secretWarning } from "../../reply/secret-warning.js";
import { describeSettings, isAdmin, parseSettingsCommand, settingsFor } from "../channel-settings.js";
import { answerButtons, replyFor, type SlackDeps, triage } from "../triage.js";

export function registerCommandListeners(app: App, deps: SlackDeps): void {
  app.command(COMMAND, async ({ command, ack, respond, client, context }) => {
    await ack();
    const text = command.text?.trim() ?? "";
    const words = text.split(/\s+/);
    if (words[0]?.toLowerCase() === "settings") {
      await respond({
        response_type: "ephemeral",
        text: await settingsCommand(deps, client, command, words.slice(1)),
      });
      return;
    }
    if (!text || /^(help|-h|--help|\?)$/i.test(text)) {
      const usage = usageBlocks();
      await respond({ response_type: "ephemeral", text: usage.text, blocks: usage.blocks as never });
      return;
    }
    const triaged = await triage(deps, text, {
      source: "command",
      team: context.teamId ?? null,
      channel: command.channel_id ?? null,
      user: command.user_id ?? null,
      messageTs: null,
    });
    const reply = replyFor(triaged, {
      buttons: answerButtons(deps, ["share", "otherMatches", "fullArticle"]),
      mentioned: true,
    });
    await respond({ response_type: "ephemeral", text: reply.text, blocks: reply.blocks as never });
    if (triaged.secrets.length > 0) {
      await respond({ response_type: "ephemeral", text: secretWarning(triaged.secrets, false) });
    }
  });
}

/** `/triage settings …` in a channel: shows the settings to anyone, changes them for helpdesk admins. */
async function settingsCommand(
  deps: SlackDeps,
  client: WebClient,
  command: SlashCommand,
  words: string[],
): Promise<string> {
  const channel = command.channel_id;
  const user = command.user_id;
  const parsed = parseSettingsCommand(words.map((w) => w.toLowerCase()));
  if (parsed.kind === "invalid") return parsed.message;
  const current = await settingsFor(deps, channel);
  const admin = await isAdmin(deps, client, user);
  if (parsed.kind === "show") return describeSettings(current, admin);
  if (!admin)
    return `Only helpdesk admins can change the settings here.\n\n${describeSettings(current, false)}`;
  if (!deps.store) return "Settings need the bot's database, which is not available.";
  const updated = { ...current, ...parsed.change, channel, updatedBy: user, updatedAt: Date.now() };
  await deps.store.setChannelSettings(updated);
  return `Saved.\n\n${describeSettings(updated, true)}`;
}
