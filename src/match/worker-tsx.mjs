// Starts a worker entry (workerData.entry, e.g. ./worker.ts) in a worker thread when the app runs from
// TypeScript sources (tsx, vitest): a worker does not inherit the parent's loader hooks, so it registers tsx
// itself. Compiled builds load the .js entries directly (see workers.ts).
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(new URL(workerData.entry, import.meta.url).href);
