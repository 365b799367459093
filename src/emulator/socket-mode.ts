// A local Socket Mode endpoint: hands out `wss` URLs (via the fake `apps.connections.open`), greets with `hello`,
// wraps payloads in envelopes and resolves with the app's ack.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import { DEFAULTS, randomToken, uuid } from "./ids.js";
import {
  type EventCallback,
  eventCallback,
  type ResponseUrlFor,
  type SlashCommandInput,
  slashCommandWithResponseUrl,
  type Workspace,
} from "./payloads.js";

export interface FakeSocketModeOptions extends Workspace {
  port?: number;
  host?: "127.0.0.1";
  /** How long `send*` waits for the ack; Slack itself gives up after 3 seconds. */
  ackTimeoutMs?: number;
  /** response_url for commands without one, e.g. `() => api.responseUrl({ channel, user })`. */
  responseUrl?: ResponseUrlFor;
}

export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export interface EnvelopeSendOptions {
  /** Envelope `retry_attempt` (events_api only); Bolt exposes it as `context.retryNum`. */
  retryAttempt?: number;
  /** Envelope `retry_reason`, e.g. `timeout`. */
  retryReason?: string;
  timeoutMs?: number;
}

export interface SocketEventOptions extends EnvelopeSendOptions, Workspace {
  eventId?: string;
  eventTime?: number;
}

export type EnvelopeType = "events_api" | "slash_commands" | "interactive";

export interface Envelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: object;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface FakeSocketMode {
  /** A fresh `ws://127.0.0.1:PORT/link/?ticket=…` on every read, like each `apps.connections.open`. */
  readonly url: string;
  /** Number of open app connections. */
  readonly connections: number;
  /** Every ack received, in order. */
  readonly acks: SocketAck[];
  /** Every envelope sent, in order. */
  readonly envelopes: Envelope[];
  /** Resolves once an app connection is open and greeted (immediately if one already is). */
  connected(timeoutMs?: number): Promise<void>;
  sendEvent<E extends { type: string }>(
    event: E,
    opts?: SocketEventOptions,
  ): Promise<SocketAck & { envelope: EventCallback<E> }>;
  sendCommand(input?: SlashCommandInput, opts?: EnvelopeSendOptions): Promise<SocketAck>;
  sendInteraction(payload: { type: string }, opts?: EnvelopeSendOptions): Promise<SocketAck>;
  sendEnvelope(type: EnvelopeType, payload: object, opts?: EnvelopeSendOptions): Promise<SocketAck>;
  /** Ask connected apps to reconnect (`{"type":"disconnect","reason":…}`), as Slack does before recycling. */
  disconnect(reason?: "refresh_requested" | "warning" | "link_disabled"): void;
  /** Cut every connection without a word, as a network failure would. */
  drop(): void;
  close(): Promise<void>;
}

interface PendingAck {
  resolve: (ack: SocketAck) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  socket: WebSocket;
}

const HOST_NAME = "applink-fake-0";

