import type { types } from "@slack/bolt";
import fc from "fast-check";
import { describe, expect, expectTypeOf, it } from "vitest";
import { loadKnowledge } from "../../src/knowledge/load.js";
import type { Article } from "../../src/knowledge/types.js";
import type { MatchResult, Verdict } from "../../src/match/types.js";
import {
  type ActionsBlock,
  type AnswerButton,
  answerBlocks,
  articleModal,
  type Block,
  type Button,
  checkLimits,
  type ModalView,
  noMatchBlocks,
  notItBlocks,
  otherMatchesBlocks,
  possibleBlocks,
  type SectionBlock,
  type SlackMessage,
  usageBlocks,
} from "../../src/reply/blocks.js";
import { ACTIONS, ARTICLE_MODAL_CALLBACK, BLOCK_IDS, decodeButtonValue } from "../../src/reply/ids.js";

const ZWSP = "\u200B";
const kb = await loadKnowledge(new URL("../../knowledge", import.meta.url).pathname);

function article(overrides: Partial<Article> = {}): Article {
  return {
    id: "KT9001",
    format: "mskb",
    title: "Printer offline",
    products: [],
    symptoms: "The printer shows offline.",
    errors: ["Printer offline"],
    cause: "The spooler stopped.",
    resolution: "1. Restart the spooler.",
    workaround: "",
    status: "",
    moreInfo: "",
    keywords: [],
    queryWords: [],
    source: "windows/KT9001.txt",
    meta: {},
    ...overrides,
  };
}

function result(a: Article, overrides: Partial<MatchResult> = {}): MatchResult {
  return {
    article: a,
    score: 0.92,
    why: { line: "Printer offline", field: "error", codes: [], terms: [] },
    ...overrides,
  };
}

function sectionTexts(message: { blocks: Block[] }): string[] {
  return message.blocks.flatMap((b) => (b.type === "section" && b.text ? [b.text.text] : []));
}

function buttons(message: { blocks: Block[] }): Button[] {
  return message.blocks.flatMap((b) =>
    b.type === "actions" ? b.elements : b.type === "section" && b.accessory ? [b.accessory] : [],
  );
}

function blockById(message: { blocks: Block[] }, id: string): Block | undefined {
  return message.blocks.find((b) => b.block_id === id);
}

const HOSTILE = "<!channel> <!here> <@U123> <https://evil.example|click> @everyone <!subteam^S1>";

