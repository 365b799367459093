// Builders for what Slack sends to an app: events (inner `event` objects and the `event_callback` envelope),
// slash command bodies and interactivity payloads. Field names and shapes follow Slack's payloads; the Bolt
// types they are checked against are type-only imports, so this module stays browser-safe.
import type { BlockAction, ButtonAction, MessageShortcut, SlashCommand, types } from "@slack/bolt";
import { DEFAULTS, hooksResponseUrl, nowTs, slackId, triggerId, uuid } from "./ids.js";

export type ChannelType = "channel" | "group" | "im" | "mpim";

/** The workspace/app a payload claims to come from; defaults match the fake Web API's defaults. */
export interface Workspace {
  teamId?: string;
  teamDomain?: string;
  appId?: string;
  botUserId?: string;
  botId?: string;
  /** Its Enterprise Grid org: envelopes carry it in `context_enterprise_id` and `authorizations`. */
  enterpriseId?: string;
}

/** A Slack file object as it appears in events and `files.info`. */
export interface SlackFile {
  id: string;
  created: number;
  timestamp: number;
  name: string;
  title: string;
  mimetype: string;
  filetype: string;
  pretty_type: string;
  user: string;
  user_team: string;
  editable: boolean;
  size: number;
  mode: "hosted" | "snippet" | "external" | "post";
  is_external: boolean;
  external_type: string;
  is_public: boolean;
  public_url_shared: boolean;
  display_as_bot: boolean;
  username: string;
  url_private: string;
  url_private_download: string;
  permalink: string;
  permalink_public: string;
  lines?: number;
  preview?: string;
  has_rich_preview: boolean;
  file_access: string;
}

export interface RichTextBlock {
  type: "rich_text";
  block_id: string;
  elements: Array<{
    type: "rich_text_section";
    elements: Array<{ type: "text"; text: string } | { type: "user"; user_id: string }>;
  }>;
}

/** What Slack's client attaches to a typed message: one rich_text section, `<@U…>` mentions as user elements. */
export function richTextFromText(text: string): RichTextBlock[] {
  const elements: RichTextBlock["elements"][number]["elements"] = [];
  const re = /<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g;
  let last = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m.index > last) elements.push({ type: "text", text: text.slice(last, m.index) });
    elements.push({ type: "user", user_id: m[1] ?? "" });
    last = m.index + m[0].length;
  }
  if (last < text.length) elements.push({ type: "text", text: text.slice(last) });
  return [
    {
      type: "rich_text",
      block_id: slackId("", 5).toLowerCase(),
      elements: [{ type: "rich_text_section", elements }],
    },
  ];
}

export function channelTypeOf(channel: string): ChannelType {
  if (channel.startsWith("D")) return "im";
  if (channel.startsWith("G")) return "group";
  return "channel";
}

function botProfile(ws: Workspace) {
  return {
    id: ws.botId ?? DEFAULTS.botId,
    app_id: ws.appId ?? DEFAULTS.appId,
    name: DEFAULTS.botName,
    icons: { image_36: "https://a.slack-edge.com/80588/img/plugins/app/bot_36.png" },
    deleted: false,
    updated: 1_732_400_000,
    team_id: ws.teamId ?? DEFAULTS.teamId,
  };
}

// ---------------------------------------------------------------------------------------------- events

export interface MessageEventInput extends Workspace {
  channel?: string;
  user?: string;
  text: string;
  ts?: string;
  thread_ts?: string;
  /** Derived from the channel id prefix (C/G/D) when omitted. */
  channel_type?: ChannelType;
  /** `file_share` is implied when `files` is given. */
  subtype?: string;
  /** Marks the message as posted by an app's bot (adds `app_id` and `bot_profile`, no `client_msg_id`). */
  bot_id?: string;
  files?: SlackFile[];
  blocks?: unknown[];
  /** For thread replies: author of the parent message. */
  parent_user_id?: string;
}

