/**
 * The sandbox end to end without a browser: the page's own requests (`/ui/...`) against a sandbox running
 * the real app over `knowledge/`, checked through the page's rendered state and the emulator's Web API.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { readSandboxConfig } from "../../src/config.js";
import { ACTIONS } from "../../src/reply/ids.js";
import { manifestSurface, type Sandbox, startSandbox } from "../../src/sandbox/start-sandbox.js";
import { createLogger } from "../../src/slack/logger.js";

const manifest = parseYaml(readFileSync(new URL("../../manifest.yml", import.meta.url), "utf8")) as unknown;
const DOCKER =
  "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";

let sandbox: Sandbox;
let origin: string;

interface PageState {
  version: number;
  channels: Array<{ id: string; name: string; kind: string }>;
  pane: { id: string; kind: string; html: string | null };
  thread: { ts: string; html: string } | null;
  modal: { id: string; title: string; html: string } | null;
  examples: Array<{ title: string; text: string }>;
  status: { ready: boolean; articles: number };
}

async function ui(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${origin}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function state(pane: string, thread?: string): Promise<PageState> {
  const params = new URLSearchParams({ pane, ...(thread ? { thread } : {}) });
  return (await (await fetch(`${origin}/ui/state?${params}`)).json()) as PageState;
}

/** Polls the page state until `check` passes (answers arrive asynchronously, as in Slack). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  const config = { ...readSandboxConfig({}), port: 0 };
  sandbox = await startSandbox({ config, manifest, logger: createLogger("silent") });
  origin = `http://127.0.0.1:${sandbox.port}`;
  await sandbox.app.indexed;
}, 30_000);

afterAll(async () => {
  await sandbox?.stop();
});

describe("the sandbox page", () => {
  it("serves the page with the message box as its first text field, and its script", async () => {
    const page = await (await fetch(`${origin}/`)).text();
    const firstField = /<(textarea|input)\b[^>]*>/.exec(page)?.[0] ?? "";
    expect(firstField).toContain('id="composer"');
    const script = await fetch(`${origin}/sandbox.js`);
    expect(script.status).toBe(200);
    expect(await script.text()).toContain("/ui/state");
  });

  it("lists the sandbox channels, the DM, examples from the knowledge base and the ready status", async () => {
    const s = await state(sandbox.channels.triage);
    expect(s.channels.map((c) => c.name)).toEqual(expect.arrayContaining(["it-help", "helpdesk", "general"]));
    expect(s.channels.find((c) => c.id === sandbox.channels.dm)?.kind).toBe("im");
    expect(s.status.ready).toBe(true);
    expect(s.status.articles).toBeGreaterThan(10);
    expect(s.examples.length).toBeGreaterThanOrEqual(3);
  });

  it("answers an error pasted in #it-help in a thread with the article's cause and resolution", async () => {
    const sent = await ui("/ui/message", { channel: sandbox.channels.triage, text: DOCKER });
    expect(sent.status).toBe(200);
    const ts = String(sent.json.ts);
    const s = await eventually(
      () => state(sandbox.channels.triage, ts),
      (v) => (v.thread?.html ?? "").includes("Cause"),
      "the threaded answer",
    );
    expect(s.pane.html).toContain("1 reply");
    expect(s.thread?.html).toContain("Docker");
    expect(s.thread?.html).toMatch(/Resolution/);
  });

  it("runs /triage typed in the message box and shows the answer only to the person", async () => {
    const sent = await ui("/ui/message", { channel: sandbox.channels.general, text: `/triage ${DOCKER}` });
    expect(sent.status).toBe(200);
    const s = await eventually(
      () => state(sandbox.channels.general),
      (v) => (v.pane.html ?? "").includes("Only visible to you"),
      "the ephemeral answer",
    );
    expect(s.pane.html).toContain("Docker");
    // A slash command is not a message in the channel.
    expect(sandbox.api.messages(sandbox.channels.general).some((m) => m.text.includes("/triage"))).toBe(
      false,
    );
  });

  it("answers a mention in #general in the thread, and a message in the DM with the bot", async () => {
    const mention = await ui("/ui/message", {
      channel: sandbox.channels.general,
      text: "@kb-triage help please: Windows cannot connect to the printer. The local print spooler service is not running.",
    });
    const stored = sandbox.api.messages(sandbox.channels.general).find((m) => m.ts === mention.json.ts);
    expect(stored?.text).toMatch(/^<@U0KBTRIAGE> help please/);
    await eventually(
      () => state(sandbox.channels.general, String(mention.json.ts)),
      (v) => (v.thread?.html ?? "").includes("spooler"),
      "the answer to the mention",
    );
    await ui("/ui/message", { channel: sandbox.channels.dm, text: DOCKER });
    await eventually(
      () => state(sandbox.channels.dm),
      (v) => (v.pane.html ?? "").includes("Cause"),
      "the answer in the DM",
    );
  });

  it("opens Full article as a modal and closes it", async () => {
    const answer = await sandbox.api.waitForCall("chat.postMessage", (c) =>
      JSON.stringify(c.args.blocks ?? []).includes(ACTIONS.fullArticle),
    );
    const button = findButton(answer.args.blocks, ACTIONS.fullArticle);
    await ui("/ui/action", {
      channel: String(answer.args.channel),
      messageTs: String(answer.response.ts),
      actionId: ACTIONS.fullArticle,
      value: button?.value,
      blockId: button?.blockId,
      text: "Full article",
    });
    const open = await eventually(
      () => state(sandbox.channels.triage),
      (v) => v.modal !== null,
      "the modal",
    );
    expect(open.modal?.html).toContain("Resolution");
    await ui("/ui/close", { viewId: open.modal?.id });
    expect((await state(sandbox.channels.triage)).modal).toBeNull();
  });

  it("answers an unknown slash command as Slackbot does", async () => {
    await ui("/ui/message", { channel: sandbox.channels.general, text: "/nosuchcommand hello" });
    const s = await state(sandbox.channels.general);
    expect(s.pane.html).toContain("/nosuchcommand is not a valid command");
  });

  it("records Fixed it from the answer's button: ✅ on the paste, the answer confirmed", async () => {
    const sent = await ui("/ui/message", {
      channel: sandbox.channels.triage,
      text: "Your password has expired and must be changed.",
    });
    const ts = String(sent.json.ts);
    const clicked = await clickOnAnswer(sandbox.channels.triage, ts, ACTIONS.fixed, "Fixed it");
    expect(clicked.status).toBe(200);
    const s = await eventually(
      () => state(sandbox.channels.triage, ts),
      (v) => (v.pane.html ?? "").includes("✅") && (v.thread?.html ?? "").includes("confirmed by"),
      "the ✅ and the confirmation",
    );
    expect(s.thread?.html).toContain("(edited)");
  });

  it("escalates to #helpdesk with Escalate", async () => {
    const sent = await ui("/ui/message", {
      channel: sandbox.channels.triage,
      text: "remote: Support for password authentication was removed on August 13, 2021.",
    });
    await clickOnAnswer(sandbox.channels.triage, String(sent.json.ts), ACTIONS.escalate, "Escalate");
    const s = await eventually(
      () => state(sandbox.channels.helpdesk),
      (v) => (v.pane.html ?? "").includes("Escalated by"),
      "the post in #helpdesk",
    );
    expect(s.pane.html).toContain("@you");
  });

  it("opens App Home with the counts, and the admin settings modal from it, validating before saving", async () => {
    await ui("/ui/home", {});
    const home = await eventually(
      () => state("home"),
      (v) => (v.pane.html ?? "").includes("errors triaged"),
      "App Home",
    );
    expect(home.pane.kind).toBe("home");
    const view = sandbox.api.workspace.homeView(sandbox.me.id);
    expect(view).toBeDefined();
    const edit = findButton(view?.blocks, ACTIONS.editSettings);
    expect(edit).toBeDefined();
    await ui("/ui/action", {
      viewId: view?.id,
      actionId: ACTIONS.editSettings,
      value: edit?.value,
      text: "Edit",
    });
    const opened = await eventually(
      () => state("home"),
      (v) => v.modal !== null,
      "the settings modal",
    );
    expect(opened.modal?.title).toContain("Channel settings");
    const bad = await ui("/ui/submit", {
      viewId: opened.modal?.id,
      values: { settings_min_score: { min_score: { type: "plain_text_input", value: "seven" } } },
    });
    expect(bad.json.ok).toBe(false);
    expect(Object.keys(bad.json.errors as object)).toContain("settings_min_score");
    const good = await ui("/ui/submit", {
      viewId: opened.modal?.id,
      values: {
        settings_channel: {
          channel: { type: "conversations_select", selected_conversation: sandbox.channels.general },
        },
        settings_mode: { mode: { type: "static_select", selected_option: { value: "mentions" } } },
        settings_min_score: { min_score: { type: "plain_text_input", value: "0.8" } },
        settings_cooldown: { cooldown: { type: "plain_text_input", value: "0" } },
      },
    });
    expect(good.json.ok).toBe(true);
    expect((await state("home")).modal).toBeNull();
  });

  it("reloads the knowledge base from App Home's admin button and shows it again", async () => {
    await ui("/ui/home", {});
    const view = await eventually(
      async () => sandbox.api.workspace.homeView(sandbox.me.id),
      (v) => JSON.stringify(v?.blocks ?? []).includes(ACTIONS.reloadKnowledge),
      "the Reload button",
    );
    const publishes = sandbox.api.callsTo("views.publish").length;
    await ui("/ui/action", {
      viewId: view?.id,
      actionId: ACTIONS.reloadKnowledge,
      value: "reload",
      text: "Reload",
    });
    await eventually(
      async () => sandbox.api.callsTo("views.publish").length,
      (n) => n > publishes,
      "App Home published again",
    );
    expect(sandbox.app.matcher.lastReload).toMatchObject({ ok: true, reason: "App Home" });
  });

  it("offers the manifest's message shortcut and answers it privately", async () => {
    const sent = await ui("/ui/message", {
      channel: sandbox.channels.helpdesk,
      text: "Install error - 0x80070005",
    });
    await ui("/ui/shortcut", {
      channel: sandbox.channels.helpdesk,
      messageTs: sent.json.ts,
      callbackId: manifestSurface(manifest).shortcuts[0]?.callbackId,
    });
    const s = await eventually(
      () => state(sandbox.channels.helpdesk),
      (v) => (v.pane.html ?? "").includes("Post in thread"),
      "the shortcut's answer",
    );
    expect(s.pane.html).toContain("Only visible to you");
  });

  it("pushes a change notification over server-sent events", async () => {
    const controller = new AbortController();
    const res = await fetch(`${origin}/ui/events`, { signal: controller.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let seen = new TextDecoder().decode((await reader.read()).value);
    await ui("/ui/message", { channel: sandbox.channels.general, text: "hello there" });
    while (!/event: change\ndata: \d+\n\n[\s\S]*event: change/.test(seen)) {
      seen += new TextDecoder().decode((await reader.read()).value);
    }
    controller.abort();
  });
});

describe("the sandbox refuses what the page would not send", () => {
  it("never renders message text as markup", async () => {
    await ui("/ui/message", {
      channel: sandbox.channels.general,
      text: `<script>alert(1)</script><img src=x onerror=alert(2)> "quoted" & done`,
    });
    const s = await state(sandbox.channels.general);
    expect(s.pane.html).not.toMatch(/<script|<img/i);
    expect(s.pane.html).toContain("&lt;script&gt;");
  });

  it("refuses requests that are not same-origin JSON or not addressed to localhost", async () => {
    const form = await fetch(`${origin}/ui/message`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ channel: sandbox.channels.general, text: "x" }),
    });
    expect(form.status).toBe(403);
    const crossSite = await ui(
      "/ui/message",
      { channel: sandbox.channels.general, text: "x" },
      { origin: "https://evil.example" },
    );
    expect(crossSite.status).toBe(403);
  });

  it("answers malformed or impossible requests with 400 and a reason", async () => {
    const notJson = await fetch(`${origin}/ui/message`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
    expect((await ui("/ui/message", { channel: "C0NOSUCH01", text: "x" })).status).toBe(400);
    expect((await ui("/ui/message", { channel: sandbox.channels.general, text: "   " })).status).toBe(400);
    const long = await ui("/ui/message", { channel: sandbox.channels.general, text: "x".repeat(40_001) });
    expect(long.status).toBe(400);
    expect(String(long.json.problem)).toContain("40,000");
    expect(
      (await ui("/ui/action", { channel: sandbox.channels.general, actionId: "x", messageTs: "1.1" })).status,
    ).toBe(400);
    expect((await ui("/ui/submit", { viewId: "V0NOSUCH", values: {} })).status).toBe(400);
  });
});

/** Waits for the bot's answer in the thread of `ts` and clicks its button `actionId` as the page would. */
async function clickOnAnswer(channel: string, ts: string, actionId: string, text: string) {
  const answer = await sandbox.api.waitForCall(
    "chat.postMessage",
    (c) => c.args.thread_ts === ts && JSON.stringify(c.args.blocks ?? []).includes(actionId),
  );
  const button = findButton(answer.args.blocks, actionId);
  return ui("/ui/action", {
    channel,
    messageTs: String(answer.response.ts),
    actionId,
    value: button?.value,
    blockId: button?.blockId,
    text,
  });
}

function findButton(blocks: unknown, actionId: string): { value?: string; blockId?: string } | undefined {
  for (const block of (blocks as Array<{ block_id?: string; elements?: unknown[]; accessory?: unknown }>) ??
    []) {
    for (const el of [...(block.elements ?? []), block.accessory] as Array<
      { action_id?: string; value?: string } | undefined
    >) {
      if (el?.action_id === actionId) return { value: el.value, blockId: block.block_id };
    }
  }
  return undefined;
}
