// Drives an app's HTTP endpoint the way Slack does: signed requests, exact content types, retry headers.
import { createHmac } from "node:crypto";
import { DEFAULTS, slackId } from "./ids.js";
import {
  type EventCallback,
  eventCallback,
  type ResponseUrlFor,
  type SlashCommandInput,
  slashCommandWithResponseUrl,
  type Workspace,
} from "./payloads.js";

export interface HttpSenderOptions extends Workspace {
  /** The app's request URL, e.g. `http://127.0.0.1:3000/slack/events`. */
  url: string;
  signingSecret: string;
  /** response_url for commands without one, e.g. `() => api.responseUrl({ channel, user })`. */
  responseUrl?: ResponseUrlFor;
}

export interface SendEventOptions extends Workspace {
  eventId?: string;
  eventTime?: number;
  /** Sent as `X-Slack-Retry-Num`; Slack retries with the same `event_id`. */
  retryNum?: number;
  /** Sent as `X-Slack-Retry-Reason`, e.g. `http_timeout`, `http_error`. */
  retryReason?: string;
  apiAppId?: string;
}

export interface SendResult {
  status: number;
  body: string;
  json?: unknown;
  headers: Headers;
}

export interface RawSendOptions {
  /** Sign with this secret instead of the sender's (a wrong secret gives a bad signature). */
  signWith?: string;
  /** Request timestamp in seconds (stale ones are older than 5 minutes). */
  timestamp?: number;
  /** Send no signature headers at all. */
  unsigned?: boolean;
}

export interface HttpSender {
  sendEvent<E extends { type: string }>(
    event: E,
    opts?: SendEventOptions,
  ): Promise<SendResult & { envelope: EventCallback<E> }>;
  sendUrlVerification(challenge?: string): Promise<SendResult>;
  sendCommand(input?: SlashCommandInput): Promise<SendResult>;
  sendInteraction(payload: object): Promise<SendResult>;
  sendRaw(body: string, headers?: Record<string, string>, opts?: RawSendOptions): Promise<SendResult>;
}

const FORM = "application/x-www-form-urlencoded"; // exactly this: Bolt compares the header without parameters

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret. */
export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

export function createHttpSender(options: HttpSenderOptions): HttpSender {
  const sendRaw = async (
    body: string,
    headers: Record<string, string> = {},
    opts: RawSendOptions = {},
  ): Promise<SendResult> => {
    const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
    const signed: Record<string, string> = opts.unsigned
      ? {}
      : {
          "x-slack-request-timestamp": String(timestamp),
          "x-slack-signature": slackSignature(opts.signWith ?? options.signingSecret, timestamp, body),
        };
    const res = await fetch(options.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        ...signed,
        ...headers,
      },
      body,
    });
    const text = await res.text();
    let json: unknown;
    if (text !== "") {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: res.status, body: text, ...(json !== undefined ? { json } : {}), headers: res.headers };
  };

  const workspace = (o: Workspace = {}): Workspace => ({
    ...(options.teamId !== undefined ? { teamId: options.teamId } : {}),
    ...(options.teamDomain !== undefined ? { teamDomain: options.teamDomain } : {}),
    ...(options.appId !== undefined ? { appId: options.appId } : {}),
    ...(options.botUserId !== undefined ? { botUserId: options.botUserId } : {}),
    ...(options.botId !== undefined ? { botId: options.botId } : {}),
    ...(options.enterpriseId !== undefined ? { enterpriseId: options.enterpriseId } : {}),
    ...o,
  });

  return {
    async sendEvent(event, opts = {}) {
      const { retryNum, retryReason, apiAppId, ...rest } = opts;
      // `rest` carries eventId/eventTime and any Workspace overrides.
      const envelope = eventCallback(event, {
        ...workspace(),
        ...rest,
        ...(apiAppId !== undefined ? { appId: apiAppId } : {}),
      });
      const headers: Record<string, string> = {};
      if (retryNum !== undefined) {
        headers["x-slack-retry-num"] = String(retryNum);
        headers["x-slack-retry-reason"] = retryReason ?? "http_timeout";
      }
      return { ...(await sendRaw(JSON.stringify(envelope), headers)), envelope };
    },

    sendUrlVerification(challenge = slackId("", 40)) {
      return sendRaw(
        JSON.stringify({ token: DEFAULTS.verificationToken, challenge, type: "url_verification" }),
      );
    },

    sendCommand(input = {}) {
      const body = slashCommandWithResponseUrl(input, workspace(), options.responseUrl);
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(body)) if (typeof v === "string") form.append(k, v);
      return sendRaw(form.toString(), { "content-type": FORM });
    },

    sendInteraction(payload) {
      return sendRaw(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), {
        "content-type": FORM,
      });
    },

    sendRaw,
  };
}
