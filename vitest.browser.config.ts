// `npm run test:browser`: the sandbox driven through Debian's Chromium (playwright-core), kept apart from
// `npm test` because it needs the browser installed (.ci/run installs it).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/browser/**/*.browser.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
