/**
 * A short hash of a knowledge base's articles, in load order (sorted by source): the same folder gives the
 * same version on every replica, whatever its files' times, so a replica told "reloaded, version V" can tell
 * whether it already serves V.
 */
import { createHash } from "node:crypto";
import type { Article } from "./types.js";

export function knowledgeVersion(articles: readonly Article[]): string {
  const hash = createHash("sha256");
  for (const article of articles) {
    hash.update(JSON.stringify(article));
    hash.update("\n");
  }
  return hash.digest("base64url").slice(0, 16);
}
