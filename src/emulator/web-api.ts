// A fake Slack Web API on loopback: `WebClient({ slackApiUrl: api.url })` and Bolt's clients work unchanged.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomToken } from "./ids.js";
import type { SlackFile } from "./payloads.js";
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
}

export interface RecordedCall {
  method: string;
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
  readonly botToken: string;
  readonly appToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly appId: string;
  /** The state behind the API, for assertions and seeding beyond the helpers below. */
  readonly workspace: FakeWorkspace;
  readonly calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  waitForCall(
    method: string,
    predicate?: (call: RecordedCall) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedCall>;
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
   * `response_type: "in_channel"` replies are stored in `context.channel`.
   */
  responseUrl(context?: ResponseUrlContext): string;
  /** Called after every recorded call (Web API method or response_url post); returns an unsubscribe. */
  onCall(listener: (call: RecordedCall) => void): () => void;
  setSocketUrl(socketUrl: () => string): void;
  /** Forget calls, messages, files, views and pending failures (configuration stays). */
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
  const workspace = new FakeWorkspace({
    ...options,
    fileOrigin: () => origin,
  });
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
      record({
        method,
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
    const reply = workspace.handle(method, args, token);
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    const error = typeof reply.body.error === "string" ? reply.body.error : undefined;
    record({
      method,
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
    const stored = workspace.fileContent(id);
    if (bearer(req) !== workspace.botToken) {
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
    workspace.handleResponseUrl(context, args);
    record({
      method: "response_url",
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
    botToken: workspace.botToken,
    appToken: workspace.appToken,
    botUserId: workspace.botUserId,
    botId: workspace.botId,
    teamId: workspace.teamId,
    appId: workspace.appId,
    workspace,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
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
    failNext: (method, failure) => workspace.failNext(method, failure),
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
      return `${origin}/hooks/commands/${workspace.teamId}/${id}/${randomToken(24)}`;
    },
    onCall(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setSocketUrl(socketUrl) {
      workspace.socketUrl = socketUrl;
    },
    reset() {
      calls.length = 0;
      responseUrls.clear();
      workspace.reset();
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
