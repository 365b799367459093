/**
 * Starts one of the matcher's worker-thread entries (worker.ts, scan-worker.ts). When this code runs from
 * TypeScript sources (tsx, vitest) a worker does not inherit the parent's loader, so it starts through
 * worker-tsx.mjs, which registers tsx first; compiled builds start the .js entry directly.
 */
import { Worker } from "node:worker_threads";

export function startWorker(entry: "worker" | "scan-worker", data: Record<string, unknown>): Worker {
  const here = new URL(import.meta.url);
  if (here.pathname.endsWith(".ts")) {
    return new Worker(new URL("./worker-tsx.mjs", here), { workerData: { ...data, entry: `./${entry}.ts` } });
  }
  return new Worker(new URL(`./${entry}.js`, here), { workerData: data });
}
