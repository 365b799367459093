/**
 * Long pastes that Slack turned into a text snippet arrive as a `file_share` message: the paste is the
 * file's content, downloaded with the bot token (`files:read`).
 */
import { MAX_PASTE_CHARS } from "../match/normalize.js";

export interface SlackFile {
  id?: string;
  name?: string;
  filetype?: string;
  mimetype?: string;
  mode?: string;
  size?: number;
  url_private?: string;
  url_private_download?: string;
}

// Larger files are logs or dumps, not pastes; the matcher reads only the first MAX_PASTE_CHARS anyway.
const MAX_SNIPPET_BYTES = 1024 * 1024;

export function isTextSnippet(file: SlackFile): boolean {
  if ((file.size ?? 0) > MAX_SNIPPET_BYTES) return false;
  if (file.mode === "snippet") return true;
  if (file.filetype === "text") return true;
  return typeof file.mimetype === "string" && file.mimetype.startsWith("text/plain");
}

/**
 * Downloads a snippet's text. The bot token is only ever sent to Slack's file host or the configured Web
 * API's origin: a file URL pointing anywhere else is not fetched.
 */
export async function readSnippet(
  file: SlackFile,
  token: string,
  trustedOrigins: readonly string[],
  fetchFn: typeof fetch = fetch,
): Promise<string | null> {
  const url = file.url_private_download ?? file.url_private;
  if (!url) return null;
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return null;
  }
  if (!trustedOrigins.includes(origin)) return null;
  const response = await fetchFn(url, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) return null;
  const type = response.headers.get("content-type") ?? "";
  // Without files:read Slack answers with its HTML sign-in page instead of the file.
  if (type.includes("text/html")) return null;
  const text = await response.text();
  return text.slice(0, MAX_PASTE_CHARS * 2);
}

export function trustedFileOrigins(slackApiUrl: string): string[] {
  const origins = ["https://files.slack.com"];
  try {
    origins.push(new URL(slackApiUrl).origin);
  } catch {
    // config.ts has validated the URL already
  }
  return origins;
}
