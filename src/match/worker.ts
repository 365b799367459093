/**
 * Worker-thread entry of the threaded matcher (see threaded.ts): loads the knowledge folder, builds the index
 * and answers match requests, so neither the build (seconds at 100k articles) nor a slow query (~60 ms worst
 * case at 100k) ever blocks the app's event loop.
 */
import { parentPort, workerData } from "node:worker_threads";
import { examplePastes } from "../knowledge/examples.js";
import { loadKnowledge } from "../knowledge/load.js";
import type { Article } from "../knowledge/types.js";
import { knowledgeVersion } from "../knowledge/version.js";
import { loadWorkspaceKnowledge } from "../knowledge/workspace.js";
import { buildMatcher, type MatcherOverrides } from "./matcher.js";
import type { WorkerReply, WorkerRequest } from "./threaded.js";

interface Init {
  knowledgeDir?: string;
  /** A workspace's own folder, merged over `knowledgeDir` (see loadWorkspaceKnowledge). */
  workspaceDir?: string;
  articles?: Article[];
  overrides?: MatcherOverrides;
  /** Threads for the index build (default: up to 2). */
  buildThreads?: number;
}

const port = parentPort;
if (!port) throw new Error("worker.ts runs only as a worker thread");
const init = workerData as Init;

const send = (reply: WorkerReply) => port.postMessage(reply);

// A reload asks the app (through the thread that started it) for the last good articles of broken files.
let asked: ((articles: Article[]) => void) | null = null;
const lastGood = (sources: string[]) =>
  new Promise<Article[]>((resolve) => {
    asked = resolve;
    send({ type: "need-last-good", sources });
  });
port.on("message", (message: WorkerRequest) => {
  if (message.type === "last-good" && asked) {
    asked(message.articles);
    asked = null;
  }
});

try {
  const kb = !init.knowledgeDir
    ? null
    : init.workspaceDir
      ? await loadWorkspaceKnowledge(init.knowledgeDir, init.workspaceDir, { lastGood })
      : await loadKnowledge(init.knowledgeDir, { lastGood });
  const articles = kb?.articles ?? init.articles ?? [];
  const byId = new Map(articles.map((a) => [a.id, a]));
  const started = performance.now();
  const matcher = await buildMatcher(articles, init.overrides, init.buildThreads);
  send({
    type: "ready",
    size: matcher.size,
    buildMs: performance.now() - started,
    problems: kb?.problems ?? [],
    files: kb?.files ?? articles.length,
    examples: examplePastes(articles),
    version: knowledgeVersion(articles),
  });
  port.on("message", (request: WorkerRequest) => {
    if (request.type === "last-good") return;
    try {
      if (request.type === "match") {
        send({ type: "result", id: request.id, response: matcher.match(request.text, request.options) });
      } else if (request.type === "article") {
        send({ type: "article", id: request.id, article: byId.get(request.articleId) ?? null });
      } else if (request.type === "from-files") {
        const wanted = new Set(request.sources);
        send({ type: "articles", id: request.id, articles: articles.filter((a) => wanted.has(a.source)) });
      }
    } catch (error) {
      send({
        type: "error",
        id: request.id,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  });
} catch (error) {
  send({ type: "failed", message: error instanceof Error ? error.message : String(error) });
}
