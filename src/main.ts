/**
 * `npm start`. The Slack app is not built yet (issue 5); until then start-up checks the knowledge folder,
 * prints its summary and says which Slack credentials the bot will need.
 */
import { readKnowledgeConfig, SLACK_CREDENTIAL_VARS } from "./config.js";
import { KnowledgeDirError } from "./knowledge/knowledge-dir-error.js";
import { loadKnowledge } from "./knowledge/load.js";
import { formatSummary, summarize } from "./knowledge/report.js";

const { knowledgeDir } = readKnowledgeConfig();
try {
  const summary = summarize(await loadKnowledge(knowledgeDir));
  process.stdout.write(`${formatSummary(summary)}\n\n`);
  process.stdout.write(
    [
      "The Slack bot itself is not part of this version yet: the knowledge base above is what it will answer from.",
      `To run it in Slack later you will set ${SLACK_CREDENTIAL_VARS.join(", ")} (see README.md).`,
      "Try: npm run --silent triage -- kb show KT1001",
      "",
    ].join("\n"),
  );
  process.exitCode = summary.errors > 0 ? 1 : 0;
} catch (error) {
  if (!(error instanceof KnowledgeDirError)) throw error;
  process.stderr.write(
    `${error.message}\nSet KNOWLEDGE_DIR to a folder of articles (see knowledge/README.md).\n`,
  );
  process.exitCode = 1;
}
