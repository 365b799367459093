import path from "node:path";
/**
 * Environment settings, parsed and validated in one place (zod); nothing else in the code reads
 * `process.env`. Errors name the variable and what is wrong with it, never its value: tokens and secrets
 * must not reach a log.
 */
import { z } from "zod";

export interface KnowledgeConfig {
  /** Folder of knowledge articles (`KNOWLEDGE_DIR`, default `./knowledge`). */
  knowledgeDir: string;
}

export const DEFAULT_KNOWLEDGE_DIR = "knowledge";

export function readKnowledgeConfig(env: NodeJS.ProcessEnv = process.env): KnowledgeConfig {
  const dir = env.KNOWLEDGE_DIR?.trim();
  return { knowledgeDir: dir ? dir : DEFAULT_KNOWLEDGE_DIR };
}

export const DEFAULT_DATA_DIR = "data";

/** Where the triage database lives (`DATA_DIR`, default `./data`), for the CLI. */
export function readDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DATA_DIR?.trim();
  return dir ? dir : DEFAULT_DATA_DIR;
}

/** The store the CLI opens: PostgreSQL when `DATABASE_URL` is set, else SQLite in `DATA_DIR`. */
export function readStoreLocation(env: NodeJS.ProcessEnv = process.env): {
  databaseUrl: string | null;
  dataDir: string;
} {
  // Only these two are checked: the CLI does not need the bot's other settings to be right.
  const parsed = envSchema.pick({ DATABASE_URL: true, DATA_DIR: true }).safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`));
  }
  return { databaseUrl: parsed.data.DATABASE_URL ?? null, dataDir: parsed.data.DATA_DIR ?? DEFAULT_DATA_DIR };
}

/** Names of the Slack credentials, for start-up hints. */
export const SLACK_CREDENTIAL_VARS = [
  "SLACK_BOT_TOKEN",
  "SLACK_APP_TOKEN",
  "SLACK_SIGNING_SECRET",
  "SLACK_CLIENT_ID",
  "SLACK_CLIENT_SECRET",
] as const;

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type SlackConnection =
  | { mode: "socket"; botToken: string; appToken: string }
  | { mode: "http"; botToken: string; signingSecret: string }
  | {
      /** Installed in any number of workspaces through Slack's OAuth v2 flow (HTTP mode, no fixed token). */
      mode: "oauth";
      signingSecret: string;
      clientId: string;
      clientSecret: string;
      /** Signs the OAuth `state` (SLACK_STATE_SECRET). */
      stateSecret: string;
      /** Slack's authorize page (SLACK_AUTHORIZE_URL: another Slack deployment's, or a local fake Slack). */
      authorizeUrl: string;
      /** The redirect URL registered with the app, when it has several (SLACK_REDIRECT_URI). */
      redirectUri: string | null;
      /** AES-256-GCM keys for the tokens at rest (ENCRYPTION_KEY): the first seals, all open (rotation). */
      encryptionKeys: Buffer[];
    };

export interface AppConfig extends KnowledgeConfig {
  slack: SlackConnection;
  /** Slack Web API base URL, for the Web API client and the Socket Mode client alike (ends with `/`). */
  slackApiUrl: string;
  /** Port of the HTTP receiver (HTTP mode) and of `/healthz` (both modes). */
  port: number;
  dataDir: string;
  /** Keep the normalized error text in the database (`STORE_QUERY_TEXT`, default true); false keeps a hash. */
  storeText: boolean;
  /** Days of triages kept (`RETENTION_DAYS`, default 90). */
  retentionDays: number;
  logLevel: LogLevel;
  /** Channel id escalations go to, when set. */
  helpdeskChannel: string | null;
  /** Where escalations are also POSTed as signed JSON (a ticketing system), when set. */
  escalationWebhook: { url: string; secret: string } | null;
  /** Channels where every message is triaged, not only those that look like an error paste. */
  triageChannels: string[];
  /** Who may change channel settings (besides workspace admins and owners). */
  adminUsers: string[];
  /** Channel settings where no admin has set them. */
  channelDefaults: { mode: "off" | "mentions" | "errors" | "all"; minScore: number; cooldownMinutes: number };
  /** Reload the knowledge base when its folder changes (`KNOWLEDGE_WATCH`, default true). */
  watchKnowledge: boolean;
  /** PostgreSQL for the store (`DATABASE_URL`, postgres://…); null: SQLite in `dataDir`. */
  databaseUrl: string | null;
  /** Redis for what replicas share (`REDIS_URL`, redis://…); null: kept in this process. */
  redisUrl: string | null;
  /** Prefix of every Redis key and channel (`REDIS_PREFIX`, default `kb-triage:`): one Redis, several deployments. */
  redisPrefix: string;
}

/** Where the running bot writes its process id, for `triage kb reload`. */
export function pidFile(dataDir: string): string {
  return path.join(dataDir, "kb-triage.pid");
}

/** Start-up stops with this: which variables are missing or wrong, one line each. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration problems:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));
const channelId = /^[CGD][A-Z0-9]{6,}$/;

const envSchema = z.object({
  SLACK_BOT_TOKEN: optionalText.refine((v) => v === undefined || v.startsWith("xoxb-"), {
    message: "must be a bot token (xoxb-…)",
  }),
  SLACK_APP_TOKEN: optionalText.refine((v) => v === undefined || v.startsWith("xapp-"), {
    message: "must be an app-level token (xapp-…) with the connections:write scope",
  }),
  SLACK_SIGNING_SECRET: optionalText.refine((v) => v === undefined || /^[0-9a-f]{16,}$/i.test(v), {
    message: "must be the app's signing secret (hex, from Basic Information)",
  }),
  SLACK_CLIENT_ID: optionalText.refine((v) => v === undefined || /^\d+\.\d+$/.test(v), {
    message: "must be the app's Client ID (digits.digits, from Basic Information)",
  }),
  SLACK_CLIENT_SECRET: optionalText.refine((v) => v === undefined || /^[0-9a-f]{16,}$/i.test(v), {
    message: "must be the app's Client Secret (hex, from Basic Information)",
  }),
  SLACK_STATE_SECRET: optionalText.refine((v) => v === undefined || v.length >= 16, {
    message: "must be at least 16 random characters",
  }),
  SLACK_AUTHORIZE_URL: optionalText.refine((v) => v === undefined || /^https?:\/\/\S+$/.test(v), {
    message: "must be an http(s) URL",
  }),
  SLACK_REDIRECT_URI: optionalText.refine((v) => v === undefined || /^https?:\/\/\S+$/.test(v), {
    message: "must be an http(s) URL (the app's OAuth Redirect URL)",
  }),
  ENCRYPTION_KEY: optionalText.refine(
    (v) => v === undefined || v.split(",").every((k) => keyBytes(k) !== null),
    {
      message:
        "must be 32 random bytes as 64 hex digits or base64 (openssl rand -base64 32); several, comma-separated, to rotate",
    },
  ),
  SLACK_API_URL: optionalText.refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), {
    message: "must be an http(s) URL",
  }),
  PORT: optionalText.refine((v) => v === undefined || (/^\d{1,5}$/.test(v) && Number(v) <= 65535), {
    message: "must be a port number (0-65535)",
  }),
  KNOWLEDGE_DIR: optionalText,
  KNOWLEDGE_WATCH: optionalText.refine((v) => v === undefined || /^(true|false|1|0|yes|no)$/i.test(v), {
    message: "must be true or false",
  }),
  DATA_DIR: optionalText,
  DATABASE_URL: optionalText.refine((v) => v === undefined || /^postgres(ql)?:\/\/\S+$/.test(v), {
    message: "must be a PostgreSQL URL (postgres://user:password@host:5432/database)",
  }),
  REDIS_URL: optionalText.refine((v) => v === undefined || /^rediss?:\/\/\S+$/.test(v), {
    message: "must be a Redis URL (redis://host:6379 or rediss://… for TLS)",
  }),
  REDIS_PREFIX: optionalText.refine((v) => v === undefined || /^[\w:.-]{1,64}$/.test(v), {
    message: "must be up to 64 letters, digits and _ : . -",
  }),
  STORE_QUERY_TEXT: optionalText.refine((v) => v === undefined || /^(true|false|1|0|yes|no)$/i.test(v), {
    message: "must be true or false",
  }),
  RETENTION_DAYS: optionalText.refine((v) => v === undefined || (/^\d{1,5}$/.test(v) && Number(v) >= 1), {
    message: "must be a whole number of days (1 or more)",
  }),
  LOG_LEVEL: optionalText.refine((v) => v === undefined || (LOG_LEVELS as readonly string[]).includes(v), {
    message: `must be one of ${LOG_LEVELS.join(", ")}`,
  }),
  HELPDESK_CHANNEL: optionalText.refine((v) => v === undefined || channelId.test(v), {
    message:
      "must be a channel id (C…/G…), not a name: right-click the channel, Copy link, take the last part",
  }),
  ESCALATION_WEBHOOK_URL: optionalText.refine((v) => v === undefined || /^https?:\/\/\S+$/.test(v), {
    message: "must be an http(s) URL",
  }),
  ESCALATION_WEBHOOK_SECRET: optionalText.refine((v) => v === undefined || v.length >= 16, {
    message: "must be at least 16 characters",
  }),
  ADMIN_USERS: optionalText.refine(
    (v) => v === undefined || v.split(/[\s,]+/).every((u) => u === "" || /^[UW][A-Z0-9]{6,}$/.test(u)),
    { message: "must be user ids (U…/W…) separated by commas" },
  ),
  CHANNEL_MODE: optionalText.refine(
    (v) => v === undefined || ["off", "mentions", "errors", "all"].includes(v),
    {
      message: "must be off, mentions, errors or all",
    },
  ),
  ANSWER_MIN_SCORE: optionalText.refine((v) => v === undefined || /^(0(\.\d+)?|1(\.0+)?)$/.test(v), {
    message: "must be a number from 0 to 1",
  }),
  COOLDOWN_MINUTES: optionalText.refine((v) => v === undefined || /^\d{1,4}$/.test(v), {
    message: "must be a whole number of minutes",
  }),
  TRIAGE_CHANNELS: optionalText.refine(
    (v) => v === undefined || v.split(/[\s,]+/).every((c) => c === "" || channelId.test(c)),
    { message: "must be channel ids (C…/G…) separated by commas" },
  ),
});

/** True when no Slack credential is set at all: `npm start` then runs the local sandbox. */
export function hasNoSlackCredentials(env: NodeJS.ProcessEnv = process.env): boolean {
  return SLACK_CREDENTIAL_VARS.every((name) => !env[name]?.trim());
}

/**
 * Reads the app's configuration. Throws ConfigError naming every problem: partial credentials (a bot
 * token with neither signing secret nor app token, an app token without a bot token, ...), malformed
 * values. Socket Mode wins when both an app token and a signing secret are set.
 */
export function readAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const e = parseEnv(env);
  const problems: string[] = [];
  let slack: SlackConnection | null = null;
  const oauth = Boolean(e.SLACK_CLIENT_ID || e.SLACK_CLIENT_SECRET);
  if (oauth && e.SLACK_BOT_TOKEN) {
    problems.push(
      "set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (installed through OAuth in any workspace), not both",
    );
  } else if (oauth) {
    const missing = [
      ["SLACK_CLIENT_ID", e.SLACK_CLIENT_ID],
      ["SLACK_CLIENT_SECRET", e.SLACK_CLIENT_SECRET],
      ["SLACK_STATE_SECRET", e.SLACK_STATE_SECRET],
      ["SLACK_SIGNING_SECRET", e.SLACK_SIGNING_SECRET],
      ["ENCRYPTION_KEY", e.ENCRYPTION_KEY],
    ].filter(([, v]) => !v);
    for (const [name] of missing)
      problems.push(
        `${name} is missing: installing through OAuth needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET, SLACK_SIGNING_SECRET and ENCRYPTION_KEY`,
      );
    if (e.SLACK_APP_TOKEN)
      problems.push(
        "SLACK_APP_TOKEN: installing through OAuth runs in HTTP mode (Request URLs), not Socket Mode",
      );
    if (missing.length === 0 && !e.SLACK_APP_TOKEN) {
      slack = {
        mode: "oauth",
        signingSecret: e.SLACK_SIGNING_SECRET as string,
        clientId: e.SLACK_CLIENT_ID as string,
        clientSecret: e.SLACK_CLIENT_SECRET as string,
        stateSecret: e.SLACK_STATE_SECRET as string,
        authorizeUrl: e.SLACK_AUTHORIZE_URL ?? "https://slack.com/oauth/v2/authorize",
        redirectUri: e.SLACK_REDIRECT_URI ?? null,
        encryptionKeys: (e.ENCRYPTION_KEY as string).split(",").map((k) => keyBytes(k) as Buffer),
      };
    }
  } else if (!e.SLACK_BOT_TOKEN) {
    problems.push("SLACK_BOT_TOKEN is missing (OAuth & Permissions → Bot User OAuth Token, xoxb-…)");
  } else if (e.SLACK_APP_TOKEN) {
    slack = { mode: "socket", botToken: e.SLACK_BOT_TOKEN, appToken: e.SLACK_APP_TOKEN };
  } else if (e.SLACK_SIGNING_SECRET) {
    slack = { mode: "http", botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET };
  } else {
    problems.push(
      "set SLACK_APP_TOKEN (xapp-…) for Socket Mode, or SLACK_SIGNING_SECRET for HTTP mode: the bot token alone cannot receive events",
    );
  }
  problems.push(...settingsProblems(e));
  if (problems.length > 0 || !slack) throw new ConfigError(problems);
  const apiUrl = e.SLACK_API_URL ?? "https://slack.com/api/";
  return {
    slack,
    slackApiUrl: apiUrl.endsWith("/") ? apiUrl : `${apiUrl}/`,
    ...settings(e),
  };
}

/**
 * The settings of the local sandbox (`npm start` without Slack credentials): everything but the connection,
 * which the sandbox's emulator provides. Malformed values stop it as they stop the app.
 */
export function readSandboxConfig(
  env: NodeJS.ProcessEnv = process.env,
): Omit<AppConfig, "slack" | "slackApiUrl"> {
  const e = parseEnv(env);
  const problems = settingsProblems(e);
  if (problems.length > 0) throw new ConfigError(problems);
  return settings(e);
}

type Env = z.infer<typeof envSchema>;

/** A 32-byte key from 64 hex digits or base64 (with or without padding); null otherwise. */
function keyBytes(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-f]{64}$/i.test(t)) return Buffer.from(t, "hex");
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const bytes = Buffer.from(t.replace(/-/g, "+").replace(/_/g, "/"), "base64");
    return bytes.length === 32 ? bytes : null;
  }
  return null;
}

function parseEnv(env: NodeJS.ProcessEnv): Env {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`));
  }
  return parsed.data;
}

