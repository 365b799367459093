import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BLOCK_KIT_CSS,
  blocksToHtml,
  messageToHtml,
  type RenderContext,
} from "../../../src/emulator/render/index.js";
import { noMatchBlocks, usageBlocks } from "../../../src/reply/blocks.js";
import { settingsModal } from "../../../src/reply/settings-modal.js";
import { anyText, ctx, htmlProblems, slackEscape } from "./html-safety.js";

const render = (blocks: unknown[], context: RenderContext = ctx) => blocksToHtml(blocks, context);
const one = (block: unknown, context: RenderContext = ctx) => render([block], context);
const plain = (text: string, emoji?: boolean) => ({
  type: "plain_text",
  text,
  ...(emoji === undefined ? {} : { emoji }),
});
const mrkdwn = (text: string) => ({ type: "mrkdwn", text });
const XSS = "<script>alert(1)</script>";
const ESCAPED_XSS = "&lt;script&gt;alert(1)&lt;/script&gt;";

describe("blocksToHtml: layout blocks", () => {
  it("wraps each block in bk-block bk-TYPE with its block_id", () => {
    expect(render([{ type: "divider", block_id: "d1" }, { type: "divider" }])).toBe(
      '<div class="bk-block bk-divider" data-block-id="d1"><hr class="bk-divider"></div>' +
        '<div class="bk-block bk-divider" data-block-id=""><hr class="bk-divider"></div>',
    );
  });

  it("renders a header as plain text with emoji", () => {
    expect(one({ type: "header", text: plain("Knowledge *base* :books:") })).toBe(
      '<div class="bk-block bk-header" data-block-id="">Knowledge *base* 📚</div>',
    );
  });

  it("renders a section's mrkdwn text", () => {
    expect(one({ type: "section", block_id: "s", text: mrkdwn("*Cause*\nDisk full") })).toBe(
      '<div class="bk-block bk-section" data-block-id="s"><div class="bk-section-body"><div class="bk-section-main">' +
        '<div class="bk-text"><b>Cause</b><br>Disk full</div></div></div></div>',
    );
  });

  it("renders a section's plain_text without formatting, honouring emoji: false", () => {
    const html = one({ type: "section", text: plain("*no* :tada:", false) });
    expect(html).toContain('<div class="bk-text">*no* :tada:</div>');
  });

  it("renders section fields as a grid", () => {
    const html = one({ type: "section", fields: [mrkdwn("*Owner*\n<@U1>"), plain("Open")] });
    expect(html).toContain(
      '<div class="bk-fields"><div class="bk-section-field"><b>Owner</b><br><span class="bk-mention">@alice</span></div>' +
        '<div class="bk-section-field">Open</div></div>',
    );
  });

  it("renders a context block's texts and small http(s) images", () => {
    const html = one({
      type: "context",
      elements: [
        mrkdwn("Shared by <@U2>"),
        plain("· 2 min"),
        { type: "image", image_url: "https://img.example/a.png", alt_text: "logo" },
        { type: "image", image_url: "javascript:alert(1)", alt_text: "bad" },
      ],
    });
    expect(html).toBe(
      '<div class="bk-block bk-context" data-block-id="">' +
        '<span class="bk-context-item">Shared by <span class="bk-mention">@bob</span></span>' +
        '<span class="bk-context-item">· 2 min</span>' +
        '<img class="bk-context-image" src="https://img.example/a.png" alt="logo">' +
        '<span class="bk-unsupported">Unsupported element: image</span></div>',
    );
  });

  it("renders an image block with its title, for http(s) URLs only", () => {
    expect(
      one({
        type: "image",
        image_url: "https://img.example/x.png",
        alt_text: "chart",
        title: plain("Errors"),
      }),
    ).toBe(
      '<div class="bk-block bk-image" data-block-id=""><div class="bk-image-title">Errors</div>' +
        '<img class="bk-image-img" src="https://img.example/x.png" alt="chart"></div>',
    );
    expect(one({ type: "image", image_url: "data:image/png;base64,AAAA", alt_text: "x" })).toContain(
      "Unsupported block: image",
    );
  });

  it("renders a markdown block with line breaks, bold, code, fences and safe links", () => {
    const html = one({
      type: "markdown",
      text: "# Title\n**bold** and `code`\n[docs](https://d.example) [bad](javascript:alert(1)) [wiki](https://w.example/A_(b))\n```\n<b>x</b>\n```",
    });
    expect(html).toBe(
      '<div class="bk-block bk-markdown" data-block-id=""><div class="bk-md-heading">Title</div>' +
        '<b>bold</b> and <code class="bk-code">code</code><br>' +
        '<a href="https://d.example" target="_blank" rel="noopener noreferrer">docs</a> bad ' +
        '<a href="https://w.example/A_(b)" target="_blank" rel="noopener noreferrer">wiki</a>' +
        '<pre class="bk-pre">&lt;b&gt;x&lt;/b&gt;</pre></div>',
    );
  });
});

