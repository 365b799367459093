import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseArticleFile } from "../../src/knowledge/load.js";
import { parseMarkdown } from "../../src/knowledge/parse-markdown.js";
import { parseMskb } from "../../src/knowledge/parse-mskb.js";
import type { ParseResult } from "../../src/knowledge/types.js";

// Lines that look like parts of real articles, so the generator reaches the parsers' deeper branches.
const articleLine = fc.oneof(
  fc.constantFrom(
    "DOCUMENT:Q123456  20-OCT-2000  [sms]",
    "TITLE   :Setup fails",
    "PRODUCT :Contoso",
    "SYMPTOMS",
    "========",
    "CAUSE",
    "=====",
    "RESOLUTION",
    "----------",
    "WORKAROUND",
    "MORE INFORMATION",
    "you receive one of the following error messages:",
    "you receive the following error message:",
    "   -or-",
    "Additional query words: setup",
    "======================================================================",
    "Keywords          : kberrmsg",
    "---",
    "id: KF1",
    "title: [broken",
    "products: 42",
    "## Symptoms",
    "### cause",
    "## Solution",
    "> The thing failed (0x80070005).",
    "> [!NOTE]",
    "```",
    "**Error 1603**",
    "1. Click Start.",
    " - item",
    "",
  ),
  fc.string({ unit: "grapheme", maxLength: 90 }),
  fc.string({ unit: "binary", maxLength: 40 }).map((s) => `   ${s}`),
);
const articleText = fc
  .array(articleLine, { maxLength: 60 })
  .chain((lines) => fc.constantFrom("\n", "\r\n", "\r").map((eol) => lines.join(eol)));
const anyText = fc.oneof(articleText, fc.string({ unit: "binary", maxLength: 2000 }));

function expectWellFormed(result: ParseResult, source: string, text: string) {
  const lineCount = text.split(/\r\n|\r|\n/).length;
  if (result.article === null) expect(result.problems.some((p) => p.severity === "error")).toBe(true);
  else expect(result.article.symptoms.length).toBeGreaterThan(0);
  for (const problem of result.problems) {
    expect(problem.file).toBe(source);
    expect(problem.line).toBeGreaterThanOrEqual(1);
    expect(problem.line).toBeLessThanOrEqual(lineCount + 1);
    expect(problem.message.length).toBeGreaterThan(0);
  }
}

describe("the parsers on arbitrary input", () => {
  it("parseMskb never throws and returns an article or located errors", () => {
    fc.assert(
      fc.property(anyText, (text) => expectWellFormed(parseMskb(text, "x.txt"), "x.txt", text)),
      { numRuns: 400 },
    );
  });

  it("parseMarkdown never throws and returns an article or located errors", () => {
    fc.assert(
      fc.property(anyText, (text) => expectWellFormed(parseMarkdown(text, "x.md"), "x.md", text)),
      { numRuns: 400 },
    );
  });

  it("parseArticleFile never throws on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.constantFrom("a.txt", "a.md"), (bytes, name) => {
        const result = parseArticleFile(bytes, name);
        if (result.article === null) expect(result.problems.some((p) => p.severity === "error")).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