/** The inner `message` event (`message.channels`, `message.groups`, `message.im`). */
export interface MessageEventPayload {
  type: "message";
  subtype?: string;
  channel: string;
  user?: string;
  text: string;
  ts: string;
  event_ts: string;
  channel_type: ChannelType;
  team?: string;
  client_msg_id?: string;
  blocks?: unknown[];
  thread_ts?: string;
  parent_user_id?: string;
  bot_id?: string;
  app_id?: string;
  bot_profile?: ReturnType<typeof botProfile>;
  files?: SlackFile[];
  upload?: boolean;
  display_as_bot?: boolean;
}

export function messageEvent(input: MessageEventInput): MessageEventPayload {
  const channel = input.channel ?? DEFAULTS.channelId;
  const ts = input.ts ?? nowTs();
  const isBot = input.bot_id !== undefined;
  const subtype = input.subtype ?? (input.files?.length ? "file_share" : undefined);
  const event: MessageEventPayload = {
    type: "message",
    ...(subtype !== undefined ? { subtype } : {}),
    ...(isBot
      ? { user: input.user ?? input.botUserId ?? DEFAULTS.botUserId }
      : { user: input.user ?? DEFAULTS.userId, client_msg_id: uuid() }),
    text: input.text,
    ...(isBot
      ? { bot_id: input.bot_id, app_id: input.appId ?? DEFAULTS.appId, bot_profile: botProfile(input) }
      : {}),
    blocks: input.blocks ?? richTextFromText(input.text),
    team: input.teamId ?? DEFAULTS.teamId,
    ts,
    channel,
    event_ts: ts,
    channel_type: input.channel_type ?? channelTypeOf(channel),
  };
  if (input.files?.length) {
    event.files = input.files;
    event.upload = subtype === "file_share";
    event.display_as_bot = false;
  }
  if (input.thread_ts !== undefined) {
    event.thread_ts = input.thread_ts;
    if (input.thread_ts !== ts) event.parent_user_id = input.parent_user_id ?? input.user ?? DEFAULTS.userId;
  }
  return event;
}

export interface AppMentionInput extends Workspace {
  channel?: string;
  user?: string;
  /** Should contain `<@BOT_USER_ID>`; prepended when missing, as Slack only sends app_mention if it does. */
  text: string;
  ts?: string;
  thread_ts?: string;
  files?: SlackFile[];
}

export type AppMentionPayload = types.AppMentionEvent & {
  channel: string;
  event_ts: string;
  client_msg_id: string;
};

export function appMentionEvent(input: AppMentionInput): AppMentionPayload {
  const botUserId = input.botUserId ?? DEFAULTS.botUserId;
  const text = input.text.includes(`<@${botUserId}>`) ? input.text : `<@${botUserId}> ${input.text}`;
  const ts = input.ts ?? nowTs();
  const event: AppMentionPayload = {
    client_msg_id: uuid(),
    type: "app_mention",
    text,
    user: input.user ?? DEFAULTS.userId,
    ts,
    blocks: richTextFromText(text) as unknown as AppMentionPayload["blocks"],
    team: input.teamId ?? DEFAULTS.teamId,
    channel: input.channel ?? DEFAULTS.channelId,
    event_ts: ts,
  };
  if (input.thread_ts !== undefined) event.thread_ts = input.thread_ts;
  if (input.files?.length) event.files = input.files as unknown as AppMentionPayload["files"];
  return event;
}

export interface FunctionExecutedInput extends Workspace {
  callback_id: string;
  inputs?: Record<string, unknown>;
  title?: string;
  input_parameters?: types.FunctionExecutedEvent["function"]["input_parameters"];
  output_parameters?: types.FunctionExecutedEvent["function"]["output_parameters"];
  function_execution_id?: string;
  workflow_execution_id?: string;
  /** Short-lived workflow token (`xwfp-…`); Bolt uses it instead of the bot token for this function's calls. */
  bot_access_token?: string;
}

