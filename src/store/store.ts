/**
 * What the app remembers: every triage, the feedback on answers and the escalations. One implementation on
 * Kysely (`kysely-store.ts`) over SQLite (`sqlite-store.ts`, the default) or PostgreSQL (`postgres-store.ts`).
 * Writes never block or fail a reply: callers log a store error and answer anyway.
 */
import type { TriageSource } from "./recent-triages.js";

export type Verdict = "match" | "possible" | "none";
export type FeedbackKind = "fixed" | "not_it" | "picked";

export interface TriageRow {
  id: string;
  /** Epoch milliseconds. */
  at: number;
  team: string | null;
  channel: string | null;
  user: string | null;
  source: TriageSource;
  /** The normalized error text, at most 500 characters; null when only its hash is kept (STORE_QUERY_TEXT=false). */
  text: string | null;
  /** SHA-256 of the normalized text, so gaps group even without the text. */
  textHash: string;
  verdict: Verdict;
  topArticle: string | null;
  score: number | null;
  latencyMs: number;
  /** The message the triage is about, when there is one. */
  messageTs: string | null;
}

export interface FeedbackRow {
  triageId: string;
  at: number;
  user: string | null;
  kind: FeedbackKind;
  articleId: string | null;
}

export interface EscalationRow {
  triageId: string;
  at: number;
  user: string | null;
  channel: string | null;
  /** Where the escalation was posted and the ticket a webhook opened, when known. */
  postedTs: string | null;
  ticketUrl: string | null;
}

export interface Stats {
  days: number;
  triaged: number;
  answered: number;
  fixed: number;
  notIt: number;
  escalated: number;
  /** fixed ÷ triaged, 0 when nothing was triaged. */
  deflectionRate: number;
  topArticles: { articleId: string; answered: number; fixed: number; notIt: number }[];
}

/** The figures of a window with nothing in it (no store, or a store that failed). */
export function emptyStats(days: number): Stats {
  return {
    days,
    triaged: 0,
    answered: 0,
    fixed: 0,
    notIt: 0,
    escalated: 0,
    deflectionRate: 0,
    topArticles: [],
  };
}

export interface Gap {
  /** A representative normalized text of the group (null when texts are not stored). */
  text: string | null;
  textHash: string;
  count: number;
  lastSeen: number;
  /** The most recent verdict of the group: `none` or `possible`. */
  verdict: Verdict;
}

/** How the bot behaves in one channel, set by a helpdesk admin. */
export interface ChannelSettings {
  channel: string;
  /** off: silent; mentions: only when asked; errors: error-shaped pastes; all: every message. */
  mode: "off" | "mentions" | "errors" | "all";
  /** The confidence an answer nobody asked for needs. */
  minScore: number;
  /** The same error again within this many minutes gets a pointer to the earlier answer (0: no cooldown). */
  cooldownMinutes: number;
  updatedBy: string | null;
  updatedAt: number;
}

/** A workspace's (or an org's) installation of the app, its tokens sealed (seal.ts). */
export interface InstallationRow {
  /** The enterprise id for an org-wide install, else the team id. */
  id: string;
  teamId: string | null;
  enterpriseId: string | null;
  isEnterpriseInstall: boolean;
  botUserId: string | null;
  botId: string | null;
  scopes: string | null;
  /** The installation Bolt gave, as JSON, sealed with ENCRYPTION_KEY. */
  sealed: string;
  installedAt: number;
  updatedAt: number;
}

export interface TriageStore {
  recordTriage(row: TriageRow): Promise<void>;
  recordFeedback(row: FeedbackRow): Promise<void>;
  recordEscalation(row: EscalationRow): Promise<void>;
  triage(id: string): Promise<TriageRow | undefined>;
  feedbackFor(triageId: string): Promise<FeedbackRow[]>;
  /** The figures of the last `days`; of one workspace's triages when `team` is given, else of all. */
  stats(days: number, now?: number, team?: string): Promise<Stats>;
  /** The most frequent errors without a confident answer, grouped by normalized text (of `team` when given). */
  gaps(days: number, limit?: number, now?: number, team?: string): Promise<Gap[]>;
  channelSettings(channel: string): Promise<ChannelSettings | undefined>;
  setChannelSettings(settings: ChannelSettings): Promise<void>;
  /** Every channel an admin has set, most recently changed first. */
  listChannelSettings(): Promise<ChannelSettings[]>;
  /** Saves an installation (a reinstall replaces it, keeping when it was first installed). */
  saveInstallation(row: InstallationRow): Promise<void>;
  installation(id: string): Promise<InstallationRow | undefined>;
  /** Removes an installation (uninstalled, tokens revoked); the workspace's triages stay until retention. */
  deleteInstallation(id: string): Promise<boolean>;
  /** True when the database answers (a trivial query within a few seconds), for /readyz. */
  ping(): Promise<boolean>;
  /** Deletes rows older than `days`; returns how many triages went. */
  purge(days: number, now?: number): Promise<number>;
  close(): Promise<void>;
}