describe("blocksToHtml: buttons and menus", () => {
  it("renders buttons with their data attributes and style", () => {
    const html = one({
      type: "actions",
      block_id: "answer",
      elements: [
        {
          type: "button",
          action_id: "fixed",
          value: "t1",
          style: "primary",
          text: plain(":white_check_mark: Fixed it"),
        },
        { type: "button", action_id: "not_it", value: "t1", text: plain("Not it") },
        { type: "button", action_id: "esc", style: "danger", text: plain("Escalate") },
      ],
    });
    expect(html).toBe(
      '<div class="bk-block bk-actions" data-block-id="answer">' +
        '<button type="button" class="bk-button bk-primary" data-action-id="fixed" data-block-id="answer" data-type="button" data-value="t1">✅ Fixed it</button>' +
        '<button type="button" class="bk-button" data-action-id="not_it" data-block-id="answer" data-type="button" data-value="t1">Not it</button>' +
        '<button type="button" class="bk-button bk-danger" data-action-id="esc" data-block-id="answer" data-type="button">Escalate</button>' +
        "</div>",
    );
  });

  it("keeps a button's url only when it is http(s)", () => {
    const button = (url: string) =>
      one({ type: "actions", elements: [{ type: "button", action_id: "a", text: plain("Open"), url }] });
    expect(button("https://kb.example/KT1?a=1&b=2")).toContain(
      'data-url="https://kb.example/KT1?a=1&amp;b=2"',
    );
    expect(button("javascript:alert(1)")).not.toContain("data-url");
    expect(button("mailto:a@b.c")).not.toContain("data-url");
  });

  it("renders a section accessory button on the right", () => {
    const html = one({
      type: "section",
      block_id: "s1",
      text: mrkdwn("Article"),
      accessory: { type: "button", action_id: "open", value: "KT1", text: plain("Open") },
    });
    expect(html).toContain(
      '<div class="bk-accessory"><button type="button" class="bk-button" data-action-id="open" data-block-id="s1" data-type="button" data-value="KT1">Open</button></div>',
    );
  });

  it("renders an accessory image only for http(s) URLs", () => {
    const section = (url: string) =>
      one({
        type: "section",
        text: plain("x"),
        accessory: { type: "image", image_url: url, alt_text: "pic" },
      });
    expect(section("https://i.example/p.png")).toContain(
      '<img class="bk-accessory-image" src="https://i.example/p.png" alt="pic">',
    );
    expect(section("javascript:alert(1)")).not.toContain("<img");
  });

  it("renders a static_select with data attributes, option groups and the initial option selected", () => {
    const html = one({
      type: "actions",
      block_id: "b",
      elements: [
        {
          type: "static_select",
          action_id: "pick",
          placeholder: plain("Choose"),
          initial_option: { text: plain("Two"), value: "2" },
          options: [
            { text: plain("One"), value: "1" },
            { text: plain("Two"), value: "2" },
          ],
          option_groups: [{ label: plain("More"), options: [{ text: plain("Three :fire:"), value: "3" }] }],
        },
      ],
    });
    expect(html).toContain(
      '<select class="bk-select" data-action-id="pick" data-block-id="b" data-type="static_select">' +
        '<option value="">Choose</option><option value="1">One</option><option value="2" selected>Two</option>' +
        '<optgroup label="More"><option value="3">Three 🔥</option></optgroup></select>',
    );
  });

  it("renders an overflow menu as a ⋯ toggle with one button per option", () => {
    const html = one({
      type: "section",
      block_id: "o",
      text: plain("x"),
      accessory: {
        type: "overflow",
        action_id: "more",
        options: [
          { text: plain("Share"), value: "share" },
          { text: plain("Docs"), value: "docs", url: "https://d.example" },
        ],
      },
    });
    expect(html).toContain(
      '<details class="bk-overflow"><summary class="bk-button bk-overflow-toggle" title="More actions">⋯</summary><div class="bk-overflow-menu">' +
        '<button type="button" class="bk-overflow-option" data-action-id="more" data-block-id="o" data-type="overflow" data-value="share">Share</button>' +
        '<button type="button" class="bk-overflow-option" data-action-id="more" data-block-id="o" data-type="overflow" data-value="docs" data-url="https://d.example">Docs</button>' +
        "</div></details>",
    );
  });
});

