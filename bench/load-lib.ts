/**
 * Helpers for `npm run load` (bench/load.ts): options, ids, statistics, /proc readings and the ~7,000-article
 * folder. No I/O against the app here.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export interface LoadOptions {
  rate: number;
  seconds: number;
  /** --seconds given explicitly (find-max otherwise uses shorter steps). */
  secondsGiven: boolean;
  knowledge: string;
  kb7k: boolean;
  findMax: boolean;
  /** App processes sharing PostgreSQL and Redis (1..8); only with `replicasGiven`. */
  replicas: number;
  /** --replicas given: the app runs on PostgreSQL and Redis (also for 1), else alone on SQLite as before. */
  replicasGiven: boolean;
}

export const USAGE =
  "usage: npm run load -- [--rate 200] [--seconds 60] [--knowledge knowledge] [--kb7k] [--find-max] [--replicas N]\n" +
  "  --replicas N  N app processes (1..8) sharing a throwaway PostgreSQL and redis-server, events round robin,\n" +
  "                Slack's retries to another replica (needs: apt install postgresql redis-server)";

export const MAX_REPLICAS = 8;

export class UsageError extends Error {}

export function parseOptions(argv: readonly string[]): LoadOptions {
  const options: LoadOptions = {
    rate: 200,
    seconds: 60,
    secondsGiven: false,
    knowledge: "knowledge",
    kb7k: false,
    findMax: false,
    replicas: 1,
    replicasGiven: false,
  };
  const positive = (name: string, value: string | undefined): number => {
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || n <= 0)
      throw new UsageError(`${name} needs a number > 0`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    switch (name) {
      case "--rate":
        options.rate = positive(name, value());
        break;
      case "--seconds":
        options.seconds = positive(name, value());
        options.secondsGiven = true;
        break;
      case "--knowledge": {
        const dir = value();
        if (!dir) throw new UsageError("--knowledge needs a folder");
        options.knowledge = dir;
        break;
      }
      case "--kb7k":
        options.kb7k = true;
        break;
      case "--find-max":
        options.findMax = true;
        break;
      case "--replicas": {
        const raw = value();
        const n = Number(raw);
        if (raw === undefined || !Number.isInteger(n) || n < 1 || n > MAX_REPLICAS)
          throw new UsageError(`--replicas needs a whole number from 1 to ${MAX_REPLICAS}`);
        options.replicas = n;
        options.replicasGiven = true;
        break;
      }
      default:
        throw new UsageError(`unknown option ${arg}`);
    }
  }
  return options;
}

/** A message ts unique per event number: seconds, dot, 6 digits. */
export function tsOf(n: number): string {
  return `${1_732_500_000 + Math.floor(n / 1_000_000)}.${String(n % 1_000_000).padStart(6, "0")}`;
}

export function eventIdOf(runTag: string, n: number): string {
  return `Ev${runTag}${n.toString(36).toUpperCase().padStart(8, "0")}`;
}

/**
 * The per-event variation of a paste: an IPv4 address, which the matcher masks (⟨ip⟩), so every variant of a
 * text gets the verdict its warm-up got (a number like "host-123" can tip a borderline paste to "none").
 */
export function hostIp(n: number): string {
  return `10.${Math.floor(n / 62_500) % 250}.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}

/** Slack escapes these in message text. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export interface Stats {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles; NaN when there are no values. */
export function stats(values: readonly number[]): Stats {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) =>
    sorted.length === 0
      ? Number.NaN
      : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0);
  return {
    count: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted.length ? (sorted[sorted.length - 1] ?? 0) : Number.NaN,
  };
}

export function ms(value: number): string {
  if (Number.isNaN(value)) return "-";
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0);
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
}

/** VmRSS of a process in kB, or undefined once it is gone. */
export function rssKb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** utime + stime of a process in clock ticks (1/100 s on Linux), or undefined once it is gone. */
export function cpuTicks(pid: number, file = `/proc/${pid}/stat`): number | undefined {
  try {
    const stat = readFileSync(file, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

export const CLOCK_TICKS = 100;

/** Parent pid, own CPU (utime + stime) and reaped children's CPU (cutime + cstime) in ticks; undefined once gone. */
export function procStat(pid: number): { ppid: number; ticks: number; reaped: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return {
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      reaped: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

/** A process's command line, argument by argument (empty once it is gone). */
export function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

/** Every process on the machine with its parent: one pass over /proc. */
export function processTable(): Array<{ pid: number; ppid: number }> {
  const out: Array<{ pid: number; ppid: number }> = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat) out.push({ pid: Number(name), ppid: stat.ppid });
  }
  return out;
}

/**
 * CPU ticks of a process and all its descendants, the exited ones included (a parent's cutime/cstime holds the
 * children it reaped): PostgreSQL forks a backend per connection, and the postmaster reaps them.
 */
export function treeTicks(rootPid: number): number | undefined {
  const own = procStat(rootPid);
  if (!own) return undefined;
  const table = processTable();
  let total = own.ticks + own.reaped;
  const queue = [rootPid];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const p of table) {
      if (p.ppid !== parent) continue;
      const stat = procStat(p.pid);
      if (stat) total += stat.ticks + stat.reaped;
      queue.push(p.pid);
    }
  }
  return total;
}

/** utime + stime per thread of a process (thread id -> ticks); empty once it is gone. */
export function threadTicks(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const ticks = cpuTicks(Number(tid), `/proc/${pid}/task/${tid}/stat`);
      if (ticks !== undefined) out.set(Number(tid), ticks);
    }
  } catch {
    // gone
  }
  return out;
}

/** Busy and steal time of the whole machine (all cores), in clock ticks, from /proc/stat. */
export function machineTicks(): { busy: number; steal: number } {
  try {
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] =
      readFileSync("/proc/stat", "utf8").split("\n", 1)[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    return { busy: user + nice + system + irq + softirq, steal };
  } catch {
    return { busy: 0, steal: 0 };
  }
}

/** A port free right now on loopback (the app binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Copies every MS KB article `copies` times under new ids (Q123456 → Q123456C2 ...); also bench/run.ts's. */
export function multiply(source: string, copies: number, into: string): void {
  const files = readdirSync(source).filter((f) => /\.txt$/i.test(f));
  for (let c = 1; c <= copies; c++) {
    const sub = path.join(into, `copy${c}`);
    mkdirSync(sub, { recursive: true });
    for (const file of files) {
      const bytes = readFileSync(path.join(source, file));
      const text = bytes
        .toString("latin1")
        .replace(/^DOCUMENT:(\S+)/, (_, id: string) => `DOCUMENT:${id}C${c}`);
      writeFileSync(path.join(sub, file), Buffer.from(text, "latin1"));
    }
  }
}

export const sleep = (msToWait: number) => new Promise<void>((resolve) => setTimeout(resolve, msToWait));
