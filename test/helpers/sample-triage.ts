/** A triage row as the store keeps it, for store tests: a confident answer to "System error 53", overridable. */
import type { TriageRow } from "../../src/store/store.js";

let next = 0;

export function sampleTriage(over: Partial<TriageRow> = {}): TriageRow {
  return {
    id: `t${++next}`,
    at: Date.now(),
    team: "T0TEAM0001",
    channel: "C0CHAN0001",
    user: "U0USER0001",
    source: "channel",
    text: "System error 53 has occurred.",
    textHash: "h-53",
    verdict: "match",
    topArticle: "KT1007",
    score: 0.97,
    latencyMs: 3.2,
    messageTs: "1732500000.000100",
    ...over,
  };
}
