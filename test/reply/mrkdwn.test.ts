import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadKnowledge } from "../../src/knowledge/load.js";
import {
  escapeMrkdwn,
  link,
  safeUrl,
  sanitizeText,
  splitMrkdwn,
  toMrkdwn,
  truncate,
} from "../../src/reply/mrkdwn.js";

const ZWSP = "\u200B";
const kb = await loadKnowledge(new URL("../../knowledge", import.meta.url).pathname);
const byId = (id: string) => {
  const article = kb.byId.get(id);
  if (!article) throw new Error(`sample article ${id} is missing`);
  return article;
};

/** Every `&` starts one of the three entities Slack decodes. */
function entitiesComplete(text: string): boolean {
  return /^(?:[^&]|&(?:amp|lt|gt);)*$/.test(text);
}

function fenceCount(text: string): number {
  return text.split("```").length - 1;
}

function hasLoneSurrogate(text: string): boolean {
  return sanitizeText(text) !== text;
}

describe("sanitizeText", () => {
  it("strips C0 controls except newline and tab, and normalises line ends", () => {
    expect(sanitizeText("a\r\nb\rc\u0000d\te\u001bf\u007fg")).toBe("a\nb\ncd\tefg");
  });

  it("replaces lone surrogates with U+FFFD and keeps real pairs", () => {
    expect(sanitizeText("x\uD800y\uDC00z😀")).toBe("x\uFFFDy\uFFFDz😀");
    expect(sanitizeText("end\uD83D")).toBe("end\uFFFD");
  });
});

describe("escapeMrkdwn", () => {
  it("escapes &, < and > so special mentions and forged links cannot form", () => {
    expect(
      escapeMrkdwn("<!channel> <!here> <!everyone> <!subteam^S1|ops> <@U123> <https://evil|click> & co"),
    ).toBe(
      "&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;!subteam^S1|ops&gt; &lt;@U123&gt; &lt;https://evil|click&gt; &amp; co",
    );
  });

  it("defuses bare @channel, @here and @everyone in any case", () => {
    expect(escapeMrkdwn("ping @channel @HERE and @Everyone")).toBe(
      `ping @${ZWSP}channel @${ZWSP}HERE and @${ZWSP}Everyone`,
    );
    expect(escapeMrkdwn("mail jsmith@contoso.com")).toBe("mail jsmith@contoso.com");
  });

  it("breaks up ``` so a paste cannot open a code block", () => {
    expect(escapeMrkdwn("a ``` b")).toBe(`a \`\`${ZWSP}\` b`);
    expect(escapeMrkdwn("``````")).toBe(`\`\`${ZWSP}\`\`${ZWSP}\`\`${ZWSP}`);
    expect(toMrkdwn("\\`\\``x`", "markdown")).not.toContain("```");
  });

  it("never leaves a raw <, a lone surrogate or a bare broadcast, whatever the input", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
        (s) => {
          const out = escapeMrkdwn(s);
          expect(out).not.toMatch(/[<>]/);
          expect(entitiesComplete(out)).toBe(true);
          expect(hasLoneSurrogate(out)).toBe(false);
          expect(out).not.toMatch(/@(?:channel|here|everyone)/i);
        },
      ),
    );
  });
});

describe("safeUrl and link", () => {
  it("accepts http(s) URLs only, escaped for use inside <…|…>", () => {
    expect(safeUrl("https://kb.example.com/a?b=1&c=2")).toBe("https://kb.example.com/a?b=1&amp;c=2");
    expect(safeUrl("http://x.example/a|b")).toBe("http://x.example/a%7Cb");
    expect(safeUrl("javascript:alert(1)")).toBeNull();
    expect(safeUrl("ftp://x.example/")).toBeNull();
    expect(safeUrl("https://user:pw@x.example/")).toBeNull();
    expect(safeUrl(undefined)).toBeNull();
  });

  it("builds a Slack link, or escaped text when the URL is not http(s)", () => {
    expect(link("https://kb.example.com/KM1", "A | B <c>")).toBe(
      "<https://kb.example.com/KM1|A ｜ B &lt;c&gt;>",
    );
    expect(link("javascript:alert(1)", "<!here> click")).toBe("&lt;!here&gt; click");
  });
});

