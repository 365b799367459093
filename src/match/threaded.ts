/**
 * The matcher behind an async interface, so the Slack app never waits on it synchronously: either in this
 * thread (small knowledge bases, tests) or in a worker thread that loads and indexes the knowledge folder
 * itself and answers queries there. At 100k articles a query's worst case is ~60 ms and the build several
 * seconds (docs/matcher.md): on the main thread either would stall every other Slack request.
 */
import type { ExamplePaste } from "../knowledge/examples.js";
import type { Article, Problem } from "../knowledge/types.js";
import type { MatcherOverrides } from "./matcher.js";
import type { Matcher, MatchOptions, MatchResponse } from "./types.js";
import { startWorker } from "./workers.js";

export interface AsyncMatcher {
  match(text: string, options?: MatchOptions): Promise<MatchResponse>;
  /** The article with this id, or undefined when the knowledge base (no longer) has it. */
  article(id: string): Promise<Article | undefined>;
  /** Articles indexed. */
  readonly size: number;
  close(): Promise<void>;
}

/** An in-thread matcher behind the async interface. */
export function inThread(matcher: Matcher, articles: readonly Article[]): AsyncMatcher {
  const byId = new Map(articles.map((a) => [a.id, a]));
  return {
    size: matcher.size,
    match: async (text, options) => matcher.match(text, options),
    article: async (id) => byId.get(id),
    close: async () => {},
  };
}

export type WorkerRequest =
  | { type: "match"; id: number; text: string; options?: MatchOptions }
  | { type: "article"; id: number; articleId: string }
  | { type: "from-files"; id: number; sources: string[] }
  | { type: "last-good"; articles: Article[] };

export type WorkerReply =
  | {
      type: "ready";
      size: number;
      buildMs: number;
      problems: Problem[];
      files: number;
      examples: ExamplePaste[];
      /** What is served, as a hash of the articles: replicas compare it after a reload notice. */
      version: string;
    }
  | { type: "failed"; message: string }
  | { type: "need-last-good"; sources: string[] }
  | { type: "articles"; id: number; articles: Article[] }
  | { type: "result"; id: number; response: MatchResponse }
  | { type: "article"; id: number; article: Article | null }
  | { type: "error"; id: number; message: string };

export interface ThreadedMatcher extends AsyncMatcher {
  /** Time the worker took to build the index. */
  readonly buildMs: number;
  /** Article files read. */
  readonly files: number;
  /** Problems found while loading the knowledge folder (empty when articles were given). */
  readonly problems: Problem[];
  /** A few of the knowledge base's own error messages, for people trying the bot out. */
  readonly examples: ExamplePaste[];
  /** A hash of the articles served: two indexes of the same knowledge have the same version. */
  readonly version: string;
  /** The articles this index serves from these files (a reload keeps them when the files break). */
  articlesFrom(sources: string[]): Promise<Article[]>;
  /** Closes once the requests already sent are answered (a swapped-out index finishes its work). */
  closeWhenIdle(): Promise<void>;
}

export interface ThreadedOptions {
  /** Threads for the index build (default: up to 2). */
  buildThreads?: number;
  /** Asked while loading for the last good articles of files that now fail (reloads). */
  lastGood?: (sources: string[]) => Promise<Article[]>;
}

/**
 * Starts a worker that loads `knowledgeDir` (or takes `articles`) and builds the index; resolves once it can
 * answer. Rejects when the folder cannot be loaded at all.
 */
export async function startThreadedMatcher(
  /** With `workspaceDir`, that workspace's folder is merged over the shared one into one index. */
  source: { knowledgeDir: string; workspaceDir?: string } | { articles: Article[] },
  overrides?: MatcherOverrides,
  options: ThreadedOptions = {},
): Promise<ThreadedMatcher> {
  const worker = startWorker("worker", { ...source, overrides, buildThreads: options.buildThreads });
  const pending = new Map<number, { resolve: (reply: WorkerReply) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited: Error | null = null;

  const ready = await new Promise<Extract<WorkerReply, { type: "ready" }>>((resolve, reject) => {
    const onMessage = (reply: WorkerReply) => {
      if (reply.type === "ready") done(() => resolve(reply));
      else if (reply.type === "failed") done(() => reject(new Error(reply.message)));
      else if (reply.type === "need-last-good") {
        const answer = (articles: Article[]) => worker.postMessage({ type: "last-good", articles });
        (options.lastGood?.(reply.sources) ?? Promise.resolve([])).then(answer, () => answer([]));
      }
    };
    const onError = (error: Error) => done(() => reject(error));
    const onExit = (code: number) =>
      done(() => reject(new Error(`matcher worker exited (code ${code}) before it was ready`)));
    // Only our own listeners come off: Worker keeps internal ones that removeAllListeners would break.
    const done = (settle: () => void) => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
      settle();
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
  });

  const failAll = (error: Error) => {
    exited = error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.on("message", (reply: WorkerReply) => {
    if (!("id" in reply)) return;
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    if (reply.type === "error") waiting.reject(new Error(`matcher worker: ${reply.message}`));
    else waiting.resolve(reply);
  });
  worker.on("error", (error) => failAll(error));
  const onExit = (code: number) => failAll(new Error(`matcher worker exited (code ${code})`));
  worker.on("exit", onExit);

  type Unsent = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, "id"> : never) : never;
  const request = (message: Unsent) => {
    if (exited) return Promise.reject(exited);
    const id = nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  };

  const matcher: ThreadedMatcher = {
    size: ready.size,
    buildMs: ready.buildMs,
    files: ready.files,
    problems: ready.problems,
    examples: ready.examples,
    version: ready.version,
    async match(text, options) {
      const reply = await request({ type: "match", text, options });
      return (reply as Extract<WorkerReply, { type: "result" }>).response;
    },
    async article(articleId) {
      const reply = await request({ type: "article", articleId });
      return (reply as Extract<WorkerReply, { type: "article" }>).article ?? undefined;
    },
    async articlesFrom(sources) {
      const reply = await request({ type: "from-files", sources });
      return (reply as Extract<WorkerReply, { type: "articles" }>).articles;
    },
    async closeWhenIdle() {
      const deadline = Date.now() + 30_000;
      while (pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await matcher.close();
    },
    async close() {
      worker.off("exit", onExit);
      failAll(new Error("matcher closed"));
      await worker.terminate();
    },
  };
  return matcher;
}

/**
 * An AsyncMatcher available at once whose calls wait for one still being built, so the app can connect to
 * Slack while the knowledge base loads. A failed build fails every call with its error.
 */
export function whenReady(building: Promise<AsyncMatcher>): AsyncMatcher & { ready: Promise<AsyncMatcher> } {
  let built: AsyncMatcher | null = null;
  const ready = building.then((matcher) => {
    built = matcher;
    return matcher;
  });
  ready.catch(() => undefined); // reported by whoever awaits `ready`
  return {
    ready,
    get size() {
      return built?.size ?? 0;
    },
    match: async (text, options) => (await ready).match(text, options),
    article: async (id) => (await ready).article(id),
    close: async () => {
      await (await ready.catch(() => null))?.close();
    },
  };
}
