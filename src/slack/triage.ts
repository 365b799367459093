/**
 * What every listener shares: run the matcher on a paste, remember the triage (buttons carry only its id),
 * and turn the result into the reply for that surface. No Bolt here, so it is tested on its own.
 */

import type { WebClient } from "@slack/web-api";
import type { Logger } from "pino";
import { redactSecrets, type SecretKind } from "../match/secrets.js";
import type { AsyncMatcher } from "../match/threaded.js";
import type { MatchResponse } from "../match/types.js";
import { answerBlocks, noMatchBlocks, possibleBlocks } from "../reply/blocks.js";
import type { KbStatus } from "../reply/home.js";
import { secretWarning } from "../reply/secret-warning.js";
import type { RecentTriages, TriageRecord, TriageSource } from "../store/recent-triages.js";
import { normalizedErrorText, triageRow } from "../store/rows.js";
import type { TriageStore } from "../store/store.js";
import type { Deduper } from "./dedupe.js";
import type { TriageInstallationStore } from "./installations.js";

export interface SlackDeps {
  /** The shared knowledge base (and every workspace's when there is no `matcherFor`). */
  matcher: AsyncMatcher;
  /** The matcher of a workspace: its own knowledge folder merged over the shared one, else the shared one. */
  matcherFor?: (team: string | null) => AsyncMatcher;
  triages: RecentTriages;
  dedupe: Deduper;
  logger: Logger;
  /** Channels where every message is triaged, not only error-shaped ones. */
  triageChannels: ReadonlySet<string>;
  /** Where triages are recorded (none in some tests); `storeText` false keeps only a hash of the text. */
  store?: TriageStore;
  storeText?: boolean;
  /** Channel id escalations go to; without it "Escalate" is not offered. */
  helpdeskChannel?: string | null;
  /** Where escalations are also POSTed (a ticketing system); `webhookRetryDelayMs` only for tests. */
  escalationWebhook?: { url: string; secret: string } | null;
  webhookRetryDelayMs?: number;
  /** Who may change channel settings, and the settings where none are stored. */
  adminUsers?: ReadonlySet<string>;
  channelDefaults?: {
    mode: "off" | "mentions" | "errors" | "all";
    minScore: number;
    cooldownMinutes: number;
  };
  /** The knowledge base's state for App Home (that workspace's, when it has its own folder). */
  kbStatus?: (team?: string | null) => KbStatus;
  /** Installed in several workspaces (OAuth): App Home shows each workspace its own figures only. */
  multiWorkspace?: boolean;
  /** Where installations are kept (OAuth); uninstalls and revoked tokens delete them. */
  installations?: TriageInstallationStore;
  /** Loads the knowledge folder again (App Home's admin button); settles when the new index serves. */
  reloadKnowledge?: () => Promise<unknown>;
}

/** The buttons of an answer: feedback first ("Fixed it", "Not it", "Escalate" when there is a helpdesk). */
export function answerButtons(deps: SlackDeps, more: ReplyButtons): ReplyButtons {
  const escalation = Boolean(deps.helpdeskChannel || deps.escalationWebhook);
  return ["fixed", "notIt", ...(escalation ? (["escalate"] as const) : []), ...more];
}

export interface Triaged {
  record: TriageRecord;
  response: MatchResponse;
  /** What looked like secrets in the paste; they were replaced by `[redacted]` before anything else. */
  secrets: SecretKind[];
  /** The paste reduced to its error (normalizedErrorText), computed once for the store and the cooldown. */
  normalized: string;
}

