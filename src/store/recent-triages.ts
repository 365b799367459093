/**
 * Triages the bot answered recently, by id: buttons carry only a triage id (never the pasted text), and a
 * click looks the rest up here. In memory and bounded; issue 6 persists them in SQLite.
 */
import { randomUUID } from "node:crypto";

export type TriageSource = "channel" | "mention" | "dm" | "command" | "shortcut" | "snippet" | "workflow";

export interface TriageRecord {
  id: string;
  source: TriageSource;
  /** The paste as the person wrote it. */
  text: string;
  /** The workspace it came from (Bolt's teamId): its buttons are answered from that workspace's knowledge. */
  team?: string | null;
  channel: string | null;
  user: string | null;
  /** The message the triage is about, when there is one. */
  messageTs: string | null;
  verdict: "match" | "possible" | "none";
  /** Article ids best first, with their scores. */
  results: { articleId: string; score: number }[];
  at: number;
}

export interface RecentTriages {
  add(record: Omit<TriageRecord, "id" | "at">): TriageRecord;
  get(id: string): TriageRecord | undefined;
  readonly size: number;
}

export function createRecentTriages({
  max = 10_000,
  ttlMs = 7 * 24 * 3600_000,
  now = Date.now,
} = {}): RecentTriages {
  const records = new Map<string, TriageRecord>();
  return {
    add(record) {
      const full: TriageRecord = { ...record, id: randomUUID().replace(/-/g, "").slice(0, 20), at: now() };
      records.set(full.id, full);
      while (records.size > max) records.delete(records.keys().next().value as string);
      return full;
    },
    get(id) {
      const record = records.get(id);
      if (record && now() - record.at > ttlMs) {
        records.delete(id);
        return undefined;
      }
      return record;
    },
    get size() {
      return records.size;
    },
  };
}
