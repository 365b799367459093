import { describe, expect, it } from "vitest";
import { describeSettings, parseSettingsCommand } from "../../src/slack/channel-settings.js";

describe("parseSettingsCommand", () => {
  it("reads show, mode, min-score and cooldown, and rejects anything else with the usage", () => {
    expect(parseSettingsCommand([])).toEqual({ kind: "show" });
    expect(parseSettingsCommand(["mode", "mentions"])).toEqual({ kind: "set", change: { mode: "mentions" } });
    expect(parseSettingsCommand(["min-score", "0.85"])).toEqual({ kind: "set", change: { minScore: 0.85 } });
    expect(parseSettingsCommand(["cooldown", "0"])).toEqual({ kind: "set", change: { cooldownMinutes: 0 } });
    for (const bad of [
      ["mode", "loud"],
      ["min-score", "1.5"],
      ["cooldown", "-1"],
      ["colour", "red"],
    ]) {
      expect(parseSettingsCommand(bad).kind, bad.join(" ")).toBe("invalid");
    }
  });
});

describe("describeSettings", () => {
  it("says what is in force and who changed it, read-only for non-admins", () => {
    const text = describeSettings(
      {
        channel: "C0ABC12345",
        mode: "all",
        minScore: 0.8,
        cooldownMinutes: 0,
        updatedBy: "U0ADMIN001",
        updatedAt: 1,
      },
      false,
    );
    expect(text).toContain("<#C0ABC12345>");
    expect(text).toContain("every message");
    expect(text).toContain("80 %");
    expect(text).toContain("Cooldown for a repeated error: none");
    expect(text).toContain("Only helpdesk admins");
  });
});
