// Starts worker.ts in a worker thread when the app runs from TypeScript sources (tsx, vitest): a worker does
// not inherit the parent's loader hooks, so it registers tsx itself. Compiled builds load worker.js directly.
import { register } from "tsx/esm/api";

register();
await import(new URL("./worker.ts", import.meta.url).href);