export function functionExecuted(input: FunctionExecutedInput): types.FunctionExecutedEvent {
  const ts = nowTs();
  return {
    type: "function_executed",
    function: {
      id: slackId("Fn"),
      callback_id: input.callback_id,
      title: input.title ?? input.callback_id,
      description: "",
      type: "app",
      input_parameters: input.input_parameters ?? [],
      output_parameters: input.output_parameters ?? [],
      app_id: input.appId ?? DEFAULTS.appId,
      date_created: 1_732_400_000,
      date_updated: 1_732_400_000,
      date_deleted: 0,
    },
    inputs: input.inputs ?? {},
    function_execution_id: input.function_execution_id ?? slackId("Fx"),
    workflow_execution_id: input.workflow_execution_id ?? slackId("Wx"),
    event_ts: ts,
    bot_access_token: input.bot_access_token ?? `xwfp-${slackId("", 10)}-${slackId("", 13)}`,
  };
}

/** `tokens_revoked`: the ids (not the tokens) of the users and bot users whose tokens were revoked. */
export function tokensRevokedEvent(tokens: { oauth?: string[]; bot?: string[] }): types.TokensRevokedEvent {
  return {
    type: "tokens_revoked",
    tokens: { ...(tokens.oauth ? { oauth: tokens.oauth } : {}), ...(tokens.bot ? { bot: tokens.bot } : {}) },
  };
}

/** `app_uninstalled`: the inner event is only its type; the envelope's `team_id` says which workspace. */
export function appUninstalledEvent(): types.AppUninstalledEvent {
  return { type: "app_uninstalled" };
}

export interface EnvelopeOptions extends Workspace {
  eventId?: string;
  eventTime?: number;
}

/** The `event_callback` body Slack POSTs to the Events API URL (and puts in an `events_api` envelope's payload). */
export interface EventCallback<E = unknown> {
  token: string;
  team_id: string;
  context_team_id: string;
  context_enterprise_id: string | null;
  api_app_id: string;
  event: E;
  type: "event_callback";
  event_id: string;
  event_time: number;
  authorizations: Array<{
    enterprise_id: string | null;
    team_id: string;
    user_id: string;
    is_bot: boolean;
    is_enterprise_install: boolean;
  }>;
  is_ext_shared_channel: boolean;
  event_context: string;
}