describe("answerBlocks", () => {
  it("shows the title as a link, the confidence, what matched, cause and resolution", () => {
    const a = article({
      format: "markdown",
      url: "https://kb.example.com/KM1",
      cause: "Spooler **stopped**.",
    });
    const message = answerBlocks({
      triageId: "t1",
      result: result(a, { why: { line: "Printer offline", field: "error", codes: ["0x709"], terms: [] } }),
      verdict: "match",
      buttons: ["share", "otherMatches"],
    });
    expect(sectionTexts(message)).toEqual([
      "*<https://kb.example.com/KM1|Printer offline>*\nBest match · Confidence: 92 % · `KT9001`",
      "*What matched*\n> Printer offline\nError codes: `0x709`",
      "*Cause*\nSpooler *stopped*.",
      "*Resolution*\n1. Restart the spooler.",
    ]);
    expect(message.text).toBe("Best match: Printer offline (KT9001). Confidence: 92 %.");
    const actions = blockById(message, BLOCK_IDS.answerActions) as ActionsBlock;
    expect(actions.elements.map((e) => [e.text.text, e.action_id])).toEqual([
      ["Share in channel", ACTIONS.share],
      ["Other matches", ACTIONS.otherMatches],
    ]);
    expect(checkLimits(message)).toEqual([]);
  });

  it("says 'Possible match' unless the verdict is a match, and rounds the score into 0–100", () => {
    const a = article();
    const first = (m: SlackMessage) => sectionTexts(m)[0];
    expect(
      first(answerBlocks({ triageId: "t", result: result(a), verdict: "possible", buttons: [] })),
    ).toContain("Possible match · Confidence: 92 %");
    for (const [score, shown] of [
      [1.7, 100],
      [-1, 0],
      [Number.NaN, 0],
      [0.555, 56],
    ] as const) {
      const m = answerBlocks({ triageId: "t", result: result(a, { score }), verdict: "match", buttons: [] });
      expect(first(m)).toContain(`Confidence: ${shown} %`);
    }
  });

  it("shows the title as plain text when the URL is not http(s)", () => {
    const m = answerBlocks({
      triageId: "t",
      result: result(article({ url: "javascript:alert(1)" })),
      verdict: "match",
      buttons: [],
    });
    expect(sectionTexts(m)[0]).toMatch(/^\*Printer offline\*\n/);
  });

  it("falls back to the workaround when there is no resolution", () => {
    const m = answerBlocks({
      triageId: "t",
      result: result(article({ resolution: "", workaround: "Print to PDF for now." })),
      verdict: "match",
      buttons: [],
    });
    expect(sectionTexts(m)).toContain("*Workaround*\nPrint to PDF for now.");
  });

  it("escapes or defuses mentions and forged links from KB text and the matched line", () => {
    const a = article({
      title: HOSTILE,
      cause: HOSTILE,
      resolution: `Step one ${HOSTILE}\n\n   ${HOSTILE}`,
      url: "https://kb.example.com/<!channel>",
    });
    const message = answerBlocks({
      triageId: "t",
      result: result(a, { why: { line: HOSTILE, field: "error", codes: ["<!here>"], terms: [] } }),
      verdict: "match",
      buttons: ["share"],
    });
    const json = JSON.stringify(message);
    for (const raw of ["<!channel>", "<!here>", "<@U123>", "<https://evil.example", "<!subteam"]) {
      expect(json).not.toContain(raw);
    }
    expect(json).not.toMatch(/@everyone/);
    expect(json).toContain(`@${ZWSP}everyone`);
    expect(json).toContain("&lt;!channel&gt;");
    expect(json).toContain("&lt;https://evil.example|click&gt;");
    expect(checkLimits(message)).toEqual([]);
  });

  it("truncates a 200 KB resolution and adds the Full article button", () => {
    const huge = Array.from(
      { length: 6000 },
      (_, i) => `${i + 1}. Do step ${i + 1} & check the result.`,
    ).join("\n");
    expect(huge.length).toBeGreaterThan(200_000);
    const message = answerBlocks({
      triageId: "t",
      result: result(article({ resolution: huge })),
      verdict: "match",
      buttons: [],
    });
    const resolution = blockById(message, BLOCK_IDS.answerResolution) as SectionBlock;
    expect(resolution.text?.text.length).toBeLessThanOrEqual(3000);
    expect(resolution.text?.text).toMatch(/^\*Resolution\*\n1\. Do step 1 &amp; check the result\./);
    expect(resolution.text?.text.endsWith("…")).toBe(true);
    expect(buttons(message).map((b) => b.action_id)).toEqual([ACTIONS.fullArticle]);
    expect(checkLimits(message)).toEqual([]);
  });

  it("adds no actions block when no buttons are asked for and nothing was cut", () => {
    const message = answerBlocks({ triageId: "t", result: result(article()), verdict: "match", buttons: [] });
    expect(message.blocks.some((b) => b.type === "actions")).toBe(false);
  });

  it("puts only the triage and article ids in button values, never the pasted text", () => {
    const paste = "secret paste: password=hunter2";
    const message = answerBlocks({
      triageId: "tr_7",
      result: result(article(), { why: { line: paste, field: "error", codes: [], terms: [] } }),
      verdict: "match",
      buttons: ["share", "otherMatches", "fullArticle", "postInThread"],
    });
    const values = buttons(message).map((b) => b.value ?? "");
    expect(values).toHaveLength(4);
    for (const value of values) {
      expect(value).not.toContain("hunter2");
      expect(decodeButtonValue(value)).toEqual({ triageId: "tr_7", articleId: "KT9001" });
    }
  });

  it("credits a valid sharer and drops anything else", () => {
    const shared = answerBlocks({
      triageId: "t",
      result: result(article()),
      verdict: "match",
      buttons: [],
      sharedBy: "U0123ABC",
    });
    expect(blockById(shared, BLOCK_IDS.answerSharedBy)).toEqual({
      type: "context",
      block_id: BLOCK_IDS.answerSharedBy,
      elements: [{ type: "mrkdwn", text: "Shared by <@U0123ABC>" }],
    });
    expect(checkLimits(shared)).toEqual([]);
    for (const bad of ["<!channel>", "u123", "U123>", "C123", ""]) {
      const m = answerBlocks({
        triageId: "t",
        result: result(article()),
        verdict: "match",
        buttons: [],
        sharedBy: bad,
      });
      expect(blockById(m, BLOCK_IDS.answerSharedBy)).toBeUndefined();
    }
  });
});

