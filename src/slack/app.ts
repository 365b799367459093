/**
 * Bolt wiring, kept thin: the receiver for the configured mode (Socket Mode or HTTP), `/healthz` on PORT in
 * both, and one register call per listener kind. Listeners get their dependencies injected.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { App, SocketModeReceiver } from "@slack/bolt";
import type { Logger } from "pino";
import type { AppConfig } from "../config.js";
import { registerActionListeners } from "./listeners/actions.js";
import { registerCommandListeners } from "./listeners/commands.js";
import { registerEventListeners, registerHomeListeners } from "./listeners/events.js";
import { registerFunctionListeners } from "./listeners/functions.js";
import { registerMessageListeners } from "./listeners/messages.js";
import { registerShortcutListeners } from "./listeners/shortcuts.js";
import { boltLogger } from "./logger.js";
import { trustedFileOrigins } from "./snippets.js";
import type { SlackDeps } from "./triage.js";

export interface Health {
  knowledge: boolean;
  slack: boolean;
}

export interface SlackApp {
  app: App;
  health: Health;
  /** Connects to Slack (Socket Mode) or starts listening (HTTP), and serves /healthz. */
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
}

export function createSlackApp(
  config: AppConfig,
  deps: SlackDeps,
  options: { fetchFn?: typeof fetch; logger: Logger; host?: string },
): SlackApp {
  const health: Health = { knowledge: false, slack: false };
  const healthz = {
    path: "/healthz",
    method: ["GET"],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      const ok = health.knowledge && health.slack;
      res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok, ...health }));
    },
  };
  const logger = boltLogger(options.logger);
  const clientOptions = { slackApiUrl: config.slackApiUrl };
  let receiver: SocketModeReceiver | undefined;
  let app: App;
  if (config.slack.mode === "socket") {
    receiver = new SocketModeReceiver({
      appToken: config.slack.appToken,
      logger,
      customRoutes: [healthz],
      installerOptions: { port: config.port, clientOptions },
    });
    receiver.client.on("connected", () => {
      health.slack = true;
    });
    receiver.client.on("disconnected", () => {
      health.slack = false;
    });
    app = new App({
      token: config.slack.botToken,
      receiver,
      logger,
      clientOptions,
      deferInitialization: true,
    });
  } else {
    app = new App({
      token: config.slack.botToken,
      signingSecret: config.slack.signingSecret,
      port: config.port,
      customRoutes: [healthz],
      logger,
      clientOptions,
      // Bolt checks the token (auth.test) while initialising: done in start(), where a rejection is handled.
      deferInitialization: true,
    });
  }

  // A listener that throws is logged with its context; it never takes the process down.
  app.error(async (error) => {
    options.logger.error({ err: error, code: (error as { code?: string }).code }, "listener failed");
  });

  const listenerOptions = { fileOrigins: trustedFileOrigins(config.slackApiUrl), fetchFn: options.fetchFn };
  registerMessageListeners(app, deps, listenerOptions);
  registerEventListeners(app, deps);
  registerHomeListeners(app, deps);
  registerCommandListeners(app, deps);
  registerShortcutListeners(app, deps, listenerOptions);
  registerActionListeners(app, deps);
  registerFunctionListeners(app, deps);

  return {
    app,
    health,
    async start() {
      await app.init();
      if (config.slack.mode === "socket") {
        await app.start();
        return { port: config.port };
      }
      const server = (await app.start({
        port: config.port,
        ...(options.host ? { host: options.host } : {}),
      })) as {
        address(): { port: number } | string | null;
      };
      health.slack = true;
      const address = server.address();
      return { port: typeof address === "object" && address ? address.port : config.port };
    },
    async stop() {
      await app.stop();
      health.slack = false;
    },
  };
}