describe("blocksToHtml: input blocks", () => {
  const input = (element: unknown, extra: Record<string, unknown> = {}) => ({
    type: "input",
    block_id: "in",
    label: plain("Label"),
    element,
    ...extra,
  });

  it("renders label, text input with initial value and placeholder, hint", () => {
    const html = one(
      input(
        { type: "plain_text_input", action_id: "t", initial_value: "0.8", placeholder: plain("e.g. 0.8") },
        { hint: plain("Between 0 and 1") },
      ),
    );
    expect(html).toBe(
      '<div class="bk-block bk-input" data-block-id="in"><label class="bk-label">Label</label>' +
        '<input type="text" class="bk-field" data-action-id="t" data-block-id="in" data-type="plain_text_input" value="0.8" placeholder="e.g. 0.8">' +
        '<div class="bk-hint">Between 0 and 1</div></div>',
    );
  });

  it("marks optional inputs and shows the error for its block_id", () => {
    const html = one(input({ type: "plain_text_input", action_id: "t" }, { optional: true }), {
      ...ctx,
      errors: { in: "Pick a channel.", other: "not this one" },
    });
    expect(html).toContain(
      '<label class="bk-label">Label <span class="bk-optional">(optional)</span></label>',
    );
    expect(html).toContain('<div class="bk-error">Pick a channel.</div>');
    expect(html).not.toContain("not this one");
    expect(one(input({ type: "plain_text_input", action_id: "t" }))).not.toContain("bk-error");
  });

  it("does not read errors from the prototype", () => {
    const html = one(
      { ...input({ type: "plain_text_input", action_id: "t" }), block_id: "toString" },
      {
        ...ctx,
        errors: {},
      },
    );
    expect(html).not.toContain("bk-error");
  });

  it("renders a multiline input as a textarea with the value escaped", () => {
    const html = one(
      input({ type: "plain_text_input", action_id: "t", multiline: true, initial_value: "</textarea><b>" }),
    );
    expect(html).toContain(
      '<textarea class="bk-field bk-textarea" data-action-id="t" data-block-id="in" data-type="plain_text_input" rows="4">&lt;/textarea&gt;&lt;b&gt;</textarea>',
    );
  });

  it("renders a static_select field with an empty first option and the initial option selected", () => {
    const html = one(
      input({
        type: "static_select",
        action_id: "mode",
        initial_option: { text: plain("Mentions only"), value: "mentions" },
        options: [
          { text: plain("Off"), value: "off" },
          { text: plain("Mentions only"), value: "mentions" },
        ],
      }),
    );
    expect(html).toContain(
      '<select class="bk-select bk-field" data-action-id="mode" data-block-id="in" data-type="static_select">' +
        '<option value=""></option><option value="off">Off</option><option value="mentions" selected>Mentions only</option></select>',
    );
  });

  it("renders conversations_select and channels_select over ctx.channels", () => {
    const conversations = one(
      input({ type: "conversations_select", action_id: "c", initial_conversation: "C2" }),
    );
    expect(conversations).toContain(
      '<select class="bk-select bk-field" data-action-id="c" data-block-id="in" data-type="conversations_select">' +
        '<option value=""></option><option value="C1">#general</option><option value="C2" selected>#helpdesk</option></select>',
    );
    const channels = one(input({ type: "channels_select", action_id: "c", initial_channel: "C1" }));
    expect(channels).toContain('data-type="channels_select"');
    expect(channels).toContain('<option value="C1" selected>#general</option>');
  });

  it("renders checkboxes and radio buttons as inputs with data attributes and initial choices", () => {
    const options = [
      { text: mrkdwn("*A*"), value: "a", description: plain("first") },
      { text: plain("B"), value: "b" },
    ];
    const boxes = one(input({ type: "checkboxes", action_id: "cb", options, initial_options: [options[1]] }));
    expect(boxes).toContain(
      '<div class="bk-options bk-checkboxes"><label class="bk-option"><input type="checkbox" data-action-id="cb" data-block-id="in" data-type="checkboxes" name="in/cb" value="a" data-text="*A*">' +
        '<span class="bk-option-text"><b>A</b><div class="bk-option-desc">first</div></span></label>' +
        '<label class="bk-option"><input type="checkbox" data-action-id="cb" data-block-id="in" data-type="checkboxes" name="in/cb" value="b" data-text="B" checked>',
    );
    const radios = one(input({ type: "radio_buttons", action_id: "r", options, initial_option: options[0] }));
    expect(radios).toContain(
      '<input type="radio" data-action-id="r" data-block-id="in" data-type="radio_buttons" name="in/r" value="a" data-text="*A*" checked>',
    );
  });

  it("renders number_input as a number field", () => {
    const html = one(
      input({
        type: "number_input",
        action_id: "n",
        is_decimal_allowed: true,
        initial_value: "0.5",
        min_value: "0",
        max_value: "1",
      }),
    );
    expect(html).toContain(
      '<input type="number" class="bk-field" data-action-id="n" data-block-id="in" data-type="number_input" value="0.5" step="any" min="0" max="1">',
    );
  });

  it("renders the bot's settings modal without unsupported parts", () => {
    const modal = settingsModal({ mode: "errors", minScore: 0.7, cooldownMinutes: 15 });
    const html = render(modal.blocks);
    expect(html).not.toContain("bk-unsupported");
    expect(html.match(/class="bk-block bk-input"/g)).toHaveLength(4);
    expect(html).toContain('data-type="conversations_select"');
    expect(html).toContain('<option value="errors" selected>All error pastes</option>');
    expect(html).toContain('value="0.7"');
    expect(htmlProblems(html)).toEqual([]);
  });
});