describe("possibleBlocks and otherMatchesBlocks", () => {
  const results = ["KA1", "KA2", "KA3", "KA4"].map((id, n) =>
    result(article({ id, title: `Title ${id}` }), { score: 0.6 - n / 10 }),
  );

  it("lists up to 3 candidates, each with a Show answer button carrying its ids", () => {
    const message = possibleBlocks({ triageId: "t9", results });
    const candidates = message.blocks.filter((b) => b.block_id?.startsWith(BLOCK_IDS.candidatePrefix));
    expect(candidates).toHaveLength(3);
    expect(sectionTexts(message)[1]).toBe("*Title KA1* `KA1`\nConfidence: 60 %\n> Printer offline");
    expect(buttons(message).map((b) => [b.text.text, b.action_id, decodeButtonValue(b.value)])).toEqual([
      ["Show answer", ACTIONS.pick, { triageId: "t9", articleId: "KA1" }],
      ["Show answer", ACTIONS.pick, { triageId: "t9", articleId: "KA2" }],
      ["Show answer", ACTIONS.pick, { triageId: "t9", articleId: "KA3" }],
    ]);
    expect(message.text).toContain("Title KA1; Title KA2; Title KA3");
    expect(checkLimits(message)).toEqual([]);
  });

  it("falls back to the no-match reply when there are no candidates", () => {
    expect(possibleBlocks({ triageId: "t", results: [] })).toEqual(noMatchBlocks({ mentioned: false }));
  });

  it("leaves out the article already shown", () => {
    const message = otherMatchesBlocks({ triageId: "t", results, excludeArticleId: "KA1" });
    expect(buttons(message).map((b) => decodeButtonValue(b.value)?.articleId)).toEqual(["KA2", "KA3", "KA4"]);
    expect(sectionTexts(message)[0]).toBe("Other articles that might fit:");
    expect(checkLimits(message)).toEqual([]);
    const none = otherMatchesBlocks({ triageId: "t", results: results.slice(0, 1), excludeArticleId: "KA1" });
    expect(none.text).toBe("I have no other articles that match this.");
  });
});

describe("noMatchBlocks and usageBlocks", () => {
  it("says honestly that nothing was found and what to do next", () => {
    for (const mentioned of [true, false]) {
      const message = noMatchBlocks({ mentioned });
      const text = sectionTexts(message).join("\n");
      expect(message.text).toBe("I couldn't find an article for this.");
      expect(text).toContain(
        mentioned ? "Mention me again with the exact error text" : "Paste the exact error text",
      );
      expect(text).toContain("error codes included");
      expect(text).toContain("contact the helpdesk or escalate");
      expect(checkLimits(message)).toEqual([]);
    }
  });

  it("explains every way to ask", () => {
    const message = usageBlocks();
    const text = sectionTexts(message).join("\n");
    expect(text).toContain("`/triage &lt;error text&gt;`");
    expect(text).toContain("Mention me");
    expect(text).toContain("direct message");
    expect(text).toContain("*Triage this message*");
    expect(checkLimits(message)).toEqual([]);
  });
});

