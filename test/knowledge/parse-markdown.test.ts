import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseMarkdown } from "../../src/knowledge/parse-markdown.js";
import type { Article, ParseResult } from "../../src/knowledge/types.js";

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/markdown/${name}`, import.meta.url), "utf8");
}

function parseFixture(name: string): ParseResult {
  return parseMarkdown(fixture(name), name);
}

function articleOf(result: ParseResult): Article {
  expect(result.article).not.toBeNull();
  return result.article as Article;
}

function codes(result: ParseResult): string[] {
  return result.problems.map((p) => `${p.severity}:${p.code}@${p.line}`);
}

/** A minimal valid article around the given Symptoms body. */
function withSymptoms(symptoms: string): string {
  return `---\ntitle: T\n---\n\n## Symptoms\n\n${symptoms}\n\n## Cause\n\nC.\n\n## Resolution\n\nR.\n`;
}

describe("parseMarkdown: front matter", () => {
  it("reads every known key and keeps unknown keys in meta", () => {
    const result = parseFixture("full-front-matter.md");
    expect(result.problems).toEqual([]);
    const article = articleOf(result);
    expect(article).toMatchObject({
      id: "KB-PRINT-0042",
      format: "markdown",
      title: "Label printer prints blank labels after the driver update",
      products: ["Zebraish LP-20", "Zebraish LP-25"],
      keywords: ["printer", "labels", "driver"],
      queryWords: [],
      url: "https://kb.example.test/print/0042",
      source: "full-front-matter.md",
      errors: ["Job 17 failed: ribbon sensor out of range (code LP-0x3F)."],
      cause: "Driver 4.2 resets the ribbon sensor calibration to factory values.",
      resolution:
        "1. Open **Printer properties**.\n2. Select **Calibrate ribbon sensor**.\n\nThen print a test label.",
      workaround: "",
      status: "Fixed in driver 4.3.",
      moreInfo: "The calibration is stored in the printer, not in the driver.",
    });
    expect(article.meta).toEqual({
      description: "The Zebraish LP-20 label printer feeds blank labels after driver 4.2 is installed.",
      owner: "helpdesk-team",
      reviewed: "2024-03-01",
      tags: ["hardware", "printing"],
      h1: "Blank labels on the LP-20",
    });
    expect(result.idLine).toBe(2);
  });

  it("joins soft-wrapped lines of a paragraph with a space", () => {
    const article = articleOf(parseFixture("full-front-matter.md"));
    expect(article.symptoms).toBe(
      "After you install printer driver 4.2, every print job feeds a blank label and the print spooler shows the following error message:\n\n" +
        "> Job 17 failed: ribbon sensor out of range (code LP-0x3F).",
    );
  });

  it("takes products from appliesto when there is no products key, and keeps appliesto in meta", () => {
    const text = `---\ntitle: T\nappliesto:\n  - Widget 2000\n  - Widget 3000\nms.date: 01/24/2024\n---\n\n## Symptoms\n\nIt fails.\n`;
    const article = articleOf(parseMarkdown(text, "a.md"));
    expect(article.products).toEqual(["Widget 2000", "Widget 3000"]);
    expect(article.meta).toEqual({ appliesto: ["Widget 2000", "Widget 3000"], "ms.date": "01/24/2024" });
  });

  it("accepts products as a single string and keywords as a list", () => {
    const text = `---\ntitle: T\nproducts: Widget Server\nkeywords:\n  - sync\n  - quota\n---\n\n## Symptoms\n\nIt fails.\n`;
    const article = articleOf(parseMarkdown(text, "a.md"));
    expect(article.products).toEqual(["Widget Server"]);
    expect(article.keywords).toEqual(["sync", "quota"]);
  });

  it("reports broken YAML at its line and goes on without the front matter", () => {
    const result = parseFixture("broken-yaml.md");
    expect(codes(result)).toEqual(["error:bad-front-matter@4"]);
    const article = articleOf(result);
    expect(article.title).toBe("Widget sync stops");
    expect(article.products).toEqual([]);
    expect(article.meta).toEqual({});
    expect(article.errors).toEqual(["Sync stopped: quota exceeded."]);
  });

  it("suggests quoting when a value contains ': '", () => {
    const result = parseMarkdown("---\ntitle: Error: disk full\n---\n# H\n\n## Symptoms\n\nx\n", "a.md");
    const problem = result.problems.find((p) => p.code === "bad-front-matter");
    expect(problem?.line).toBe(2);
    expect(problem?.message).toContain("must be quoted");
    expect(result.article?.title).toBe("H");
  });

  it("reports front matter that is never closed and reads the file as Markdown", () => {
    const result = parseMarkdown(
      "---\ntitle: T\n\n# Heading\n\n## Symptoms\n\nYou receive this error:\n\n> Boom.\n\n## Cause\n\nC\n\n## Resolution\n\nR\n",
      "a.md",
    );
    expect(codes(result)).toEqual(["error:unterminated-front-matter@1"]);
    expect(result.article?.title).toBe("Heading");
  });

  it("reports a front-matter value of the wrong type at its key's line", () => {
    const text =
      "---\ntitle: T\nid: [a]\nproducts: 42\nurl: 7\n---\n\n## Symptoms\n\nx\n\n## Cause\n\nc\n\n## Resolution\n\nr\n";
    const result = parseMarkdown(text, "kb/some-article.md");
    expect(codes(result)).toEqual(["error:wrong-type@3", "warning:wrong-type@4", "warning:wrong-type@5"]);
    const article = articleOf(result);
    expect(article.id).toBe("some-article");
    expect(article.products).toEqual([]);
    expect(article.url).toBeUndefined();
  });

  it("rejects an id that does not match the id pattern and falls back to the file name", () => {
    const result = parseFixture("bad-id.md");
    expect(codes(result)).toEqual(["error:bad-id@2"]);
    expect(articleOf(result).id).toBe("bad-id");
  });

  it("takes any printable file name as the id, and reports one that cannot serve", () => {
    const named = parseMarkdown(withSymptoms("It fails."), "folder/can't connect, error 0x1.md");
    expect(codes(named)).not.toContain("error:bad-id@1");
    expect(named.article?.id).toBe("can't connect, error 0x1");
    const result = parseMarkdown(withSymptoms("It fails."), "folder/bad\u0001name.md");
    expect(codes(result)).toContain("error:bad-id@1");
  });

  it("uses the file name without .md as the id when the front matter has none", () => {
    const article = articleOf(parseMarkdown(withSymptoms("x"), "sub/dir/printer-jam.md"));
    expect(article.id).toBe("printer-jam");
    expect(article.source).toBe("sub/dir/printer-jam.md");
    expect(parseMarkdown(withSymptoms("x"), "sub/dir/printer-jam.md").idLine).toBe(1);
  });

  it("keeps error codes and versions in front matter as written, not as YAML numbers", () => {
    const text =
      "---\nid: KX1\ntitle: T\nkeywords:\n  - 0x8004de40\n  - 1.10\nproducts: [Teams, 2019]\nbuild: 0x10\n---\n\n## Symptoms\n\nx\n";
    const article = articleOf(parseMarkdown(text, "a.md"));
    expect(article.keywords).toEqual(["0x8004de40", "1.10"]);
    expect(article.products).toEqual(["Teams", "2019"]);
    expect(article.meta.build).toBe("0x10");
  });

  it("makes meta JSON-safe and does not let a __proto__ key touch prototypes", () => {
    const text = "---\ntitle: T\nbig: .inf\n__proto__:\n  polluted: yes\n---\n\n## Symptoms\n\nx\n";
    const article = articleOf(parseMarkdown(text, "a.md"));
    // Numbers keep the text they were written with (`.inf`), which JSON can carry.
    expect(article.meta.big).toBe(".inf");
    expect(Object.hasOwn(article.meta, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(article.meta))).toEqual({
      big: ".inf",
      ["__proto__"]: { polluted: "yes" },
    });
  });
});