function settingsProblems(e: Env): string[] {
  return e.ESCALATION_WEBHOOK_URL && !e.ESCALATION_WEBHOOK_SECRET
    ? ["ESCALATION_WEBHOOK_SECRET is missing: escalations to ESCALATION_WEBHOOK_URL are signed with it"]
    : [];
}

function settings(e: Env): Omit<AppConfig, "slack" | "slackApiUrl"> {
  return {
    port: e.PORT === undefined ? 3000 : Number(e.PORT),
    knowledgeDir: e.KNOWLEDGE_DIR ?? DEFAULT_KNOWLEDGE_DIR,
    dataDir: e.DATA_DIR ?? DEFAULT_DATA_DIR,
    storeText: e.STORE_QUERY_TEXT === undefined || /^(true|1|yes)$/i.test(e.STORE_QUERY_TEXT),
    retentionDays: e.RETENTION_DAYS === undefined ? 90 : Number(e.RETENTION_DAYS),
    logLevel: (e.LOG_LEVEL as LogLevel | undefined) ?? "info",
    helpdeskChannel: e.HELPDESK_CHANNEL ?? null,
    escalationWebhook:
      e.ESCALATION_WEBHOOK_URL && e.ESCALATION_WEBHOOK_SECRET
        ? { url: e.ESCALATION_WEBHOOK_URL, secret: e.ESCALATION_WEBHOOK_SECRET }
        : null,
    triageChannels: (e.TRIAGE_CHANNELS ?? "").split(/[\s,]+/).filter(Boolean),
    adminUsers: (e.ADMIN_USERS ?? "").split(/[\s,]+/).filter(Boolean),
    watchKnowledge: e.KNOWLEDGE_WATCH === undefined || /^(true|1|yes)$/i.test(e.KNOWLEDGE_WATCH),
    databaseUrl: e.DATABASE_URL ?? null,
    redisUrl: e.REDIS_URL ?? null,
    redisPrefix: e.REDIS_PREFIX ?? "kb-triage:",
    channelDefaults: {
      mode: (e.CHANNEL_MODE as AppConfig["channelDefaults"]["mode"] | undefined) ?? "errors",
      minScore: e.ANSWER_MIN_SCORE === undefined ? 0.72 : Number(e.ANSWER_MIN_SCORE),
      cooldownMinutes: e.COOLDOWN_MINUTES === undefined ? 10 : Number(e.COOLDOWN_MINUTES),
    },
  };
}
