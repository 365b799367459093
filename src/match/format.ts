import type { MatchResponse } from "./types.js";

const VERDICT_TEXT: Record<MatchResponse["verdict"], string> = {
  match: "Match",
  possible: "Possible matches (none certain)",
  none: "No matching article",
};

/** A match response as `triage match` prints it. */
export function formatMatch(response: MatchResponse): string {
  const out = [VERDICT_TEXT[response.verdict]];
  response.results.forEach((result, n) => {
    const { article, score, why } = result;
    out.push("", `${n + 1}. ${article.id}  ${article.title}  (score ${score.toFixed(2)})`);
    out.push(`   matched ${why.field === "error" ? "quoted error" : why.field}: ${why.line}`);
    const shared = [...why.codes, ...why.terms];
    if (shared.length > 0) out.push(`   shared: ${shared.join(", ")}`);
    out.push(`   source: ${article.source}`);
  });
  return out.join("\n");
}