describe("articleModal", () => {
  it("shows the whole article in a modal with a short title and a close button", () => {
    const a = kb.byId.get("KM2005") as Article;
    const view = articleModal(a);
    expect(view.type).toBe("modal");
    expect(view.callback_id).toBe(ARTICLE_MODAL_CALLBACK);
    expect(view.title.text).toBe("Article KM2005");
    expect(view.close.text).toBe("Close");
    expect(view.blocks[0]).toEqual({
      type: "header",
      block_id: BLOCK_IDS.modalHeader,
      text: { type: "plain_text", text: "OneDrive cannot connect, error code 0x8004de40", emoji: true },
    });
    const texts = sectionTexts(view);
    expect(texts[0]).toBe("`KM2005` · <https://intranet.example.com/kb/KM2005|Open in the knowledge base>");
    expect(texts.slice(1).map((t) => t.split("\n")[0])).toEqual([
      "*Symptoms*",
      "*Cause*",
      "*Resolution*",
      "*More information*",
    ]);
    expect(checkLimits(view)).toEqual([]);
  });

  it("falls back to a generic title when the id is too long for 24 characters", () => {
    expect(articleModal(article({ id: "a-very-long-article-id-from-a-file-name" })).title.text).toBe(
      "KB article",
    );
  });

  it("splits a huge article into ≤ 3000-character sections, ≤ 100 blocks, with a note", () => {
    const huge = "```\n".concat("x <y> & z ".repeat(30_000), "\n```\n", "word ".repeat(200_000));
    const view = articleModal(article({ symptoms: huge, cause: huge, resolution: huge, format: "markdown" }));
    expect(view.blocks).toHaveLength(100);
    expect(view.blocks.at(-1)?.block_id).toBe(BLOCK_IDS.modalTooLong);
    for (const text of sectionTexts(view)) expect((text.split("```").length - 1) % 2).toBe(0);
    expect(checkLimits(view)).toEqual([]);
  });

  it("matches @slack/types, so it can go straight to views.open and chat.postMessage", () => {
    expectTypeOf<ModalView>().toExtend<types.ModalView>();
    expectTypeOf<Block>().toExtend<types.KnownBlock>();
  });
});

describe("every builder stays within Slack's limits", () => {
  const anyText = fc.oneof(
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: "binary" }),
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
    fc.constantFrom("", HOSTILE, "\uD800\u0000\u001b", "```", "&amp;".repeat(1000), "x".repeat(5000)),
  );
  // Up to ~250 KB, rarely: enough to force truncation and splitting without slowing the run to a crawl.
  const hugeText = fc.oneof(
    { arbitrary: anyText, weight: 8 },
    {
      arbitrary: fc
        .tuple(anyText, fc.integer({ min: 1, max: 250_000 }))
        .map(([s, size]) => (s || "y ").repeat(Math.ceil(size / Math.max(1, s.length || 2)))),
      weight: 1,
    },
  );
  const buttonList = fc.subarray<AnswerButton>(["share", "otherMatches", "fullArticle", "postInThread"]);
  const verdict = fc.constantFrom<Verdict>("match", "possible", "none");
  const score = fc.oneof(fc.double(), fc.double({ min: 0, max: 1, noNaN: true }));
  const sharedBy = fc.oneof(fc.constant(undefined), fc.constant("U12345"), anyText);
  const triageId = fc.oneof(fc.constant("tr_1"), anyText);

  /** A real article, with any of its fields replaced by arbitrary text. */
  const anArticle = fc
    .tuple(
      fc.constantFrom(...kb.articles),
      fc.record(
        {
          id: anyText,
          title: anyText,
          url: fc.oneof(anyText, fc.constant("https://kb.example.com/a|b?c=<d>&e")),
          symptoms: hugeText,
          cause: hugeText,
          resolution: hugeText,
          workaround: hugeText,
          status: anyText,
          moreInfo: anyText,
        },
        { requiredKeys: [] },
      ),
    )
    .map(([base, overrides]) => ({ ...base, ...overrides }));
  const aResult = fc.record({
    article: anArticle,
    score,
    why: fc.record({
      line: anyText,
      field: fc.constantFrom("error" as const, "title" as const),
      codes: fc.array(anyText, { maxLength: 12 }),
      terms: fc.array(anyText, { maxLength: 3 }),
    }),
  });

  const expectValid = (payload: SlackMessage | ModalView) => {
    expect(checkLimits(payload)).toEqual([]);
  };

  it("for every sample article as it is", () => {
    expect(kb.articles.length).toBeGreaterThan(40);
    for (const a of kb.articles) {
      const r = result(a, {
        why: { line: a.errors[0] ?? a.title, field: "error", codes: ["0x1"], terms: [] },
      });
      expectValid(
        answerBlocks({
          triageId: "t",
          result: r,
          verdict: "match",
          buttons: ["share", "otherMatches", "fullArticle", "postInThread"],
          sharedBy: "U1",
        }),
      );
      expectValid(possibleBlocks({ triageId: "t", results: [r, r, r] }));
      expectValid(otherMatchesBlocks({ triageId: "t", results: [r], excludeArticleId: "" }));
      expectValid(articleModal(a));
    }
  });

  it("for sample articles mixed with arbitrary scores, lines and strings", () => {
    fc.assert(
      fc.property(
        aResult,
        fc.array(aResult, { maxLength: 5 }),
        verdict,
        buttonList,
        sharedBy,
        triageId,
        fc.boolean(),
        (r, others, v, wanted, by, id, mentioned) => {
          expectValid(answerBlocks({ triageId: id, result: r, verdict: v, buttons: wanted, sharedBy: by }));
          expectValid(possibleBlocks({ triageId: id, results: [r, ...others] }));
          expectValid(otherMatchesBlocks({ triageId: id, results: others, excludeArticleId: r.article.id }));
          expectValid(articleModal(r.article));
          expectValid(noMatchBlocks({ mentioned }));
        },
      ),
      { numRuns: 150 },
    );
    expectValid(usageBlocks());
  });
});

