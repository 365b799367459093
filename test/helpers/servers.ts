/**
 * Real PostgreSQL and Redis servers for the tests, from Debian's packages, on loopback, throwaway: a fresh
 * cluster in a temp folder (fsync off) and a redis-server without persistence. `.ci/run` installs the packages;
 * on a machine without them the tests that need a server are skipped, and say so (CI requires them).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
    server.on("error", reject);
  });
}

/** Where Debian keeps PostgreSQL's server programs (not on PATH): the newest version's bin folder. */
export function postgresBinDir(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "postgres"))) return dir;
  }
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], "bin") : undefined;
}

export function redisServerPath(): string | undefined {
  for (const dir of [...(process.env.PATH ?? "").split(":"), "/usr/bin", "/usr/sbin"]) {
    if (dir && existsSync(path.join(dir, "redis-server"))) return path.join(dir, "redis-server");
  }
  return undefined;
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user (or `nobody`). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ["postgres", "nobody"]) {
    try {
      const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
      if (Number.isInteger(uid) && Number.isInteger(gid)) return { uid, gid };
    } catch {
      // no such user: try the next
    }
  }
  throw new Error("running as root, and neither a postgres nor a nobody user exists to run PostgreSQL");
}

export interface PostgresServer {
  /** postgres://…/postgres on loopback; `freshDatabase` makes one database per test file from it. */
  url: string;
  /** Stops the server (fast shutdown) and starts it again on the same port and data: a database restart. */
  restart(options?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL's server programs (initdb, postgres) were not found");
  const root = mkdtempSync(path.join(tmpdir(), "kb-pg-"));
  const data = path.join(root, "data");
  const user = serverUser();
  if (user) chownSync(root, user.uid, user.gid);
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  execFileSync(
    path.join(bin, "initdb"),
    ["-D", data, "-U", "kbtest", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
    { ...asUser, stdio: "pipe", cwd: root, env: { PATH: process.env.PATH ?? "", LANG: "C" } },
  );
  const port = await freeLoopbackPort();
  let child: ChildProcess | undefined;
  let log = "";
  const launch = async () => {
    child = spawn(
      path.join(bin, "postgres"),
      [
        "-D",
        data,
        "-p",
        String(port),
        "-k",
        root,
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
        "-c",
        "max_connections=200",
      ],
      { ...asUser, cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "" } },
    );
    child.stderr?.on("data", (chunk) => {
      log = (log + chunk).slice(-4000);
    });
    const url = `postgres://kbtest@127.0.0.1:${port}/postgres`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const client = new pg.Client({ connectionString: url });
      try {
        await client.connect();
        await client.query("SELECT 1");
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
        if (child.exitCode !== null) throw new Error(`postgres exited:\n${log}`);
        if (Date.now() > deadline) throw new Error(`postgres did not start within 30 s:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const halt = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((r) => running.once("exit", r));
    running.kill("SIGINT"); // fast shutdown: disconnects clients, as a real restart does
    await exited;
  };
  await launch();
  return {
    url: `postgres://kbtest@127.0.0.1:${port}/postgres`,
    async restart({ downMs = 0 } = {}) {
      await halt();
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
    async stop() {
      await halt();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A new, empty database on the server; the URL to it. */
export async function freshDatabase(serverUrl: string, prefix = "kbtest"): Promise<string> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface RedisServer {
  url: string;
  /** Stops the server; `start()` brings it back on the same port (empty: no persistence). */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const binary = redisServerPath();
  if (!binary) throw new Error("redis-server was not found");
  const port = await freeLoopbackPort();
  let child: ChildProcess | undefined;
  let log = "";
  const start = async () => {
    child = spawn(
      binary,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const running = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start within 10 s:\n${log}`)),
        10_000,
      );
      const onData = (chunk: Buffer) => {
        log = (log + chunk).slice(-4000);
        if (log.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      };
      running.stdout?.on("data", onData);
      running.stderr?.on("data", onData);
      running.once("exit", () => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited:\n${log}`));
      });
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const running = child;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((r) => running.once("exit", r));
      running.kill("SIGTERM");
      await exited;
    },
    async start() {
      log = "";
      await start();
    },
  };
}
