// A fake Slack Web API on loopback: `WebClient({ slackApiUrl: api.url })` and Bolt's clients work unchanged.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULTS, randomDigits, randomToken, slackId } from "./ids.js";
import { FakeOAuth, type InstallChoice } from "./oauth.js";
import { appUninstalledEvent, type SlackFile, tokensRevokedEvent, type Workspace } from "./payloads.js";
import {
  type AddChannelInput,
  type AddFileInput,
  type AddMessageInput,
  type AddUserInput,
  type Args,
  type EphemeralMessage,
  type Failure,
  FakeWorkspace,
  type Reaction,
  type ResponseUrlContext,
  type SlackChannel,
  type SlackMessage,
  type SlackUser,
  type SlackView,
} from "./workspace.js";

export interface FakeWebApiOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: "127.0.0.1";
  botUserId?: string;
  botId?: string;
  teamId?: string;
  teamDomain?: string;
  appId?: string;
  botToken?: string;
  appToken?: string;
  /** Returned by `apps.connections.open`; usually `() => socketMode.url`. */
  socketUrl?: () => string;
  /** Message timestamps follow the wall clock (the sandbox) instead of a fixed epoch (tests). */
  wallClock?: boolean;
  /**
   * Requests outside the Web API's own paths (the sandbox page, say): answer and return true, or return false
   * for a 404. Lets one port serve both Slack's API and a UI, as the sandbox does.
   */
  routes?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;
  /**
   * Keep every call in `calls` (default true). False keeps no history, so a long load test stays bounded:
   * `onCall` listeners still fire, `waitForCall` then sees only calls made after it.
   */
  record?: boolean;
  /** The app's OAuth credentials (default `DEFAULTS.clientId` / `DEFAULTS.clientSecret`). */
  clientId?: string;
  clientSecret?: string;
  /** The app's configured Redirect URLs; unset, authorize accepts any `redirect_uri`. */
  redirectUrls?: string[];
  /** How long an OAuth code can be exchanged (default 10 minutes). */
  oauthCodeTtlMs?: number;
  /** Clock (epoch ms) for OAuth code expiry, so tests can move time instead of waiting. */
  now?: () => number;
}

/** A second (third, …) workspace the app can be installed into. Ids default to fresh random ones. */
export interface AddWorkspaceInput {
  teamId?: string;
  teamName?: string;
  teamDomain?: string;
  botUserId?: string;
  botId?: string;
  /** The token its install has (or, when not installed yet, the first install will issue). */
  botToken?: string;
  enterpriseId?: string;
  enterpriseName?: string;
  /** Whether the app is already installed there, its `botToken` working from the start (default false). */
  installed?: boolean;
  generalChannelId?: string;
}

/** What `uninstall` did, and the events Slack sends the app about it. */
export interface Uninstalled {
  teamId: string;
  /** The users and bot users whose tokens were revoked. */
  revoked: { oauth: string[]; bot: string[] };
  /**
   * `tokens_revoked` then `app_uninstalled` (Slack does not promise that order). Send each "from" the
   * workspace: `sender.sendEvent(event, uninstalled.from)`.
   */
  events: [ReturnType<typeof tokensRevokedEvent>, ReturnType<typeof appUninstalledEvent>];
  /** The workspace's identity for the envelopes: its team_id, and its bot user in `authorizations`. */
  from: Workspace;
}

export interface RecordedCall {
  method: string;
  /**
   * The workspace the call was for: the one its token belongs to (for `oauth.v2.access`, the one the code
   * installs; for a response_url, the one it was made for). Undefined when no workspace knows the token.
   */
  team?: string;
  /** Parsed arguments without `token`; JSON-encoded form fields (blocks, view, …) are decoded. */
  args: Args;
  token: string | undefined;
  at: number;
  status: number;
  ok: boolean;
  error?: string;
  response: Record<string, unknown>;
}