describe("checkLimits", () => {
  const ok = (): SlackMessage => ({
    text: "fallback",
    blocks: [{ type: "section", text: { type: "mrkdwn", text: "hi" } }],
  });
  const section = (text: string, block_id?: string): SectionBlock => ({
    type: "section",
    ...(block_id ? { block_id } : {}),
    text: { type: "mrkdwn", text },
  });
  const btn = (overrides: Partial<Button> = {}): Button => ({
    type: "button",
    text: { type: "plain_text", text: "Go" },
    action_id: "a",
    ...overrides,
  });

  it("accepts a valid message", () => {
    expect(checkLimits(ok())).toEqual([]);
  });

  it("reports each broken limit", () => {
    const cases: [SlackMessage | ModalView, RegExp][] = [
      [{ ...ok(), text: "" }, /^text: the fallback text is missing/],
      [{ ...ok(), text: "x".repeat(40_001) }, /^text: is 40001 characters/],
      [{ ...ok(), blocks: Array.from({ length: 51 }, () => section("x")) }, /^blocks: 51 blocks \(max 50\)/],
      [{ ...ok(), blocks: [section("x".repeat(3001))] }, /^blocks\[0\]\.text: text is 3001 characters/],
      [{ ...ok(), blocks: [section("")] }, /^blocks\[0\]\.text: text is empty/],
      [{ ...ok(), blocks: [section("a", "dup"), section("b", "dup")] }, /^blocks\[1\]\.block_id: duplicate/],
      [{ ...ok(), blocks: [section("a", "b".repeat(256))] }, /^blocks\[0\]\.block_id: is 256 characters/],
      [
        { ...ok(), blocks: [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }] },
        /^blocks\[0\]\.text: text is 151 characters/,
      ],
      [
        {
          ...ok(),
          blocks: [
            { type: "actions", elements: [btn({ text: { type: "plain_text", text: "b".repeat(76) } })] },
          ],
        },
        /^blocks\[0\]\.elements\[0\]\.text: text is 76 characters/,
      ],
      [
        { ...ok(), blocks: [{ type: "actions", elements: [btn({ value: "v".repeat(2001) })] }] },
        /^blocks\[0\]\.elements\[0\]\.value: is 2001 characters/,
      ],
      [
        { ...ok(), blocks: [{ type: "actions", elements: [btn({ action_id: "a".repeat(256) })] }] },
        /^blocks\[0\]\.elements\[0\]\.action_id: is 256 characters/,
      ],
      [
        {
          ...ok(),
          blocks: [
            { type: "actions", elements: Array.from({ length: 26 }, (_, n) => btn({ action_id: `a${n}` })) },
          ],
        },
        /^blocks\[0\]\.elements: 26 elements \(max 25\)/,
      ],
      [{ ...ok(), blocks: [{ type: "actions", elements: [btn(), btn()] }] }, /action_id: duplicate "a"/],
      [
        {
          ...ok(),
          blocks: [
            {
              type: "context",
              elements: Array.from({ length: 11 }, () => ({ type: "mrkdwn" as const, text: "c" })),
            },
          ],
        },
        /^blocks\[0\]\.elements: 11 elements \(max 10\)/,
      ],
      [
        {
          ...ok(),
          blocks: [
            {
              type: "section",
              fields: Array.from({ length: 11 }, () => ({ type: "mrkdwn" as const, text: "f".repeat(2001) })),
            },
          ],
        },
        /^blocks\[0\]\.fields: 11 fields \(max 10\)/,
      ],
      [
        { ...ok(), blocks: [section("hello <!here>")] },
        /^blocks\[0\]\.text\.text: contains the special sequence <!here>/,
      ],
      [
        { ...ok(), blocks: [section("hi <@U123>")] },
        /^blocks\[0\]\.text\.text: contains the special sequence <@U123>/,
      ],
      [{ ...ok(), text: "<!channel> look" }, /^text: contains the special sequence <!channel>/],
      [{ ...ok(), blocks: [section("a < b")] }, /contains an unescaped '<'/],
      [{ ...ok(), blocks: [section("<https://x.example|<!everyone>>")] }, /special sequence/],
      [{ ...ok(), blocks: [section("ping @here")] }, /bare @channel\/@here\/@everyone/],
      [{ ...ok(), blocks: [section("bad \u0007 bell")] }, /control character or a lone surrogate/],
      [{ ...ok(), blocks: [section("half \uD800")] }, /control character or a lone surrogate/],
      [
        {
          type: "modal",
          callback_id: "c",
          title: { type: "plain_text", text: "t".repeat(25) },
          close: { type: "plain_text", text: "Close" },
          blocks: [],
        },
        /^title: text is 25 characters \(max 24\)/,
      ],
      [
        {
          type: "modal",
          callback_id: "c",
          title: { type: "plain_text", text: "t" },
          close: { type: "plain_text", text: "Close" },
          blocks: Array.from({ length: 101 }, () => section("x")),
        },
        /^blocks: 101 blocks \(max 100\)/,
      ],
    ];
    for (const [payload, expected] of cases) {
      const problems = checkLimits(payload);
      expect(
        problems.some((p) => expected.test(p)),
        `${expected} in ${JSON.stringify(problems)}`,
      ).toBe(true);
    }
  });

  it("allows links, and a user mention only in a context block", () => {
    expect(checkLimits({ ...ok(), blocks: [section("see <https://kb.example.com/a|the article>")] })).toEqual(
      [],
    );
    const context: Block = { type: "context", elements: [{ type: "mrkdwn", text: "Shared by <@U123>" }] };
    expect(checkLimits({ ...ok(), blocks: [context] })).toEqual([]);
    const broadcast: Block = { type: "context", elements: [{ type: "mrkdwn", text: "<!channel>" }] };
    expect(checkLimits({ ...ok(), blocks: [broadcast] })).not.toEqual([]);
  });
});

