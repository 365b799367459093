/**
 * The knowledge base, reloadable while the app runs: a reload loads and indexes the folder in a new worker
 * thread while the current one keeps answering, then swaps them in one assignment; the old worker finishes
 * the requests it already has and closes. Files that now fail keep their last good version (asked of the
 * current worker), and a reload that fails outright (the folder gone) keeps everything as it was. Reload
 * requests during a reload coalesce into one more run.
 */
import { availableParallelism } from "node:os";
import type { ExamplePaste } from "../knowledge/examples.js";
import type { Problem } from "../knowledge/types.js";
import { coalesced } from "./coalesce.js";
import type { MatcherOverrides } from "./matcher.js";
import { type AsyncMatcher, startThreadedMatcher, type ThreadedMatcher } from "./threaded.js";

export interface KnowledgeState {
  articles: number;
  files: number;
  problems: Problem[];
  examples: ExamplePaste[];
  /** A hash of the articles served (the same knowledge gives the same version on every replica). */
  version: string;
  /** When the index now serving was built, and how long loading and indexing took. */
  loadedAt: number;
  ms: number;
}

export type ReloadOutcome =
  | ({ ok: true; reason: string } & KnowledgeState)
  | { ok: false; reason: string; error: string; at: number };

export interface ReloadableMatcher extends AsyncMatcher {
  /** The first build: resolves when the app can answer, rejects when the folder cannot be loaded at all. */
  readonly ready: Promise<KnowledgeState>;
  /** What is served now (null until the first build). */
  readonly state: KnowledgeState | null;
  /** The last reload's outcome (null before any). */
  readonly lastReload: ReloadOutcome | null;
  /** Loads and indexes the folder again and swaps it in; settles with the outcome, never rejects. */
  reload(reason: string): Promise<ReloadOutcome>;
  /** Called after every reload, successful or not. */
  onReload(listener: (outcome: ReloadOutcome) => void): () => void;
}

export function startReloadableMatcher(
  knowledgeDir: string,
  overrides?: MatcherOverrides,
  options: { workspaceDir?: string } = {},
): ReloadableMatcher {
  let current: ThreadedMatcher | null = null;
  let state: KnowledgeState | null = null;
  let lastReload: ReloadOutcome | null = null;
  let closed = false;
  const listeners = new Set<(outcome: ReloadOutcome) => void>();

  const build = async (): Promise<{ matcher: ThreadedMatcher; state: KnowledgeState }> => {
    const started = performance.now();
    const previous = current;
    const source = options.workspaceDir
      ? { knowledgeDir, workspaceDir: options.workspaceDir }
      : { knowledgeDir };
    const matcher = await startThreadedMatcher(source, overrides, {
      lastGood: (sources) => previous?.articlesFrom(sources) ?? Promise.resolve([]),
      // While an index serves, a rebuild leaves it a core: build on one thread fewer than the machine has.
      ...(previous ? { buildThreads: Math.max(1, availableParallelism() - 1) } : {}),
    });
    return {
      matcher,
      state: {
        articles: matcher.size,
        files: matcher.files,
        problems: matcher.problems,
        examples: matcher.examples,
        version: matcher.version,
        loadedAt: Date.now(),
        ms: Math.round(performance.now() - started),
      },
    };
  };

  const swapIn = (built: { matcher: ThreadedMatcher; state: KnowledgeState }) => {
    const old = current;
    current = built.matcher;
    state = built.state;
    void old?.closeWhenIdle();
  };

  const ready = build().then((built) => {
    if (closed) {
      void built.matcher.close();
      throw new Error("matcher closed");
    }
    swapIn(built);
    return built.state;
  });
  ready.catch(() => undefined); // reported by whoever awaits `ready`

  const runReload = async (reason: string): Promise<ReloadOutcome> => {
    await ready.catch(() => undefined);
    let outcome: ReloadOutcome;
    try {
      const built = await build();
      if (closed) {
        await built.matcher.close();
        throw new Error("matcher closed");
      }
      swapIn(built);
      outcome = { ok: true, reason, ...built.state };
    } catch (error) {
      outcome = {
        ok: false,
        reason,
        error: error instanceof Error ? error.message : String(error),
        at: Date.now(),
      };
    }
    lastReload = outcome;
    for (const listener of listeners) listener(outcome);
    return outcome;
  };

  const serving = async (): Promise<ThreadedMatcher> => {
    if (current) return current;
    await ready;
    return current as unknown as ThreadedMatcher;
  };

  const reload = coalesced(runReload);

  return {
    ready,
    get state() {
      return state;
    },
    get lastReload() {
      return lastReload;
    },
    get size() {
      return state?.articles ?? 0;
    },
    match: async (text, options) => (await serving()).match(text, options),
    article: async (id) => (await serving()).article(id),
    reload: (reason) => reload(reason),
    onReload(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      await reload.running?.catch(() => undefined);
      await current?.close();
      current = null;
    },
  };
}
