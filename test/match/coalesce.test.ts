import { describe, expect, it } from "vitest";
import { coalesced } from "../../src/match/coalesce.js";

describe("coalesced", () => {
  it("runs once at a time: calls during a run share one more run after it", async () => {
    const started: string[] = [];
    let release: () => void = () => {};
    const run = coalesced(async (reason: string) => {
      started.push(reason);
      await new Promise<void>((r) => {
        release = r;
      });
      return started.length;
    });
    const first = run("a");
    expect(run.running).not.toBeNull();
    const second = run("b");
    const third = run("c");
    expect(second).toBe(third);
    release();
    expect(await first).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual(["a", "b"]);
    release();
    expect(await second).toBe(2);
    expect(run.running).toBeNull();
  });

  it("still runs the queued call when the one before it failed", async () => {
    let calls = 0;
    const run = coalesced(async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 10));
      if (calls === 1) throw new Error("first fails");
      return calls;
    });
    const first = run("x");
    const again = run("y");
    await expect(first).rejects.toThrow("first fails");
    expect(await again).toBe(2);
  });
});
