/** Turns a triage into the row the store keeps: the normalized text (or only its hash) and the outcome. */
import { createHash } from "node:crypto";
import { normalizePaste } from "../match/normalize.js";
import type { MatchResponse } from "../match/types.js";
import type { TriageRecord } from "./recent-triages.js";
import type { TriageRow } from "./store.js";

export const MAX_STORED_TEXT = 500;

export function triageRow(
  record: TriageRecord,
  response: MatchResponse,
  latencyMs: number,
  options: { storeText: boolean; team?: string | null; normalized?: string },
): TriageRow {
  // Masked and cleaned, so the same error from two people (different paths, user names) groups as one gap.
  const normalized = options.normalized ?? normalizedErrorText(record.text);
  const top = response.results[0];
  return {
    id: record.id,
    at: record.at,
    team: options.team ?? null,
    channel: record.channel,
    user: record.user,
    source: record.source,
    text: options.storeText ? normalized.slice(0, MAX_STORED_TEXT) : null,
    textHash: createHash("sha256").update(normalized.toLowerCase()).digest("hex"),
    verdict: response.verdict,
    topArticle: top?.article.id ?? null,
    score: top?.score ?? null,
    latencyMs,
    messageTs: record.messageTs,
  };
}

/** A paste reduced to its error: cleaned, masked, whitespace collapsed (how the same error compares alike). */
export function normalizedErrorText(text: string): string {
  return normalizePaste(text).text.replace(/\s+/g, " ").trim();
}
