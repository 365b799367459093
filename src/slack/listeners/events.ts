/**
 * @mentions: always answered in the thread, "no match" included (with what to do next). A bare mention
 * inside a thread triages the thread's parent message; a bare mention elsewhere gets the usage.
 */
import type { App } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { usageBlocks } from "../../reply/blocks.js";
import { homeView } from "../../reply/home.js";
import { emptyStats } from "../../store/store.js";
import { isAdmin, settingsFor } from "../channel-settings.js";
import {
  answerButtons,
  matcherOf,
  replyFor,
  type SlackDeps,
  triage,
  warnAboutSecrets,
  withoutMention,
} from "../triage.js";

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
    if (eventId && !(await deps.dedupe.firstTime(`event:${eventId}`))) return;
    if (!(await deps.dedupe.firstTime(`mention:${mention.channel}:${mention.ts}`))) return;

    // An admin switched the bot off in this channel.
    if ((await settingsFor(deps, mention.channel)).mode === "off") return;
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
      team: context.teamId ?? null,
      channel: mention.channel,
      user: mention.user,
      messageTs: aboutTs,
    });
    await warnAboutSecrets(deps, client, triaged, {
      channel: mention.channel,
      user: mention.user ?? null,
      threadTs,
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

/**
 * Uninstalled, or its bot token revoked: the workspace's installation goes (its events can no longer be
 * answered); its triages and figures stay until the retention purge, as for any workspace.
 */
export function registerInstallationListeners(app: App, deps: SlackDeps): void {
  const forget = async (
    why: string,
    context: { teamId?: string; enterpriseId?: string; isEnterpriseInstall?: boolean },
  ) => {
    const installations = deps.installations;
    if (!installations) return;
    const query = {
      teamId: context.teamId,
      enterpriseId: context.enterpriseId,
      isEnterpriseInstall: context.isEnterpriseInstall === true,
    };
    await installations.deleteInstallation(query);
    deps.logger.info(
      { team: query.teamId ?? null, enterprise: query.enterpriseId ?? null, why },
      "installation removed",
    );
  };
  app.event("app_uninstalled", async ({ context }) => {
    await forget("app_uninstalled", context);
  });
  app.event("tokens_revoked", async ({ event, context }) => {
    // Only the bot's token matters: user tokens are never asked for.
    const bots = (event as { tokens?: { bot?: string[] } }).tokens?.bot ?? [];
    if (bots.length > 0) await forget("tokens_revoked", context);
  });
}

/** App Home: deflection figures, top and disputed articles, KB gaps, channel settings and KB status. */
export function registerHomeListeners(app: App, deps: SlackDeps): void {
  app.event("app_home_opened", async ({ event, client, context }) => {
    const opened = event as { user?: string; tab?: string };
    if (!opened.user || (opened.tab !== undefined && opened.tab !== "home")) return;
    await publishHome(deps, client, opened.user, context.teamId);
  });
}

/** Builds and publishes one user's App Home (also after an admin saves channel settings). */
export async function publishHome(
  deps: SlackDeps,
  client: WebClient,
  user: string,
  team: string | undefined,
): Promise<void> {
  const store = deps.store;
  // Installed in several workspaces: each sees its own figures and gaps only.
  const only = deps.multiWorkspace ? (team ?? "") : undefined;
  const now = Date.now();
  const [week, month, gaps, settings] = store
    ? await Promise.all([
        store.stats(7, now, only),
        store.stats(30, now, only),
        store.gaps(30, 20, now, only),
        store.listChannelSettings(),
      ]).catch((error: unknown) => {
        deps.logger.error({ err: error }, "could not read the figures for App Home");
        return [emptyStats(7), emptyStats(30), [], []] as const;
      })
    : ([emptyStats(7), emptyStats(30), [], []] as const);
  const kb = deps.kbStatus?.(team ?? null) ?? {
    articles: matcherOf(deps, team).size,
    errors: 0,
    warnings: 0,
    loadedAt: null,
  };
  const admin = await isAdmin(deps, client, user);
  await client.views.publish({
    user_id: user,
    view: homeView({ week, month, gaps, kb, settings, admin }) as never,
  });
}
