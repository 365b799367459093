/**
 * The Workflow Builder custom step "Find the KB article for an error": input `error_text`, outputs the verdict
 * and the top article in plain text, so an intake form can show the fix before a ticket is filed. Recorded
 * like any other triage (source `workflow`).
 */
import type { App } from "@slack/bolt";
import { FUNCTION_CALLBACK } from "../../reply/ids.js";
import { sanitizeText } from "../../reply/mrkdwn.js";
import { type SlackDeps, triage } from "../triage.js";

// Workflow outputs are plain strings shown in later steps; long ones are cut.
const MAX_OUTPUT = 3000;

export function registerFunctionListeners(app: App, deps: SlackDeps): void {
  app.function(FUNCTION_CALLBACK, async ({ inputs, complete, fail, body, context }) => {
    const text = typeof inputs.error_text === "string" ? inputs.error_text.trim() : "";
    if (!/[\p{L}\p{N}]/u.test(text)) {
      await fail({
        error: 'Give the step the text of the error message (the "error_text" input was empty).',
      });
      return;
    }
    const event = (body as { event?: { workflow_execution_id?: string } }).event;
    const triaged = await triage(deps, text, {
      source: "workflow",
      team: context.teamId ?? null,
      channel: null,
      user: null,
      messageTs: null,
    });
    const top = triaged.response.results[0];
    const answer = triaged.response.verdict !== "none" ? top : undefined;
    const article = answer?.article;
    deps.logger.debug({ workflow: event?.workflow_execution_id, triage: triaged.record.id }, "workflow step");
    await complete({
      outputs: {
        verdict: triaged.response.verdict,
        article_id: article?.id ?? "",
        title: plainOutput(article?.title ?? ""),
        url: article?.url && /^https?:\/\//.test(article.url) ? article.url : "",
        cause: plainOutput(article?.cause ?? ""),
        resolution: plainOutput(article?.resolution || article?.workaround || ""),
        confidence: answer ? Math.round(answer.score * 100) / 100 : 0,
      },
    });
  });
}

/** Plain text within the output limit: Markdown emphasis and links reduced to their text. */
export function plainOutput(text: string): string {
  const plain = sanitizeText(text)
    .replace(/\[([^\]\n]{1,300})\]\((https?:[^)\s]{1,1000})\)/g, "$1 ($2)")
    .replace(/\*\*([^*\n]{1,500})\*\*/g, "$1")
    .replace(/__([^_\n]{1,500})__/g, "$1");
  return plain.length <= MAX_OUTPUT ? plain : `${plain.slice(0, MAX_OUTPUT - 1)}…`;
}
