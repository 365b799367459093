import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EMOJI, escapeHtml, mrkdwnToHtml, plainTextToHtml } from "../../../src/emulator/render/index.js";
import { anyText, ctx, htmlProblems, slackEscape, visibleText } from "./html-safety.js";

const md = (text: string) => mrkdwnToHtml(text, ctx);
const LINK_ATTRS = 'target="_blank" rel="noopener noreferrer"';

describe("mrkdwnToHtml: bold, italic, strike", () => {
  it("formats *bold*, _italic_ and ~strike~", () => {
    expect(md("*bold* _italic_ ~strike~")).toBe("<b>bold</b> <i>italic</i> <s>strike</s>");
  });

  it("nests different markers", () => {
    expect(md("*_both_*")).toBe("<b><i>both</i></b>");
    expect(md("_*~all~*_")).toBe("<i><b><s>all</s></b></i>");
    expect(md("*bold _and italic_ here*")).toBe("<b>bold <i>and italic</i> here</b>");
  });

  it("leaves markers inside words literal", () => {
    expect(md("snake_case_name")).toBe("snake_case_name");
    expect(md("2*3*4")).toBe("2*3*4");
    expect(md("file_name.txt")).toBe("file_name.txt");
    expect(md("x*y*")).toBe("x*y*");
    expect(md("a~b~c")).toBe("a~b~c");
  });

  it("opens after whitespace or punctuation and closes before it", () => {
    expect(md("(*bold*), *bold*.")).toBe("(<b>bold</b>), <b>bold</b>.");
    expect(md('"_quoted_"')).toBe("&quot;<i>quoted</i>&quot;");
    expect(md("see *this*!")).toBe("see <b>this</b>!");
  });

  it("needs a non-space after the opener and before the closer", () => {
    expect(md("* not bold *")).toBe("* not bold *");
    expect(md("*not bold *")).toBe("*not bold *");
    expect(md("_ no _")).toBe("_ no _");
  });

  it("does not span lines", () => {
    expect(md("*a\nb*")).toBe("*a<br>b*");
  });

  it("keeps unmatched markers and takes the first valid closer", () => {
    expect(md("*open only")).toBe("*open only");
    expect(md("*a _b* c_")).toBe("<b>a _b</b> c_");
    expect(md("*a*b*")).toBe("<b>a*b</b>");
  });

  it("formats around code, mentions and links", () => {
    expect(md("*see `x`*")).toBe('<b>see <code class="bk-code">x</code></b>');
    expect(md("_<@U1>_")).toBe('<i><span class="bk-mention">@alice</span></i>');
    expect(md("*<https://a.b|go>*")).toBe(`<b><a href="https://a.b" ${LINK_ATTRS}>go</a></b>`);
  });

  it("does not let a marker inside code or a link close a span", () => {
    expect(md("*a `b*` c*")).toBe('<b>a <code class="bk-code">b*</code> c</b>');
    expect(md("*a <https://x.y/*|l*> b*")).toBe(`<b>a <a href="https://x.y/*" ${LINK_ATTRS}>l*</a> b</b>`);
  });
});

describe("mrkdwnToHtml: code", () => {
  it("renders `code` literally: no formatting, mentions, links or emoji", () => {
    expect(md("`*x* _y_ <@U1> <https://a.b|l> :wave:`")).toBe(
      '<code class="bk-code">*x* _y_ &lt;@U1&gt; &lt;https://a.b|l&gt; :wave:</code>',
    );
  });

  it("decodes Slack's entities inside code and escapes them again", () => {
    expect(md("`a &lt;b&gt; &amp;&amp; c`")).toBe('<code class="bk-code">a &lt;b&gt; &amp;&amp; c</code>');
  });

  it("keeps a lone or empty backtick pair literal and does not span lines", () => {
    expect(md("a ` b")).toBe("a ` b");
    expect(md("``")).toBe("``");
    expect(md("`a\nb`")).toBe("`a<br>b`");
  });

  it("renders ``` blocks as <pre>, literally, across lines", () => {
    expect(md("```\nline *1*\n  _line_ 2\n```")).toBe('<pre class="bk-pre">line *1*\n  _line_ 2</pre>');
  });

  it("starts a ``` block mid-line and continues the text after it", () => {
    expect(md("run ```npm i``` now")).toBe('run <pre class="bk-pre">npm i</pre> now');
  });

  it("puts no extra line break next to a <pre>", () => {
    expect(md("before\n```\ncode\n```\nafter")).toBe('before<pre class="bk-pre">code</pre>after');
  });

  it("keeps mentions, quotes and entities literal inside ``` blocks", () => {
    expect(md("```<@U1>\n&gt; not a quote\n&lt;b&gt;```")).toBe(
      '<pre class="bk-pre">&lt;@U1&gt;\n&gt; not a quote\n&lt;b&gt;</pre>',
    );
  });

  it("leaves an unclosed ``` literal", () => {
    expect(md("```not closed")).toBe("```not closed");
  });
});

