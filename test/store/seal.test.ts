import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSealer, SealError } from "../../src/store/seal.js";

const key = () => randomBytes(32);

describe("createSealer", () => {
  it("opens what it sealed, for any text, and never shows the text in the sealed form", () => {
    const sealer = createSealer([key()]);
    fc.assert(
      fc.property(fc.string({ minLength: 8 }), (text) => {
        const sealed = sealer.seal(text);
        expect(sealed.startsWith("v1.")).toBe(true);
        expect(sealed).not.toContain(text);
        expect(sealer.open(sealed)).toBe(text);
      }),
    );
  });

  it("seals the same text differently each time (a fresh IV)", () => {
    const sealer = createSealer([key()]);
    expect(sealer.seal("xoxb-1-2-3")).not.toBe(sealer.seal("xoxb-1-2-3"));
  });

  it("refuses an altered value, another key's value and garbage", () => {
    const sealer = createSealer([key()]);
    const sealed = sealer.seal('{"bot":{"token":"xoxb-1"}}');
    const last = sealed.at(-2) === "A" ? "B" : "A";
    expect(() => sealer.open(`${sealed.slice(0, -2)}${last}${sealed.at(-1)}`)).toThrow(SealError);
    expect(() => createSealer([key()]).open(sealed)).toThrow(/key ENCRYPTION_KEY does not hold/);
    expect(() => sealer.open("plain text")).toThrow(SealError);
    expect(() => sealer.open("v1.abc.AAAA")).toThrow(SealError);
  });

  it("rotates: a new first key seals, the old one still opens what it sealed", () => {
    const [oldKey, newKey] = [key(), key()];
    const before = createSealer([oldKey]).seal("token-a");
    const rotated = createSealer([newKey, oldKey]);
    expect(rotated.open(before)).toBe("token-a");
    expect(createSealer([newKey]).open(rotated.seal("token-b"))).toBe("token-b");
  });

  it("needs 32-byte keys", () => {
    expect(() => createSealer([])).toThrow(SealError);
    expect(() => createSealer([randomBytes(16)])).toThrow(SealError);
  });
});