export function eventCallback<E extends { type: string }>(
  event: E,
  opts: EnvelopeOptions = {},
): EventCallback<E> {
  const teamId = opts.teamId ?? DEFAULTS.teamId;
  const appId = opts.appId ?? DEFAULTS.appId;
  const enterpriseId = opts.enterpriseId ?? null;
  const channel = (event as { channel?: unknown }).channel;
  const context = {
    et: event.type,
    tid: teamId,
    aid: appId,
    ...(typeof channel === "string" ? { cid: channel } : {}),
  };
  return {
    token: DEFAULTS.verificationToken,
    team_id: teamId,
    context_team_id: teamId,
    context_enterprise_id: enterpriseId,
    api_app_id: appId,
    event,
    type: "event_callback",
    event_id: opts.eventId ?? slackId("Ev"),
    event_time: opts.eventTime ?? Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: enterpriseId,
        team_id: teamId,
        user_id: opts.botUserId ?? DEFAULTS.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${btoa(JSON.stringify(context))}`,
  };
}

// ------------------------------------------------------------------------------------- slash commands

export interface SlashCommandInput extends Workspace {
  command?: string;
  text?: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  response_url?: string;
  trigger_id?: string;
}

/** Where the app should answer a command or click, given who and where: the fake's response_url. */
export type ResponseUrlFor = (context: { channel: string; user: string }) => string;

/** A slash command body whose response_url, when the input has none, comes from `responseUrl`. */
export function slashCommandWithResponseUrl(
  input: SlashCommandInput,
  workspace: Workspace,
  responseUrl?: ResponseUrlFor,
): SlashCommand {
  const channel = input.channel_id ?? DEFAULTS.channelId;
  const user = input.user_id ?? DEFAULTS.userId;
  const url = input.response_url ?? responseUrl?.({ channel, user });
  return slashCommand({ ...workspace, ...input, ...(url !== undefined ? { response_url: url } : {}) });
}

/** Body of a slash command request (every value a string, as in the form-encoded original). */
export function slashCommand(input: SlashCommandInput = {}): SlashCommand {
  const teamId = input.teamId ?? DEFAULTS.teamId;
  const channelId = input.channel_id ?? DEFAULTS.channelId;
  return {
    token: DEFAULTS.verificationToken,
    team_id: teamId,
    team_domain: input.teamDomain ?? DEFAULTS.teamDomain,
    channel_id: channelId,
    channel_name: input.channel_name ?? (channelId.startsWith("D") ? "directmessage" : DEFAULTS.channelName),
    user_id: input.user_id ?? DEFAULTS.userId,
    user_name: input.user_name ?? DEFAULTS.userName,
    command: input.command ?? "/triage",
    text: input.text ?? "",
    api_app_id: input.appId ?? DEFAULTS.appId,
    is_enterprise_install: "false",
    response_url: input.response_url ?? hooksResponseUrl("commands", teamId),
    trigger_id: input.trigger_id ?? triggerId(),
  };
}

// -------------------------------------------------------------------------------------- interactivity

export interface UserRef {
  id: string;
  username?: string;
}

export interface ChannelRef {
  id: string;
  name?: string;
}

/** A message as it appears inside interactivity payloads (no `channel`, no `event_ts`). */
export interface PayloadMessage {
  type: "message";
  ts: string;
  text?: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  thread_ts?: string;
  blocks?: unknown[];
  team?: string;
  [key: string]: unknown;
}

function userObject(user: UserRef | string | undefined, teamId: string) {
  const ref = typeof user === "string" ? { id: user } : (user ?? { id: DEFAULTS.userId });
  const username = ref.username ?? (ref.id === DEFAULTS.userId ? DEFAULTS.userName : ref.id.toLowerCase());
  return { id: ref.id, username, name: username, team_id: teamId };
}

function channelObject(channel: ChannelRef | string | undefined) {
  const ref = typeof channel === "string" ? { id: channel } : (channel ?? { id: DEFAULTS.channelId });
  const name = ref.name ?? (ref.id.startsWith("D") ? "directmessage" : DEFAULTS.channelName);
  return { id: ref.id, name };
}

/** Anything message-shaped: a `messageEvent()`, a fake API's stored message, a `PayloadMessage`. */
export interface MessageLike {
  type: "message";
  ts: string;
  text?: string;
  user?: string;
  thread_ts?: string;
}

/** Drop fields Slack does not include in interactivity `message` objects. */
function asPayloadMessage(message: MessageLike): PayloadMessage {
  const {
    channel: _c,
    event_ts: _e,
    channel_type: _t,
    ...rest
  } = message as MessageLike & Partial<MessageEventPayload>;
  return rest as PayloadMessage;
}

export interface MessageShortcutInput extends Workspace {
  callback_id: string;
  message: MessageLike;
  channel?: ChannelRef | string;
  user?: UserRef | string;
  trigger_id?: string;
  response_url?: string;
}

// Bolt's types say `enterprise?: {…}`, but Slack sends `enterprise: null` for non-Grid workspaces.
export type MessageShortcutPayload = Omit<MessageShortcut, "enterprise"> & { enterprise: null };
export type BlockActionPayload = Omit<BlockAction<ButtonAction>, "enterprise"> & { enterprise: null };

/** A message shortcut ("message action") payload, `type: "message_action"`. */
export function messageShortcut(input: MessageShortcutInput): MessageShortcutPayload {
  const teamId = input.teamId ?? DEFAULTS.teamId;
  const message = asPayloadMessage(input.message);
  return {
    type: "message_action",
    token: DEFAULTS.verificationToken,
    action_ts: nowTs(),
    team: { id: teamId, domain: input.teamDomain ?? DEFAULTS.teamDomain },
    user: userObject(input.user, teamId),
    channel: channelObject(input.channel),
    is_enterprise_install: false,
    enterprise: null,
    callback_id: input.callback_id,
    trigger_id: input.trigger_id ?? triggerId(),
    response_url: input.response_url ?? hooksResponseUrl("actions", teamId),
    message_ts: message.ts,
    message: message as MessageShortcut["message"],
  };
}

export interface BlockActionInput extends Workspace {
  action_id: string;
  value?: string;
  block_id?: string;
  /** Button label; defaults to the value. */
  text?: string;
  user?: UserRef | string;
  channel?: ChannelRef | string;
  /** The message holding the button; omit for actions in a modal or App Home (pass `container`). */
  message?: MessageLike;
  container?: Record<string, unknown>;
  response_url?: string;
  trigger_id?: string;
  state?: BlockAction["state"];
  /** The whole action element, for anything but a plain button (a select's `selected_option`, say). */
  action?: Record<string, unknown>;
  /** The view holding the element (App Home or a modal): Slack sends it whole, and no response_url. */
  view?: Record<string, unknown>;
}

/** A `block_actions` payload for a button click. */
export function blockAction(input: BlockActionInput): BlockActionPayload {
  const teamId = input.teamId ?? DEFAULTS.teamId;
  const channel = channelObject(input.channel);
  const message = input.message ? asPayloadMessage(input.message) : undefined;
  const actionTs = nowTs();
  const container =
    input.container ??
    (message
      ? {
          type: "message",
          message_ts: message.ts,
          channel_id: channel.id,
          is_ephemeral: false,
          ...(message.thread_ts !== undefined ? { thread_ts: message.thread_ts } : {}),
        }
      : { type: "message", channel_id: channel.id, is_ephemeral: true, message_ts: actionTs });
  const payload: BlockActionPayload = {
    type: "block_actions",
    user: userObject(input.user, teamId),
    api_app_id: input.appId ?? DEFAULTS.appId,
    token: DEFAULTS.verificationToken,
    container,
    trigger_id: input.trigger_id ?? triggerId(),
    team: { id: teamId, domain: input.teamDomain ?? DEFAULTS.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel,
    state: input.state ?? { values: {} },
    response_url: input.response_url ?? hooksResponseUrl("actions", teamId),
    actions: [
      (input.action ?? {
        action_id: input.action_id,
        block_id: input.block_id ?? slackId("", 5).toLowerCase(),
        text: { type: "plain_text", text: input.text ?? input.value ?? input.action_id, emoji: true },
        ...(input.value !== undefined ? { value: input.value } : {}),
        type: "button",
        action_ts: actionTs,
      }) as unknown as BlockActionPayload["actions"][number],
    ],
  };
  if (message) payload.message = message as NonNullable<BlockAction["message"]>;
  if (input.view) {
    (payload as { view?: unknown }).view = input.view;
    delete (payload as { response_url?: string }).response_url;
  }
  return payload;
}

export interface ViewSubmissionInput extends Workspace {
  /** The submitted view as stored by the Web API (id, callback_id, blocks, private_metadata, hash, ...). */
  view: Record<string, unknown>;
  /** `view.state.values`: block_id → action_id → element state, as Slack builds it from the form. */
  values: Record<string, Record<string, unknown>>;
  user?: UserRef | string;
  trigger_id?: string;
}

/** A `view_submission` payload: the user pressed a modal's submit button. */
export function viewSubmission(input: ViewSubmissionInput) {
  const teamId = input.teamId ?? DEFAULTS.teamId;
  return {
    type: "view_submission" as const,
    team: { id: teamId, domain: input.teamDomain ?? DEFAULTS.teamDomain },
    user: userObject(input.user, teamId),
    api_app_id: input.appId ?? DEFAULTS.appId,
    token: DEFAULTS.verificationToken,
    trigger_id: input.trigger_id ?? triggerId(),
    view: { ...input.view, state: { values: input.values } },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}
