/** `npm start` as a child process (src/main.ts through tsx), with only the environment a test gives it. */
import { type ChildProcess, spawn } from "node:child_process";

const root = new URL("../..", import.meta.url).pathname;

export type StartedProcess = ChildProcess & { output: () => string };

export function npmStart(env: Record<string, string>): StartedProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  return Object.assign(child, { output: () => output });
}

export const exitCode = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });

/** Resolves once the output contains `text`; rejects with the output if the process exits or time runs out. */
export async function waitForOutput(child: StartedProcess, text: string, timeoutMs = 25_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!child.output().includes(text)) {
    if (child.exitCode !== null) throw new Error(`exited early:\n${child.output()}`);
    if (Date.now() > deadline) throw new Error(`no "${text}" in the output:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
