import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { loadKnowledge } from "../../src/knowledge/load.js";
import type { Article } from "../../src/knowledge/types.js";
import { createMatcher, DEFAULT_MATCHER_OPTIONS } from "../../src/match/matcher.js";
import type { Matcher } from "../../src/match/types.js";

// The sample knowledge base is the fixture: real-looking articles we wrote, with real error texts.
let articles: Article[];
let matcher: Matcher;
beforeAll(async () => {
  articles = (await loadKnowledge(new URL("../../knowledge", import.meta.url).pathname)).articles;
  matcher = createMatcher(articles);
});

const top = (text: string) => matcher.match(text).results[0];

/** A minimal article quoting one message. */
const article = (id: string, error: string): Article => ({
  id,
  format: "mskb",
  title: `Article ${id}`,
  products: [],
  symptoms: `You receive the following error message:\n\n   ${error}`,
  errors: [error],
  cause: "c",
  resolution: "r",
  workaround: "",
  status: "",
  moreInfo: "",
  keywords: [],
  queryWords: [],
  source: `${id}.txt`,
  meta: {},
});

describe("createMatcher on the sample knowledge base", () => {
  it("answers every article's own quoted errors with that article, confidently", () => {
    for (const article of articles) {
      for (const error of article.errors) {
        const response = matcher.match(error);
        expect(response.results[0]?.article.id, `${article.id}: ${error}`).toBe(article.id);
        expect(response.verdict, `${article.id}: ${error}`).toBe("match");
      }
    }
  });

  it("finds the article through Slack escaping, a code fence and chatter", () => {
    const paste =
      "hey team, getting this when I map the drive:\n```\nSystem error 53 has occurred.\n\nThe network path was not found.\n```\nany ideas?";
    const response = matcher.match(paste);
    expect(response.verdict).toBe("match");
    expect(response.results[0]?.article.id).toBe("KT1007");
  });

  it("matches on an error code alone, and says which code matched", () => {
    const result = top("getting 0x8004de40 again");
    expect(result?.article.id).toBe("KM2005");
    expect(result?.why.codes.some((code) => /8004de40/i.test(code))).toBe(true);
  });

  it("ranks the right article first for a paraphrase, without claiming certainty it does not have", () => {
    const response = matcher.match("outlook won't open, says it cannot open the set of folders");
    expect(response.results[0]?.article.id).toBe("KT1020");
    expect(["match", "possible"]).toContain(response.verdict);
  });

  it("says why: the matched line and the shared words", () => {
    const result = top("ORA-12154: TNS:could not resolve the connect identifier specified");
    expect(result?.article.id).toBe("KT1029");
    expect(result?.why.field).toBe("error");
    expect(result?.why.line).toContain("ORA-12154");
    expect(result?.why.terms.map((t) => t.toLowerCase())).toEqual(
      expect.arrayContaining(["resolve", "identifier"]),
    );
  });

  it("gives no confident answer for errors from software the knowledge base does not cover", () => {
    const unrelated = [
      "Traceback (most recent call last): ModuleNotFoundError: No module named 'pandas'",
      "kubectl: error: You must be logged in to the server (Unauthorized)",
      "Segmentation fault (core dumped)",
      "java.lang.OutOfMemoryError: Java heap space",
      "E: Unable to locate package libssl1.1",
      "The coffee machine is out of beans",
    ];
    for (const text of unrelated) expect(matcher.match(text).verdict, text).not.toBe("match");
  });

  it("returns scores in [0, 1], best first, at most `limit`", () => {
    const response = matcher.match("password expired", { limit: 3 });
    expect(response.results.length).toBeLessThanOrEqual(3);
    const scores = response.results.map((r) => r.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    for (const s of scores) expect(s >= 0 && s <= 1).toBe(true);
  });

  it("answers none, with no results, for empty and content-free pastes", () => {
    for (const text of ["", "   \n\t", ":thinking_face: :pray:", "```\n```", "hi", "?!"]) {
      const response = matcher.match(text);
      expect(response.verdict, JSON.stringify(text)).toBe("none");
    }
  });

  it("stays sure when the runner-up only shares part of what the leader matched", () => {
    const tail = "Error 1058: The specified service is disabled and cannot be started.";
    // Many articles share the paste's first words, so only its rare tail tells articles apart; HALF1 has the
    // tail too, but nothing the leader lacks.
    const fillers = Array.from({ length: 30 }, (_, i) =>
      article(`X${i}`, `Could not start the relay agent service number ${i} on contoso printers.`),
    );
    const spliced = createMatcher([
      article("REAL", `Could not start the Contoso Relay Agent service on <servername>. ${tail}`),
      article("HALF1", `The backup job stopped on <servername>. ${tail}`),
      ...fillers,
    ]);
    const response = spliced.match(`could not start contoso. ${tail}`);
    expect(response.results.slice(0, 2).map((r) => r.article.id)).toEqual(["REAL", "HALF1"]);
    expect((response.results[0]?.score ?? 0) - (response.results[1]?.score ?? 0)).toBeLessThan(
      DEFAULT_MATCHER_OPTIONS.thresholds.margin,
    );
    expect(response.verdict).toBe("match");
  });

  it("finds the article that quotes the whole message among many that quote half of it", () => {
    const start = "Node quasar evicted from zephyr cluster";
    const end = "the quorum resource marmot could not be brought online";
    // Long symptoms push the real article down the BM25 ranking; 60 short articles each repeat half the message.
    const filler = Array.from(
      { length: 80 },
      (_, i) => `Background paragraph ${i} about storage arrays, controllers, firmware and cabling.`,
    ).join("\n\n");
    const real = article("REAL", `${start}: ${end}.`);
    real.symptoms += `\n\n${filler}`;
    const crowded = createMatcher([
      ...Array.from({ length: 30 }, (_, i) => article(`S${i}`, `${start} ${start}. Printer ${i} jammed.`)),
      ...Array.from({ length: 30 }, (_, i) => article(`E${i}`, `Disk ${i} is full; ${end} ${end}.`)),
      real,
    ]);
    const response = crowded.match(`${start}: ${end}.`);
    expect(response.results[0]?.article.id).toBe("REAL");
    expect(response.verdict).toBe("match");
  });

  it("finds the article quoting the paste word for word however many articles share most of its words", () => {
    const tail = "Exchange Information Store ID no: 80070057-0501-00000000";
    const message = `The client operation failed ${tail}`;
    const filler = Array.from(
      { length: 40 },
      (_, i) => `Paragraph ${i} about public folders and news feeds.`,
    );
    const real = article("REAL", message);
    real.symptoms += `\n\n${filler.join("\n\n")}`;
    // More lookalikes than the BM25F shortlist holds, each quoting the distinctive part twice in short text.
    const lookalikes = Array.from({ length: 300 }, (_, i) =>
      article(`L${i}`, `Setup of client ${i} failed: ${tail}. Operation ${tail}.`),
    );
    const response = createMatcher([...lookalikes, real]).match(message);
    expect(response.results[0]?.article.id).toBe("REAL");
    expect(response.verdict).toBe("match");
  });

  it("prefers, for a paraphrase, the article whose title and symptoms together explain it over a lookalike message", () => {
    // The paraphrase shares its message words with both quoted errors; only REAL's title and symptoms
    // account for the rest of what the person wrote.
    const real = article("REAL", "The gateway timed out (10060).");
    real.title = "Webmail mailboxes do not open through the proxy";
    real.symptoms = `Users who open their webmail mailboxes through the proxy see the browser wait, then:\n\n   ${real.errors[0]}`;
    const lookalike = article("LOOK", "Mailbox upload to the gateway timed out (10060).");
    lookalike.title = "Scanner driver installation fails";
    const both = createMatcher([...articles, lookalike, real]);
    const response = both.match(
      "webmail mailboxes never open via the proxy, then the gateway times out 10060",
    );
    expect(response.results.map((r) => r.article.id).slice(0, 2)).toEqual(["REAL", "LOOK"]);
  });

  it("offers, when unsure, the article that is about the paste as a whole before one sharing a single line", () => {
    // LINE quotes a message sharing the most words with the retelling; WHOLE is about it throughout
    // (title, symptoms, message), though no single line of it covers as much.
    const line = article("LINE", "Webmail browser upload times out (10060).");
    const whole = article("WHOLE", "The gateway returned 10060 during the upload.");
    whole.title = "Webmail mailboxes hang";
    whole.symptoms = `Users open their webmail mailboxes and the browser waits. Then the page times out.\n\n   ${whole.errors[0]}`;
    const retelling = "webmail mailboxes hang in the browser and then time out on 10060 during upload";
    const ids = (m: ReturnType<typeof createMatcher>) => m.match(retelling).results.map((r) => r.article.id);
    const kb = [...articles, line, whole];
    expect(createMatcher(kb).match(retelling).verdict).not.toBe("match");
    expect(ids(createMatcher(kb))[0]).toBe("WHOLE");
    expect(ids(createMatcher(kb, { uncertainBm25Weight: 0, corroborationWeight: 0 }))[0]).toBe("LINE");
  });

  it("keeps tied articles tied: the character-level tie-break treats a shared line alike", () => {
    // More articles than fuse.js re-scores, with the same title and no other line the paste touches: all
    // must score exactly alike.
    const twins = Array.from({ length: DEFAULT_MATCHER_OPTIONS.fuseCandidates + 3 }, (_, i) => {
      const a = article(`T${i}`, `Unrelated printer fault number ${i}.`);
      a.title = "Blue screen when the packet tracer driver loads";
      return a;
    });
    const response = createMatcher(twins).match("blue screen as soon as the packet tracer driver loads", {
      limit: 10,
    });
    expect(new Set(response.results.map((r) => r.score)).size).toBe(1);
  });

  it("keeps its options and defaults in one place", () => {
    expect(DEFAULT_MATCHER_OPTIONS.thresholds.match).toBeGreaterThan(
      DEFAULT_MATCHER_OPTIONS.thresholds.possible,
    );
    const strict = createMatcher(articles, { thresholds: { match: 1.01 } });
    expect(
      strict.match("The trust relationship between this workstation and the primary domain failed.").verdict,
    ).toBe("possible");
  });
});

describe("createMatcher on arbitrary input", () => {
  it("never throws and always returns a valid verdict", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 500 }),
          fc.string({ unit: "grapheme", maxLength: 300 }),
          fc.constantFrom("\u0000\u0001\u0002", "\ud800 lone \udfff surrogates", "&amp;&lt;&gt;".repeat(50)),
        ),
        (text) => {
          const response = matcher.match(text);
          expect(["match", "possible", "none"]).toContain(response.verdict);
          for (const r of response.results) expect(r.score >= 0 && r.score <= 1).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("handles a 1 MB paste", () => {
    const huge = "The trust relationship between this workstation and the primary domain failed. ".repeat(
      13_000,
    );
    expect(huge.length).toBeGreaterThan(1_000_000);
    const response = matcher.match(huge);
    expect(response.results[0]?.article.id).toBe("KT1001");
  });

  it("handles an empty knowledge base", () => {
    const empty = createMatcher([]);
    expect(empty.match("System error 53 has occurred.")).toMatchObject({ verdict: "none", results: [] });
  });
});

describe("the answer cache", () => {
  it("answers pastes that normalize alike exactly as without it, and a caller's change to one answer stays its own", () => {
    const cached = createMatcher(articles);
    const uncached = createMatcher(articles, { cacheSize: 0 });
    const pastes = articles
      .flatMap((a) => a.errors.slice(0, 1))
      .flatMap((e, i) => [e, `${e} (on 10.0.${i}.7)`, e]);
    for (const paste of pastes) {
      for (const limit of [1, 5]) {
        const a = cached.match(paste, { limit });
        const b = uncached.match(paste, { limit });
        expect(a.verdict).toBe(b.verdict);
        expect(a.results.map((r) => [r.article.id, r.score])).toEqual(
          b.results.map((r) => [r.article.id, r.score]),
        );
      }
    }
    const first = cached.match(pastes[0] as string);
    first.results.length = 0;
    expect(cached.match(pastes[0] as string).results.length).toBeGreaterThan(0);
  });
});