describe("blocksToHtml: rich_text", () => {
  it("renders styled text, links, mentions, channels, emoji and broadcasts", () => {
    const html = one({
      type: "rich_text",
      elements: [
        {
          type: "rich_text_section",
          elements: [
            { type: "text", text: "hi " },
            { type: "user", user_id: "U1" },
            { type: "text", text: " bold", style: { bold: true } },
            { type: "text", text: "ic", style: { italic: true, strike: true } },
            { type: "text", text: "x()", style: { code: true } },
            { type: "link", url: "https://l.example", text: "link" },
            { type: "link", url: "javascript:alert(1)", text: "bad" },
            { type: "channel", channel_id: "C1" },
            { type: "emoji", name: "thumbsup", unicode: "1f44d" },
            { type: "emoji", name: "wave" },
            { type: "emoji", name: "custom_one" },
            { type: "broadcast", range: "here" },
            { type: "text", text: "\n<b>" },
          ],
        },
      ],
    });
    expect(html).toBe(
      '<div class="bk-block bk-rich_text" data-block-id=""><div class="bk-rt-section">hi <span class="bk-mention">@alice</span>' +
        '<b> bold</b><i><s>ic</s></i><code class="bk-code">x()</code>' +
        '<a href="https://l.example" target="_blank" rel="noopener noreferrer">link</a>bad' +
        '<span class="bk-channel">#general</span>👍👋:custom_one:<span class="bk-mention">@here</span><br>&lt;b&gt;</div></div>',
    );
  });

  it("renders lists, preformatted text and quotes", () => {
    const section = (text: string) => ({ type: "rich_text_section", elements: [{ type: "text", text }] });
    const html = one({
      type: "rich_text",
      elements: [
        { type: "rich_text_list", style: "bullet", indent: 0, elements: [section("a"), section("b")] },
        { type: "rich_text_list", style: "ordered", indent: 1, offset: 2, elements: [section("c")] },
        { type: "rich_text_preformatted", elements: [{ type: "text", text: "line 1\n*line* 2" }] },
        { type: "rich_text_quote", elements: [{ type: "text", text: "quoted", style: { bold: true } }] },
      ],
    });
    expect(html).toBe(
      '<div class="bk-block bk-rich_text" data-block-id="">' +
        '<ul class="bk-rt-list bk-rt-indent-0"><li>a</li><li>b</li></ul>' +
        '<ol class="bk-rt-list bk-rt-indent-1" start="3"><li>c</li></ol>' +
        '<pre class="bk-pre">line 1\n*line* 2</pre>' +
        '<blockquote class="bk-quote"><b>quoted</b></blockquote></div>',
    );
  });

  it("ignores invalid emoji code points", () => {
    const html = one({
      type: "rich_text",
      elements: [{ type: "rich_text_section", elements: [{ type: "emoji", name: "x", unicode: "d800" }] }],
    });
    expect(html).toContain("❌");
  });
});