export async function triage(
  deps: SlackDeps,
  text: string,
  where: {
    source: TriageSource;
    /** The workspace (Bolt's context.teamId), kept with the triage for per-workspace figures. */
    team: string | null;
    channel: string | null;
    user: string | null;
    messageTs: string | null;
  },
): Promise<Triaged> {
  const started = performance.now();
  // Secrets never go further than this: matched, stored, escalated and re-matched is the redacted text.
  const redaction = redactSecrets(text);
  const secrets = [...new Set(redaction.found.map((f) => f.kind))];
  const response = await matcherOf(deps, where.team).match(redaction.text, { limit: 5 });
  const { team } = where;
  const record = deps.triages.add({
    ...where,
    text: redaction.text,
    verdict: response.verdict,
    results: response.results.map((r) => ({ articleId: r.article.id, score: r.score })),
  });
  const ms = performance.now() - started;
  // The matcher reduced the paste already (in its worker); normalizing here is only the fallback.
  const normalized = response.normalized ?? normalizedErrorText(redaction.text);
  recordInBackground(deps, record.id, "the triage", (store) =>
    store.recordTriage(
      triageRow(record, response, ms, { storeText: deps.storeText !== false, normalized, team }),
    ),
  );
  deps.logger.info(
    {
      triage: record.id,
      source: where.source,
      channel: where.channel,
      verdict: response.verdict,
      top: response.results[0]?.article.id ?? null,
      score: response.results[0]?.score ?? null,
      ms: Math.round(ms),
      ...(secrets.length > 0 ? { secretsRedacted: secrets } : {}),
    },
    "triaged",
  );
  return { record, response, secrets, normalized };
}

/** The knowledge base a workspace is answered from (its own folder's when it has one). */
export function matcherOf(deps: SlackDeps, team: string | null | undefined): AsyncMatcher {
  return deps.matcherFor?.(team ?? null) ?? deps.matcher;
}

/**
 * Tells the person, privately, that their message held what looks like a secret: it was left out of the
 * lookup and the records, but the message itself is still there for everyone in the conversation to read.
 */
export async function warnAboutSecrets(
  deps: SlackDeps,
  client: WebClient,
  triaged: Triaged,
  where: { channel: string | null; user: string | null; threadTs?: string | undefined },
): Promise<void> {
  if (triaged.secrets.length === 0 || !where.channel || !where.user) return;
  await client.chat
    .postEphemeral({
      channel: where.channel,
      user: where.user,
      ...(where.threadTs ? { thread_ts: where.threadTs } : {}),
      text: secretWarning(triaged.secrets, true),
    })
    .catch((error: unknown) => deps.logger.warn({ err: error }, "could not warn about a pasted secret"));
}

/**
 * Writes to the store without holding up or breaking the answer: not awaited, and a failure (thrown or
 * rejected) is only logged. Nothing happens without a store.
 */
export function recordInBackground(
  deps: SlackDeps,
  triageId: string,
  what: string,
  write: (store: TriageStore) => Promise<void>,
): void {
  const store = deps.store;
  if (!store) return;
  Promise.resolve()
    .then(() => write(store))
    .catch((error: unknown) =>
      deps.logger.error({ err: error, triage: triageId }, `could not record ${what}`),
    );
}

export type ReplyButtons = Parameters<typeof answerBlocks>[0]["buttons"];

/** The reply for a triage: the answer, up to 3 candidates, or an honest "no match". */
export function replyFor(
  { record, response }: Triaged,
  options: { buttons: ReplyButtons; mentioned: boolean },
): { text: string; blocks: unknown[] } {
  const top = response.results[0];
  if (response.verdict === "match" && top) {
    return answerBlocks({ triageId: record.id, result: top, verdict: "match", buttons: options.buttons });
  }
  if (response.verdict === "possible" && response.results.length > 0) {
    return possibleBlocks({ triageId: record.id, results: response.results.slice(0, 3) });
  }
  return noMatchBlocks({ mentioned: options.mentioned });
}

/** Slack wraps the bot's mention as `<@U123>`; the paste is the rest. */
export function withoutMention(text: string, botUserId: string | undefined): string {
  if (!botUserId) return text.trim();
  return text.split(`<@${botUserId}>`).join(" ").trim();
}
