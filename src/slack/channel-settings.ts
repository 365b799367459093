/**
 * Noise control per channel: mode, the confidence an unasked answer needs, and a cooldown for repeats. Set by
 * helpdesk admins with `/triage settings …`, stored in the database, defaults from the environment.
 */
import type { WebClient } from "@slack/web-api";
import type { ChannelSettings } from "../store/store.js";
import type { SlackDeps } from "./triage.js";

export type ChannelDefaults = Omit<ChannelSettings, "channel" | "updatedBy" | "updatedAt">;

export const BUILT_IN_DEFAULTS: ChannelDefaults = { mode: "errors", minScore: 0.72, cooldownMinutes: 10 };

/** The settings in force in a channel: an admin's, else the defaults (TRIAGE_CHANNELS means mode `all`). */
export async function settingsFor(deps: SlackDeps, channel: string): Promise<ChannelSettings> {
  const stored = await deps.store?.channelSettings(channel).catch((error: unknown) => {
    deps.logger.error({ err: error, channel }, "could not read channel settings");
    return undefined;
  });
  if (stored) return stored;
  const defaults = deps.channelDefaults ?? BUILT_IN_DEFAULTS;
  return {
    channel,
    ...defaults,
    mode: deps.triageChannels.has(channel) ? "all" : defaults.mode,
    updatedBy: null,
    updatedAt: 0,
  };
}

/** ADMIN_USERS, or a workspace admin or owner (users.info). */
export async function isAdmin(deps: SlackDeps, client: WebClient, user: string): Promise<boolean> {
  if (deps.adminUsers?.has(user)) return true;
  const info = await client.users.info({ user }).catch(() => null);
  return Boolean(info?.user?.is_admin || info?.user?.is_owner);
}

export type SettingsChange =
  | { kind: "show" }
  | { kind: "set"; change: Partial<ChannelDefaults> }
  | { kind: "invalid"; message: string };

const MODES = ["off", "mentions", "errors", "all"] as const;

/** `settings`, `settings mode errors`, `settings min-score 0.8`, `settings cooldown 15`. */
export function parseSettingsCommand(words: string[]): SettingsChange {
  if (words.length === 0) return { kind: "show" };
  const [name, value] = words;
  if (name === "mode" && MODES.includes(value as (typeof MODES)[number])) {
    return { kind: "set", change: { mode: value as ChannelSettings["mode"] } };
  }
  if ((name === "min-score" || name === "confidence") && value && /^(0(\.\d+)?|1(\.0+)?)$/.test(value)) {
    return { kind: "set", change: { minScore: Number(value) } };
  }
  if (name === "cooldown" && value && /^\d{1,4}$/.test(value)) {
    return { kind: "set", change: { cooldownMinutes: Number(value) } };
  }
  return {
    kind: "invalid",
    message:
      "Use `/triage settings` to see this channel's settings, or `/triage settings mode off|mentions|errors|all`, `/triage settings min-score 0.8`, `/triage settings cooldown 10` (minutes, 0 for none).",
  };
}

export function describeSettings(s: ChannelSettings, admin: boolean): string {
  const modes: Record<ChannelSettings["mode"], string> = {
    off: "off (I stay silent here, also when mentioned)",
    mentions: "mentions only",
    errors: "all error pastes",
    all: "every message",
  };
  return [
    `*Settings for <#${s.channel}>*${s.updatedBy ? ` (last changed by <@${s.updatedBy}>)` : " (defaults)"}`,
    `• Mode: ${modes[s.mode]}`,
    `• Confidence needed to answer unasked: ${Math.round(s.minScore * 100)} %`,
    `• Cooldown for a repeated error: ${s.cooldownMinutes === 0 ? "none" : `${s.cooldownMinutes} min`}`,
    admin ? "" : "_Only helpdesk admins can change these._",
  ]
    .filter(Boolean)
    .join("\n");
}
