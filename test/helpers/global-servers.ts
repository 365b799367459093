/**
 * Vitest global setup: one throwaway PostgreSQL cluster and one redis-server for the whole run, their URLs
 * given to the tests (`inject("postgresUrl")`, `inject("redisUrl")`; "" when the server is not installed).
 * Without the packages the tests that need them are skipped, with a note; with `CI` or `KB_TEST_SERVERS=required`
 * set, a missing server fails the run instead (`.ci/run` installs both).
 */
import type { TestProject } from "vitest/node";
import {
  type PostgresServer,
  postgresBinDir,
  type RedisServer,
  redisServerPath,
  startPostgres,
  startRedis,
} from "./servers.js";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const required = Boolean(process.env.CI) || process.env.KB_TEST_SERVERS === "required";
  let postgres: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  const missing: string[] = [];
  if (postgresBinDir()) postgres = await startPostgres();
  else missing.push("PostgreSQL (apt install postgresql)");
  if (redisServerPath()) redis = await startRedis();
  else missing.push("Redis (apt install redis-server)");
  if (missing.length > 0) {
    const note = `not installed: ${missing.join(", ")}; the tests that need ${missing.length > 1 ? "them" : "it"} are skipped`;
    if (required) throw new Error(`${note.replace("are skipped", "cannot run")} (CI requires every server)`);
    console.warn(`\n[kb-triage tests] ${note}\n`);
  }
  project.provide("postgresUrl", postgres?.url ?? "");
  project.provide("redisUrl", redis?.url ?? "");
  return async () => {
    await Promise.all([postgres?.stop(), redis?.stop()]);
  };
}