describe("mrkdwnToHtml: quotes", () => {
  it("quotes a line starting with &gt; and groups consecutive quote lines", () => {
    expect(md("&gt; one\n&gt; two")).toBe('<blockquote class="bk-quote">one<br>two</blockquote>');
  });

  it("separates quotes interrupted by a normal line", () => {
    expect(md("&gt; a\nb\n&gt; c")).toBe(
      '<blockquote class="bk-quote">a</blockquote>b<blockquote class="bk-quote">c</blockquote>',
    );
  });

  it("formats inside a quote", () => {
    expect(md("&gt; *bold* and <@U2>")).toBe(
      '<blockquote class="bk-quote"><b>bold</b> and <span class="bk-mention">@bob</span></blockquote>',
    );
  });

  it("quotes everything after &gt;&gt;&gt;", () => {
    expect(md("intro\n&gt;&gt;&gt; all\nof\nthis")).toBe(
      'intro<blockquote class="bk-quote">all<br>of<br>this</blockquote>',
    );
  });

  it("only quotes at the start of a line and with a space", () => {
    expect(md("a &gt; b")).toBe("a &gt; b");
    expect(md("&gt;50% CPU")).toBe("&gt;50% CPU");
  });
});

describe("mrkdwnToHtml: links", () => {
  it("links <url|label> and <url>", () => {
    expect(md("<https://example.com/a?b=1|Docs>")).toBe(
      `<a href="https://example.com/a?b=1" ${LINK_ATTRS}>Docs</a>`,
    );
    expect(md("<http://example.com>")).toBe(
      `<a href="http://example.com" ${LINK_ATTRS}>http://example.com</a>`,
    );
  });

  it("links bare web addresses as Slack's clients do, leaving trailing punctuation and other schemes as text", () => {
    expect(md("change it at https://aka.ms/sspr from any browser.")).toBe(
      `change it at <a href="https://aka.ms/sspr" ${LINK_ATTRS}>https://aka.ms/sspr</a> from any browser.`,
    );
    expect(md("see http://x.test/a?b=1&amp;c=2)")).toBe(
      `see <a href="http://x.test/a?b=1&amp;c=2" ${LINK_ATTRS}>http://x.test/a?b=1&amp;c=2</a>)`,
    );
    expect(md("unix:///var/run/docker.sock and javascript:alert(1)")).toBe(
      "unix:///var/run/docker.sock and javascript:alert(1)",
    );
  });

  it("links mailto:", () => {
    expect(md("<mailto:help@example.com|help@example.com>")).toBe(
      `<a href="mailto:help@example.com" ${LINK_ATTRS}>help@example.com</a>`,
    );
  });

  it("decodes &amp; in the URL once and escapes it for the attribute", () => {
    expect(md("<https://x.y/?a=1&amp;b=2|q>")).toBe(`<a href="https://x.y/?a=1&amp;b=2" ${LINK_ATTRS}>q</a>`);
  });

  it("shows only the label for any other scheme", () => {
    expect(md("<javascript:alert(1)|click me>")).toBe("click me");
    expect(md("<JavaScript:alert(1)>")).toBe("JavaScript:alert(1)");
    expect(md("<data:text/html,x|d>")).toBe("d");
    expect(md("<vbscript:msgbox|v>")).toBe("v");
    expect(md("</relative/path|rel>")).toBe("rel");
    expect(md("<//evil.example|proto-relative>")).toBe("proto-relative");
  });

  it("escapes a quote in the URL so it cannot end the attribute", () => {
    const html = md('<https://x.y/"onmouseover="alert(1)|x>');
    expect(html).toBe(`<a href="https://x.y/&quot;onmouseover=&quot;alert(1)" ${LINK_ATTRS}>x</a>`);
    expect(htmlProblems(html)).toEqual([]);
  });

  it("refuses URLs with spaces or control characters", () => {
    expect(md("<https://a.b/x y|l>")).toBe("l");
    expect(md("<https://a.b/\tx|l>")).toBe("l");
  });

  it("keeps formatting markers in a label literal", () => {
    expect(md("<https://a.b|*not bold*>")).toBe(`<a href="https://a.b" ${LINK_ATTRS}>*not bold*</a>`);
  });

  it("treats an unmatched < as text", () => {
    expect(md("a < b")).toBe("a &lt; b");
    expect(md("<>")).toBe("&lt;&gt;");
    expect(md("<<@U1>")).toBe('&lt;<span class="bk-mention">@alice</span>');
  });
});

