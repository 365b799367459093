/**
 * The local sandbox: `npm start` without Slack credentials. The real app (same listeners, matcher, reply
 * builders and store as production, in HTTP mode with a fresh signing secret) is connected to the emulator's
 * fake Slack, whose page on PORT lets a person use it as they would in Slack. Everything binds to loopback,
 * lives in memory and resets when the process stops.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { AppConfig } from "../config.js";
import { DEFAULTS } from "../emulator/ids.js";
import { createHttpSender } from "../emulator/signed-http.js";
import { createSandboxUi, type SandboxCommand, type SandboxUi } from "../emulator/ui/sandbox-ui.js";
import { type FakeWebApi, startFakeWebApi } from "../emulator/web-api.js";
import { createRunningApp, type RunningApp } from "../slack/running-app.js";
import { openMemoryStore } from "../store/sqlite-store.js";

export interface SandboxOptions {
  /** Everything but the Slack connection (readSandboxConfig). `port` is the page's; 0 picks a free one. */
  config: Omit<AppConfig, "slack" | "slackApiUrl">;
  /** The parsed manifest.yml: the page offers its slash commands and shortcuts, under its bot name. */
  manifest: unknown;
  logger: Logger;
}

export interface Sandbox {
  /** The page, e.g. `http://localhost:3000`. */
  url: string;
  port: number;
  api: FakeWebApi;
  app: RunningApp;
  /** The sandbox's channels: the triage channel, the helpdesk, #general, and the DM with the bot. */
  channels: { triage: string; helpdesk: string; general: string; dm: string };
  me: { id: string; name: string };
  stop(): Promise<void>;
}

export const SANDBOX_CHANNELS = {
  triage: { id: "C0ITHELP001", name: "it-help" },
  helpdesk: { id: "C0HELPDESK1", name: "helpdesk" },
  general: { id: DEFAULTS.channelId, name: DEFAULTS.channelName },
} as const;

const ME = { id: DEFAULTS.userId, name: "you" };

interface ManifestSurface {
  botName: string;
  commands: SandboxCommand[];
  shortcuts: Array<{ name: string; callbackId: string }>;
}

/** What Slack's client would offer from the manifest: the bot's name, its slash commands and message shortcuts. */
export function manifestSurface(manifest: unknown): ManifestSurface {
  const features = ((manifest as { features?: Record<string, unknown> } | null)?.features ?? {}) as {
    bot_user?: { display_name?: string };
    slash_commands?: Array<{ command?: string; description?: string; usage_hint?: string }>;
    shortcuts?: Array<{ name?: string; type?: string; callback_id?: string }>;
  };
  return {
    botName: features.bot_user?.display_name ?? "kb-triage",
    commands: (features.slash_commands ?? [])
      .filter((c) => typeof c.command === "string")
      .map((c) => ({
        command: String(c.command),
        description: c.description ?? "",
        usageHint: c.usage_hint ?? "",
      })),
    shortcuts: (features.shortcuts ?? [])
      .filter((s) => s.type === "message" && s.callback_id && s.name)
      .map((s) => ({ name: String(s.name), callbackId: String(s.callback_id) })),
  };
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const { config, logger } = options;
  const surface = manifestSurface(options.manifest);
  let ui: SandboxUi | undefined;
  let app: RunningApp | undefined;
  const health = (res: ServerResponse) => {
    const state = app?.slack.health ?? { knowledge: false, slack: false };
    const ok = state.knowledge && state.slack;
    res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok, ...state }));
  };
  const api = await startFakeWebApi({
    port: config.port,
    wallClock: true,
    routes: async (req: IncomingMessage, res: ServerResponse, url: URL) => {
      if (req.method === "GET" && url.pathname === "/healthz") {
        health(res);
        return true;
      }
      return ui ? ui.routes(req, res, url) : false;
    },
  });
  try {
    const ws = api.workspace;
    ws.addUser({ id: ME.id, name: ME.name, real_name: "You" });
    ws.addUser({ id: ws.botUserId, name: surface.botName, real_name: surface.botName, is_bot: true });
    const { triage, helpdesk, general } = SANDBOX_CHANNELS;
    ws.addChannel({
      id: triage.id,
      name: triage.name,
      topic:
        "Paste an error message: kb-triage answers every message here (this channel is in TRIAGE_CHANNELS).",
    });
    ws.addChannel({
      id: helpdesk.id,
      name: helpdesk.name,
      topic: "The helpdesk (HELPDESK_CHANNEL): Escalate on an answer posts here.",
    });
    ws.addChannel({
      id: general.id,
      name: general.name,
      topic:
        "kb-triage answers only messages that look like error pastes (the default for channels it is in).",
    });
    const dm = `D${ME.id.slice(1)}`;
    ws.addChannel({ id: dm, user: ME.id });

    const signingSecret = randomBytes(32).toString("hex");
    const appConfig: AppConfig = {
      ...config,
      slack: { mode: "http", botToken: api.botToken, signingSecret },
      slackApiUrl: api.url,
      port: 0,
      helpdeskChannel: helpdesk.id,
      triageChannels: [...new Set([triage.id, ...config.triageChannels])],
      adminUsers: [...new Set([ME.id, ...config.adminUsers])],
    };
    app = createRunningApp(appConfig, await openMemoryStore(), logger, { host: "127.0.0.1" });
    const running = app;
    const { port: appPort } = await running.slack.start();
    const send = createHttpSender({ url: `http://127.0.0.1:${appPort}/slack/events`, signingSecret });
    let problem: string | undefined;
    running.indexed.catch((error: Error) => {
      problem = `The knowledge base could not be loaded: ${error.message}`;
    });
    ui = createSandboxUi({
      api,
      send,
      me: ME,
      botName: surface.botName,
      dmChannel: dm,
      homeChannel: triage.id,
      commands: surface.commands,
      shortcuts: surface.shortcuts,
      examples: () => (running.matcher.state?.examples ?? []).map((e) => ({ title: e.title, text: e.text })),
      status: () => ({
        ready: running.slack.health.knowledge,
        articles: running.matcher.state?.articles ?? 0,
        ...(problem ? { problem } : {}),
      }),
    });
    const port = Number(new URL(api.origin).port);
    return {
      url: `http://localhost:${port}`,
      port,
      api,
      app: running,
      channels: { triage: triage.id, helpdesk: helpdesk.id, general: general.id, dm },
      me: ME,
      async stop() {
        ui?.close();
        await running.close();
        await api.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await api.close();
    throw error;
  }
}