describe("blocksToHtml: malformed input", () => {
  it("shows unknown and broken blocks as unsupported, and keeps rendering the rest", () => {
    const html = render([
      { type: "video", block_id: "v" },
      null,
      "divider",
      { type: "header" },
      { type: "section" },
      { type: "section", text: { type: "bogus", text: "x" } },
      { type: 42 },
      { type: "divider" },
    ]);
    expect(html).toBe(
      [
        '<div class="bk-block" data-block-id="v"><div class="bk-unsupported">Unsupported block: video</div></div>',
        '<div class="bk-block" data-block-id=""><div class="bk-unsupported">Unsupported block: unknown</div></div>',
        '<div class="bk-block" data-block-id=""><div class="bk-unsupported">Unsupported block: unknown</div></div>',
        '<div class="bk-block" data-block-id=""><div class="bk-unsupported">Unsupported block: header</div></div>',
        '<div class="bk-block" data-block-id=""><div class="bk-unsupported">Unsupported block: section</div></div>',
        '<div class="bk-block" data-block-id=""><div class="bk-unsupported">Unsupported block: section</div></div>',
        '<div class="bk-block" data-block-id=""><div class="bk-unsupported">Unsupported block: unknown</div></div>',
        '<div class="bk-block bk-divider" data-block-id=""><hr class="bk-divider"></div>',
      ].join(""),
    );
  });

  it("escapes the name of an unsupported block", () => {
    expect(one({ type: XSS })).toContain(`Unsupported block: ${ESCAPED_XSS}`);
  });

  it("shows unknown elements as unsupported inside an otherwise fine block", () => {
    const html = one({
      type: "actions",
      elements: [{ type: "workflow_button" }, 7, { type: "button", action_id: "a", text: plain("Go") }],
    });
    expect(html).toContain('<span class="bk-unsupported">Unsupported element: workflow_button</span>');
    expect(html).toContain('<span class="bk-unsupported">Unsupported element: unknown</span>');
    expect(html).toContain(">Go</button>");
  });

  it("survives hostile objects: null prototypes, throwing getters, proxies", () => {
    const bare = Object.assign(Object.create(null), { type: "section", text: Object.create(null) });
    const throwing = {
      get type(): string {
        throw new Error("boom");
      },
    };
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new Error("boom");
        },
      },
    );
    const html = render([bare, throwing, proxy, { type: "actions", elements: [proxy, throwing] }]);
    expect(html.match(/bk-unsupported/g)).toHaveLength(5);
    expect(
      blocksToHtml(
        new Proxy([], {
          get: () => {
            throw new Error("boom");
          },
        }),
        ctx,
      ),
    ).toContain("bk-unsupported");
    expect(blocksToHtml(undefined as unknown as unknown[], ctx)).toBe("");
  });
});

