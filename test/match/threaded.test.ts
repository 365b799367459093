import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadKnowledge } from "../../src/knowledge/load.js";
import { createMatcher } from "../../src/match/matcher.js";
import { inThread, startThreadedMatcher, type ThreadedMatcher } from "../../src/match/threaded.js";

const knowledgeDir = new URL("../../knowledge", import.meta.url).pathname;

describe("startThreadedMatcher", () => {
  let threaded: ThreadedMatcher;
  beforeAll(async () => {
    threaded = await startThreadedMatcher({ knowledgeDir });
  }, 30_000);
  afterAll(async () => {
    await threaded?.close();
  });

  it("answers exactly as the in-thread matcher over the same knowledge folder", async () => {
    const kb = await loadKnowledge(knowledgeDir);
    const local = inThread(createMatcher(kb.articles), kb.articles);
    expect(threaded.size).toBe(kb.articles.length);
    for (const paste of [
      "System error 53 has occurred. The network path was not found.",
      "0x8004de40",
      "hello",
    ]) {
      const [a, b] = await Promise.all([
        threaded.match(paste, { limit: 3 }),
        local.match(paste, { limit: 3 }),
      ]);
      expect(a).toEqual(b);
    }
  });

  it("keeps concurrent requests apart", async () => {
    const pastes = ["System error 53 has occurred.", "getting 0x8004de40 again", "zzz qqq"];
    const answers = await Promise.all(pastes.map((p) => threaded.match(p)));
    const again = await Promise.all(pastes.map((p) => threaded.match(p)));
    expect(answers).toEqual(again);
    expect(answers[0]?.results[0]?.article.id).not.toBe(answers[1]?.results[0]?.article.id);
  });

  it("looks articles up by id, and says undefined for ids it does not have", async () => {
    expect((await threaded.article("KT1007"))?.id).toBe("KT1007");
    expect(await threaded.article("NOPE-1")).toBeUndefined();
  });
});

describe("startThreadedMatcher failures", () => {
  it("rejects when the knowledge folder does not exist", async () => {
    await expect(startThreadedMatcher({ knowledgeDir: "/nonexistent/kb-triage" })).rejects.toThrow();
  });

  it("rejects requests after close instead of hanging", async () => {
    const kb = await loadKnowledge(knowledgeDir);
    const threaded = await startThreadedMatcher({ articles: kb.articles.slice(0, 5) });
    expect(threaded.size).toBe(5);
    await threaded.close();
    await expect(threaded.match("System error 53")).rejects.toThrow(/closed/);
  });
});

describe("buildIndex on two threads", () => {
  it("builds the same index as one thread, run by run", async () => {
    const { buildIndex, SearchIndex } = await import("../../src/match/index.js");
    const { DEFAULT_MATCHER_OPTIONS } = await import("../../src/match/matcher.js");
    const kb = await loadKnowledge(knowledgeDir);
    // Enough copies of the sample KB (under new ids) to pass the threshold for a parallel build.
    const many = Array.from({ length: 460 }, (_, copy) =>
      kb.articles.map((a) => ({ ...a, id: `${a.id}-${copy}` })),
    ).flat();
    const one = new SearchIndex(many, DEFAULT_MATCHER_OPTIONS.index);
    const two = await buildIndex(many, DEFAULT_MATCHER_OPTIONS.index, 2);
    for (const terms of [["trust", "relationship", "workstation"], ["network", "path"], ["0x8004de40"]]) {
      expect(two.shortlist(terms, ["0x8004DE40"], 30, 24)).toEqual(
        one.shortlist(terms, ["0x8004DE40"], 30, 24),
      );
    }
    expect(two.documentFrequency("network")).toBe(one.documentFrequency("network"));
    expect(two.maskedErrors(many.length - 1)).toEqual(one.maskedErrors(many.length - 1));
    const key = "system error 53 has occurred";
    expect(two.articlesQuoting(key)).toEqual(one.articlesQuoting(key));
  }, 60_000);
});