describe("mrkdwnToHtml: mentions", () => {
  it("names known users and shows the raw id for unknown ones", () => {
    expect(md("<@U1> <@U9>")).toBe(
      '<span class="bk-mention">@alice</span> <span class="bk-mention">@U9</span>',
    );
  });

  it("uses the label of <@U…|name>", () => {
    expect(md("<@U9|carol>")).toBe('<span class="bk-mention">@carol</span>');
  });

  it("names channels; the label wins; unknown shows the id", () => {
    expect(md("<#C1> <#C1|renamed> <#C9>")).toBe(
      '<span class="bk-channel">#general</span> <span class="bk-channel">#renamed</span> <span class="bk-channel">#C9</span>',
    );
  });

  it("renders special mentions", () => {
    expect(md("<!here> <!channel> <!everyone> <!here|here>")).toBe(
      [
        '<span class="bk-mention">@here</span>',
        '<span class="bk-mention">@channel</span>',
        '<span class="bk-mention">@everyone</span>',
        '<span class="bk-mention">@here</span>',
      ].join(" "),
    );
  });

  it("renders user groups by label and dates by their fallback", () => {
    expect(md("<!subteam^S123|@helpdesk>")).toBe('<span class="bk-mention">@helpdesk</span>');
    expect(md("<!date^1392734382^{date} at {time}|Feb 18, 2014>")).toBe("Feb 18, 2014");
  });

  it("escapes names that come from the workspace", () => {
    const evil = { ...ctx, userName: () => "<img src=x onerror=alert(1)>" };
    expect(mrkdwnToHtml("<@U1>", evil)).toBe(
      '<span class="bk-mention">@&lt;img src=x onerror=alert(1)&gt;</span>',
    );
  });
});