describe("escaping", () => {
  const cases: Array<[string, unknown]> = [
    ["a section", { type: "section", text: mrkdwn(slackEscape(XSS)) }],
    ["a raw section", { type: "section", text: mrkdwn(XSS) }],
    ["a header", { type: "header", text: plain(XSS) }],
    [
      "a button label and value",
      {
        type: "actions",
        block_id: XSS,
        elements: [{ type: "button", action_id: XSS, text: plain(XSS), value: `"${XSS}` }],
      },
    ],
    ["a field", { type: "section", fields: [mrkdwn(slackEscape(XSS)), plain(XSS)] }],
    ["a context", { type: "context", elements: [mrkdwn(slackEscape(XSS)), plain(XSS)] }],
    [
      "an input label and initial value",
      {
        type: "input",
        label: plain(XSS),
        hint: plain(XSS),
        element: {
          type: "plain_text_input",
          action_id: "a",
          initial_value: `"><script>alert(1)</script>`,
          placeholder: plain(`"${XSS}`),
        },
      },
    ],
    [
      "a static_select option",
      {
        type: "actions",
        elements: [
          {
            type: "static_select",
            action_id: "s",
            placeholder: plain(XSS),
            options: [{ text: plain(XSS), value: `"${XSS}` }],
            option_groups: [{ label: plain(`"${XSS}`), options: [] }],
          },
        ],
      },
    ],
    [
      "a rich_text text element",
      {
        type: "rich_text",
        elements: [
          { type: "rich_text_section", elements: [{ type: "text", text: XSS, style: { bold: true } }] },
        ],
      },
    ],
    ["a link label", { type: "section", text: mrkdwn(`<https://ok.example|${slackEscape(XSS)}>`) }],
    [
      "a link URL with a quote",
      { type: "section", text: mrkdwn('<https://x.example/"><img src=x onerror=alert(1)>|x>') },
    ],
    ["a javascript: link", { type: "section", text: mrkdwn("<javascript:alert(document.cookie)|click>") }],
    [
      "an image",
      {
        type: "image",
        image_url: 'https://x.example/a.png" onerror="alert(1)',
        alt_text: `"${XSS}`,
        title: plain(XSS),
      },
    ],
    ["a markdown block", { type: "markdown", text: `${XSS} [x](javascript:alert(1)) **${XSS}**` }],
  ];

  it.each(cases)("produces no markup from text in %s", (_, block) => {
    const html = one(block);
    expect(html).not.toContain("<script");
    expect(html).not.toMatch(/<img[^>]*onerror/);
    expect(html).not.toContain("javascript:alert(document");
    expect(htmlProblems(html)).toEqual([]);
  });

  it("keeps escaped markup as visible text", () => {
    expect(one({ type: "section", text: mrkdwn("&lt;img src=x onerror=alert(1)&gt;") })).toContain(
      '<div class="bk-text">&lt;img src=x onerror=alert(1)&gt;</div>',
    );
  });

  it("escapes data attributes", () => {
    const html = one({
      type: "actions",
      block_id: 'b"1',
      elements: [{ type: "button", action_id: "a'1", value: 'v"><b>', text: plain("x") }],
    });
    expect(html).toContain(
      'data-action-id="a&#39;1" data-block-id="b&quot;1" data-type="button" data-value="v&quot;&gt;&lt;b&gt;"',
    );
  });
});

describe("messageToHtml", () => {
  it("renders blocks when there are any", () => {
    expect(messageToHtml({ text: "fallback", blocks: [{ type: "divider" }] }, ctx)).toBe(
      '<div class="bk-block bk-divider" data-block-id=""><hr class="bk-divider"></div>',
    );
  });

  it("falls back to the text as mrkdwn when blocks are missing or empty", () => {
    const expected =
      '<div class="bk-text bk-message-text"><b>hi</b> <span class="bk-mention">@alice</span></div>';
    expect(messageToHtml({ text: "*hi* <@U1>" }, ctx)).toBe(expected);
    expect(messageToHtml({ text: "*hi* <@U1>", blocks: [] }, ctx)).toBe(expected);
    expect(messageToHtml({}, ctx)).toBe("");
  });

  it("renders the bot's replies without unsupported parts", () => {
    for (const message of [
      usageBlocks(),
      noMatchBlocks({ mentioned: true }),
      noMatchBlocks({ mentioned: false }),
    ]) {
      const html = messageToHtml(message, ctx);
      expect(html).not.toContain("bk-unsupported");
      expect(htmlProblems(html)).toEqual([]);
    }
  });
});