describe("parseMarkdown: title and sections", () => {
  it("falls back to the H1 for the title and accepts level-3 headings in any case, and Solution", () => {
    const result = parseFixture("h1-title.md");
    expect(result.problems).toEqual([]);
    const article = articleOf(result);
    expect(article.title).toBe('Coffee machine shows "Descale now" every morning');
    expect(article.errors).toEqual(["Descale now. Press OK to start the descaling program."]);
    expect(article.cause).toBe("The water hardness setting is too high for the local water.");
    expect(article.resolution).toBe("Set the water hardness to level 2 in the service menu.");
    expect(article.meta).toEqual({});
  });

  it("warns about a missing title and shows the id instead", () => {
    const result = parseMarkdown("## Symptoms\n\nx\n\n## Cause\n\nc\n\n## Resolution\n\nr\n", "no-title.md");
    expect(codes(result)).toEqual(["warning:missing-title@1"]);
    expect(result.article?.title).toBe("no-title");
  });

  it("uses the Workaround as the resolution when there is no Resolution", () => {
    const result = parseFixture("workaround-only.md");
    expect(result.problems).toEqual([]);
    const article = articleOf(result);
    expect(article.workaround).toBe("Use the west entrance until the reader firmware is updated.");
    expect(article.resolution).toBe(article.workaround);
  });

  it("uses the Workaround as the resolution when the Resolution is empty", () => {
    const text = withSymptoms("x").replace("## Resolution\n\nR.\n", "## Resolution\n\n## Workaround\n\nW.\n");
    const article = articleOf(parseMarkdown(text, "a.md"));
    expect(article.resolution).toBe("W.");
    expect(article.workaround).toBe("W.");
  });

  it("accepts singular and plural heading variants", () => {
    const text =
      "# T\n\n## Symptom\n\nS.\n\n## Causes\n\nC.\n\n## Workarounds\n\nW.\n\n## More Information\n\nM.\n";
    const article = articleOf(parseMarkdown(text, "a.md"));
    expect([article.symptoms, article.cause, article.workaround, article.moreInfo]).toEqual([
      "S.",
      "C.",
      "W.",
      "M.",
    ]);
  });

  it("joins numbered resolution sections and keeps their headings as labels", () => {
    const text = withSymptoms("x").replace(
      "## Resolution\n\nR.\n",
      "## Resolution 1: Restart the service\n\nRestart it.\n\n## Resolution 2 - Reinstall\n\nReinstall it.\n",
    );
    const article = articleOf(parseMarkdown(text, "a.md"));
    expect(article.resolution).toBe(
      "Resolution 1: Restart the service\n\nRestart it.\n\nResolution 2 - Reinstall\n\nReinstall it.",
    );
  });

  it("keeps unknown sub-headings inside the section they belong to", () => {
    const text = withSymptoms("x").replace(
      "## Cause\n\nC.\n",
      "## Cause\n\nC.\n\n### Details\n\nMore detail.\n",
    );
    expect(articleOf(parseMarkdown(text, "a.md")).cause).toBe("C.\n\nDetails\n\nMore detail.");
  });

  it("reports missing Symptoms as an error and returns no article", () => {
    const result = parseFixture("no-symptoms.md");
    expect(result.article).toBeNull();
    expect(codes(result)).toEqual(["error:missing-symptoms@1"]);
    expect(result.problems[0]?.message).toContain("can never be found");
  });

  it("reports an empty Symptoms section at its heading", () => {
    const result = parseMarkdown(
      "# T\n\n## Symptoms\n\n<!-- todo -->\n\n## Cause\n\nC.\n\n## Resolution\n\nR.\n",
      "a.md",
    );
    expect(result.article).toBeNull();
    expect(codes(result)).toEqual(["error:empty-symptoms@3"]);
  });

  it("warns about a missing Cause and a missing Resolution", () => {
    const result = parseMarkdown(
      "# T\n\n## Symptoms\n\nYou receive the following error:\n\n> Boom.\n",
      "a.md",
    );
    expect(codes(result)).toEqual(["warning:missing-cause@1", "warning:missing-resolution@1"]);
    expect(result.article?.errors).toEqual(["Boom."]);
  });

  it("gives the same article for CRLF input", () => {
    const lf = parseFixture("full-front-matter.md");
    const crlf = parseMarkdown(
      fixture("full-front-matter.md").replace(/\n/g, "\r\n"),
      "full-front-matter.md",
    );
    expect(crlf).toEqual(lf);
  });

  it("keeps fenced code verbatim, list items on their own lines and hard breaks as line breaks", () => {
    const text = withSymptoms(
      "Run this:\n\n```text\n  indented   code\n```\n\n- first\n- second\n  continued\n\nline one  \nline two",
    );
    expect(articleOf(parseMarkdown(text, "a.md")).symptoms).toBe(
      "Run this:\n\n```text\n  indented   code\n```\n\n- first\n- second continued\n\nline one\nline two",
    );
  });
});