describe("mrkdwnToHtml: entities, emoji, lines", () => {
  it("shows Slack's &lt; &gt; &amp; as the characters, escaped again", () => {
    expect(md("&lt;img src=x onerror=alert(1)&gt;")).toBe("&lt;img src=x onerror=alert(1)&gt;");
    expect(md("a &amp;&amp; b")).toBe("a &amp;&amp; b");
    expect(md("&amp;lt;")).toBe("&amp;lt;");
  });

  it("escapes quotes and raw markup", () => {
    // An unescaped <script> is a control sequence with an unsafe target: its text shows, no markup.
    expect(md(`"it's" <script>alert(1)</script>`)).toBe("&quot;it&#39;s&quot; scriptalert(1)/script");
    expect(htmlProblems(md("<script>alert(1)</script>"))).toEqual([]);
  });

  it("converts known :emoji: and leaves unknown ones", () => {
    expect(md(":white_check_mark: done :no_such_emoji: :+1::skin-tone-3:")).toBe(
      "✅ done :no_such_emoji: 👍🏼",
    );
    expect(md(":nope:wave:")).toBe(":nope👋");
    expect(md(":constructor: :toString: :hasOwnProperty:")).toBe(":constructor: :toString: :hasOwnProperty:");
  });

  it("has the emoji the bot uses", () => {
    const names = [
      "white_check_mark",
      "heavy_check_mark",
      "x",
      "warning",
      "rotating_light",
      "raising_hand",
      "mag",
      "bulb",
      "wrench",
      "memo",
      "books",
      "page_facing_up",
      "point_right",
      "thumbsup",
      "+1",
      "thumbsdown",
      "-1",
      "tada",
      "eyes",
      "fire",
      "lock",
      "key",
      "computer",
      "email",
      "bell",
      "question",
      "exclamation",
      "information_source",
      "hourglass",
      "link",
      "pushpin",
      "sparkles",
      "smile",
      "slightly_smiling_face",
      "thinking_face",
      "pray",
      "wave",
      "ok_hand",
      "arrow_right",
      "heavy_plus_sign",
      "no_entry",
      "stopwatch",
      "gear",
      "robot_face",
      "speech_balloon",
      "clipboard",
      "ticket",
      "white_circle",
      "large_green_circle",
      "red_circle",
      "large_yellow_circle",
    ];
    for (const name of names) expect(md(`:${name}:`), name).toBe(EMOJI[name]);
    expect(Object.keys(EMOJI).length).toBeGreaterThanOrEqual(80);
  });

  it("turns newlines into <br>, including \\r\\n", () => {
    expect(md("a\nb\r\nc\n\nd")).toBe("a<br>b<br>c<br><br>d");
  });

  it("leaves list-like lines as they are", () => {
    expect(md("• one\n- two\n1. three")).toBe("• one<br>- two<br>1. three");
  });

  it("renders nothing for empty or non-string input", () => {
    expect(md("")).toBe("");
    expect(mrkdwnToHtml(undefined as unknown as string, ctx)).toBe("");
  });

  it("stays fast on adversarial input", () => {
    const inputs = [
      "*a ".repeat(20_000),
      "<".repeat(40_000),
      "`".repeat(40_001),
      "_x".repeat(20_000),
      ":a".repeat(20_000),
    ];
    const start = performance.now();
    for (const input of inputs) md(input);
    expect(performance.now() - start).toBeLessThan(2_000);
  });
});

describe("plainTextToHtml", () => {
  it("decodes Slack's entities, escapes and converts emoji", () => {
    expect(plainTextToHtml("Fixed &amp; done :tada: <b>x</b> *no*")).toBe(
      "Fixed &amp; done 🎉 &lt;b&gt;x&lt;/b&gt; *no*",
    );
  });

  it("keeps :emoji: text when emoji is false", () => {
    expect(plainTextToHtml(":tada:", false)).toBe(":tada:");
  });

  it("keeps line breaks", () => {
    expect(plainTextToHtml("a\nb")).toBe("a<br>b");
  });

  it("escapes attribute-breaking quotes", () => {
    expect(plainTextToHtml(`" onclick='x'`)).toBe("&quot; onclick=&#39;x&#39;");
  });
});

describe("properties", () => {
  const runs = { numRuns: 500 };

  it("never throws and only emits our tags, attributes and URLs", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(htmlProblems(md(text))).toEqual([]);
        expect(htmlProblems(plainTextToHtml(text))).toEqual([]);
      }),
      runs,
    );
  });

  it("shows any Slack-escaped plain text exactly", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const shown = visibleText(plainTextToHtml(slackEscape(text), false));
        expect(shown).toBe(text.replace(/\r\n?/g, "\n"));
      }),
      runs,
    );
  });

  it("renders text without markup characters as just the escaped text", () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const text = raw.replace(/[*_~`<>&:\r\n]/g, "");
        expect(md(text)).toBe(escapeHtml(text));
      }),
      runs,
    );
  });

  it("renders anything inside `code` literally", () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const text = raw.replace(/[`\r\n]/g, "");
        fc.pre(text !== "");
        expect(md(`\`${slackEscape(text)}\``)).toBe(`<code class="bk-code">${escapeHtml(text)}</code>`);
      }),
      runs,
    );
  });

  it("renders anything inside a ``` block literally", () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const text = raw.replace(/`/g, "").replace(/\r\n?/g, "\n");
        fc.pre(text !== "" && !text.startsWith("\n") && !text.endsWith("\n"));
        expect(md(`\`\`\`${slackEscape(text)}\`\`\``)).toBe(`<pre class="bk-pre">${escapeHtml(text)}</pre>`);
      }),
      runs,
    );
  });
});
