import { describe, expect, it } from "vitest";
import { ConfigError, hasNoSlackCredentials, readAppConfig } from "../src/config.js";

const bot = "xoxb-1-2-abc";
const app = "xapp-1-A1-2-def";
const secret = "0123456789abcdef0123456789abcdef";

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    readAppConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe("readAppConfig", () => {
  it("chooses Socket Mode with an app token, HTTP mode with a signing secret", () => {
    expect(readAppConfig({ SLACK_BOT_TOKEN: bot, SLACK_APP_TOKEN: app }).slack).toEqual({
      mode: "socket",
      botToken: bot,
      appToken: app,
    });
    expect(readAppConfig({ SLACK_BOT_TOKEN: bot, SLACK_SIGNING_SECRET: secret }).slack.mode).toBe("http");
  });

  it("fills defaults: Slack's API URL, port 3000, ./knowledge, ./data, info", () => {
    const config = readAppConfig({ SLACK_BOT_TOKEN: bot, SLACK_APP_TOKEN: app });
    expect(config).toMatchObject({
      slackApiUrl: "https://slack.com/api/",
      port: 3000,
      knowledgeDir: "knowledge",
      dataDir: "data",
      logLevel: "info",
      helpdeskChannel: null,
      triageChannels: [],
    });
  });

  it("reads the optional settings, adding the trailing slash the API URL needs", () => {
    const config = readAppConfig({
      SLACK_BOT_TOKEN: bot,
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: "http://127.0.0.1:4000/api",
      PORT: "8080",
      HELPDESK_CHANNEL: "C0123HELP",
      TRIAGE_CHANNELS: "C0123AAAA, G0456BBBB",
      LOG_LEVEL: "debug",
    });
    expect(config.slackApiUrl).toBe("http://127.0.0.1:4000/api/");
    expect(config.port).toBe(8080);
    expect(config.triageChannels).toEqual(["C0123AAAA", "G0456BBBB"]);
  });

  it("stops on partial credentials, naming what is missing", () => {
    expect(problemsOf({ SLACK_BOT_TOKEN: bot }).join()).toMatch(/SLACK_APP_TOKEN.*SLACK_SIGNING_SECRET/);
    expect(problemsOf({ SLACK_APP_TOKEN: app }).join()).toMatch(/SLACK_BOT_TOKEN is missing/);
    expect(problemsOf({ SLACK_BOT_TOKEN: bot, SLACK_APP_TOKEN: "xoxp-user" }).join()).toMatch(
      /SLACK_APP_TOKEN.*xapp-/,
    );
  });

  it("reports every malformed value at once, and never a secret's value", () => {
    const env = {
      SLACK_BOT_TOKEN: "xoxp-secret-user-token",
      SLACK_SIGNING_SECRET: "not-hex-secret-value",
      PORT: "http",
      HELPDESK_CHANNEL: "#helpdesk",
    };
    const problems = problemsOf(env);
    expect(problems).toHaveLength(4);
    const text = problems.join("\n");
    expect(text).not.toContain("xoxp-secret-user-token");
    expect(text).not.toContain("not-hex-secret-value");
  });

  it("knows when no Slack credential is set at all", () => {
    expect(hasNoSlackCredentials({})).toBe(true);
    expect(hasNoSlackCredentials({ SLACK_BOT_TOKEN: " " })).toBe(true);
    expect(hasNoSlackCredentials({ SLACK_APP_TOKEN: app })).toBe(false);
  });
});

describe("readAppConfig, escalation and storage settings", () => {
  it("reads the webhook with its secret, and stops when the secret is missing", () => {
    const config = readAppConfig({
      SLACK_BOT_TOKEN: bot,
      SLACK_APP_TOKEN: app,
      ESCALATION_WEBHOOK_URL: "https://hooks.example/t",
      ESCALATION_WEBHOOK_SECRET: "s".repeat(20),
      STORE_QUERY_TEXT: "false",
      RETENTION_DAYS: "30",
    });
    expect(config.escalationWebhook).toEqual({ url: "https://hooks.example/t", secret: "s".repeat(20) });
    expect(config.storeText).toBe(false);
    expect(config.retentionDays).toBe(30);
    expect(
      problemsOf({
        SLACK_BOT_TOKEN: bot,
        SLACK_APP_TOKEN: app,
        ESCALATION_WEBHOOK_URL: "https://hooks.example/t",
      }).join(),
    ).toMatch(/ESCALATION_WEBHOOK_SECRET is missing/);
    expect(readAppConfig({ SLACK_BOT_TOKEN: bot, SLACK_APP_TOKEN: app })).toMatchObject({
      escalationWebhook: null,
      storeText: true,
      retentionDays: 90,
    });
  });
});

