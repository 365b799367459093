/**
 * `chat.postMessage` is not idempotent, and the Web API client retries a call that timed out, lost its
 * connection or got a 5xx: when the first attempt did reach Slack, the answer is posted twice. This `fetch`,
 * given to the client, makes those retries safe. It tags every `chat.postMessage` with a key in the message's
 * metadata (people do not see it) and, before re-sending a call whose earlier attempt ended without a clear
 * answer, looks for a message with that key in the thread (or among the channel's latest messages). When it is
 * there, the retry answers with that message instead of posting again. When the look-up itself fails, the
 * retry posts: a duplicate is better than a lost answer, and it is logged.
 *
 * The key is a hash of the call's form body, which the client serializes the same way on every attempt.
 */
import { createHash } from "node:crypto";
import type { Logger } from "pino";

/** The metadata event type of every message the bot posts (Slack: letters, digits and underscores). */
export const POST_EVENT_TYPE = "kb_triage_post";
/** How long a call with an unclear outcome is remembered (the client's retries take well under this). */
const REMEMBER_MS = 10 * 60_000;
const MAX_REMEMBERED = 10_000;
/** A thread is searched this many pages of 200 replies deep. */
const MAX_REPLY_PAGES = 5;

interface Attempted {
  /** When the first attempt was sent (ms since the epoch). */
  firstAt: number;
  /** An attempt ended without Slack's answer (timeout, lost connection, 5xx): it may have been posted. */
  unclear: boolean;
}

export interface IdempotentPostOptions {
  logger: Logger;
  now?: () => number;
}

export function idempotentPostFetch(base: typeof fetch, options: IdempotentPostOptions): typeof fetch {
  const now = options.now ?? Date.now;
  const attempts = new Map<string, Attempted>();

  const forget = () => {
    const cutoff = now() - REMEMBER_MS;
    for (const [key, a] of attempts) {
      if (a.firstAt >= cutoff && attempts.size <= MAX_REMEMBERED) break;
      attempts.delete(key);
    }
  };

  const wrapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const body = init?.body;
    if (!url.endsWith("/chat.postMessage") || typeof body !== "string") return base(input, init);
    const form = new URLSearchParams(body);
    // A call that brings its own metadata cannot be tagged (Slack keeps one event per message).
    if (form.has("metadata")) return base(input, init);
    const key = createHash("sha256").update(body).digest("base64url").slice(0, 22);
    form.set("metadata", JSON.stringify({ event_type: POST_EVENT_TYPE, event_payload: { key } }));

    let attempt = attempts.get(key);
    if (attempt?.unclear) {
      const found = await findPosted(base, url, init, form, key).catch((error: unknown) => {
        options.logger.warn(
          { err: error, channel: form.get("channel") },
          "could not check whether an earlier attempt of chat.postMessage was posted; posting again",
        );
        return undefined;
      });
      if (found) {
        attempts.delete(key);
        options.logger.info(
          { channel: form.get("channel"), ts: found.ts },
          "an earlier attempt of chat.postMessage had been posted; not posting it again",
        );
        return Response.json({ ok: true, channel: form.get("channel"), ts: found.ts, message: found });
      }
    }
    if (!attempt) {
      forget();
      attempt = { firstAt: now(), unclear: false };
      attempts.set(key, attempt);
    }
    try {
      const response = await base(input, { ...init, body: form.toString() });
      // 200: Slack answered (posted or refused); 429: not posted. Anything else may have been posted.
      if (response.status === 200) attempts.delete(key);
      else if (response.status !== 429) attempt.unclear = true;
      return response;
    } catch (error) {
      attempt.unclear = true;
      throw error;
    }
  };
  return wrapped as typeof fetch;
}

interface PostedMessage {
  ts: string;
  metadata?: { event_type?: unknown; event_payload?: { key?: unknown } };
}

/** The message an earlier attempt posted, looked up with the same token and Web API as the call. */
async function findPosted(
  base: typeof fetch,
  postUrl: string,
  init: RequestInit | undefined,
  form: URLSearchParams,
  key: string,
): Promise<PostedMessage | undefined> {
  const channel = form.get("channel");
  if (!channel) return undefined;
  const threadTs = form.get("thread_ts");
  // No `oldest`: the retry comes seconds after the first attempt, so the post is among the channel's latest
  // messages (history is newest first) or somewhere in the thread (replies are oldest first: paged through).
  const method = threadTs ? "conversations.replies" : "conversations.history";
  let cursor = "";
  for (let page = 0; page < (threadTs ? MAX_REPLY_PAGES : 1); page++) {
    const query = new URLSearchParams({ channel, include_all_metadata: "true", limit: "200" });
    if (threadTs) query.set("ts", threadTs);
    if (cursor) query.set("cursor", cursor);
    const response = await base(postUrl.replace(/chat\.postMessage$/, method), {
      method: "POST",
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      body: query.toString(),
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status !== 200) throw new Error(`${method} answered HTTP ${response.status}`);
    const answer = (await response.json()) as {
      ok?: boolean;
      error?: string;
      messages?: PostedMessage[];
      response_metadata?: { next_cursor?: string };
    };
    if (!answer.ok) throw new Error(`${method} answered ${answer.error ?? "not ok"}`);
    const found = answer.messages?.find(
      (m) => m.metadata?.event_type === POST_EVENT_TYPE && m.metadata.event_payload?.key === key,
    );
    if (found) return found;
    cursor = answer.response_metadata?.next_cursor ?? "";
    if (!cursor) break;
  }
  return undefined;
}
