/**
 * Bolt wiring, kept thin: the receiver for the configured mode (Socket Mode or HTTP), `/healthz` on PORT in
 * both, and one register call per listener kind. Listeners get their dependencies injected.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { App, HTTPModuleFunctions, HTTPReceiver, SocketModeReceiver } from "@slack/bolt";
import type { Logger } from "pino";
import type { AppConfig } from "../config.js";
import { createMemoryState, type SharedState } from "../state/shared-state.js";
import { idempotentPostFetch } from "./idempotent-post.js";
import { registerActionListeners } from "./listeners/actions.js";
import { registerCommandListeners } from "./listeners/commands.js";
import {
  registerEventListeners,
  registerHomeListeners,
  registerInstallationListeners,
} from "./listeners/events.js";
import { registerFunctionListeners } from "./listeners/functions.js";
import { registerMessageListeners } from "./listeners/messages.js";
import { registerShortcutListeners } from "./listeners/shortcuts.js";
import { boltLogger } from "./logger.js";
import { singleUseStateStore } from "./oauth-state.js";
import { rateLimitFetch } from "./rate-limit-fetch.js";
import { trustedFileOrigins } from "./snippets.js";
import { requiredScopes } from "./surface.js";
import type { SlackDeps } from "./triage.js";

// Bolt 5.1's receiver reads `body.ssl_check` from whatever the request body parsed to: a signed body that is
// JSON but not an object (`null`, `[]`, `42`) throws outside any handler and the request hangs. Refused as
// malformed instead (Bolt then answers 400 and logs it). Patched once, on Bolt's own module object.
const parseBody = HTTPModuleFunctions.parseHTTPRequestBody as ((req: never) => unknown) & { guarded?: true };
if (!parseBody.guarded) {
  const guarded = Object.assign(
    (req: never) => {
      const body = parseBody(req);
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw new Error("the request body is not a JSON object or form");
      }
      return body;
    },
    { guarded: true as const },
  );
  (HTTPModuleFunctions as { parseHTTPRequestBody: unknown }).parseHTTPRequestBody = guarded;
}

/** Every listener, one register call per kind (the manifest test registers the same list). */
export function registerListeners(
  app: App,
  deps: SlackDeps,
  options: { fileOrigins: string[]; fetchFn?: typeof fetch },
): void {
  registerMessageListeners(app, deps, options);
  registerEventListeners(app, deps);
  registerHomeListeners(app, deps);
  registerInstallationListeners(app, deps);
  registerCommandListeners(app, deps);
  registerShortcutListeners(app, deps, options);
  registerActionListeners(app, deps);
  registerFunctionListeners(app, deps);
}

/** Web API errors that mean the bot cannot use a channel: retrying or logging each one is pointless. */
const CHANNEL_ERRORS = new Set(["not_in_channel", "channel_not_found", "is_archived", "restricted_action"]);

/** True the first time a key is seen in each `ms` window. */
function createOncePer(ms: number): (key: string) => boolean {
  const seen = new Map<string, number>();
  return (key) => {
    const now = Date.now();
    const last = seen.get(key);
    if (last !== undefined && now - last < ms) return false;
    if (seen.size > 10_000) seen.clear();
    seen.set(key, now);
    return true;
  };
}

/**
 * Installing in any workspace (OAuth v2): `/slack/install` sends the person straight to Slack's authorize page
 * with a signed single-use state, `/slack/oauth_redirect` exchanges the code and stores the installation
 * (sealed) in the database; every event then runs with its workspace's own bot token.
 */
