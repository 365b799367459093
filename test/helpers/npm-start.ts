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

/** Resolves once `GET /healthz` on `port` answers 200; rejects with the output if not within `timeoutMs`. */
export async function waitUntilHealthy(
  child: StartedProcess,
  port: number,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    if (child.exitCode !== null) throw new Error(`exited early:\n${child.output()}`);
    if (Date.now() > deadline) throw new Error(`never healthy:\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `npm start` in OAuth mode (several workspaces) against a fake Slack whose OAuth app is `api`'s. */
export function oauthAppEnv(
  api: { clientId: string; clientSecret: string; url: string; authorizeUrl: string },
  settings: { port: number; signingSecret: string; encryptionKey: string },
): Record<string, string> {
  return {
    SLACK_CLIENT_ID: api.clientId,
    SLACK_CLIENT_SECRET: api.clientSecret,
    SLACK_STATE_SECRET: "a-state-secret-for-the-test",
    SLACK_SIGNING_SECRET: settings.signingSecret,
    ENCRYPTION_KEY: settings.encryptionKey,
    SLACK_API_URL: api.url,
    SLACK_AUTHORIZE_URL: api.authorizeUrl,
    SLACK_REDIRECT_URI: `http://127.0.0.1:${settings.port}/slack/oauth_redirect`,
    PORT: String(settings.port),
    COOLDOWN_MINUTES: "0",
    LOG_LEVEL: "info",
  };
}
