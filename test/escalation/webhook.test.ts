import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type EscalationPayload, sendEscalationWebhook } from "../../src/escalation/webhook.js";

const SECRET = "webhook-secret-0123456789";
const payload: EscalationPayload = {
  type: "kb_triage.escalation",
  version: 1,
  triage_id: "t1",
  escalated_at: "2026-11-25T08:00:00.000Z",
  escalated_by: { user_id: "U1" },
  source: "channel",
  channel_id: "C1",
  message_ts: "1.2",
  permalink: null,
  error_text: "System error 53 has occurred.",
  verdict: "match",
  candidates: [{ article_id: "KT1007", score: 0.97 }],
  feedback: [],
};

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A real receiver on loopback that checks the signature like a ticketing system would. */
async function receiver(
  answer: (attempt: number, req: IncomingMessage, body: string, res: ServerResponse) => void,
) {
  let attempt = 0;
  const seen: { valid: boolean; body: string }[] = [];
  const listening = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const ts = String(req.headers["x-kb-triage-timestamp"]);
      const expected = `sha256=${createHmac("sha256", SECRET).update(`${ts}.${body}`).digest("hex")}`;
      seen.push({ valid: req.headers["x-kb-triage-signature"] === expected, body });
      answer(++attempt, req, body, res);
    });
  });
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}/hook`, seen };
}

describe("sendEscalationWebhook", () => {
  it("POSTs the signed summary, retries a 503, and returns the ticket URL", async () => {
    const { url, seen } = await receiver((attempt, _req, _body, res) => {
      if (attempt === 1) res.writeHead(503).end();
      else
        res
          .writeHead(201, { "content-type": "application/json" })
          .end('{"ticket_url":"https://tickets.example/T-42"}');
    });
    const result = await sendEscalationWebhook(url, SECRET, payload, { baseDelayMs: 10 });
    expect(result).toMatchObject({
      ok: true,
      status: 201,
      ticketUrl: "https://tickets.example/T-42",
      attempts: 2,
    });
    expect(seen.map((s) => s.valid)).toEqual([true, true]);
    expect(JSON.parse(seen[1]?.body ?? "{}")).toEqual(payload);
  });

  it("does not retry a 4xx other than 408/429, and reports it", async () => {
    const { url, seen } = await receiver((_a, _r, _b, res) => res.writeHead(401).end());
    const result = await sendEscalationWebhook(url, SECRET, payload, { baseDelayMs: 10 });
    expect(result).toMatchObject({ ok: false, status: 401, attempts: 1 });
    expect(seen).toHaveLength(1);
  });

  it("gives up after the retries when nothing answers", async () => {
    const result = await sendEscalationWebhook("http://127.0.0.1:9/hook", SECRET, payload, {
      baseDelayMs: 5,
      retries: 2,
    });
    expect(result).toMatchObject({ ok: false, status: null, attempts: 3 });
  });

  it("ignores a ticket URL that is not http(s)", async () => {
    const { url } = await receiver((_a, _r, _b, res) =>
      res.writeHead(200).end('{"url":"javascript:alert(1)"}'),
    );
    expect((await sendEscalationWebhook(url, SECRET, payload)).ticketUrl).toBeNull();
  });
});
