import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { loadKnowledge } from "../../src/knowledge/load.js";
import type { Article } from "../../src/knowledge/types.js";
import { createMatcher } from "../../src/match/matcher.js";
import { inThread } from "../../src/match/threaded.js";
import { checkLimits } from "../../src/reply/blocks.js";
import { createDeduper } from "../../src/slack/dedupe.js";
import { createLogger } from "../../src/slack/logger.js";
import { isTextSnippet, readSnippet } from "../../src/slack/snippets.js";
import { replyFor, type SlackDeps, triage, withoutMention } from "../../src/slack/triage.js";
import { createMemoryState } from "../../src/state/shared-state.js";
import { createRecentTriages } from "../../src/store/recent-triages.js";

let articles: Article[];
let deps: SlackDeps;
beforeAll(async () => {
  articles = (await loadKnowledge(new URL("../../knowledge", import.meta.url).pathname)).articles;
  deps = {
    matcher: inThread(createMatcher(articles), articles),
    triages: createRecentTriages(),
    dedupe: createDeduper(),
    logger: createLogger("silent"),
    triageChannels: new Set(),
  };
});

const where = {
  source: "channel" as const,
  team: "T0PROP0001",
  channel: "C0PROP0001",
  user: "U0PROP0001",
  messageTs: "1.2",
};

describe("replyFor", () => {
  it("is valid Block Kit within every limit for every article's errors and arbitrary pastes", async () => {
    const pastes = fc.oneof(
      fc.constantFrom(...articles.flatMap((a) => [...a.errors, a.title])),
      fc.string({ unit: "binary", maxLength: 3000 }),
      fc.string({ unit: "grapheme", maxLength: 500 }),
      fc.constantFrom("<!channel> <!here> @everyone <@U123>", "x".repeat(50_000), ""),
    );
    await fc.assert(
      fc.asyncProperty(pastes, fc.boolean(), async (paste, mentioned) => {
        const triaged = await triage(deps, paste, where);
        for (const buttons of [["share", "otherMatches", "fullArticle"], ["postInThread"]] as const) {
          const reply = replyFor(triaged, { buttons: [...buttons], mentioned });
          expect(checkLimits(reply as never)).toEqual([]);
          // The paste never travels in a button value.
          if (paste.length > 12)
            expect(JSON.stringify(reply.blocks)).not.toContain(`"value":${JSON.stringify(paste)}`);
        }
      }),
      { numRuns: 120 },
    );
  });

  it("answers, offers candidates or says honestly that nothing matches, by verdict", async () => {
    const match = await triage(deps, "System error 53 has occurred. The network path was not found.", where);
    expect(match.response.verdict).toBe("match");
    expect(JSON.stringify(replyFor(match, { buttons: [], mentioned: true }).blocks)).toContain("KT1007");
    const none = await triage(deps, "Flux capacitor overheated on reactor 3", where);
    expect(none.response.verdict).toBe("none");
    expect(replyFor(none, { buttons: [], mentioned: true }).text).toMatch(/couldn.t find|no article/i);
    expect(deps.triages.get(match.record.id)?.results[0]?.articleId).toBe("KT1007");
  });
});

describe("withoutMention", () => {
  it("removes the bot's own mention and nothing else", () => {
    expect(withoutMention("<@U0BOT> Error 1603 <@U0OTHER>", "U0BOT")).toBe("Error 1603 <@U0OTHER>");
    expect(withoutMention("  <@U0BOT>  ", "U0BOT")).toBe("");
    expect(withoutMention(" text ", undefined)).toBe("text");
  });
});

describe("createDeduper", () => {
  it("lets a key through once within the window, and again after it", async () => {
    let now = 0;
    const dedupe = createDeduper(createMemoryState({ now: () => now }), 1000);
    expect(await dedupe.firstTime("Ev1")).toBe(true);
    expect(await dedupe.firstTime("Ev1")).toBe(false);
    now = 1001;
    expect(await dedupe.firstTime("Ev1")).toBe(true);
  });

  it("answers for every replica sharing the state: a key seen by one is a repeat for the other", async () => {
    const shared = createMemoryState();
    const [a, b] = [createDeduper(shared), createDeduper(shared)];
    expect(await a.firstTime("Ev2")).toBe(true);
    expect(await b.firstTime("Ev2")).toBe(false);
  });
});

describe("createRecentTriages", () => {
  it("forgets triages past the retention window, and the oldest beyond the cap", () => {
    let now = 0;
    const triages = createRecentTriages({ max: 2, ttlMs: 1000, now: () => now });
    const record = {
      source: "dm" as const,
      text: "x",
      channel: null,
      user: null,
      messageTs: null,
      verdict: "none" as const,
      results: [],
    };
    const a = triages.add(record);
    now = 1001;
    expect(triages.get(a.id)).toBeUndefined();
    const b = triages.add(record);
    triages.add(record);
    triages.add(record);
    expect(triages.get(b.id)).toBeUndefined();
    expect(triages.size).toBe(2);
  });
});

describe("snippets", () => {
  it("reads text snippets only, and sends the token only to trusted origins", async () => {
    expect(isTextSnippet({ filetype: "text", size: 10 })).toBe(true);
    expect(isTextSnippet({ filetype: "png", mimetype: "image/png" })).toBe(false);
    expect(isTextSnippet({ filetype: "text", size: 50 * 1024 * 1024 })).toBe(false);
    const seen: string[] = [];
    const fetchFn = (async (url: string) => {
      seen.push(url);
      return new Response("System error 53 has occurred.", { headers: { "content-type": "text/plain" } });
    }) as unknown as typeof fetch;
    const trusted = ["https://files.slack.com"];
    expect(
      await readSnippet({ url_private: "https://evil.example/f" }, "xoxb-1", trusted, fetchFn),
    ).toBeNull();
    expect(await readSnippet({ url_private: "not a url" }, "xoxb-1", trusted, fetchFn)).toBeNull();
    expect(
      await readSnippet({ url_private: "https://files.slack.com/f" }, "xoxb-1", trusted, fetchFn),
    ).toContain("53");
    expect(seen).toEqual(["https://files.slack.com/f"]);
  });
});

describe("recording triages", () => {
  it("records each triage in the store, and still answers when the store fails", async () => {
    const rows: unknown[] = [];
    const recording = {
      ...deps,
      store: { recordTriage: async (row: unknown) => void rows.push(row) } as never,
    };
    const answered = await triage(recording, "System error 53 has occurred.", where);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(rows).toEqual([
      expect.objectContaining({ id: answered.record.id, topArticle: "KT1007", verdict: "match" }),
    ]);

    const errors: unknown[] = [];
    const broken = {
      ...deps,
      logger: {
        ...deps.logger,
        info: () => {},
        error: (...args: unknown[]) => void errors.push(args),
      } as never,
      store: {
        recordTriage: () => {
          throw new Error("disk full");
        },
      } as never,
    };
    const still = await triage(broken, "System error 53 has occurred.", where);
    expect(still.response.verdict).toBe("match");
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(JSON.stringify(errors)).toContain("could not record the triage");
  });
});
