import { describe, expect, it } from "vitest";
import { checkLimits } from "../../src/reply/blocks.js";
import { homeView } from "../../src/reply/home.js";
import { emptyStats, type Stats } from "../../src/store/store.js";

const stats = (days: number, over: Partial<Stats> = {}): Stats => ({ ...emptyStats(days), ...over });
const kb = { articles: 44, errors: 0, warnings: 1, loadedAt: Date.UTC(2026, 10, 25, 8, 0) };

describe("homeView", () => {
  it("is a valid App Home for an empty database, saying there are no gaps", () => {
    const view = homeView({ week: stats(7), month: stats(30), gaps: [], kb });
    expect(view.type).toBe("home");
    expect(checkLimits(view)).toEqual([]);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain("0 errors triaged");
    expect(text).toContain("No unanswered errors");
    expect(text).toContain("44 articles, 0 errors, 1 warnings");
  });

  it("stays within 100 blocks and escapes texts for a busy database", () => {
    const top = Array.from({ length: 50 }, (_, i) => ({
      articleId: `KT${i}`,
      answered: 100 - i,
      fixed: i,
      notIt: i % 7,
    }));
    const gaps = Array.from({ length: 200 }, (_, i) => ({
      text: `<!channel> Flux capacitor ${i} overheated ${"x".repeat(i * 10)}`,
      textHash: `h${i}`,
      count: 200 - i,
      lastSeen: Date.UTC(2026, 10, 24),
      verdict: i % 2 ? ("none" as const) : ("possible" as const),
    }));
    const month = stats(30, {
      triaged: 1000,
      answered: 800,
      fixed: 600,
      notIt: 50,
      escalated: 40,
      deflectionRate: 0.6,
      topArticles: top,
    });
    const view = homeView({
      week: stats(7, { triaged: 10, fixed: 5, deflectionRate: 0.5 }),
      month,
      gaps,
      kb,
    });
    expect(checkLimits(view)).toEqual([]);
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain("60.0 %");
    expect(text).toContain("Most often");
    expect(text).not.toContain("<!channel>");
  });
});

describe("homeView channel settings", () => {
  it("lists chosen settings, with the edit button for admins only", async () => {
    const { ACTIONS } = await import("../../src/reply/ids.js");
    const settings = [
      {
        channel: "C0ABC12345",
        mode: "mentions" as const,
        minScore: 0.9,
        cooldownMinutes: 5,
        updatedBy: "U1",
        updatedAt: 1,
      },
    ];
    const admin = homeView({ week: stats(7), month: stats(30), gaps: [], kb, settings, admin: true });
    const other = homeView({ week: stats(7), month: stats(30), gaps: [], kb, settings, admin: false });
    expect(checkLimits(admin)).toEqual([]);
    expect(JSON.stringify(admin.blocks)).toContain(ACTIONS.editSettings);
    expect(JSON.stringify(other.blocks)).not.toContain(ACTIONS.editSettings);
    expect(JSON.stringify(other.blocks)).toContain(
      "<#C0ABC12345>: mentions only, confidence 90 %, cooldown 5 min",
    );
  });
});

describe("homeView: the knowledge base's state", () => {
  it("lists files with errors by file:line (at most 5, then a count), escaped, and a failed reload", () => {
    const problems = Array.from({ length: 7 }, (_, i) => ({
      severity: "error" as const,
      file: `dev/broken-${i}.md`,
      line: i + 2,
      message: i === 0 ? "YAML error <!channel> near *here*" : "Duplicate id KT1",
    }));
    const view = homeView({
      week: stats(7),
      month: stats(30),
      gaps: [],
      kb: {
        ...kb,
        errors: 7,
        problems,
        lastReload: {
          ok: false,
          at: Date.UTC(2026, 10, 25, 9, 0),
          reason: "SIGHUP",
          error: "Knowledge folder kb does not exist.",
        },
      },
    });
    expect(checkLimits(view)).toEqual([]);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain("`dev/broken-0.md:2`");
    expect(text).toContain("`dev/broken-4.md:6`");
    expect(text).not.toContain("broken-5.md");
    expect(text).toContain("2 more");
    expect(text).not.toContain("<!channel>");
    expect(text).toContain("The last reload failed");
    expect(text).toContain("does not exist");
  });

  it("offers Reload knowledge base to admins only", async () => {
    const { ACTIONS } = await import("../../src/reply/ids.js");
    const admin = homeView({ week: stats(7), month: stats(30), gaps: [], kb, admin: true });
    const other = homeView({ week: stats(7), month: stats(30), gaps: [], kb, admin: false });
    expect(JSON.stringify(admin.blocks)).toContain(ACTIONS.reloadKnowledge);
    expect(JSON.stringify(other.blocks)).not.toContain(ACTIONS.reloadKnowledge);
  });
});

describe("settingsModal", () => {
  it("is a valid modal, and a submission is read back or answered with field errors", async () => {
    const { settingsModal, readSettingsSubmission } = await import("../../src/reply/settings-modal.js");
    const modal = settingsModal({ mode: "errors", minScore: 0.72, cooldownMinutes: 10 });
    expect(checkLimits(modal as never)).toEqual([]);
    const bad = readSettingsSubmission({ settings_min_score: { min_score: { value: "2" } } });
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(Object.keys(bad.errors).sort()).toEqual([
        "settings_channel",
        "settings_cooldown",
        "settings_min_score",
        "settings_mode",
      ]);
  });
});
