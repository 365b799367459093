/**
 * Escalations to any ticketing system (Jira Service Management, ServiceNow, Zendesk, a Zapier hook): the
 * summary is POSTed as JSON, signed with HMAC-SHA256, and retried with backoff. A ticket URL in the answer
 * (`ticket_url` or `url`) is linked back in the Slack thread.
 *
 * Headers: `X-KB-Triage-Timestamp` (Unix seconds) and `X-KB-Triage-Signature: sha256=<hex>`, the HMAC of
 * `${timestamp}.${body}` with ESCALATION_WEBHOOK_SECRET; receivers should reject timestamps older than 5 minutes.
 */
import { createHmac } from "node:crypto";

/** The JSON body (schema version 1; documented in README.md). */
export interface EscalationPayload {
  type: "kb_triage.escalation";
  version: 1;
  triage_id: string;
  escalated_at: string;
  escalated_by: { user_id: string };
  source: string;
  channel_id: string | null;
  message_ts: string | null;
  permalink: string | null;
  /** The error exactly as the person pasted it. */
  error_text: string;
  verdict: "match" | "possible" | "none";
  candidates: { article_id: string; score: number }[];
  feedback: { kind: string; user_id: string | null; article_id: string | null; at: string }[];
}

export interface WebhookResult {
  ok: boolean;
  status: number | null;
  ticketUrl: string | null;
  attempts: number;
  error?: string;
}

export function signBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export async function sendEscalationWebhook(
  url: string,
  secret: string,
  payload: EscalationPayload,
  options: { fetchFn?: typeof fetch; retries?: number; baseDelayMs?: number; timeoutMs?: number } = {},
): Promise<WebhookResult> {
  const { fetchFn = fetch, retries = 3, baseDelayMs = 500, timeoutMs = 10_000 } = options;
  const body = JSON.stringify(payload);
  let last: WebhookResult = { ok: false, status: null, ticketUrl: null, attempts: 0 };
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetchFn(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "kb-triage",
          "x-kb-triage-timestamp": String(timestamp),
          "x-kb-triage-signature": signBody(secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      if (response.ok)
        return { ok: true, status: response.status, ticketUrl: ticketUrlOf(text), attempts: attempt };
      last = {
        ok: false,
        status: response.status,
        ticketUrl: null,
        attempts: attempt,
        error: `HTTP ${response.status}`,
      };
      // A 4xx other than 408/429 will not get better by asking again.
      if (response.status < 500 && response.status !== 408 && response.status !== 429) return last;
    } catch (error) {
      last = { ok: false, status: null, ticketUrl: null, attempts: attempt, error: (error as Error).message };
    }
    if (attempt <= retries)
      await new Promise((resolve) => setTimeout(resolve, baseDelayMs * 2 ** (attempt - 1)));
  }
  return last;
}

/** `ticket_url` or `url` from a JSON answer, when it is an http(s) URL. */
function ticketUrlOf(text: string): string | null {
  try {
    const json = JSON.parse(text) as { ticket_url?: unknown; url?: unknown };
    const url =
      typeof json.ticket_url === "string" ? json.ticket_url : typeof json.url === "string" ? json.url : null;
    return url && /^https?:\/\/\S+$/.test(url) && url.length <= 1000 ? url : null;
  } catch {
    return null;
  }
}
