/**
 * Reloading the knowledge base while answering: a real folder in a temp dir, real worker threads. Edits,
 * broken edits (last good version kept), deletions, a vanished folder, and queries during a rebuild.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ReloadableMatcher, startReloadableMatcher } from "../../src/match/reloadable.js";

const article = (id: string, message: string) => `---
id: ${id}
title: Flux capacitor trouble ${id}
---
## Symptoms

When you start the time circuits, you receive the following error message:

> ${message}

## Cause

The flux capacitor draws more power than the plutonium chamber supplies.

## Resolution

Reduce the load, then start the time circuits again.
`;

const FLUX = "Flux capacitor overload: 1.21 gigawatts exceeded (error FC-88)";
let dir: string;
let matcher: ReloadableMatcher;

const topId = async (text: string) => {
  const response = await matcher.match(text);
  return response.verdict === "none" ? null : (response.results[0]?.article.id ?? null);
};

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "kb-reload-"));
  cpSync(new URL("../../knowledge/dev", import.meta.url).pathname, dir, { recursive: true });
  matcher = startReloadableMatcher(dir);
  await matcher.ready;
});

afterEach(async () => {
  await matcher.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("reloading the knowledge base", () => {
  it("serves an article added to the folder after a reload, and counts it", async () => {
    const before = matcher.size;
    expect(await topId(FLUX)).toBeNull();
    writeFileSync(path.join(dir, "flux.md"), article("FLUX-1", FLUX));
    const outcome = await matcher.reload("test");
    expect(outcome.ok).toBe(true);
    expect(matcher.size).toBe(before + 1);
    expect(await topId(FLUX)).toBe("FLUX-1");
  });

  it("keeps answering from the old index while the new one is built", async () => {
    writeFileSync(path.join(dir, "flux.md"), article("FLUX-1", FLUX));
    const reloading = matcher.reload("test");
    // Asked before the swap: the old index answers (it has no FLUX-1), and nothing waits for the build.
    const during = await topId(FLUX);
    await reloading;
    expect(during).toBeNull();
    expect(await topId(FLUX)).toBe("FLUX-1");
  });

  it("keeps the last good version of a file whose edit breaks it, and reports the file and line", async () => {
    const file = path.join(dir, "flux.md");
    writeFileSync(file, article("FLUX-1", FLUX));
    await matcher.reload("added");
    writeFileSync(file, article("FLUX-1", FLUX).replace("id: FLUX-1", "id: [FLUX-1"));
    const outcome = await matcher.reload("broken edit");
    expect(outcome.ok).toBe(true);
    expect(await topId(FLUX)).toBe("FLUX-1");
    const problems = matcher.state?.problems.filter((p) => p.file === "flux.md") ?? [];
    expect(problems.some((p) => p.severity === "error" && p.line >= 1)).toBe(true);
    expect(problems.some((p) => p.code === "kept-last-good")).toBe(true);
  });

  it("keeps the last good version when an edit gives a file another article's id", async () => {
    const file = path.join(dir, "flux.md");
    writeFileSync(file, article("FLUX-1", FLUX));
    await matcher.reload("added");
    const other = (await matcher.match("Error: listen EADDRINUSE: address already in use :::3000")).results[0]
      ?.article.id as string;
    writeFileSync(file, article(other, FLUX));
    await matcher.reload("duplicate id");
    expect(await topId(FLUX)).toBe("FLUX-1");
    expect(matcher.state?.problems.some((p) => p.code === "duplicate-id" && p.file === "flux.md")).toBe(true);
  });

  it("drops the articles of deleted files; a file never good is just skipped", async () => {
    writeFileSync(path.join(dir, "flux.md"), article("FLUX-1", FLUX));
    await matcher.reload("added");
    rmSync(path.join(dir, "flux.md"));
    writeFileSync(path.join(dir, "broken.md"), "---\nid: [\n---\nno symptoms\n");
    await matcher.reload("deleted");
    expect(await topId(FLUX)).toBeNull();
    expect(matcher.state?.problems.some((p) => p.file === "broken.md" && p.severity === "error")).toBe(true);
    expect(matcher.state?.problems.some((p) => p.code === "kept-last-good")).toBe(false);
  });

  it("keeps serving everything when the folder itself is gone, and says why", async () => {
    const size = matcher.size;
    rmSync(dir, { recursive: true, force: true });
    const outcome = await matcher.reload("folder removed");
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? "" : outcome.error).toMatch(/does not exist/);
    expect(matcher.lastReload?.ok).toBe(false);
    expect(matcher.size).toBe(size);
    expect(await topId("Error: listen EADDRINUSE: address already in use :::3000")).not.toBeNull();
  });

  it("coalesces reloads asked during a reload into one more run that sees the last change", async () => {
    const seen: string[] = [];
    matcher.onReload((o) => seen.push(o.reason));
    const first = matcher.reload("one");
    writeFileSync(path.join(dir, "flux.md"), article("FLUX-1", FLUX));
    const second = matcher.reload("two");
    const third = matcher.reload("three");
    await Promise.all([first, second, third]);
    expect(seen.length).toBeLessThanOrEqual(2);
    expect(await topId(FLUX)).toBe("FLUX-1");
  });
});