describe("toMrkdwn for Markdown articles", () => {
  const md = (text: string) => toMrkdwn(text, "markdown");

  it("turns bold into *x* and italics into _x_", () => {
    expect(md("**bold** and __strong__, *it* and _em_")).toBe("*bold* and *strong*, _it_ and _em_");
    expect(md("press **Win+R**, type")).toBe("press *Win+R*, type");
    expect(md("~~old~~ value")).toBe("~old~ value");
  });

  it("leaves snake_case and lone asterisks alone", () => {
    expect(md("set NAMES_DEFAULT_DOMAIN and file_name_here")).toBe(
      "set NAMES_DEFAULT_DOMAIN and file_name_here",
    );
    expect(md("use a * wildcard")).toBe("use a * wildcard");
  });

  it("keeps inline code, escaped but otherwise untouched", () => {
    expect(md("run `git push <remote> **x**`")).toBe("run `git push &lt;remote&gt; **x**`");
    expect(md("`` a`b ``")).toBe("`aˋb`");
  });

  it("keeps fenced blocks as ``` with content escaped but not converted", () => {
    expect(md("Run:\n\n   ```cmd\n   netsh **winsock** reset <!here>\n     indented\n   ```\n\nDone")).toBe(
      "Run:\n\n```\nnetsh **winsock** reset &lt;!here&gt;\n  indented\n```\n\nDone",
    );
  });

  it("closes a fence the article left open", () => {
    expect(md("```\nunclosed <x>")).toBe("```\nunclosed &lt;x&gt;\n```");
  });

  it("turns headings into bold lines", () => {
    expect(md("# Fix **it**\n## Next step ##")).toBe("*Fix it*\n*Next step*");
  });

  it("links only http(s) URLs, with the label's |, < and > escaped", () => {
    expect(md("[docs](https://example.com/a?b=1&c=2)")).toBe("<https://example.com/a?b=1&amp;c=2|docs>");
    expect(md("[a|b<c>](https://e.com/x)")).toBe("<https://e.com/x|a｜b&lt;c&gt;>");
    expect(md("[click](javascript:alert(1)) [mail](mailto:x@y.z)")).toBe("click mail");
    expect(md("**see [the guide](https://e.com/g) now**")).toBe("*see <https://e.com/g|the guide> now*");
    expect(md("[wiki](https://en.wikipedia.org/wiki/X_(y))")).toBe(
      "<https://en.wikipedia.org/wiki/X_(y)|wiki>",
    );
  });

  it("keeps lists one item per line, nesting included", () => {
    expect(md("- one\n  - nested\n* star\n1. first\n2) second")).toBe(
      "• one\n  • nested\n• star\n1. first\n2. second",
    );
  });

  it("keeps block quotes and collapses runs of blank lines", () => {
    expect(md("> quoted <@U123>\n\n\n\npara @everyone")).toBe(
      `> quoted &lt;@U123&gt;\n\npara @${ZWSP}everyone`,
    );
  });

  it("converts a real article section", () => {
    const out = md(byId("KM2005").resolution);
    expect(out).toContain("2. Turn on TLS 1.2: press *Win+R*, type `inetcpl.cpl`, open *Advanced*");
    expect(out).toContain("open *Connections &gt; LAN settings*");
    expect(out).toContain("```\nnetsh winsock reset\n```");
    expect(out).not.toContain("**");
  });
});

describe("toMrkdwn for MS KB articles", () => {
  const kbText = (text: string) => toMrkdwn(text, "mskb");

  it("keeps numbered steps and fences indented command blocks", () => {
    const out = kbText(byId("KT1001").resolution);
    expect(out).toContain("1. Sign in with a local administrator account.");
    expect(out).toContain(
      "\n\n```\nTest-ComputerSecureChannel -Repair -Credential (Get-Credential)\n```\n\n3. If the command",
    );
    expect(out).toContain(
      "```\nReset-ComputerMachinePassword -Server DC01 -Credential (Get-Credential)\n```",
    );
  });

  it("keeps the relative indentation inside a command block", () => {
    expect(kbText(byId("KT1029").resolution)).toContain(
      "```\nSALESDB =\n  (DESCRIPTION =\n    (ADDRESS = (PROTOCOL = TCP)(HOST = dbhost.contoso.com)(PORT = 1521))",
    );
  });

  it("turns bullets into • one per line", () => {
    expect(kbText(byId("KT1030").cause)).toContain(
      "Common states for domain users:\n\n• State 5: no login exists",
    );
    expect(kbText("- a\n* b\n• c\n1) d")).toBe("• a\n• b\n• c\n1. d");
  });

  it("escapes quoted messages and text", () => {
    expect(kbText("Text & <b>\n\n   fatal: 'https://github.com/<owner>/<repo>.git/'")).toBe(
      "Text &amp; &lt;b&gt;\n\n```\nfatal: 'https://github.com/&lt;owner&gt;/&lt;repo&gt;.git/'\n```",
    );
  });
});

