/** The modal in which a helpdesk admin sets a channel's noise controls (opened from App Home). Pure. */
import type { ChannelSettings } from "../store/store.js";
import { SETTINGS_MODAL_CALLBACK } from "./ids.js";

export const SETTINGS_FIELDS = {
  channel: { block: "settings_channel", action: "channel" },
  mode: { block: "settings_mode", action: "mode" },
  minScore: { block: "settings_min_score", action: "min_score" },
  cooldown: { block: "settings_cooldown", action: "cooldown" },
} as const;

const MODE_LABELS: Record<ChannelSettings["mode"], string> = {
  off: "Off: silent, also when mentioned",
  mentions: "Mentions only",
  errors: "All error pastes",
  all: "Every message",
};

const option = (mode: ChannelSettings["mode"]) => ({
  text: { type: "plain_text", text: MODE_LABELS[mode] },
  value: mode,
});

export function settingsModal(defaults: Pick<ChannelSettings, "mode" | "minScore" | "cooldownMinutes">) {
  return {
    type: "modal" as const,
    callback_id: SETTINGS_MODAL_CALLBACK,
    title: { type: "plain_text" as const, text: "Channel settings" },
    submit: { type: "plain_text" as const, text: "Save" },
    close: { type: "plain_text" as const, text: "Cancel" },
    blocks: [
      {
        type: "input",
        block_id: SETTINGS_FIELDS.channel.block,
        label: { type: "plain_text", text: "Channel" },
        element: {
          type: "conversations_select",
          action_id: SETTINGS_FIELDS.channel.action,
          filter: { include: ["public", "private"] },
        },
      },
      {
        type: "input",
        block_id: SETTINGS_FIELDS.mode.block,
        label: { type: "plain_text", text: "When should I answer?" },
        element: {
          type: "static_select",
          action_id: SETTINGS_FIELDS.mode.action,
          initial_option: option(defaults.mode),
          options: (["off", "mentions", "errors", "all"] as const).map(option),
        },
      },
      {
        type: "input",
        block_id: SETTINGS_FIELDS.minScore.block,
        label: { type: "plain_text", text: "Confidence needed to answer unasked (0–1)" },
        element: {
          type: "plain_text_input",
          action_id: SETTINGS_FIELDS.minScore.action,
          initial_value: String(defaults.minScore),
        },
      },
      {
        type: "input",
        block_id: SETTINGS_FIELDS.cooldown.block,
        label: { type: "plain_text", text: "Cooldown for a repeated error (minutes, 0 = none)" },
        element: {
          type: "plain_text_input",
          action_id: SETTINGS_FIELDS.cooldown.action,
          initial_value: String(defaults.cooldownMinutes),
        },
      },
    ],
  };
}

type StateValues = Record<
  string,
  Record<
    string,
    {
      selected_conversation?: string | null;
      selected_option?: { value?: string } | null;
      value?: string | null;
    }
  >
>;

/** The settings a submitted modal asks for, or the errors to show next to its fields (`response_action: errors`). */
export function readSettingsSubmission(
  values: StateValues,
):
  | { ok: true; settings: Pick<ChannelSettings, "channel" | "mode" | "minScore" | "cooldownMinutes"> }
  | { ok: false; errors: Record<string, string> } {
  const f = SETTINGS_FIELDS;
  const channel = values[f.channel.block]?.[f.channel.action]?.selected_conversation ?? "";
  const mode = values[f.mode.block]?.[f.mode.action]?.selected_option?.value ?? "";
  const minScore = (values[f.minScore.block]?.[f.minScore.action]?.value ?? "").trim();
  const cooldown = (values[f.cooldown.block]?.[f.cooldown.action]?.value ?? "").trim();
  const errors: Record<string, string> = {};
  if (!/^[CG][A-Z0-9]{6,}$/.test(channel)) errors[f.channel.block] = "Pick a channel.";
  if (!["off", "mentions", "errors", "all"].includes(mode))
    errors[f.mode.block] = "Pick when I should answer.";
  if (!/^(0(\.\d+)?|1(\.0+)?)$/.test(minScore)) errors[f.minScore.block] = "A number from 0 to 1, e.g. 0.8.";
  if (!/^\d{1,4}$/.test(cooldown)) errors[f.cooldown.block] = "Whole minutes, 0 for none.";
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      channel,
      mode: mode as ChannelSettings["mode"],
      minScore: Number(minScore),
      cooldownMinutes: Number(cooldown),
    },
  };
}
