/**
 * Buttons on answers. Each value holds only ids (a triage id, an article id); the rest is looked up, and a
 * click on a triage that is too old, or on an article removed from the knowledge base, gets a polite
 * ephemeral explanation.
 */
import type { App, BlockButtonAction } from "@slack/bolt";
import { sendEscalationWebhook } from "../../escalation/webhook.js";
import type { MatchResult } from "../../match/types.js";
import { answerBlocks, articleModal, notItBlocks, otherMatchesBlocks } from "../../reply/blocks.js";
import { ACTIONS, decodeButtonValue, SETTINGS_MODAL_CALLBACK } from "../../reply/ids.js";
import { escapeMrkdwn, truncate } from "../../reply/mrkdwn.js";
import { readSettingsSubmission, SETTINGS_FIELDS, settingsModal } from "../../reply/settings-modal.js";
import type { TriageRecord } from "../../store/recent-triages.js";
import type { FeedbackKind } from "../../store/store.js";
import { BUILT_IN_DEFAULTS, isAdmin } from "../channel-settings.js";
import { answerButtons, matcherOf, recordInBackground, type SlackDeps } from "../triage.js";
import { publishHome } from "./events.js";

const STALE =
  "That answer is too old for me to act on (or its article has left the knowledge base). Paste the error again, or use /triage.";

type Respond = (message: Record<string, unknown>) => Promise<unknown>;

/** A reply only the clicking user sees, added below the message (not replacing it). */
const ephemeral = (respond: Respond, message: { text: string; blocks?: unknown[] }) =>
  respond({ response_type: "ephemeral", replace_original: false, ...message });