export interface FakeWebApi {
  /** Base for `slackApiUrl`, e.g. `http://127.0.0.1:PORT/api/`. */
  readonly url: string;
  readonly origin: string;
  /** Slack's authorize page on this server, for InstallProvider's `authorizationUrl`. */
  readonly authorizeUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The default workspace's bot token at start (`workspace.botToken` follows an uninstall and reinstall). */
  readonly botToken: string;
  readonly appToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly appId: string;
  /** The default workspace's state, for assertions and seeding beyond the helpers below. */
  readonly workspace: FakeWorkspace;
  /** Another workspace on this server, with its own channels, users, bot user and tokens. */
  addWorkspace(input?: AddWorkspaceInput): FakeWorkspace;
  /** The workspace with this team id (throws for an unknown one). */
  workspaceFor(teamId: string): FakeWorkspace;
  /** Every workspace, the default first. */
  workspaces(): FakeWorkspace[];
  /**
   * What the user does on the next authorize page: install into `teamId` (unless the URL names a known
   * `team`), as `userId`, or click Cancel (`deny`). Queued: each authorize visit takes one.
   */
  nextInstall(choice: InstallChoice): void;
  /**
   * Remove the app from a workspace, as a workspace admin would: every bot and user token of its install
   * stops working. Returns the events Slack then sends.
   */
  uninstall(teamId: string): Uninstalled;
  readonly calls: RecordedCall[];
  /** Calls of a method, optionally only those for one workspace. */
  callsTo(method: string, team?: string): RecordedCall[];
  waitForCall(
    method: string,
    predicate?: (call: RecordedCall) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedCall>;
  /** Make the next call(s) of a method fail; `failure.team` picks the workspace (default: the default). */
  failNext(method: string, failure?: Failure): void;
  addMessage(input: AddMessageInput): SlackMessage;
  addFile(input: AddFileInput): SlackFile;
  addUser(input: AddUserInput): SlackUser;
  addChannel(input: AddChannelInput): SlackChannel;
  messages(channel: string): SlackMessage[];
  thread(channel: string, ts: string): SlackMessage[];
  reactions(channel: string, ts: string): Reaction[];
  readonly ephemerals: EphemeralMessage[];
  views(): SlackView[];
  /**
   * A `response_url` served by this fake. Posts to it are recorded as calls to method `"response_url"`;
   * `response_type: "in_channel"` replies are stored in `context.channel` of workspace `context.team`.
   */
  responseUrl(context?: ResponseUrlContext): string;
  /** Called after every recorded call (Web API method or response_url post); returns an unsubscribe. */
  onCall(listener: (call: RecordedCall) => void): () => void;
  setSocketUrl(socketUrl: () => string): void;
  /**
   * Forget calls, messages, files, views, pending failures, OAuth codes and tokens issued or revoked since
   * the start (configuration stays, added workspaces included).
   */
  reset(): void;
  close(): Promise<void>;
}

interface Waiter {
  method: string;
  predicate: ((call: RecordedCall) => boolean) | undefined;
  resolve: (call: RecordedCall) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

// WebClient JSON-encodes non-primitive arguments when it form-encodes a call.
const JSON_FIELDS = new Set([
  "blocks",
  "attachments",
  "view",
  "metadata",
  "outputs",
  "unfurls",
  "user_auth_blocks",
]);
const MAX_BODY = 5 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new Error("request body too large");
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function decodeFormValues(entries: Iterable<[string, unknown]>): Args {
  const args: Args = {};
  for (const [key, value] of entries) {
    if (typeof value === "string" && JSON_FIELDS.has(key)) {
      try {
        args[key] = JSON.parse(value);
      } catch {
        args[key] = value; // left as a string so the method reports Slack's *_format error
      }
    } else {
      args[key] = value;
    }
  }
  return args;
}

async function parseArgs(
  req: IncomingMessage,
  body: Buffer,
  query: URLSearchParams,
): Promise<Args | "invalid_json"> {
  const contentType = (req.headers["content-type"] ?? "").toLowerCase();
  const args = decodeFormValues(query);
  if (body.length === 0) return args;
  if (contentType.startsWith("application/json")) {
    try {
      const parsed: unknown = JSON.parse(body.toString("utf8"));
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return "invalid_json";
      // Slack ignores `token` inside JSON bodies: JSON calls must authenticate with the header.
      const { token: _ignored, ...rest } = parsed as Args;
      return { ...args, ...rest };
    } catch {
      return "invalid_json";
    }
  }
  if (contentType.startsWith("multipart/form-data")) {
    const form = await new Response(new Uint8Array(body), {
      headers: { "content-type": contentType },
    }).formData();
    const entries: Array<[string, unknown]> = [];
    form.forEach((value, key) => {
      entries.push([key, typeof value === "string" ? value : { filename: value.name, size: value.size }]);
    });
    return { ...args, ...decodeFormValues(entries) };
  }
  return { ...args, ...decodeFormValues(new URLSearchParams(body.toString("utf8"))) };
}

function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  return m?.[1];
}

/** HTTP Basic client credentials, which Slack prefers for `oauth.v2.access` over form fields. */
function basicCredentials(req: IncomingMessage): { client_id: string; client_secret: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon === -1) return undefined;
  // RFC 6749 2.3.1: both parts are form-urlencoded before being joined.
  const part = (v: string) => decodeURIComponent(v.replace(/\+/g, " "));
  return { client_id: part(decoded.slice(0, colon)), client_secret: part(decoded.slice(colon + 1)) };
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

function describe(call: RecordedCall): string {
  const args = JSON.stringify(call.args);
  const shown = args.length > 160 ? `${args.slice(0, 157)}...` : args;
  return `  ${call.method} ${shown} -> ${call.ok ? "ok" : (call.error ?? `HTTP ${call.status}`)}`;
}

export async function startFakeWebApi(options: FakeWebApiOptions = {}): Promise<FakeWebApi> {
  let origin = "";
  const byTeam = new Map<string, FakeWorkspace>();
  // C/G channel ids are unique across Slack: one workspace's channel is `channel_not_found` in the others.
  const foreignTo =
    (teamId: string) =>
    (id: string): boolean => {
      for (const ws of byTeam.values()) if (ws.teamId !== teamId && ws.hasChannel(id)) return true;
      return false;
    };
  const defaultTeam = options.teamId ?? DEFAULTS.teamId;
  const workspace = new FakeWorkspace({
    ...options,
    fileOrigin: () => origin,
    isForeignChannel: foreignTo(defaultTeam),
    tokenlessMethods: { "oauth.v2.access": (args) => oauth.access(args) },
  });
  byTeam.set(workspace.teamId, workspace);
  const oauth = new FakeOAuth(
    {
      ...(options.clientId !== undefined ? { clientId: options.clientId } : {}),
      ...(options.clientSecret !== undefined ? { clientSecret: options.clientSecret } : {}),
      appId: workspace.appId,
      ...(options.redirectUrls !== undefined ? { redirectUrls: options.redirectUrls } : {}),
      ...(options.oauthCodeTtlMs !== undefined ? { codeTtlMs: options.oauthCodeTtlMs } : {}),
      ...(options.now !== undefined ? { now: options.now } : {}),
    },
    { get: (teamId) => byTeam.get(teamId), fallback: () => workspace },
  );
  const workspaceFor = (teamId: string | undefined): FakeWorkspace => {
    if (teamId === undefined) return workspace;
    const found = byTeam.get(teamId);
    if (!found) throw new Error(`No workspace ${teamId} (known: ${[...byTeam.keys()].join(", ")})`);
    return found;
  };
  // A token's calls go to the workspace that issued it; unknown tokens to the default one (invalid_auth
  // there, or a workflow token it accepts).
  const ownerOf = (token: string | undefined): FakeWorkspace | undefined => {
    if (token === undefined) return undefined;
    for (const ws of byTeam.values()) if (ws.ownsToken(token)) return ws;
    return undefined;
  };
  const calls: RecordedCall[] = [];
  const waiters = new Set<Waiter>();
  const responseUrls = new Map<string, ResponseUrlContext>();
  const listeners = new Set<(call: RecordedCall) => void>();

  const keepHistory = options.record !== false;
  const record = (call: RecordedCall): void => {
    if (keepHistory) calls.push(call);
    for (const listener of listeners) listener(call);
    for (const w of waiters) {
      if (w.method === call.method && (!w.predicate || w.predicate(call))) {
        waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(call);
      }
    }
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, method: string, url: URL) => {
    const parsed = await parseArgs(req, await readBody(req), url.searchParams);
    if (parsed === "invalid_json") {
      const body = { ok: false, error: "invalid_json" };
      const owner = ownerOf(bearer(req));
      record({
        method,
        ...(owner ? { team: owner.teamId } : {}),
        args: {},
        token: bearer(req),
        at: Date.now(),
        status: 200,
        ok: false,
        error: "invalid_json",
        response: body,
      });
      sendJson(res, 200, body);
      return;
    }
    const { token: bodyToken, ...args } = parsed;
    const token = bearer(req) ?? (typeof bodyToken === "string" && bodyToken !== "" ? bodyToken : undefined);
    let reply: ReturnType<FakeWorkspace["handle"]>;
    let team: string | undefined;
    if (method === "oauth.v2.access") {
      // App-level and tokenless: the default workspace serves it (and its failNext); the code names the team.
      reply = workspace.handle(method, { ...args, ...basicCredentials(req) }, token);
      const installed = (reply.body.team as { id?: unknown } | undefined)?.id;
      team = typeof installed === "string" ? installed : undefined;
    } else {
      const owner = ownerOf(token);
      reply = (owner ?? workspace).handle(method, args, token);
      // Workflow tokens are not registered anywhere but the default workspace accepts them.
      team = owner?.teamId ?? (reply.body.ok === true ? workspace.teamId : undefined);
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    const error = typeof reply.body.error === "string" ? reply.body.error : undefined;
    record({
      method,
      ...(team !== undefined ? { team } : {}),
      args,
      token,
      at: Date.now(),
      status: reply.status,
      ok: reply.body.ok === true,
      ...(error !== undefined ? { error } : {}),
      response: reply.body,
    });
    sendJson(res, reply.status, reply.body, reply.headers);
  };

  const handleFile = (req: IncomingMessage, res: ServerResponse, id: string) => {
    const holder = [...byTeam.values()].find((ws) => ws.fileContent(id)) ?? workspace;
    const stored = holder.fileContent(id);
    if (!holder.acceptsToken(bearer(req))) {
      // Like Slack: an unauthenticated url_private fetch ends on an HTML sign-in page, not a 401.
      res.writeHead(302, { location: `${origin}/signin?redir=${encodeURIComponent(req.url ?? "/")}` });
      res.end();
      return;
    }
    if (!stored) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("file not found");
      return;
    }
    res.writeHead(200, {
      "content-type": stored.file.mimetype,
      "content-length": String(stored.content.byteLength),
      "content-disposition": `attachment; filename="${stored.file.name}"`,
    });
    res.end(Buffer.from(stored.content));
  };

  const handleResponseUrl = async (req: IncomingMessage, res: ServerResponse, id: string) => {
    const context = responseUrls.get(id);
    const raw = (await readBody(req)).toString("utf8");
    let args: Args = {};
    try {
      args = JSON.parse(raw) as Args;
    } catch {
      sendJson(res, 400, { ok: false, error: "invalid_payload" });
      return;
    }
    if (!context) {
      record({
        method: "response_url",
        args,
        token: undefined,
        at: Date.now(),
        status: 404,
        ok: false,
        error: "expired_url",
        response: {},
      });
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("expired_url");
      return;
    }
    const target = workspaceFor(context.team);
    target.handleResponseUrl(context, args);
    record({
      method: "response_url",
      team: target.teamId,
      args,
      token: undefined,
      at: Date.now(),
      status: 200,
      ok: true,
      response: { ok: true },
    });
    sendJson(res, 200, { ok: true });
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    const done = (p: Promise<void> | void) =>
      Promise.resolve(p).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { ok: false, error: "internal_error", detail: String(err) });
        else res.destroy();
      });
    if (path === "/oauth/v2/authorize" && req.method === "GET") return void done(handleAuthorize(res, url));
    const api = /^\/api\/([A-Za-z0-9_.]+)$/.exec(path);
    if (api?.[1] && (req.method === "POST" || req.method === "GET"))
      return void done(handleApi(req, res, api[1], url));
    const file = /^\/files\/(F[A-Z0-9]+)(?:\/.*)?$/.exec(path);
    if (file?.[1] && req.method === "GET") return void done(handleFile(req, res, file[1]));
    const hook = /^\/hooks\/(?:commands|actions)\/[^/]+\/([^/]+)\/[^/]+$/.exec(path);
    if (hook?.[1] && req.method === "POST") return void done(handleResponseUrl(req, res, hook[1]));
    if (options.routes) {
      const routes = options.routes;
      return void done(
        Promise.resolve(routes(req, res, url)).then((handled) => {
          if (handled) return;
          if (path === "/signin") return signIn(res);
          res.writeHead(404, { "content-type": "text/plain" });
          res.end("not found");
        }),
      );
    }
    if (path === "/signin") return signIn(res);
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  });
  // Recorded as method "oauth/v2/authorize" (a page, not a Web API method) so tests can wait for the visit.
  const handleAuthorize = (res: ServerResponse, url: URL) => {
    const outcome = oauth.authorize(url.searchParams);
    record({
      method: "oauth/v2/authorize",
      ...(outcome.teamId !== undefined ? { team: outcome.teamId } : {}),
      args: Object.fromEntries(url.searchParams),
      token: undefined,
      at: Date.now(),
      status: outcome.status,
      ok: outcome.code !== undefined,
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      response: {
        ...(outcome.headers.location !== undefined ? { location: outcome.headers.location } : {}),
        ...(outcome.code !== undefined ? { code: outcome.code } : {}),
      },
    });
    res.writeHead(outcome.status, outcome.headers);
    res.end(outcome.body);
  };
  const signIn = (res: ServerResponse) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      "<!DOCTYPE html><html><head><title>Sign in | Slack</title></head><body>Sign in to Slack</body></html>",
    );
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  origin = `http://${address}:${port}`;

  let hookCounter = 0;
  const api: FakeWebApi = {
    url: `${origin}/api/`,
    origin,
    authorizeUrl: `${origin}/oauth/v2/authorize`,
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    botToken: workspace.botToken,
    appToken: workspace.appToken,
    botUserId: workspace.botUserId,
    botId: workspace.botId,
    teamId: workspace.teamId,
    appId: workspace.appId,
    workspace,
    addWorkspace(input = {}) {
      const teamId = input.teamId ?? slackId("T");
      if (byTeam.has(teamId)) throw new Error(`addWorkspace: ${teamId} exists already`);
      const added = new FakeWorkspace({
        teamId,
        teamName: input.teamName ?? `Team ${teamId}`,
        teamDomain: input.teamDomain ?? teamId.toLowerCase(),
        ...(input.enterpriseId !== undefined ? { enterpriseId: input.enterpriseId } : {}),
        ...(input.enterpriseName !== undefined ? { enterpriseName: input.enterpriseName } : {}),
        appId: workspace.appId,
        botUserId: input.botUserId ?? slackId("U"),
        botId: input.botId ?? slackId("B"),
        botToken: input.botToken ?? `xoxb-${randomDigits(13)}-${randomDigits(13)}-${randomToken(24)}`,
        // One app, one app-level token: it stays the default workspace's, where apps.connections.open goes.
        appToken: workspace.appToken,
        installed: input.installed ?? false,
        generalChannelId: input.generalChannelId ?? slackId("C"),
        ...(options.wallClock !== undefined ? { wallClock: options.wallClock } : {}),
        ...(workspace.socketUrl ? { socketUrl: workspace.socketUrl } : {}),
        fileOrigin: () => origin,
        isForeignChannel: foreignTo(teamId),
      });
      byTeam.set(teamId, added);
      return added;
    },
    workspaceFor: (teamId) => workspaceFor(teamId),
    workspaces: () => [...byTeam.values()],
    nextInstall: (choice) => oauth.nextInstall(choice),
    uninstall(teamId) {
      const target = workspaceFor(teamId);
      const revoked = target.uninstall();
      return {
        teamId,
        revoked,
        events: [tokensRevokedEvent(revoked), appUninstalledEvent()],
        from: target.identity(),
      };
    },
    calls,
    callsTo: (method, team) =>
      calls.filter((c) => c.method === method && (team === undefined || c.team === team)),
    waitForCall(method, predicate, timeoutMs = 5000) {
      const existing = calls.find((c) => c.method === method && (!predicate || predicate(c)));
      if (existing) return Promise.resolve(existing);
      return new Promise<RecordedCall>((resolve, reject) => {
        const waiter: Waiter = {
          method,
          predicate,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            const seen = calls.length ? calls.map(describe).join("\n") : "  (none)";
            reject(
              new Error(
                `Timed out after ${timeoutMs}ms waiting for a ${method} call${predicate ? " matching the predicate" : ""}.\nCalls seen:\n${seen}`,
              ),
            );
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    failNext: (method, failure) => workspaceFor(failure?.team).failNext(method, failure),
    addMessage: (input) => workspace.addMessage(input),
    addFile: (input) => workspace.addFile(input),
    addUser: (input) => workspace.addUser(input),
    addChannel: (input) => workspace.addChannel(input),
    messages: (channel) => workspace.messages(channel),
    thread: (channel, ts) => workspace.thread(channel, ts),
    reactions: (channel, ts) => workspace.reactions(channel, ts),
    ephemerals: workspace.ephemerals,
    views: () => workspace.views(),
    responseUrl(context = {}) {
      hookCounter += 1;
      const id = `${Date.now()}${hookCounter}`;
      responseUrls.set(id, context);
      return `${origin}/hooks/commands/${workspaceFor(context.team).teamId}/${id}/${randomToken(24)}`;
    },
    onCall(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setSocketUrl(socketUrl) {
      for (const ws of byTeam.values()) ws.socketUrl = socketUrl;
    },
    reset() {
      calls.length = 0;
      responseUrls.clear();
      oauth.reset();
      for (const ws of byTeam.values()) ws.reset();
    },
    async close() {
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.reject(new Error(`Fake Web API closed while waiting for ${w.method}`));
      }
      waiters.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return api;
}
