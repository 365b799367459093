/**
 * Environment settings, parsed and validated in one place. Later issues add the Slack settings here;
 * nothing else in the code reads `process.env`.
 */
export interface KnowledgeConfig {
  /** Folder of knowledge articles (`KNOWLEDGE_DIR`, default `./knowledge`). */
  knowledgeDir: string;
}

export const DEFAULT_KNOWLEDGE_DIR = "knowledge";

export function readKnowledgeConfig(env: NodeJS.ProcessEnv = process.env): KnowledgeConfig {
  const dir = env.KNOWLEDGE_DIR?.trim();
  return { knowledgeDir: dir ? dir : DEFAULT_KNOWLEDGE_DIR };
}

/** Names of the Slack credentials the bot will need, for the start-up hint. */
export const SLACK_CREDENTIAL_VARS = ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"] as const;
