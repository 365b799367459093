/**
 * The sandbox page's script: `client/main.ts` bundled by esbuild on first request and kept in memory, so the
 * browser gets plain JavaScript without a build step in `npm start`.
 */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

let bundled: Promise<string> | undefined;

export function clientBundle(): Promise<string> {
  bundled ??= build({
    entryPoints: [fileURLToPath(new URL("./client/main.ts", import.meta.url))],
    bundle: true,
    write: false,
    format: "iife",
    target: "es2020",
    charset: "utf8",
    logLevel: "silent",
  }).then((result) => result.outputFiles[0]?.text ?? "");
  bundled.catch(() => {
    bundled = undefined; // a later request tries again
  });
  return bundled;
}
