import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ChannelMessages, type TsMessage } from "../../src/emulator/channel-messages.js";
import { formatTs, parseTs } from "../../src/emulator/ids.js";

interface Msg extends TsMessage {
  n: number;
}

const tsOf = (micros: number) => formatTs(1_732_500_000_000_000 + micros);

describe("ChannelMessages", () => {
  it("keeps messages in ts order whatever order they arrive in", () => {
    const list = new ChannelMessages<Msg>();
    for (const [n, micros] of [30, 10, 20, 40, 5].entries()) list.insert({ ts: tsOf(micros), n });
    expect(list.all().map((m) => m.n)).toEqual([4, 1, 2, 0, 3]);
    expect(list.get(tsOf(20))?.n).toBe(2);
    expect(list.get(tsOf(21))).toBeUndefined();
  });

  it("returns a thread's root first, then its replies oldest first, also replies without a stored root", () => {
    const list = new ChannelMessages<Msg>();
    const root = tsOf(100);
    list.insert({ ts: root, n: 0 });
    list.insert({ ts: tsOf(300), thread_ts: root, n: 2 });
    list.insert({ ts: tsOf(200), thread_ts: root, n: 1 });
    list.insert({ ts: tsOf(250), n: 9 });
    list.insert({ ts: tsOf(400), thread_ts: tsOf(50), n: 3 });
    expect(list.thread(root).map((m) => m.n)).toEqual([0, 1, 2]);
    expect(list.thread(tsOf(50)).map((m) => m.n)).toEqual([3]);
    expect(list.thread(tsOf(999))).toEqual([]);
  });

  it("refuses a second message with the same ts, as a channel's ts is unique", () => {
    const list = new ChannelMessages<Msg>();
    list.insert({ ts: tsOf(1), n: 0 });
    expect(() => list.insert({ ts: tsOf(1), n: 1 })).toThrow(/already stored/);
    expect(list.size).toBe(1);
  });

  it("removes a message from the channel, its index and its thread", () => {
    const list = new ChannelMessages<Msg>();
    const root = tsOf(1);
    const reply = { ts: tsOf(2), thread_ts: root, n: 1 };
    list.insert({ ts: root, n: 0 });
    list.insert(reply);
    list.remove(reply);
    expect(list.get(reply.ts)).toBeUndefined();
    expect(list.thread(root).map((m) => m.n)).toEqual([0]);
    expect(list.size).toBe(1);
    list.remove(reply); // twice: nothing happens
    expect(list.size).toBe(1);
  });

  it("behaves like a sorted array under any sequence of inserts and removes (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ micros: fc.integer({ min: 0, max: 200 }), remove: fc.boolean() }), {
          maxLength: 120,
        }),
        (ops) => {
          const list = new ChannelMessages<Msg>();
          let model: Msg[] = [];
          for (const [n, op] of ops.entries()) {
            const ts = tsOf(op.micros);
            const existing = model.find((m) => m.ts === ts);
            if (op.remove && existing) {
              list.remove(list.get(ts) as Msg);
              model = model.filter((m) => m !== existing);
            } else if (!existing) {
              list.insert({ ts, n });
              model.push({ ts, n });
            }
          }
          model.sort((a, b) => (parseTs(a.ts) ?? 0) - (parseTs(b.ts) ?? 0));
          expect(list.all().map((m) => m.n)).toEqual(model.map((m) => m.n));
          for (const m of model) expect(list.get(m.ts)?.n).toBe(m.n);
        },
      ),
    );
  });
});