describe("BLOCK_KIT_CSS", () => {
  it("styles every class the renderer emits", () => {
    const samples = [
      render(
        [
          { type: "header", text: plain("h") },
          { type: "divider" },
          {
            type: "section",
            text: mrkdwn("*b* `c` <@U1> <#C1> &gt; q\n```p```"),
            fields: [plain("f")],
            accessory: { type: "overflow", action_id: "o", options: [{ text: plain("x"), value: "x" }] },
          },
          {
            type: "section",
            text: plain("x"),
            accessory: { type: "image", image_url: "https://i.example/a", alt_text: "" },
          },
          {
            type: "context",
            elements: [plain("c"), { type: "image", image_url: "https://i.example/b", alt_text: "" }],
          },
          {
            type: "actions",
            elements: [
              { type: "button", action_id: "p", style: "primary", text: plain("p") },
              { type: "button", action_id: "d", style: "danger", text: plain("d") },
              { type: "static_select", action_id: "s", options: [] },
            ],
          },
          { type: "image", image_url: "https://i.example/c", alt_text: "", title: plain("t") },
          { type: "markdown", text: "# h" },
          {
            type: "rich_text",
            elements: [
              { type: "rich_text_section", elements: [] },
              { type: "rich_text_list", style: "bullet", indent: 8, elements: [] },
            ],
          },
          {
            type: "input",
            block_id: "e",
            optional: true,
            label: plain("l"),
            hint: plain("h"),
            element: { type: "plain_text_input", action_id: "t", multiline: true },
          },
          {
            type: "input",
            label: plain("l"),
            element: {
              type: "checkboxes",
              action_id: "c",
              options: [{ text: plain("o"), value: "o", description: plain("d") }],
            },
          },
          { type: "nope" },
        ],
        { ...ctx, errors: { e: "bad" } },
      ),
      messageToHtml({ text: "t" }, ctx),
    ].join("");
    const classes = new Set(
      [...samples.matchAll(/class="([^"]*)"/g)].flatMap((m) => (m[1] ?? "").split(" ")),
    );
    classes.delete("bk-block");
    const missing = [...classes].filter((c) => !BLOCK_KIT_CSS.includes(`.${c}`));
    expect(missing).toEqual([]);
    expect(classes.size).toBeGreaterThan(40);
  });

  it("has Slack's colours for primary and danger buttons", () => {
    expect(BLOCK_KIT_CSS).toMatch(/\.bk-button\.bk-primary \{[^}]*background: #007a5a/);
    expect(BLOCK_KIT_CSS).toMatch(/\.bk-button\.bk-danger \{[^}]*color: #e01e5a/);
  });
});

describe("properties", () => {
  const runs = { numRuns: 500 };
  const t = (s: string) => ({ type: "plain_text", text: s });
  const m = (s: string) => ({ type: "mrkdwn", text: s });

  /** Every place a string can go in the blocks this renderer supports. */
  const everywhere = (s: string): unknown[] => [
    { type: "header", block_id: s, text: t(s) },
    {
      type: "section",
      block_id: s,
      text: m(s),
      fields: [m(s), t(s)],
      accessory: { type: "button", action_id: s, value: s, url: s, style: s, text: t(s) },
    },
    { type: "section", text: t(s), accessory: { type: "image", image_url: s, alt_text: s } },
    {
      type: "section",
      text: m(`<${s}|${s}>`),
      accessory: { type: "overflow", action_id: s, options: [{ text: t(s), value: s, url: s }] },
    },
    { type: "context", elements: [m(s), t(s), { type: "image", image_url: s, alt_text: s }] },
    {
      type: "actions",
      block_id: s,
      elements: [
        { type: "button", action_id: s, text: t(s), value: s, url: `https://${s}` },
        {
          type: "static_select",
          action_id: s,
          placeholder: t(s),
          initial_option: { text: t(s), value: s },
          options: [{ text: t(s), value: s }],
          option_groups: [{ label: t(s), options: [{ text: t(s), value: s }] }],
        },
        { type: s, action_id: s },
      ],
    },
    { type: "image", image_url: `https://${s}`, alt_text: s, title: t(s) },
    { type: "image", image_url: s, alt_text: s },
    {
      type: "input",
      block_id: s,
      label: t(s),
      hint: t(s),
      optional: true,
      element: {
        type: "plain_text_input",
        action_id: s,
        initial_value: s,
        placeholder: t(s),
        multiline: s.length % 2 === 0,
      },
    },
    {
      type: "input",
      label: t(s),
      element: { type: "conversations_select", action_id: s, initial_conversation: s, placeholder: t(s) },
    },
    {
      type: "input",
      label: t(s),
      element: {
        type: "checkboxes",
        action_id: s,
        options: [{ text: m(s), value: s, description: t(s) }],
        initial_options: [{ text: m(s), value: s }],
      },
    },
    {
      type: "input",
      label: t(s),
      element: { type: "radio_buttons", action_id: s, options: [{ text: t(s), value: s }] },
    },
    {
      type: "input",
      label: t(s),
      element: { type: "number_input", action_id: s, initial_value: s, min_value: s, max_value: s },
    },
    {
      type: "rich_text",
      elements: [
        {
          type: "rich_text_section",
          elements: [
            { type: "text", text: s, style: { bold: true, italic: true, strike: true, code: true } },
            { type: "link", url: s, text: s },
            { type: "link", url: `https://${s}` },
            { type: "user", user_id: s },
            { type: "channel", channel_id: s },
            { type: "emoji", name: s, unicode: s },
            { type: "broadcast", range: s },
            { type: s },
          ],
        },
        {
          type: "rich_text_list",
          style: s,
          indent: s,
          offset: s,
          elements: [{ elements: [{ type: "text", text: s }] }],
        },
        { type: "rich_text_preformatted", elements: [{ type: "text", text: s }] },
        { type: "rich_text_quote", elements: [{ type: "text", text: s }] },
      ],
    },
    { type: "markdown", text: s },
    { type: "markdown", text: `[${s}](${s}) **${s}** \`${s}\`\n\`\`\`\n${s}\n\`\`\`` },
    { type: s, block_id: s },
  ];

  const stringCtx = (s: string): RenderContext => ({
    userName: () => s,
    channelName: () => s,
    channels: [{ id: s, name: s }],
    errors: { [s]: s },
  });

  it("renders any string anywhere in any block as text only", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const html = blocksToHtml(everywhere(s), stringCtx(s));
        expect(htmlProblems(html)).toEqual([]);
      }),
      runs,
    );
  });

  it("never throws on arbitrary values as blocks", () => {
    fc.assert(
      fc.property(fc.anything(), fc.array(fc.anything(), { maxLength: 5 }), (block, blocks) => {
        expect(htmlProblems(blocksToHtml([block], ctx))).toEqual([]);
        expect(htmlProblems(blocksToHtml(blocks, ctx))).toEqual([]);
        expect(htmlProblems(blocksToHtml(block as unknown[], ctx))).toEqual([]);
        expect(htmlProblems(messageToHtml(block as { text?: string }, ctx))).toEqual([]);
      }),
      runs,
    );
  });

  const types = [
    "header",
    "section",
    "divider",
    "context",
    "actions",
    "image",
    "rich_text",
    "markdown",
    "input",
  ];
  const elementTypes = [
    "button",
    "overflow",
    "static_select",
    "multi_static_select",
    "external_select",
    "conversations_select",
    "channels_select",
    "multi_conversations_select",
    "users_select",
    "checkboxes",
    "radio_buttons",
    "plain_text_input",
    "number_input",
    "datepicker",
    "image",
    "rich_text_section",
    "rich_text_list",
    "text",
    "link",
    "emoji",
  ];
  const junk = fc.oneof(fc.anything(), anyText);
  const textish = fc.oneof(
    junk,
    fc.record({ type: fc.constantFrom("plain_text", "mrkdwn", "x"), text: junk, emoji: junk }),
  );
  const element = fc.record(
    {
      type: fc.constantFrom(...elementTypes),
      action_id: junk,
      text: textish,
      value: junk,
      url: junk,
      style: junk,
      options: fc.array(
        fc.oneof(junk, fc.record({ text: textish, value: junk, url: junk, description: textish })),
      ),
      option_groups: fc.array(fc.oneof(junk, fc.record({ label: textish, options: junk }))),
      initial_option: junk,
      initial_options: junk,
      placeholder: textish,
      initial_value: junk,
      multiline: fc.boolean(),
      elements: fc.array(
        fc.oneof(junk, fc.record({ type: fc.constantFrom(...elementTypes), text: junk, style: junk })),
      ),
      image_url: junk,
      alt_text: junk,
    },
    { requiredKeys: ["type"] },
  );
  const block = fc.record(
    {
      type: fc.constantFrom(...types),
      block_id: junk,
      text: textish,
      fields: fc.oneof(junk, fc.array(textish)),
      accessory: fc.oneof(junk, element),
      elements: fc.oneof(junk, fc.array(fc.oneof(junk, textish, element))),
      element: fc.oneof(junk, element),
      label: textish,
      hint: textish,
      optional: junk,
      image_url: junk,
      alt_text: junk,
      title: textish,
    },
    { requiredKeys: ["type"] },
  );

  it("never throws on known block types with malformed fields", () => {
    fc.assert(
      fc.property(fc.array(block, { maxLength: 4 }), (blocks) => {
        expect(htmlProblems(blocksToHtml(blocks, { ...ctx, errors: { x: "e" } }))).toEqual([]);
      }),
      runs,
    );
  });
});