function oauthOptions(
  slack: Extract<AppConfig["slack"], { mode: "oauth" }>,
  slackApiUrl: string,
  deps: SlackDeps,
  state: SharedState,
) {
  if (!deps.installations) throw new Error("installing through OAuth needs the installation store");
  return {
    clientId: slack.clientId,
    clientSecret: slack.clientSecret,
    stateSecret: slack.stateSecret,
    scopes: requiredScopes(),
    installationStore: deps.installations,
    ...(slack.redirectUri ? { redirectUri: slack.redirectUri } : {}),
    installerOptions: {
      directInstall: true,
      installPath: "/slack/install",
      redirectUriPath: "/slack/oauth_redirect",
      stateStore: singleUseStateStore(slack.stateSecret, state),
      authorizationUrl: slack.authorizeUrl,
      clientOptions: { slackApiUrl },
      ...(slack.redirectUri ? { redirectUriPath: new URL(slack.redirectUri).pathname } : {}),
      callbackOptions: {
        success: (
          installation: { team?: { id: string; name?: string }; enterprise?: { name?: string } },
          _o: unknown,
          _req: IncomingMessage,
          res: ServerResponse,
        ) => {
          const where = installation.team?.name ?? installation.enterprise?.name ?? "your workspace";
          deps.logger.info({ team: installation.team?.id ?? null }, "installed in a workspace");
          installPage(
            res,
            200,
            "kb-triage is installed",
            `kb-triage is now in ${where}. Invite it to your help channels (/invite @kb-triage) and paste an error.`,
          );
        },
        failure: (error: Error, _o: unknown, _req: IncomingMessage, res: ServerResponse) => {
          deps.logger.warn({ err: error, code: (error as { code?: string }).code }, "an installation failed");
          installPage(
            res,
            400,
            "Installation failed",
            `kb-triage was not installed: ${error.message}. Start again from the install link.`,
          );
        },
      },
    },
  };
}

