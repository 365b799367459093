import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ACTIONS,
  ARTICLE_MODAL_CALLBACK,
  BLOCK_IDS,
  COMMAND,
  decodeButtonValue,
  encodeButtonValue,
  MAX_BUTTON_VALUE,
  SHORTCUT_CALLBACK,
  tryEncodeButtonValue,
} from "../../src/reply/ids.js";

// Any code unit, lone surrogates included: ids come from file names and decode must survive anything.
const anyString = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });

describe("ids", () => {
  it("keeps every action, callback and block id unique and within Slack's 255 characters", () => {
    const all = [
      ...Object.values(ACTIONS),
      SHORTCUT_CALLBACK,
      ARTICLE_MODAL_CALLBACK,
      ...Object.values(BLOCK_IDS),
    ];
    expect(new Set(all).size).toBe(all.length);
    for (const id of all) expect(id.length).toBeLessThanOrEqual(255);
    expect(ACTIONS).toEqual({
      share: "triage_share",
      otherMatches: "triage_other",
      fullArticle: "triage_full_article",
      postInThread: "triage_post_in_thread",
      pick: "triage_pick",
      fixed: "triage_fixed",
      notIt: "triage_not_it",
      escalate: "triage_escalate",
      editSettings: "triage_edit_settings",
      reloadKnowledge: "triage_reload_knowledge",
    });
    expect(COMMAND).toBe("/triage");
  });
});

describe("button values", () => {
  it("decode back to the ids they were encoded from", () => {
    const value = encodeButtonValue({ triageId: "tr_42", articleId: "KT1001" });
    expect(decodeButtonValue(value)).toEqual({ triageId: "tr_42", articleId: "KT1001" });
    expect(decodeButtonValue(encodeButtonValue({ triageId: "tr_42" }))).toEqual({ triageId: "tr_42" });
  });

  it("treat an empty article id as no article id", () => {
    expect(decodeButtonValue(encodeButtonValue({ triageId: "t", articleId: "" }))).toEqual({ triageId: "t" });
  });

  it("round-trip any pair of ids that fits, lone surrogates and quotes included", () => {
    fc.assert(
      fc.property(
        anyString.filter((s) => s !== ""),
        fc.option(anyString.filter((s) => s !== "")),
        (t, a) => {
          const ref = a === null ? { triageId: t } : { triageId: t, articleId: a };
          const value = tryEncodeButtonValue(ref);
          if (value === null) return;
          expect(value.length).toBeLessThanOrEqual(MAX_BUTTON_VALUE);
          expect(decodeButtonValue(value)).toEqual(ref);
        },
      ),
    );
  });

  it("refuse ids that do not fit in 2000 characters, or an empty triage id", () => {
    const huge = "x".repeat(2000);
    expect(tryEncodeButtonValue({ triageId: "t", articleId: huge })).toBeNull();
    expect(() => encodeButtonValue({ triageId: "t", articleId: huge })).toThrow(RangeError);
    expect(tryEncodeButtonValue({ triageId: "" })).toBeNull();
    // The longest article id the loader accepts (255) fits even when every character needs escaping.
    const worst = tryEncodeButtonValue({ triageId: "t".repeat(64), articleId: "\uD800".repeat(255) });
    expect(worst).not.toBeNull();
  });

  it("decode anything malformed to null without throwing", () => {
    for (const bad of [
      "",
      "KT1001",
      "{",
      "null",
      "[]",
      '["t"]',
      "42",
      '"t"',
      "{}",
      '{"t":""}',
      '{"t":1}',
      '{"t":"x","a":""}',
      '{"t":"x","a":7}',
      '{"t":"x","text":"pasted error"}',
      `{"t":"${"x".repeat(2000)}"}`,
    ]) {
      expect(decodeButtonValue(bad), bad).toBeNull();
    }
    expect(decodeButtonValue(undefined)).toBeNull();
    expect(decodeButtonValue(42)).toBeNull();
    fc.assert(
      fc.property(fc.oneof(anyString, fc.json()), (value) => {
        const decoded = decodeButtonValue(value);
        if (decoded !== null) expect(typeof decoded.triageId).toBe("string");
      }),
    );
  });
});