describe("parseMarkdown: quoted messages", () => {
  it("takes one message per blockquote after a plural intro, skipping callouts and -or-", () => {
    const result = parseFixture("plural-quotes.md");
    expect(result.problems).toEqual([]);
    const article = articleOf(result);
    expect(article.errors).toEqual([
      "Week 12 is locked. Ask your manager to reopen it.",
      "Submission failed: the project code TS-000 is no longer active.",
      "Hours exceed the weekly limit of 60.",
    ]);
    expect(article.symptoms).toContain("> [!NOTE]\n> The week number depends on the fiscal calendar.");
  });

  it("takes one message per fenced code block after a plural intro", () => {
    const article = articleOf(parseFixture("plural-code.md"));
    expect(article.errors).toEqual([
      "fetch-tool: cannot reach mirror.example.test (timeout after 30 s)",
      "fetch-tool: checksum mismatch for bundle toy-repo.bundle",
    ]);
    expect(article.symptoms).toContain(
      "```text\nfetch-tool: cannot reach mirror.example.test (timeout after 30 s)\n```",
    );
  });

  it("takes a bold line as the message", () => {
    expect(articleOf(parseFixture("workaround-only.md")).errors).toEqual([
      "Card not recognised - contact facilities (E-104)",
    ]);
  });

  it("does not take a [!NOTE] callout as a message but keeps it in the section", () => {
    const result = parseMarkdown(
      withSymptoms("You receive the following error message:\n\n> [!NOTE]\n> Restart first."),
      "a.md",
    );
    const article = articleOf(result);
    expect(article.errors).toEqual([]);
    expect(article.symptoms).toContain("Restart first.");
  });

  it("joins the lines of a message quoted after a singular intro with single spaces", () => {
    const article = articleOf(
      parseMarkdown(
        withSymptoms("You receive this error message:\n\n> Cannot save the file.\n>\n> The disk\n> is full."),
        "a.md",
      ),
    );
    expect(article.errors).toEqual(["Cannot save the file. The disk is full."]);
  });

  it("takes only the first block after a singular intro", () => {
    const article = articleOf(
      parseMarkdown(withSymptoms("You receive the following error:\n\n> First.\n\n> Second."), "a.md"),
    );
    expect(article.errors).toEqual(["First."]);
  });

  it("takes list items after a plural intro, skipping labels of nested quotes", () => {
    const article = articleOf(
      parseMarkdown(
        withSymptoms(
          "You receive one of the following error messages:\n\n- Access denied\n- **Quota exceeded**\n\nOr one of these messages:\n\n- Message 1\n\n    > Disk not ready.\n\n- Message 2:\n\n    > Disk is write-protected.",
        ),
        "a.md",
      ),
    );
    expect(article.errors).toEqual([
      "Access denied",
      "Quota exceeded",
      "Disk not ready.",
      "Disk is write-protected.",
    ]);
  });

  it("takes every item of a list that follows a singular intro, and nothing after it", () => {
    const article = articleOf(
      parseMarkdown(
        withSymptoms("You receive the following error:\n\n- Line A failed.\n- Line B failed.\n\n> Not this."),
        "a.md",
      ),
    );
    expect(article.errors).toEqual(["Line A failed.", "Line B failed."]);
  });

  it("takes each bold line of a paragraph after a plural intro", () => {
    const article = articleOf(
      parseMarkdown(
        withSymptoms("You may see these warnings:\n\n**Low toner.**  \n**Paper jam in tray 2.**"),
        "a.md",
      ),
    );
    expect(article.errors).toEqual(["Low toner.", "Paper jam in tray 2."]);
  });

  it("ignores blocks after an intro that mentions an error but announces something else", () => {
    const article = articleOf(
      parseMarkdown(
        withSymptoms(
          "You see this error message when you try either of the following copy steps:\n\n- Copy A.\n- Copy B.\n\n> Copy C.",
        ),
        "a.md",
      ),
    );
    expect(article.errors).toEqual([]);
  });

  it("falls back to a quote after any colon when no intro mentions an error", () => {
    const article = articleOf(
      parseMarkdown(
        withSymptoms(
          "The log lists the following reason for the failure:\n\n> Input document is too complex.",
        ),
        "a.md",
      ),
    );
    expect(article.errors).toEqual(["Input document is too complex."]);
  });

  it("cleans <br>, entities, backslash escapes, comments and ::: lines, and strips markup in messages", () => {
    const result = parseFixture("cleanup.md");
    expect(result.problems).toEqual([]);
    const article = articleOf(result);
    expect(article.errors).toEqual([
      "Cannot open \\\\files\\share on <servername>: access denied. See the share-log & the portal help.",
    ]);
    expect(article.symptoms).toBe(
      "When you open a file share from the intranet portal, you receive the following error:\n\n" +
        "> Cannot open \\\\files\\share on <servername>: access denied.\n" +
        "> See the `share-log` & the [portal help](https://portal.example.test/help).\n\n" +
        "The portal also shows a line\nbreak and an ampersand & here, and <angle> brackets.\n\n" +
        "Steps for Windows live inside a zone.",
    );
  });

  it("keeps backslashes and markup inside inline code spans of a message", () => {
    const article = articleOf(
      parseMarkdown(
        withSymptoms("You receive the following error:\n\n> Path `C:\\*\\**x**` is invalid."),
        "a.md",
      ),
    );
    expect(article.errors).toEqual(["Path C:\\*\\**x** is invalid."]);
  });
});

