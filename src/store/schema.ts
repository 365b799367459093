/**
 * The database's tables as Kysely sees them, the same on SQLite and PostgreSQL. Times are epoch milliseconds
 * (bigint on PostgreSQL, read back as numbers), scores and latencies double precision.
 */
import type { Generated } from "kysely";

export interface TriagesTable {
  id: string;
  at: number;
  team: string | null;
  channel: string | null;
  user: string | null;
  source: string;
  text: string | null;
  text_hash: string;
  verdict: "match" | "possible" | "none";
  top_article: string | null;
  score: number | null;
  latency_ms: number;
  message_ts: string | null;
}

export interface FeedbackTable {
  triage_id: string;
  at: number;
  user: string | null;
  kind: "fixed" | "not_it" | "picked";
  article_id: string | null;
}

export interface EscalationsTable {
  triage_id: string;
  at: number;
  user: string | null;
  channel: string | null;
  posted_ts: string | null;
  ticket_url: string | null;
}

export interface ChannelSettingsTable {
  channel: string;
  mode: "off" | "mentions" | "errors" | "all";
  min_score: number;
  cooldown_minutes: number;
  updated_by: string | null;
  updated_at: number;
}

export interface InstallationsTable {
  /** `E…` for an org-wide install on Enterprise Grid, else the workspace's `T…`. */
  id: string;
  team_id: string | null;
  enterprise_id: string | null;
  is_enterprise_install: Generated<number>;
  bot_user_id: string | null;
  bot_id: string | null;
  scopes: string | null;
  /** The whole installation as Bolt gives it, JSON, encrypted (AES-256-GCM with ENCRYPTION_KEY). */
  sealed: string;
  installed_at: number;
  updated_at: number;
}

export interface Database {
  triages: TriagesTable;
  feedback: FeedbackTable;
  escalations: EscalationsTable;
  channel_settings: ChannelSettingsTable;
  installations: InstallationsTable;
}
