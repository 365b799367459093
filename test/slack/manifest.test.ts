import { readFileSync } from "node:fs";
import { App, LogLevel } from "@slack/bolt";
import { Ajv } from "ajv";
import { describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { registerListeners } from "../../src/slack/app.js";
import {
  ACTION_IDS,
  COMMANDS,
  EVENT_SCOPES,
  EVENTS,
  FUNCTIONS,
  MESSAGE_SHORTCUTS,
  requiredScopes,
} from "../../src/slack/surface.js";
import type { SlackDeps } from "../../src/slack/triage.js";

interface Manifest {
  features: {
    slash_commands?: { command: string }[];
    shortcuts?: { callback_id: string; type: string }[];
    app_home?: { messages_tab_enabled?: boolean };
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[] };
    interactivity: { is_enabled: boolean };
    org_deploy_enabled?: boolean;
  };
  functions?: Record<string, unknown>;
}

const manifest = parse(readFileSync(new URL("../../manifest.yml", import.meta.url), "utf8")) as Manifest;
const schemaPath = new URL(
  "../../../shared/slack-manifest-schema/manifest.schema.1.0.0.json",
  import.meta.url,
);

/** What the listener modules register on a real Bolt App. */
function registrations() {
  const app = new App({
    token: "xoxb-test",
    signingSecret: "0123456789abcdef0123456789abcdef",
    tokenVerificationEnabled: false,
    logLevel: LogLevel.ERROR,
  });
  const seen = {
    events: [] as string[],
    commands: [] as string[],
    shortcuts: [] as string[],
    actions: [] as string[],
    functions: [] as string[],
  };
  vi.spyOn(app, "event").mockImplementation(((name: string) => seen.events.push(name)) as never);
  vi.spyOn(app, "command").mockImplementation(((name: string) => seen.commands.push(name)) as never);
  vi.spyOn(app, "shortcut").mockImplementation(((id: string) => seen.shortcuts.push(id)) as never);
  vi.spyOn(app, "action").mockImplementation(((id: string) => seen.actions.push(id)) as never);
  vi.spyOn(app, "function").mockImplementation(((id: string) => seen.functions.push(id)) as never);
  const deps = {} as SlackDeps;
  registerListeners(app, deps, { fileOrigins: [] });
  return seen;
}

describe("manifest.yml", () => {
  it("validates against Slack's official manifest schema", () => {
    const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("declares exactly the events, commands and shortcuts the code handles", () => {
    const code = registrations();
    expect(new Set(code.events)).toEqual(new Set(Object.keys(EVENTS)));
    expect(code.commands).toEqual([...COMMANDS]);
    expect(code.shortcuts).toEqual([...MESSAGE_SHORTCUTS]);
    expect(new Set(code.actions)).toEqual(new Set(ACTION_IDS));

    expect(new Set(manifest.settings.event_subscriptions.bot_events)).toEqual(
      new Set(Object.values(EVENTS).flat()),
    );
    expect(manifest.features.slash_commands?.map((c) => c.command)).toEqual([...COMMANDS]);
    expect(
      manifest.features.shortcuts?.filter((s) => s.type === "message").map((s) => s.callback_id),
    ).toEqual([...MESSAGE_SHORTCUTS]);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    // Workflow steps are declared under `functions`, and need an org-ready app.
    expect(code.functions).toEqual([...FUNCTIONS]);
    expect(Object.keys(manifest.functions ?? {})).toEqual([...FUNCTIONS]);
    expect(manifest.settings.org_deploy_enabled).toBe(true);
    // DMs reach the bot only with the Messages tab on.
    expect(manifest.features.app_home?.messages_tab_enabled).toBe(true);
  });

  it("requests exactly the scopes the code needs, including each event's scope", () => {
    const scopes = manifest.oauth_config.scopes.bot;
    expect([...scopes].sort()).toEqual(requiredScopes());
    for (const event of manifest.settings.event_subscriptions.bot_events) {
      const scope = EVENT_SCOPES[event];
      expect(scope, event).toBeDefined();
      if (scope) expect(scopes, event).toContain(scope);
    }
  });
});