describe("parseMarkdown: robustness", () => {
  const pieces = [
    "---\n",
    "## Symptoms\n",
    "### Cause\n",
    "## Resolution 1: x\n",
    "# T\n",
    "You receive the following error messages:\n",
    "> ",
    "> [!NOTE]\n",
    "```",
    "~~~\n",
    "**",
    "__",
    "<!--",
    "-->",
    ":::",
    "- ",
    "1. ",
    "    ",
    "\t",
    "\r\n",
    "\n",
    "\n\n",
    "&nbsp;",
    "&#x1F600;",
    "&#0;",
    "<br>",
    "\\",
    "`",
    "[a](b)",
    "![i](j)",
    "|",
    "===\n",
    "title: x\n",
    "id: [\n",
    "products: 42\n",
    "&a *a\n",
    "\uFEFF",
    "\uD800",
  ];
  const markdownish = fc
    .array(fc.oneof(fc.constantFrom(...pieces), fc.string({ unit: "binary", maxLength: 12 })), {
      maxLength: 60,
    })
    .map((parts) => parts.join(""));

  it("never throws and always returns located problems", () => {
    fc.assert(
      fc.property(markdownish, fc.constantFrom("a.md", "x/y.md", "", "weird name!.md"), (text, source) => {
        const result = parseMarkdown(text, source);
        for (const problem of result.problems) {
          expect(problem.line).toBeGreaterThanOrEqual(1);
          expect(problem.code).toMatch(/^[a-z]+(?:-[a-z]+)*$/);
          expect(problem.code).not.toBe("parse-failed");
        }
        if (result.article) {
          expect(result.article.symptoms.length).toBeGreaterThan(0);
          expect(() => JSON.stringify(result.article)).not.toThrow();
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("treats names of Object.prototype members as plain text", () => {
    const text = withSymptoms("x &constructor; &toString;").replace(
      "## Cause",
      "### constructor\n\ny\n\n## Cause",
    );
    const article = articleOf(parseMarkdown(text, "a.md"));
    expect(article.symptoms).toBe("x &constructor; &toString;\n\nconstructor\n\ny");
  });

  // Their run time against input size is measured by `npm run bench` (no timed assertions in unit tests).
  it("parses input built to make regular expressions backtrack", () => {
    const inputs = [
      `# ${" ".repeat(50_000)}x`,
      `## Symptoms${" ".repeat(50_000)}.x`,
      "`".repeat(3) + " `` ".repeat(20_000),
      Array.from({ length: 300 }, (_, k) => "`".repeat(k + 1)).join(" a "),
      "[".repeat(30_000),
      `## Symptoms\n\nYou receive these errors:\n\n${"> x\n".repeat(20_000)}`,
      "&".repeat(50_000),
      `---\n${"a: b\n".repeat(5_000)}---\n`,
    ];
    for (const text of inputs) {
      const result = parseMarkdown(text, "a.md");
      expect(result.article !== null || result.problems.some((p) => p.severity === "error")).toBe(true);
    }
  });
});