export function registerActionListeners(app: App, deps: SlackDeps): void {
  /** The triage and article behind a click, or null after telling the user why not. */
  const lookUp = async (
    value: string | undefined,
    respond: Respond,
  ): Promise<{ record: TriageRecord; articleId: string | undefined } | null> => {
    const ids = decodeButtonValue(value ?? "");
    const record = ids ? (deps.triages.get(ids.triageId) ?? (await fromStore(ids.triageId))) : undefined;
    if (!ids || !record) {
      await ephemeral(respond, { text: STALE });
      return null;
    }
    // A button without an article id refers to the triage's top answer.
    return { record, articleId: ids.articleId ?? record.results[0]?.articleId };
  };
  /**
   * A triage answered before a restart: rebuilt from the database, with its stored (normalized) text. Without
   * the text (STORE_QUERY_TEXT=false) it cannot be matched again, so it counts as gone.
   */
  const fromStore = async (id: string): Promise<TriageRecord | undefined> => {
    const row = await deps.store?.triage(id).catch(() => undefined);
    if (!row?.text) return undefined;
    return {
      id: row.id,
      source: row.source,
      text: row.text,
      team: row.team,
      channel: row.channel,
      user: row.user,
      messageTs: row.messageTs ?? null,
      verdict: row.verdict,
      results: row.topArticle ? [{ articleId: row.topArticle, score: row.score ?? 0 }] : [],
      at: row.at,
    };
  };
  /** The record's paste matched again, for the result of one article (scores and "why" are not stored). */
  const resultFor = async (record: TriageRecord, articleId: string): Promise<MatchResult | null> => {
    // The triage's own workspace's knowledge: a button never shows another workspace's articles.
    const matcher = matcherOf(deps, record.team);
    const response = await matcher.match(record.text, { limit: 20 });
    const found = response.results.find((r) => r.article.id === articleId);
    if (found) return found;
    const article = await matcher.article(articleId);
    if (!article) return null;
    const score = record.results.find((r) => r.articleId === articleId)?.score ?? 0;
    return { article, score, why: { line: "", field: "error", codes: [], terms: [] } };
  };
  /** Feedback goes to the store when there is one; a store failure is logged, never shown. */
  const recordFeedback = (
    triageId: string,
    user: string,
    kind: FeedbackKind,
    articleId: string | undefined,
  ) => {
    recordInBackground(deps, triageId, "feedback", (store) =>
      store.recordFeedback({ triageId, at: Date.now(), user, kind, articleId: articleId ?? null }),
    );
  };

  /** The triage and the result for the clicked article, or null after telling the user why not. */
  const answerFor = async (value: string | undefined, respond: Respond) => {
    const found = await lookUp(value, respond);
    if (!found) return null;
    const result = found.articleId ? await resultFor(found.record, found.articleId) : null;
    if (!result) {
      await ephemeral(respond, { text: STALE });
      return null;
    }
    return { record: found.record, result };
  };

  app.action<BlockButtonAction>(ACTIONS.share, async ({ ack, action, body, respond }) => {
    await ack();
    const found = await answerFor(action.value, respond);
    if (!found) return;
    const reply = answerBlocks({
      triageId: found.record.id,
      result: found.result,
      verdict: found.record.verdict,
      buttons: ["fullArticle"],
      sharedBy: body.user.id,
    });
    await respond({
      response_type: "in_channel",
      replace_original: false,
      ...reply,
      blocks: reply.blocks as never,
    });
    // The private copy has served its purpose.
    await respond({ delete_original: true }).catch(() => undefined);
  });

  app.action<BlockButtonAction>(ACTIONS.otherMatches, async ({ ack, action, respond }) => {
    await ack();
    const found = await lookUp(action.value, respond);
    if (!found) return;
    const response = await matcherOf(deps, found.record.team).match(found.record.text, { limit: 4 });
    const shown = found.articleId;
    const others = response.results.filter((r) => r.article.id !== shown).slice(0, 3);
    await ephemeral(
      respond,
      otherMatchesBlocks({ triageId: found.record.id, results: others, excludeArticleId: shown ?? "" }),
    );
  });

  app.action<BlockButtonAction>(ACTIONS.pick, async ({ ack, action, body, respond }) => {
    await ack();
    const found = await answerFor(action.value, respond);
    if (!found) return;
    recordFeedback(found.record.id, body.user.id, "picked", found.result.article.id);
    await ephemeral(
      respond,
      answerBlocks({
        triageId: found.record.id,
        result: found.result,
        verdict: "possible",
        buttons: ["fullArticle"],
      }),
    );
  });

  app.action<BlockButtonAction>(
    ACTIONS.fullArticle,
    async ({ ack, action, body, client, context, respond }) => {
      await ack();
      const ids = decodeButtonValue(action.value ?? "");
      const remembered = ids ? deps.triages.get(ids.triageId) : undefined;
      const articleId = ids?.articleId ?? remembered?.results[0]?.articleId;
      // The article as the triage's workspace knows it; the database is asked only when workspaces differ.
      const stored = !remembered && ids && deps.matcherFor ? await fromStore(ids.triageId) : undefined;
      const team = (remembered ?? stored)?.team ?? context.teamId ?? null;
      const article = articleId ? await matcherOf(deps, team).article(articleId) : undefined;
      if (!article) {
        await ephemeral(respond, { text: STALE });
        return;
      }
      await client.views.open({ trigger_id: body.trigger_id, view: articleModal(article) as never });
    },
  );

  app.action<BlockButtonAction>(ACTIONS.postInThread, async ({ ack, action, body, client, respond }) => {
    await ack();
    const found = await answerFor(action.value, respond);
    if (!found) return;
    const { channel, messageTs } = found.record;
    if (!channel || !messageTs) {
      await ephemeral(respond, { text: STALE });
      return;
    }
    const reply = answerBlocks({
      triageId: found.record.id,
      result: found.result,
      verdict: found.record.verdict,
      buttons: ["otherMatches", "fullArticle"],
      sharedBy: body.user.id,
    });
    try {
      await client.chat.postMessage({
        channel,
        thread_ts: messageTs,
        text: reply.text,
        blocks: reply.blocks as never,
        unfurl_links: false,
        unfurl_media: false,
      });
      await respond({ delete_original: true }).catch(() => undefined);
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code !== "not_in_channel" && code !== "channel_not_found") throw error;
      await ephemeral(respond, {
        text: "I can't post in this channel yet: invite me with `/invite @kb-triage`, then try again.",
      });
    }
  });

  app.action<BlockButtonAction>(ACTIONS.fixed, async ({ ack, action, body, client, respond }) => {
    await ack();
    const found = await answerFor(action.value, respond);
    if (!found) return;
    const user = body.user.id;
    recordFeedback(found.record.id, user, "fixed", found.result.article.id);
    const { channel, messageTs } = found.record;
    if (channel && messageTs) {
      // A ✅ on the original message, where the bot may react (already there, or not a member: fine).
      await client.reactions
        .add({ channel, timestamp: messageTs, name: "white_check_mark" })
        .catch((error: unknown) => deps.logger.debug({ err: error, channel }, "no reaction added"));
    }
    const reply = answerBlocks({
      triageId: found.record.id,
      result: found.result,
      verdict: found.record.verdict,
      buttons: answerButtons(deps, ["fullArticle"]).filter((b) => b !== "fixed" && b !== "notIt"),
      confirmedBy: [user],
    });
    await respond({ replace_original: true, ...reply, blocks: reply.blocks as never });
  });

  app.action<BlockButtonAction>(ACTIONS.notIt, async ({ ack, action, body, respond }) => {
    await ack();
    const found = await lookUp(action.value, respond);
    if (!found) return;
    recordFeedback(found.record.id, body.user.id, "not_it", found.articleId);
    const response = await matcherOf(deps, found.record.team).match(found.record.text, { limit: 4 });
    await ephemeral(
      respond,
      notItBlocks({
        triageId: found.record.id,
        results: response.results,
        excludeArticleId: found.articleId ?? "",
      }),
    );
  });

  app.action<BlockButtonAction>(ACTIONS.escalate, async ({ ack, action, body, client, respond }) => {
    await ack();
    const helpdesk = deps.helpdeskChannel;
    const webhook = deps.escalationWebhook;
    const found = await lookUp(action.value, respond);
    if (!found) return;
    if (!helpdesk && !webhook) {
      await ephemeral(respond, {
        text: "Escalation is not set up in this workspace: ask your helpdesk directly.",
      });
      return;
    }
    const { record } = found;
    const user = body.user.id;
    const permalink =
      record.channel && record.messageTs
        ? await client.chat
            .getPermalink({ channel: record.channel, message_ts: record.messageTs })
            .then((r) => r.permalink ?? null)
            .catch(() => null)
        : null;
    const feedback = deps.store ? await deps.store.feedbackFor(record.id).catch(() => []) : [];
    let postedTs: string | null = null;
    if (helpdesk) {
      const summary = escalationSummary({ user, record, permalink, feedback });
      const posted = await client.chat.postMessage({
        channel: helpdesk,
        text: summary.text,
        blocks: summary.blocks as never,
        unfurl_links: false,
        unfurl_media: false,
      });
      postedTs = posted.ts ?? null;
    }
    let ticketUrl: string | null = null;
    if (webhook) {
      const result = await sendEscalationWebhook(
        webhook.url,
        webhook.secret,
        {
          type: "kb_triage.escalation",
          version: 1,
          triage_id: record.id,
          escalated_at: new Date().toISOString(),
          escalated_by: { user_id: user },
          source: record.source,
          channel_id: record.channel,
          message_ts: record.messageTs,
          permalink,
          error_text: record.text,
          verdict: record.verdict,
          candidates: record.results.slice(0, 5).map((r) => ({ article_id: r.articleId, score: r.score })),
          feedback: feedback.map((f) => ({
            kind: f.kind,
            user_id: f.user,
            article_id: f.articleId,
            at: new Date(f.at).toISOString(),
          })),
        },
        deps.webhookRetryDelayMs === undefined ? {} : { baseDelayMs: deps.webhookRetryDelayMs },
      );
      if (result.ok) ticketUrl = result.ticketUrl;
      else
        deps.logger.error(
          { triage: record.id, status: result.status, error: result.error, attempts: result.attempts },
          "escalation webhook failed",
        );
    }
    recordInBackground(deps, record.id, "the escalation", (store) =>
      store.recordEscalation({
        triageId: record.id,
        at: Date.now(),
        user,
        channel: record.channel,
        postedTs,
        ticketUrl,
      }),
    );
    const where = helpdesk ? ` in <#${helpdesk}>` : "";
    const ticket = ticketUrl
      ? ` Ticket: <${ticketUrl.replace(/[<>|]/g, encodeURIComponent)}|${escapeMrkdwn(ticketUrl)}>`
      : "";
    const told = `:raising_hand: <@${user}> passed this to the helpdesk${where}. They have the error and what I suggested.${ticket}`;
    if (record.channel && record.messageTs) {
      await client.chat.postMessage({ channel: record.channel, thread_ts: record.messageTs, text: told });
    } else {
      await ephemeral(respond, { text: told });
    }
  });

  app.action<BlockButtonAction>(ACTIONS.editSettings, async ({ ack, body, client, respond }) => {
    await ack();
    if (!(await isAdmin(deps, client, body.user.id))) {
      await ephemeral(respond, { text: "Only helpdesk admins can change channel settings." }).catch(
        () => undefined,
      );
      return;
    }
    await client.views.open({
      trigger_id: body.trigger_id,
      view: settingsModal(deps.channelDefaults ?? BUILT_IN_DEFAULTS) as never,
    });
  });

  app.action<BlockButtonAction>(ACTIONS.reloadKnowledge, async ({ ack, body, client, context }) => {
    await ack();
    const user = body.user.id;
    if (!deps.reloadKnowledge || !(await isAdmin(deps, client, user))) {
      deps.logger.warn({ user }, "knowledge reload refused: not an admin");
      return;
    }
    deps.logger.info({ user }, "knowledge reload asked from App Home");
    await deps.reloadKnowledge();
    await publishHome(deps, client, user, context.teamId);
  });

  app.view(SETTINGS_MODAL_CALLBACK, async ({ ack, view, body, client, context }) => {
    const read = readSettingsSubmission(view.state.values as never);
    if (!read.ok) {
      await ack({ response_action: "errors", errors: read.errors });
      return;
    }
    const user = body.user.id;
    if (!(await isAdmin(deps, client, user))) {
      await ack({
        response_action: "errors",
        errors: { [SETTINGS_FIELDS.channel.block]: "Only helpdesk admins can change channel settings." },
      });
      return;
    }
    if (!deps.store) {
      await ack({
        response_action: "errors",
        errors: { [SETTINGS_FIELDS.channel.block]: "Settings need the bot's database." },
      });
      return;
    }
    await ack();
    await deps.store.setChannelSettings({ ...read.settings, updatedBy: user, updatedAt: Date.now() });
    await publishHome(deps, client, user, context.teamId);
  });
}

