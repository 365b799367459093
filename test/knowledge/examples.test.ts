import { describe, expect, it } from "vitest";
import { examplePastes } from "../../src/knowledge/examples.js";
import type { Article } from "../../src/knowledge/types.js";

const article = (id: string, errors: string[]): Article =>
  ({ id, title: `Title ${id}`, errors }) as unknown as Article;

describe("examplePastes", () => {
  it("picks one readable quoted error per article, spread over the knowledge base in a stable order", () => {
    const articles = Array.from({ length: 20 }, (_, i) =>
      article(`A${String(i).padStart(2, "0")}`, [`Error ${i}: the operation failed badly`]),
    );
    const picked = examplePastes(articles.slice().reverse(), 4);
    expect(picked.map((p) => p.articleId)).toEqual(["A02", "A07", "A12", "A17"]);
    expect(examplePastes(articles, 4)).toEqual(picked);
  });

  it("skips messages that are too short, too long or full of placeholders", () => {
    const picked = examplePastes([
      article("A", ["Error", "x".repeat(200)]),
      article("B", ["Cannot reach <server name>: error %1", "The server {0} refused the connection"]),
      article("C", ["The trust relationship failed.", "Another one entirely"]),
    ]);
    expect(picked).toEqual([{ articleId: "C", title: "Title C", text: "The trust relationship failed." }]);
  });
});
