#!/usr/bin/env node
// `triage` entry point: runs the compiled CLI when `npm run build` has produced dist/,
// otherwise the TypeScript sources through tsx (a dev dependency), so a fresh clone works.
import { existsSync } from "node:fs";

const compiled = new URL("../dist/cli.js", import.meta.url);
let cli;
if (existsSync(compiled)) {
  cli = await import(compiled.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import(new URL("../src/cli.ts", import.meta.url).href);
}
await cli.main();