describe("feedback on answers", () => {
  const first = kb.articles[0] as Article;
  const second = kb.articles[1] as Article;

  it("offers Fixed it (the one primary button), Not it and Escalate", () => {
    const message = answerBlocks({
      triageId: "t1",
      result: result(first),
      verdict: "match",
      buttons: ["fixed", "notIt", "escalate", "share"],
    });
    const actions = message.blocks.find((b): b is ActionsBlock => b.type === "actions");
    const buttons = (actions?.elements ?? []) as Button[];
    expect(buttons.map((b) => b.action_id)).toEqual([
      ACTIONS.fixed,
      ACTIONS.notIt,
      ACTIONS.escalate,
      ACTIONS.share,
    ]);
    expect(buttons.filter((b) => b.style === "primary").map((b) => b.action_id)).toEqual([ACTIONS.fixed]);
    expect(checkLimits(message)).toEqual([]);
  });

  it("says who confirmed the fix, and ignores ids that are not Slack users", () => {
    const message = answerBlocks({
      triageId: "t1",
      result: result(first),
      verdict: "match",
      buttons: [],
      confirmedBy: ["U0FIXER01", "<!channel>"],
    });
    const text = JSON.stringify(message.blocks);
    expect(text).toContain("confirmed by <@U0FIXER01>");
    expect(text).not.toContain("<!channel>");
    expect(checkLimits(message)).toEqual([]);
  });

  it("offers the next candidates after Not it, each with This one, never the rejected article", () => {
    const message = notItBlocks({
      triageId: "t1",
      results: [result(first), result(second)],
      excludeArticleId: first.id,
    });
    const text = JSON.stringify(message.blocks);
    expect(text).toContain("This one");
    expect(text).not.toContain(`"a":"${first.id}"`);
    expect(checkLimits(message)).toEqual([]);
    const none = notItBlocks({ triageId: "t1", results: [result(first)], excludeArticleId: first.id });
    expect(none.text).toMatch(/no other article/);
  });
});