describe("toMrkdwn on hostile input", () => {
  it("finishes on 100k-character pathological inputs", () => {
    const inputs = [
      "*".repeat(100_000),
      "_a".repeat(50_000),
      "[".repeat(100_000),
      "[a](".repeat(25_000),
      `# ${" ".repeat(100_000)}x`,
      ">".repeat(100_000),
      Array.from({ length: 440 }, (_, i) => `${"`".repeat(i + 1)}a`).join(""),
      "**a".repeat(33_000),
      "![".repeat(50_000),
      `${" \t".repeat(50_000)}x`,
      "&<>".repeat(33_000),
    ];
    for (const input of inputs) {
      for (const format of ["markdown", "mskb"] as const) {
        const out = toMrkdwn(input, format);
        expect(out).not.toMatch(/<[!@]/);
        expect(out.length).toBeLessThan(input.length * 6 + 10);
      }
    }
  });

  it("never emits a raw special sequence, a bare broadcast or a lone surrogate", () => {
    const piece = fc.constantFrom(
      "<!channel>",
      "<@U123>",
      "[x](https://e.com/<!here>)",
      "[<!here>](https://e.com)",
      "`<@U1>`",
      "```",
      "**",
      "_",
      "\n",
      "   ",
      "# ",
      "- ",
      "@everyone",
      "\uD800",
      "\u0007",
    );
    const text = fc
      .array(fc.oneof(piece, fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" })), {
        maxLength: 30,
      })
      .map((parts) => parts.join(""));
    fc.assert(
      fc.property(text, fc.constantFrom("markdown" as const, "mskb" as const), (input, format) => {
        const out = toMrkdwn(input, format);
        expect(out.replace(/<https?:\/\/[^<>]*>/g, "")).not.toMatch(/[<>]/);
        expect(entitiesComplete(out.replace(/<https?:\/\/[^<>]*>/g, ""))).toBe(true);
        expect(hasLoneSurrogate(out)).toBe(false);
        expect(out.replace(/<https?:\/\/[^<>]*>/g, "")).not.toMatch(/@(?:channel|here|everyone)/i);
        expect(fenceCount(out) % 2).toBe(0);
      }),
    );
  });
});

describe("truncate", () => {
  it("returns short text unchanged", () => {
    expect(truncate("short", 10)).toBe("short");
  });

  it("cuts at a word boundary and appends …", () => {
    expect(truncate("hello world foo bar", 12)).toBe("hello world…");
    expect(truncate("line one\nline two\nline three", 22)).toBe("line one\nline two…");
  });

  it("never cuts inside an entity", () => {
    expect(truncate("&amp;&amp;&amp;", 7)).toBe("&amp;…");
    expect(truncate("x&lt;y", 4)).toBe("x…");
  });

  it("never cuts inside a link", () => {
    expect(truncate("see <https://x.com/a|label text> and more", 20)).toBe("see…");
  });

  it("closes a code block it cuts", () => {
    const out = truncate(`Run:\n\`\`\`\n${"code line\n".repeat(10)}\`\`\``, 40);
    expect(out).toBe("Run:\n```\ncode line\ncode line…\n```");
  });

  it("stays within max, keeps fences balanced and entities whole, for any text and max", () => {
    const source = fc.oneof(
      fc.string({ unit: "grapheme" }).map(escapeMrkdwn),
      fc.string({ unit: "binary" }).map((s) => toMrkdwn(s, "mskb")),
      fc
        .array(fc.constantFrom("```\n", "a b ", "&amp;", "<https://e.com|x y>", "😀", "\n", "code"), {
          maxLength: 40,
        })
        .map((parts) => parts.join("")),
    );
    fc.assert(
      fc.property(source, fc.integer({ min: 0, max: 200 }), (text, max) => {
        const out = truncate(text, max);
        expect(out.length).toBeLessThanOrEqual(Math.max(max, 0));
        if (text.length <= max) expect(out).toBe(text);
        else if (max > 0) expect(out).toMatch(/…(?:\n```)?$/);
        expect(entitiesComplete(out)).toBe(true);
        expect(hasLoneSurrogate(out)).toBe(!!hasLoneSurrogate(text) && out === text);
        if (fenceCount(text) % 2 === 0) expect(fenceCount(out) % 2).toBe(0);
        expect(out.replace(/<https:\/\/e\.com\|x y>/g, "")).not.toMatch(/</);
      }),
    );
  });
});

describe("splitMrkdwn", () => {
  it("closes and reopens a code block split across pieces", () => {
    const pieces = splitMrkdwn(`*H*\n\`\`\`\n${"line\n".repeat(20)}\`\`\`\nafter`, 40);
    expect(pieces[0]).toBe("*H*\n```\nline\nline\nline\nline\nline\n```");
    expect(pieces[1]?.startsWith("```\nline")).toBe(true);
    expect(pieces.at(-1)?.endsWith("```\nafter")).toBe(true);
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(40);
      expect(fenceCount(piece) % 2).toBe(0);
    }
    expect(pieces.join("\n").split("line").length - 1).toBe(20);
  });

  it("stops after maxPieces", () => {
    expect(splitMrkdwn("word ".repeat(10_000), 100, 3)).toHaveLength(3);
  });

  it("keeps every piece within max for any converted article text", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...kb.articles),
        fc.integer({ min: 60, max: 600 }),
        fc.string({ unit: "grapheme" }),
        (article, max, extra) => {
          const text = toMrkdwn(`${article.resolution}\n${extra}\n${article.symptoms}`, article.format);
          for (const piece of splitMrkdwn(text, max)) {
            expect(piece.length).toBeLessThanOrEqual(max);
            expect(fenceCount(piece) % 2).toBe(0);
            expect(entitiesComplete(piece.replace(/<https?:\/\/[^<>]*>/g, ""))).toBe(true);
          }
        },
      ),
    );
  });
});