/** The helpdesk's view of an escalation: who, where, the paste as written, what the bot offered, feedback. */
export function escalationSummary(input: {
  user: string;
  record: TriageRecord;
  permalink: string | null;
  feedback: { kind: string; user: string | null; articleId: string | null }[];
}): { text: string; blocks: unknown[] } {
  const { user, record, permalink, feedback } = input;
  const where = permalink
    ? `<${permalink}|this message>${record.channel ? ` in <#${record.channel}>` : ""}`
    : record.channel
      ? `<#${record.channel}>`
      : `a ${record.source}`;
  // The paste as the person wrote it, escaped and fenced so it can neither ping nor break out of the block.
  const pasted = truncate(escapeMrkdwn(record.text), 2500).replace(/```/g, "`\u200b``");
  const candidates =
    record.results.length > 0
      ? record.results
          .slice(0, 3)
          .map((r) => `\`${escapeMrkdwn(r.articleId)}\` (${Math.round(r.score * 100)} %)`)
          .join(", ")
      : "none";
  const said =
    feedback.length > 0
      ? feedback
          .map(
            (f) =>
              `${f.kind.replace("_", " ")}${f.articleId ? ` \`${escapeMrkdwn(f.articleId)}\`` : ""}${f.user ? ` by <@${f.user}>` : ""}`,
          )
          .join("; ")
      : "none yet";
  const text = `Escalated by <@${user}> from ${where}`;
  return {
    text,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `:rotating_light: *${text}*` } },
      { type: "section", text: { type: "mrkdwn", text: `*The error as pasted*\n\`\`\`\n${pasted}\n\`\`\`` } },
      {
        type: "context",
        elements: [
          { type: "mrkdwn", text: `Verdict: ${record.verdict} · Suggested: ${candidates}` },
          { type: "mrkdwn", text: `Feedback: ${said}` },
        ],
      },
    ],
  };
}
