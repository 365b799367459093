/**
 * One workspace's knowledge base: the shared folder's articles plus those of its own folder
 * (`KNOWLEDGE_DIR/<team id>/`), as one set, so one index ranks them together. A workspace article with a
 * shared article's id replaces it for that workspace only.
 */
import path from "node:path";
import { compareProblems, type KnowledgeBase, type LoadOptions, loadKnowledge } from "./load.js";
import type { Article, Problem } from "./types.js";

const bySource = (a: Article, b: Article) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0);

/**
 * Loads `sharedDir` and `workspaceDir` (as its own root: folders named like ids inside it are not special)
 * and merges them. Paths of the workspace's articles, problems and ignored files are made relative to
 * `sharedDir` (`T…/file.md`), so logs and App Home point at the right file and a reload's last good
 * articles of the two folders never mix. A workspace folder that cannot be loaded (empty, unreadable) leaves
 * the shared articles, with an error problem naming the folder.
 */
export async function loadWorkspaceKnowledge(
  sharedDir: string,
  workspaceDir: string,
  options: LoadOptions = {},
): Promise<KnowledgeBase> {
  const relative = path.relative(sharedDir, workspaceDir).split(path.sep).join("/");
  const prefix = `${relative && !relative.startsWith("..") ? relative : path.basename(workspaceDir)}/`;
  const shared = await loadKnowledge(sharedDir, options);
  const lastGood = options.lastGood;
  let own: KnowledgeBase;
  try {
    // Loaded one after the other: the worker answers one last-good question at a time.
    own = await loadKnowledge(workspaceDir, {
      ...options,
      ...(lastGood
        ? {
            lastGood: async (sources) =>
              (await lastGood(sources.map((s) => prefix + s))).map((a) => ({
                ...a,
                source: a.source.startsWith(prefix) ? a.source.slice(prefix.length) : a.source,
              })),
          }
        : {}),
    });
  } catch (error) {
    const problem: Problem = {
      severity: "error",
      file: prefix.slice(0, -1),
      line: 1,
      code: "workspace-folder",
      message: `${error instanceof Error ? error.message : String(error)} Only the shared articles are served to this workspace.`,
    };
    return { ...shared, problems: [...shared.problems, problem].sort(compareProblems) };
  }

  const mine = own.articles.map((a) => ({ ...a, source: prefix + a.source }));
  const problems = [...shared.problems, ...own.problems.map((p) => ({ ...p, file: prefix + p.file }))];
  const idLines = new Map(shared.idLines);
  for (const article of mine) {
    const line = own.idLines?.get(article.id) ?? 1;
    const replaced = shared.byId.get(article.id);
    if (replaced) {
      problems.push({
        severity: "warning",
        file: article.source,
        line,
        code: "overrides-shared",
        message: `Id ${article.id} is also the shared article ${replaced.source}; this workspace gets this file instead.`,
      });
    }
    idLines.set(article.id, line);
  }
  const ownIds = new Set(mine.map((a) => a.id));
  const articles = [...shared.articles.filter((a) => !ownIds.has(a.id)), ...mine].sort(bySource);
  return {
    dir: sharedDir,
    articles,
    byId: new Map(articles.map((a) => [a.id, a])),
    problems: problems.sort(compareProblems),
    files: shared.files + own.files,
    ignored: [...shared.ignored, ...own.ignored.map((f) => prefix + f)],
    idLines,
  };
}
