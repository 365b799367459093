/**
 * Per-workspace knowledge: `KNOWLEDGE_DIR/<team id>/` holds articles for that workspace only, on top of the
 * shared folder. One reloadable matcher serves the shared folder (every workspace without a folder of its
 * own), and one more per workspace folder serves shared + own articles in a single index, so ranking and
 * confidence are computed over both together and no workspace ever sees another's articles.
 *
 * Memory: each workspace matcher indexes the shared articles again (a worker thread and an index each). That
 * is the price of correct ranking; one index per workspace with its own folder, none for the others.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { listWorkspaceFolders } from "../knowledge/load.js";
import { coalesced } from "./coalesce.js";
import type { MatcherOverrides } from "./matcher.js";
import {
  type KnowledgeState,
  type ReloadableMatcher,
  type ReloadOutcome,
  startReloadableMatcher,
} from "./reloadable.js";
import type { AsyncMatcher } from "./threaded.js";

export interface WorkspaceKnowledge {
  team: string;
  /** What this workspace is served (shared + own articles), null until built. */
  state: KnowledgeState | null;
  lastReload: ReloadOutcome | null;
}

export interface WorkspacesReloadOutcome {
  shared: ReloadOutcome;
  /** Each workspace folder's outcome (new folders' first build included), by team id. */
  workspaces: Record<string, ReloadOutcome>;
  added: string[];
  removed: string[];
  /** The combined version after the reload (see WorkspaceMatchers.version). */
  version: string | null;
}

export interface WorkspaceMatchers {
  /** The shared folder's matcher (what workspaces without a folder of their own get). */
  readonly shared: ReloadableMatcher;
  /** The shared state once every first build has settled (rejects when the shared folder cannot be loaded). */
  readonly ready: Promise<KnowledgeState>;
  /** The shared matcher's state. */
  readonly state: KnowledgeState | null;
  /**
   * What all matchers serve, as one hash: the shared version when there are no workspace folders (as before),
   * else one that changes when any workspace's knowledge does, so a reload notice is never skipped wrongly.
   */
  readonly version: string | null;
  /** The workspace's own matcher when it has a folder, else the shared one; decided at each call. */
  matcherFor(team: string | null | undefined): AsyncMatcher;
  /** The workspace's knowledge when it has its own folder, else null. */
  workspace(team: string | null | undefined): WorkspaceKnowledge | null;
  /** Every workspace folder served, sorted by team id. */
  workspaces(): WorkspaceKnowledge[];
  /** Reloads the shared folder and every workspace folder (found again: new ones start, vanished ones close). */
  reload(reason: string): Promise<WorkspacesReloadOutcome>;
  onReload(listener: (outcome: WorkspacesReloadOutcome) => void): () => void;
  close(): Promise<void>;
}

export function startWorkspaceMatchers(
  knowledgeDir: string,
  overrides?: MatcherOverrides,
): WorkspaceMatchers {
  const shared = startReloadableMatcher(knowledgeDir, overrides);
  const own = new Map<string, ReloadableMatcher>();
  const listeners = new Set<(outcome: WorkspacesReloadOutcome) => void>();
  let closed = false;

  /** Starts a workspace's matcher; it serves only once built (until then the workspace waits for it). */
  const start = async (team: string): Promise<ReloadOutcome> => {
    const matcher = startReloadableMatcher(knowledgeDir, overrides, {
      workspaceDir: path.join(knowledgeDir, team),
    });
    own.set(team, matcher);
    try {
      return { ok: true, reason: "workspace folder found", ...(await matcher.ready) };
    } catch (error) {
      // Never built: the workspace gets the shared articles rather than an error on every paste.
      if (own.get(team) === matcher) own.delete(team);
      await matcher.close();
      return { ok: false, reason: "workspace folder found", error: String(error), at: Date.now() };
    }
  };

  // Found before anything is answered, so no workspace is served the shared index while its own is built.
  const discovered = listWorkspaceFolders(knowledgeDir).then((teams) =>
    teams.length === 0 ? [] : Promise.all(teams.map((team) => start(team))),
  );
  const ready = Promise.all([shared.ready, discovered]).then(([state]) => state);
  ready.catch(() => undefined); // reported by whoever awaits `ready`

  const resolve = async (team: string | null | undefined): Promise<AsyncMatcher> => {
    await discovered;
    return (team ? own.get(team) : undefined) ?? shared;
  };
  const knowledgeOf = (team: string, matcher: ReloadableMatcher): WorkspaceKnowledge => ({
    team,
    state: matcher.state,
    lastReload: matcher.lastReload,
  });
  const combinedVersion = (): string | null => {
    const base = shared.state?.version ?? null;
    if (own.size === 0 || base === null) return base;
    const hash = createHash("sha256").update(base);
    for (const team of [...own.keys()].sort())
      hash.update(`\n${team}:${own.get(team)?.state?.version ?? ""}`);
    return hash.digest("base64url").slice(0, 16);
  };

  const runReload = async (reason: string): Promise<WorkspacesReloadOutcome> => {
    await discovered;
    const found = new Set(await listWorkspaceFolders(knowledgeDir));
    const removed = [...own.keys()].filter((team) => !found.has(team));
    for (const team of removed) {
      const matcher = own.get(team);
      own.delete(team);
      await matcher?.close();
    }
    const sharedOutcome = await shared.reload(reason);
    const workspaces: Record<string, ReloadOutcome> = {};
    const added: string[] = [];
    // One after the other: each rebuild takes a worker and a core, and the current indexes keep answering.
    for (const team of [...found].sort()) {
      if (closed) break;
      const matcher = own.get(team);
      if (matcher) workspaces[team] = await matcher.reload(reason);
      else {
        added.push(team);
        workspaces[team] = await start(team);
      }
    }
    const outcome = { shared: sharedOutcome, workspaces, added, removed, version: combinedVersion() };
    for (const listener of listeners) listener(outcome);
    return outcome;
  };

  const reload = coalesced(runReload);

  return {
    shared,
    ready,
    get state() {
      return shared.state;
    },
    get version() {
      return combinedVersion();
    },
    matcherFor(team) {
      return {
        get size() {
          return ((team ? own.get(team) : undefined) ?? shared).size;
        },
        match: async (text, options) => (await resolve(team)).match(text, options),
        article: async (id) => (await resolve(team)).article(id),
        close: async () => {},
      };
    },
    workspace(team) {
      const matcher = team ? own.get(team) : undefined;
      return team && matcher ? knowledgeOf(team, matcher) : null;
    },
    workspaces() {
      return [...own.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([team, m]) => knowledgeOf(team, m));
    },
    reload: (reason) => reload(reason),
    onReload(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      await discovered.catch(() => undefined);
      await reload.running?.catch(() => undefined);
      await Promise.all([shared.close(), ...[...own.values()].map((m) => m.close())]);
      own.clear();
    },
  };
}
