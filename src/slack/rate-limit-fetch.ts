/**
 * Slack rate-limits per workspace and Web API method, so a 429 one replica got holds for every replica. The
 * Web API client waits out its own 429s (Retry-After) but knows nothing of the other replicas'. This
 * `fetch`, given to the client, shares them: a 429's Retry-After is recorded in the shared state, and a call
 * in a scope that is being held back waits first instead of earning a 429 of its own. The 429 itself is
 * returned unchanged: the client then waits and retries as usual.
 *
 * The scope is the method plus a short hash of the bearer token (the token stands for the workspace): the
 * token itself is never stored or logged. Calls without a bearer token, and URLs that are not Web API
 * methods, pass through untouched.
 */
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import type { SharedState } from "../state/shared-state.js";

/** `…/api/chat.postMessage`: the Web API method is the last path segment after `/api/`. */
const WEB_API_METHOD = /\/api\/([a-z][A-Za-z0-9]*(?:\.[A-Za-z0-9_]+)+)$/;

export interface RateLimitFetchOptions {
  logger: Logger;
  /**
   * A call waits at most this long, then goes to Slack anyway (a 429 there is waited out by the client, and
   * that wait is outside the client's `timeout`, which this one is inside of). Default 60 s.
   */
  maxWaitMs?: number;
}

/** The shared-state scope of a Web API call: method and workspace (a hash of the token, not the token). */
export function rateLimitScope(method: string, token: string): string {
  const workspace = createHash("sha256").update(token).digest("base64url").slice(0, 16);
  return `${method}:${workspace}`;
}

export function rateLimitFetch(
  base: typeof fetch,
  state: SharedState,
  options: RateLimitFetchOptions,
): typeof fetch {
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const log = options.logger;

  const wrapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const method = webApiMethod(
      typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
    );
    const token = method ? bearerToken(input, init) : undefined;
    if (!method || !token) return base(input, init);
    const scope = rateLimitScope(method, token);

    const wait = Math.min(await state.rateLimitWait(scope), maxWaitMs);
    if (wait > 0) {
      log.info({ method, waitMs: wait }, "waiting out a Slack rate limit on this workspace and method");
      await sleep(wait, init?.signal ?? (input instanceof Request ? input.signal : undefined));
    }
    const response = await base(input, init);
    if (response.status === 429) {
      const seconds = retryAfterSeconds(response.headers.get("retry-after"));
      if (seconds !== undefined && seconds > 0) {
        log.info(
          { method, retryAfterSeconds: seconds },
          "Slack rate-limited a call; the other replicas wait too",
        );
        await state.rateLimited(scope, seconds * 1000);
      }
    }
    return response;
  };
  return wrapped as typeof fetch;
}

function webApiMethod(url: string): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return undefined;
  }
  return WEB_API_METHOD.exec(pathname)?.[1];
}

function bearerToken(input: string | URL | Request, init: RequestInit | undefined): string | undefined {
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  const match = /^Bearer\s+(\S+)$/i.exec(headers.get("authorization") ?? "");
  return match?.[1];
}

/** Retry-After is whole seconds from Slack; an HTTP date is accepted too. */
function retryAfterSeconds(header: string | null): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+(?:\.\d+)?$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

/** As fetch itself does, a wait the caller aborts (the client's timeout) rejects with the signal's reason. */
function sleep(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
