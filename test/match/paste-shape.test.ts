import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { passiveAction, pasteShape, RECOGNIZED_SCORE } from "../../src/match/paste-shape.js";

const chat = readFileSync(new URL("../fixtures/chat-messages.txt", import.meta.url), "utf8")
  .split("\n")
  .filter((line) => line.trim() && !line.startsWith("#"));

describe("pasteShape", () => {
  it.each([
    ["an error code", "seeing 0x80070005 on every install", "code"],
    [
      "a fenced paste",
      "```\nThe trust relationship between this workstation and the primary domain\n```",
      "quoted",
    ],
    ["inline backticks", "getting `Access to the path is denied` again", "quoted"],
    [
      "a message box copied with Ctrl+C",
      "---------------------------\nSetup\n---------------------------\nSomething happened.\n---------------------------\nOK\n---------------------------",
      "message-box",
    ],
    [
      "a stack trace",
      "Traceback (most recent call last):\n  File \"x.py\", line 3, in <module>\nKeyError: 'a'",
      "stack-trace",
    ],
    ["a log line with an error word", "2026-11-25 06:01:02 ERROR could not connect to db01", "log-line"],
    ["prose with error words", "Outlook says it cannot connect to the server", "error-words"],
  ])("recognises %s", (_, text, signal) => {
    const shape = pasteShape(text);
    expect(shape.isError).toBe(true);
    expect(shape.signals).toContain(signal);
  });

  it("leaves ordinary channel chatter alone", () => {
    const flagged = chat.filter((message) => pasteShape(message).isError);
    expect(flagged).toEqual([]);
  });

  it("copes with empty, huge and non-string input", () => {
    expect(pasteShape("").isError).toBe(false);
    expect(pasteShape(undefined as unknown as string).isError).toBe(false);
    expect(pasteShape(`${"a ".repeat(500_000)} error`).isError).toBe(false); // scanned up to a cap
  });
});

describe("passiveAction", () => {
  const error = pasteShape("Outlook says it cannot connect to the server");
  const chatter = pasteShape("sounds good to me");

  it("answers confident matches and offers candidates for error-shaped messages", () => {
    expect(passiveAction(error, "match", 0.8, false)).toBe("answer");
    expect(passiveAction(error, "possible", 0.5, false)).toBe("candidates");
    expect(passiveAction(error, "none", 0.1, false)).toBe("silent");
  });

  it("speaks about other messages only when an article quotes them almost word for word", () => {
    expect(passiveAction(chatter, "match", RECOGNIZED_SCORE, false)).toBe("answer");
    expect(passiveAction(chatter, "match", RECOGNIZED_SCORE - 0.01, false)).toBe("silent");
    expect(passiveAction(chatter, "possible", 0.6, false)).toBe("silent");
  });

  it("treats every message as a paste in triage-everything channels", () => {
    expect(passiveAction(chatter, "possible", 0.5, true)).toBe("candidates");
  });
});