function installPage(res: ServerResponse, status: number, title: string, text: string): void {
  const html = (t: string) =>
    t.replace(
      /[&<>"']/g,
      (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
    );
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(
    `<!doctype html><meta charset="utf-8"><title>${html(title)}</title><body style="font:16px system-ui;margin:3rem auto;max-width:36rem"><h1>${html(title)}</h1><p>${html(text)}</p></body>`,
  );
}

export interface Health {
  knowledge: boolean;
  slack: boolean;
}

export interface SlackApp {
  app: App;
  health: Health;
  /** Connects to Slack (Socket Mode) or starts listening (HTTP), and serves /healthz. */
  start(): Promise<{ port: number }>;
  /** Stops taking events (closes the receiver); work already started goes on. */
  stop(): Promise<void>;
  /** Resolves when the work already started is done, or after `timeoutMs`; true when nothing was cut off. */
  drain(timeoutMs: number): Promise<boolean>;
}

export function createSlackApp(
  config: AppConfig,
  deps: SlackDeps,
  options: {
    fetchFn?: typeof fetch;
    logger: Logger;
    host?: string;
    /** How long a Web API call may take before it is retried (10 s; shorter in tests). */
    webApiTimeoutMs?: number;
    /** What replicas share (Redis) or this process alone; in process when not given. */
    state?: SharedState;
    /** For /readyz: the database and the shared state answer. */
    ready?: () => Promise<Record<string, boolean>>;
  },
): SlackApp {
  const health: Health = { knowledge: false, slack: false };
  const json = (res: ServerResponse, status: number, body: Record<string, boolean>) => {
    res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };
  // /healthz: knowledge loaded and Slack reachable; /livez: the process answers (restart it when not);
  // /readyz: /healthz and the database and Redis answer (send it traffic only then). Only booleans: no
  // configuration is revealed.
  const routes = [
    {
      path: "/healthz",
      method: ["GET"],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        const ok = health.knowledge && health.slack;
        json(res, ok ? 200 : 503, { ok, ...health });
      },
    },
    {
      path: "/livez",
      method: ["GET"],
      handler: (_req: IncomingMessage, res: ServerResponse) => json(res, 200, { ok: true }),
    },
    {
      path: "/readyz",
      method: ["GET"],
      handler: async (_req: IncomingMessage, res: ServerResponse) => {
        const checks = (await options.ready?.().catch(() => ({ database: false, redis: false }))) ?? {};
        const ok = health.knowledge && health.slack && Object.values(checks).every(Boolean);
        json(res, ok ? 200 : 503, { ok, ...health, ...checks });
      },
    },
  ];
  const logger = boltLogger(options.logger);
  const state = options.state ?? createMemoryState();
  const webApiTimeoutMs = options.webApiTimeoutMs ?? 10_000;
  const clientOptions = {
    slackApiUrl: config.slackApiUrl,
    // Bounded: an answer is worth little minutes later, and Bolt's default (ten retries over ~30 minutes)
    // would hold every failing reply in memory. 429s wait for Retry-After before the retry.
    retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 4000, randomize: true },
    timeout: webApiTimeoutMs,
    // A retried chat.postMessage whose first attempt reached Slack would post twice: checked first. Below
    // that, a 429 one replica got holds the other replicas' calls to that method and workspace too (the
    // wait counts in the timeout, so it stays below it).
    fetch: idempotentPostFetch(
      rateLimitFetch(globalThis.fetch, state, {
        logger: options.logger,
        maxWaitMs: Math.max(0, webApiTimeoutMs - 2_000),
      }),
      { logger: options.logger },
    ),
  };
  let receiver: SocketModeReceiver | undefined;
  let app: App;
  if (config.slack.mode === "socket") {
    receiver = new SocketModeReceiver({
      appToken: config.slack.appToken,
      logger,
      customRoutes: routes,
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
      // Bolt's conversation store (context.conversation) is not used: no per-event work for it.
      convoStore: false,
    });
  } else {
    const httpReceiver = new HTTPReceiver({
      signingSecret: config.slack.signingSecret,
      port: config.port,
      customRoutes: routes,
      logger,
      // A payload Slack would never send (an event without its fields, say) makes Bolt throw before any
      // listener runs: answer 400 and log it, instead of Bolt's 500 that Slack would retry.
      ...(config.slack.mode === "oauth" ? oauthOptions(config.slack, config.slackApiUrl, deps, state) : {}),
      processEventErrorHandler: async ({ error, response, storedResponse }) => {
        if (response.headersSent) return false;
        if (error instanceof Error && error.name === "AuthorizationError") {
          response.writeHead(401);
          response.end();
          return true;
        }
        if (storedResponse !== undefined) return false;
        options.logger.warn({ err: error }, "skipped a request the app could not process");
        response.writeHead(400, { "content-type": "text/plain" });
        response.end("malformed payload");
        return true;
      },
    });
    app = new App({
      ...(config.slack.mode === "http" ? { token: config.slack.botToken } : {}),
      receiver: httpReceiver,
      logger,
      clientOptions,
      // Bolt checks the token (auth.test) while initialising: done in start(), where a rejection is handled.
      deferInitialization: true,
      // Bolt's conversation store (context.conversation) is not used: no per-event work for it.
      convoStore: false,
    });
  }

  // A listener that throws is logged with its context; it never takes the process down. Errors saying the
  // bot cannot use a channel are logged once an hour each, not once per message.
  const quiet = createOncePer(3600_000);
  app.error(async (error) => {
    const slackError = (error as { data?: { error?: string } }).data?.error;
    if (slackError && CHANNEL_ERRORS.has(slackError)) {
      if (quiet(slackError))
        options.logger.warn(
          { error: slackError },
          "cannot post in a channel; further errors like this are not logged for an hour",
        );
      return;
    }
    options.logger.error({ err: error, code: (error as { code?: string }).code }, "listener failed");
  });

  // Every request's listener work, counted so a shutdown can let it finish (Bolt acks before it is done).
  let inFlight = 0;
  app.use(async ({ next }) => {
    inFlight += 1;
    try {
      await next();
    } finally {
      inFlight -= 1;
    }
  });

  registerListeners(app, deps, {
    fileOrigins: trustedFileOrigins(config.slackApiUrl),
    ...(options.fetchFn ? { fetchFn: options.fetchFn } : {}),
  });

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
      health.slack = false;
      await app.stop();
    },
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      return inFlight === 0;
    },
  };
}
