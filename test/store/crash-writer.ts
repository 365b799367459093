// Child process of crash.test.ts: records triages (and feedback on each) as fast as it can, 50 at a time as
// a busy bot would, printing each id once the store has acknowledged it, until it is killed.
import { openSqliteStore } from "../../src/store/sqlite-store.js";

const dir = process.argv[2] as string;
const round = process.argv[3] ?? "0";
const store = await openSqliteStore(dir);
for (let n = 0; ; n += 50) {
  await Promise.all(
    Array.from({ length: 50 }, async (_, k) => {
      const i = n + k;
      const id = `crash-${round}-${i}`;
      await store.recordTriage({
        id,
        at: Date.now(),
        team: "T0CRASH001",
        channel: "C0CRASH001",
        user: "U0CRASH001",
        source: "channel",
        text: `System error ${i} has occurred. ${"padding ".repeat(i % 50)}`,
        textHash: `h${i}`,
        verdict: "match",
        topArticle: "KT1007",
        score: 0.9,
        latencyMs: 1,
        messageTs: `1732500000.${String(i % 1_000_000).padStart(6, "0")}`,
      });
      await store.recordFeedback({
        triageId: id,
        at: Date.now(),
        user: "U0CRASH001",
        kind: "fixed",
        articleId: "KT1007",
      });
      process.stdout.write(`${id}\n`);
    }),
  );
}
