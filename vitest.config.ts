import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Property tests and the corpus-sized fixtures are CPU-bound; these machines have 2 cores.
    testTimeout: 30_000,
    // A throwaway PostgreSQL cluster and redis-server for the tests that need them (test/helpers/servers.ts).
    globalSetup: ["test/helpers/global-servers.ts"],
  },
});
