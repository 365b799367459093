/**
 * Per-workspace knowledge: a real folder in a temp dir with workspace folders (`T…/`), real worker threads.
 * A workspace's articles reach only that workspace, an override replaces a shared article for it alone,
 * problems point at `T…/file`, and a reload starts matchers for new folders and drops vanished ones.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadKnowledge } from "../../src/knowledge/load.js";
import { loadWorkspaceKnowledge } from "../../src/knowledge/workspace.js";
import type { AsyncMatcher } from "../../src/match/threaded.js";
import { startWorkspaceMatchers, type WorkspaceMatchers } from "../../src/match/workspace-matchers.js";

const kbArticle = (id: string, message: string, resolution = "Reduce the load, then try again.") => `---
id: ${id}
title: Trouble ${id}
---
## Symptoms

When you start the time circuits, you receive the following error message:

> ${message}

## Cause

The flux capacitor draws more power than the plutonium chamber supplies.

## Resolution

${resolution}
`;

const FLUX = "Flux capacitor overload: 1.21 gigawatts exceeded (error FC-88)";
const WIDGET = "Quantum widget misaligned on sprocket 7 (error QW-4242)";
const A = "T0AAAAAA1";
const B = "T0BBBBBB1";
let dir: string;
let matchers: WorkspaceMatchers;

const topId = async (matcher: AsyncMatcher, text: string) => {
  const response = await matcher.match(text);
  return response.verdict === "none" ? null : (response.results[0]?.article.id ?? null);
};

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "kb-workspaces-"));
  cpSync(new URL("../../knowledge/dev", import.meta.url).pathname, dir, { recursive: true });
  writeFileSync(path.join(dir, "flux.md"), kbArticle("FLUX-1", FLUX, "Shared fix: reduce the load."));
  mkdirSync(path.join(dir, A));
  writeFileSync(path.join(dir, A, "a-only.md"), kbArticle("A-ONLY", "Gadget jammed (error GJ-7)"));
  mkdirSync(path.join(dir, B, "sub"), { recursive: true });
  writeFileSync(path.join(dir, B, "widget.md"), kbArticle("B-WIDGET", WIDGET));
  writeFileSync(
    path.join(dir, B, "sub", "flux.md"),
    kbArticle("FLUX-1", FLUX, "B's own fix: call facilities."),
  );
  writeFileSync(path.join(dir, B, "broken.md"), "---\nid: [\n---\nno symptoms\n");
});

afterEach(async () => {
  await matchers?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("loading a workspace's knowledge", () => {
  it("merges the workspace folder over the shared one; the shared load skips it", async () => {
    const shared = await loadKnowledge(dir);
    expect(shared.byId.has("B-WIDGET")).toBe(false);
    const b = await loadWorkspaceKnowledge(dir, path.join(dir, B));
    expect(b.byId.get("B-WIDGET")?.source).toBe(`${B}/widget.md`);
    expect(b.byId.get("FLUX-1")?.source).toBe(`${B}/sub/flux.md`);
    expect(b.byId.has("A-ONLY")).toBe(false);
    expect(b.articles.length).toBe(shared.articles.length + 1);
    const override = b.problems.find((p) => p.code === "overrides-shared");
    expect(override).toMatchObject({ severity: "warning", file: `${B}/sub/flux.md`, line: 2 });
    expect(override?.message).toContain("flux.md");
    expect(b.problems.some((p) => p.file === `${B}/broken.md` && p.severity === "error")).toBe(true);
  });
});

describe("matchers per workspace", () => {
  it("answers a workspace's paste from its own articles only, and overrides for it alone", async () => {
    matchers = startWorkspaceMatchers(dir);
    await matchers.ready;
    expect(matchers.workspaces().map((w) => w.team)).toEqual([A, B]);
    expect(await topId(matchers.matcherFor(B), WIDGET)).toBe("B-WIDGET");
    expect(await topId(matchers.matcherFor(A), WIDGET)).toBeNull();
    expect(await topId(matchers.matcherFor("T0CCCCCC1"), WIDGET)).toBeNull();
    expect(await topId(matchers.matcherFor(null), WIDGET)).toBeNull();
    expect(await matchers.matcherFor(A).article("B-WIDGET")).toBeUndefined();
    expect((await matchers.matcherFor(B).article("B-WIDGET"))?.id).toBe("B-WIDGET");

    const fluxIn = async (team: string | null) =>
      (await matchers.matcherFor(team).match(FLUX)).results[0]?.article.resolution;
    expect(await fluxIn(B)).toContain("B's own fix");
    expect(await fluxIn(A)).toContain("Shared fix");
    expect(await fluxIn(null)).toContain("Shared fix");

    const b = matchers.workspace(B);
    expect(
      b?.state?.problems.some((p) => p.code === "overrides-shared" && p.file === `${B}/sub/flux.md`),
    ).toBe(true);
    expect(b?.state?.problems.some((p) => p.file === `${B}/broken.md`)).toBe(true);
    expect(matchers.state?.problems.some((p) => p.file.startsWith(`${B}/`))).toBe(false);
    expect(matchers.workspace("T0CCCCCC1")).toBeNull();
  });

  it("starts a matcher for a workspace folder added, drops one removed, and keeps edits apart", async () => {
    matchers = startWorkspaceMatchers(dir);
    await matchers.ready;
    const before = matchers.version;
    const C = "T0CCCCCC1";
    mkdirSync(path.join(dir, C));
    writeFileSync(path.join(dir, C, "c.md"), kbArticle("C-WIDGET", WIDGET));
    rmSync(path.join(dir, A), { recursive: true });
    const outcome = await matchers.reload("test");
    expect(outcome.added).toEqual([C]);
    expect(outcome.removed).toEqual([A]);
    expect(outcome.shared.ok).toBe(true);
    expect(Object.keys(outcome.workspaces).sort()).toEqual([B, C]);
    expect(outcome.version).not.toBe(before);
    expect(matchers.workspaces().map((w) => w.team)).toEqual([B, C]);
    expect(await topId(matchers.matcherFor(C), WIDGET)).toBe("C-WIDGET");
    expect(await topId(matchers.matcherFor(B), WIDGET)).toBe("B-WIDGET");
    // A has no folder now: the shared knowledge base, without its former article.
    expect(await matchers.matcherFor(A).article("A-ONLY")).toBeUndefined();
    expect(matchers.workspace(A)).toBeNull();
  });

  it("with no workspace folders serves the shared matcher, version and all", async () => {
    rmSync(path.join(dir, A), { recursive: true });
    rmSync(path.join(dir, B), { recursive: true });
    matchers = startWorkspaceMatchers(dir);
    await matchers.ready;
    expect(matchers.workspaces()).toEqual([]);
    expect(matchers.version).toBe(matchers.state?.version);
    expect(await topId(matchers.matcherFor("T0AAAAAA1"), FLUX)).toBe("FLUX-1");
    const outcome = await matchers.reload("test");
    expect(outcome.version).toBe(outcome.shared.ok ? outcome.shared.version : null);
  });
});
