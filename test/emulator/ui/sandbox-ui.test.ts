import { describe, expect, it } from "vitest";
import { formatTs } from "../../../src/emulator/ids.js";
import { channelHtml, type PaneContext, threadHtml, timeOf } from "../../../src/emulator/ui/panes.js";
import { slackText } from "../../../src/emulator/ui/sandbox-ui.js";
import type { SlackMessage } from "../../../src/emulator/workspace.js";

const members = new Map([
  ["kb-triage", "U0BOT00001"],
  ["you", "U0HUMAN0001"],
]);

describe("slackText: typed text as Slack's client sends it", () => {
  it("escapes &, < and > and nothing else", () => {
    expect(slackText(`a < b && c > "d" 'e'`, members)).toBe(`a &lt; b &amp;&amp; c &gt; "d" 'e'`);
  });

  it("turns @name of a member into a user mention, leaving unknown names and e-mail addresses alone", () => {
    expect(slackText("@kb-triage why? (@you) mail me@example.com @nobody", members)).toBe(
      "<@U0BOT00001> why? (<@U0HUMAN0001>) mail me@example.com @nobody",
    );
  });

  it("wraps bare http(s) links, keeping trailing punctuation outside", () => {
    expect(slackText("see https://example.com/a?b=1&c=2. or http://x.test/p)", members)).toBe(
      "see <https://example.com/a?b=1&amp;c=2>. or <http://x.test/p>)",
    );
    expect(slackText("unix:///var/run/docker.sock", members)).toBe("unix:///var/run/docker.sock");
  });
});

const ctx: PaneContext = {
  me: "U0HUMAN0001",
  botUserId: "U0BOT00001",
  botName: "kb-triage",
  notices: [{ channel: "C1", ts: formatTs(3_000_000), text: "/x is not a valid command" }],
  userName: (id) => (id === "U0HUMAN0001" ? "you" : undefined),
  channelName: () => undefined,
  channels: [],
};

const msg = (ts: number, text: string, extra: Partial<SlackMessage> = {}): SlackMessage => ({
  type: "message",
  ts: formatTs(ts),
  text,
  user: "U0HUMAN0001",
  ...extra,
});

describe("panes", () => {
  it("shows top-level messages, reply counts, my ephemerals and Slackbot notices in time order", () => {
    const html = channelHtml(
      [
        msg(1_000_000, "first", { reply_count: 2, thread_ts: formatTs(1_000_000) }),
        msg(1_500_000, "a reply", { thread_ts: formatTs(1_000_000) }),
        msg(4_000_000, "last"),
      ],
      [
        { channel: "C1", user: "U0HUMAN0001", message_ts: formatTs(2_000_000), text: "for me" },
        { channel: "C1", user: "U0SOMEONE01", message_ts: formatTs(2_500_000), text: "for someone else" },
      ],
      "C1",
      ctx,
    );
    const order = ["first", "2 replies", "for me", "not a valid command", "last"].map((t) => html.indexOf(t));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > (order[i - 1] ?? 0)))).toBe(true);
    expect(html).not.toContain("a reply");
    expect(html).not.toContain("for someone else");
    expect(html).toContain("Only visible to you");
  });

  it("shows a thread as its parent, the reply count, then the replies", () => {
    const root = formatTs(1_000_000);
    const html = threadHtml(
      [
        msg(1_000_000, "parent", { thread_ts: root }),
        msg(1_100_000, "answer", { bot_id: "B1", user: "U0BOT00001" }),
      ],
      [],
      "C1",
      root,
      ctx,
    );
    expect(html.indexOf("parent")).toBeLessThan(html.indexOf("1 reply"));
    expect(html.indexOf("1 reply")).toBeLessThan(html.indexOf("answer"));
    expect(html).toContain("APP");
  });

  it("shows a message's time of day from its ts", () => {
    const ts = formatTs(Date.UTC(2026, 10, 25, 14, 5) * 1000);
    expect(timeOf(ts)).toMatch(/^\d{1,2}:05 (AM|PM)$/);
  });
});