describe("readAppConfig, channel defaults", () => {
  it("reads admins and the channel defaults, and rejects bad values", () => {
    const config = readAppConfig({
      SLACK_BOT_TOKEN: bot,
      SLACK_APP_TOKEN: app,
      ADMIN_USERS: "U0ADMIN001,W0ADMIN002",
      CHANNEL_MODE: "mentions",
      ANSWER_MIN_SCORE: "0.85",
      COOLDOWN_MINUTES: "30",
    });
    expect(config.adminUsers).toEqual(["U0ADMIN001", "W0ADMIN002"]);
    expect(config.channelDefaults).toEqual({ mode: "mentions", minScore: 0.85, cooldownMinutes: 30 });
    expect(
      problemsOf({ SLACK_BOT_TOKEN: bot, SLACK_APP_TOKEN: app, CHANNEL_MODE: "loud", ANSWER_MIN_SCORE: "2" }),
    ).toHaveLength(2);
  });
});

describe("readAppConfig, several workspaces and replicas", () => {
  const oauth = {
    SLACK_CLIENT_ID: "1234567890.9876543210",
    SLACK_CLIENT_SECRET: "00112233445566778899aabbccddeeff",
    SLACK_STATE_SECRET: "a-long-random-state-secret",
    SLACK_SIGNING_SECRET: secret,
    ENCRYPTION_KEY: "ab".repeat(32),
  };

  it("installs through OAuth in HTTP mode with client id, secrets and an encryption key (hex or base64, rotating)", () => {
    const config = readAppConfig(oauth);
    expect(config.slack).toMatchObject({
      mode: "oauth",
      clientId: oauth.SLACK_CLIENT_ID,
      authorizeUrl: "https://slack.com/oauth/v2/authorize",
      redirectUri: null,
    });
    const keys = (config.slack as { encryptionKeys: Buffer[] }).encryptionKeys;
    expect(keys.map((k) => k.length)).toEqual([32]);
    const b64 = Buffer.alloc(32, 7).toString("base64");
    const rotated = readAppConfig({ ...oauth, ENCRYPTION_KEY: `${b64},${"cd".repeat(32)}` }).slack as {
      encryptionKeys: Buffer[];
    };
    expect(rotated.encryptionKeys.map((k) => k[0])).toEqual([7, 0xcd]);
    expect(hasNoSlackCredentials({ SLACK_CLIENT_ID: oauth.SLACK_CLIENT_ID })).toBe(false);
  });

  it("names each missing OAuth setting, refuses a bot token or app token beside them, and never echoes a secret", () => {
    const { ENCRYPTION_KEY: _, SLACK_STATE_SECRET: __, ...partial } = oauth;
    const problems = problemsOf(partial).join("\n");
    expect(problems).toMatch(/SLACK_STATE_SECRET is missing/);
    expect(problems).toMatch(/ENCRYPTION_KEY is missing/);
    expect(problemsOf({ ...oauth, SLACK_BOT_TOKEN: bot }).join()).toMatch(/not both/);
    expect(problemsOf({ ...oauth, SLACK_APP_TOKEN: app }).join()).toMatch(/HTTP mode/);
    const bad = problemsOf({ ...oauth, ENCRYPTION_KEY: "too-short-key", SLACK_CLIENT_SECRET: "zz-not-hex" });
    expect(bad.join()).toMatch(/ENCRYPTION_KEY must be 32 random bytes/);
    expect(bad.join()).not.toContain("too-short-key");
    expect(bad.join()).not.toContain("zz-not-hex");
  });

  it("reads DATABASE_URL, REDIS_URL and REDIS_PREFIX, and refuses other schemes", () => {
    const config = readAppConfig({
      SLACK_BOT_TOKEN: bot,
      SLACK_APP_TOKEN: app,
      DATABASE_URL: "postgres://kb:pw@db:5432/kb",
      REDIS_URL: "rediss://cache:6380",
      REDIS_PREFIX: "kb-prod:",
    });
    expect([config.databaseUrl, config.redisUrl, config.redisPrefix]).toEqual([
      "postgres://kb:pw@db:5432/kb",
      "rediss://cache:6380",
      "kb-prod:",
    ]);
    expect(readAppConfig({ SLACK_BOT_TOKEN: bot, SLACK_APP_TOKEN: app }).redisPrefix).toBe("kb-triage:");
    const problems = problemsOf({
      SLACK_BOT_TOKEN: bot,
      SLACK_APP_TOKEN: app,
      DATABASE_URL: "mysql://x",
      REDIS_URL: "http://x",
    });
    expect(problems.join()).toMatch(/DATABASE_URL must be a PostgreSQL URL.*REDIS_URL must be a Redis URL/);
  });
});