export async function startFakeSocketMode(options: FakeSocketModeOptions = {}): Promise<FakeSocketMode> {
  const appId = options.appId ?? DEFAULTS.appId;
  const ackTimeoutMs = options.ackTimeoutMs ?? 3000;
  const tickets = new Set<string>();
  const sockets = new Set<WebSocket>();
  const pending = new Map<string, PendingAck>();
  const connectWaiters = new Set<() => void>();
  const acks: SocketAck[] = [];
  const envelopes: Envelope[] = [];

  const http: Server = createServer((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  const wss = new WebSocketServer({
    server: http,
    verifyClient: (info: { req: IncomingMessage }, done: (ok: boolean, code?: number) => void) => {
      const url = new URL(info.req.url ?? "/", "http://localhost");
      const ticket = url.searchParams.get("ticket");
      done(url.pathname === "/link/" && ticket !== null && tickets.has(ticket), 401);
    },
  });

  wss.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("message", (data, isBinary) => {
      if (isBinary) return;
      let msg: unknown;
      try {
        msg = JSON.parse(String(data));
      } catch {
        return; // Slack ignores what it cannot parse
      }
      if (typeof msg !== "object" || msg === null) return;
      const { envelope_id, payload } = msg as { envelope_id?: unknown; payload?: unknown };
      if (typeof envelope_id !== "string") return;
      const ack: SocketAck = {
        envelope_id,
        ...(typeof payload === "object" && payload !== null
          ? { payload: payload as Record<string, unknown> }
          : {}),
      };
      acks.push(ack);
      const waiter = pending.get(envelope_id);
      if (waiter) {
        pending.delete(envelope_id);
        clearTimeout(waiter.timer);
        waiter.resolve(ack);
      }
    });
    socket.on("close", () => {
      sockets.delete(socket);
      for (const [id, p] of pending) {
        if (p.socket !== socket) continue;
        pending.delete(id);
        clearTimeout(p.timer);
        p.reject(new Error(`Socket Mode connection closed before envelope ${id} was acknowledged`));
      }
    });
    socket.on("error", () => socket.terminate());
    socket.send(
      JSON.stringify({
        type: "hello",
        num_connections: sockets.size,
        debug_info: { host: HOST_NAME, build_number: 118, approximate_connection_time: 18060 },
        connection_info: { app_id: appId },
      }),
    );
    for (const resolve of connectWaiters) resolve();
    connectWaiters.clear();
  });

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      http.off("error", reject);
      resolve();
    });
  });
  const { address, port } = http.address() as AddressInfo;

  const workspace = (o: Workspace = {}): Workspace => ({
    ...(options.teamId !== undefined ? { teamId: options.teamId } : {}),
    ...(options.teamDomain !== undefined ? { teamDomain: options.teamDomain } : {}),
    appId,
    ...(options.botUserId !== undefined ? { botUserId: options.botUserId } : {}),
    ...(options.botId !== undefined ? { botId: options.botId } : {}),
    ...(options.enterpriseId !== undefined ? { enterpriseId: options.enterpriseId } : {}),
    ...o,
  });

  const sendEnvelope = (
    type: EnvelopeType,
    payload: object,
    opts: EnvelopeSendOptions = {},
  ): Promise<SocketAck> => {
    // Slack delivers each envelope over one connection; the newest is the likeliest to be healthy.
    const socket = [...sockets].filter((s) => s.readyState === s.OPEN).pop();
    if (!socket)
      return Promise.reject(new Error(`No Socket Mode connection to deliver a ${type} envelope to`));
    const kind = (payload as { type?: unknown }).type;
    const envelope: Envelope = {
      envelope_id: uuid(),
      payload,
      type,
      accepts_response_payload:
        type === "slash_commands" || kind === "view_submission" || kind === "block_suggestion",
      ...(type === "events_api"
        ? { retry_attempt: opts.retryAttempt ?? 0, retry_reason: opts.retryReason ?? "" }
        : {}),
    };
    envelopes.push(envelope);
    const timeoutMs = opts.timeoutMs ?? ackTimeoutMs;
    return new Promise<SocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(envelope.envelope_id);
        reject(new Error(`No ack for ${type} envelope ${envelope.envelope_id} within ${timeoutMs}ms`));
      }, timeoutMs);
      pending.set(envelope.envelope_id, { resolve, reject, timer, socket });
      socket.send(JSON.stringify(envelope));
    });
  };

  return {
    get url() {
      const ticket = uuid();
      tickets.add(ticket);
      return `ws://${address}:${port}/link/?ticket=${ticket}&app_id=${randomToken(64).toLowerCase()}`;
    },
    get connections() {
      return [...sockets].filter((s) => s.readyState === s.OPEN).length;
    },
    acks,
    envelopes,
    connected(timeoutMs = 5000) {
      if ([...sockets].some((s) => s.readyState === s.OPEN)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          connectWaiters.delete(done);
          reject(new Error(`No Socket Mode client connected within ${timeoutMs}ms`));
        }, timeoutMs);
        connectWaiters.add(done);
      });
    },
    async sendEvent(event, opts = {}) {
      const { retryAttempt, retryReason, timeoutMs, eventId, eventTime, ...ws } = opts;
      const envelope = eventCallback(event, {
        ...workspace(ws),
        ...(eventId !== undefined ? { eventId } : {}),
        ...(eventTime !== undefined ? { eventTime } : {}),
      });
      const sendOpts: EnvelopeSendOptions = {
        ...(retryAttempt !== undefined ? { retryAttempt } : {}),
        ...(retryReason !== undefined ? { retryReason } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      };
      return { ...(await sendEnvelope("events_api", envelope, sendOpts)), envelope };
    },
    sendCommand(input = {}, opts) {
      const body = slashCommandWithResponseUrl(input, workspace(), options.responseUrl);
      return sendEnvelope("slash_commands", body, opts);
    },
    sendInteraction(payload, opts) {
      return sendEnvelope("interactive", payload, opts);
    },
    sendEnvelope,
    disconnect(reason = "refresh_requested") {
      const msg = JSON.stringify({ type: "disconnect", reason, debug_info: { host: HOST_NAME } });
      for (const s of sockets) if (s.readyState === s.OPEN) s.send(msg);
    },
    drop() {
      for (const s of sockets) s.terminate();
    },
    async close() {
      for (const [id, p] of pending) {
        clearTimeout(p.timer);
        p.reject(new Error(`Fake Socket Mode closed before envelope ${id} was acknowledged`));
      }
      pending.clear();
      // Finish close handshakes before tearing down: Bolt's SocketModeReceiver.stop() resolves without waiting for
      // its own, and terminating mid-handshake makes the client log WebSocket errors.
      await Promise.all(
        [...sockets].map(
          (s) =>
            new Promise<void>((resolve) => {
              if (s.readyState === s.CLOSED) return resolve();
              const timer = setTimeout(() => {
                s.terminate();
                resolve();
              }, 1000);
              s.once("close", () => {
                clearTimeout(timer);
                resolve();
              });
              if (s.readyState === s.OPEN) s.close(1001, "server closing");
            }),
        ),
      );
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}
