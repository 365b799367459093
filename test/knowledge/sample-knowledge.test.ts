import { describe, expect, it } from "vitest";
import { loadKnowledge } from "../../src/knowledge/load.js";

// The knowledge base shipped in the repository must load cleanly: `triage kb check` reports nothing.
describe("the sample knowledge base in knowledge/", async () => {
  const kb = await loadKnowledge(new URL("../../knowledge", import.meta.url).pathname);

  it("has no errors and no warnings", () => {
    expect(kb.problems).toEqual([]);
  });

  it("has at least 40 articles, at least 10 of them Markdown", () => {
    expect(kb.articles.length).toBeGreaterThanOrEqual(40);
    expect(kb.articles.filter((a) => a.format === "markdown").length).toBeGreaterThanOrEqual(10);
  });

  it("quotes an error message, and gives a cause and a resolution, in every article", () => {
    for (const article of kb.articles) {
      expect(article.errors.length, article.id).toBeGreaterThan(0);
      expect(article.cause.length, article.id).toBeGreaterThan(0);
      expect(article.resolution.length, article.id).toBeGreaterThan(0);
    }
  });
});
