// The fake workspace's state and Web API semantics, independent of any transport: `web-api.ts` puts it behind
// node:http; a browser sandbox can call `handle()` directly. No Node imports here.
import { ChannelMessages } from "./channel-messages.js";
import { DEFAULTS, parseTs, randomDigits, randomHex, randomToken, slackId, TsClock } from "./ids.js";
import type { SlackFile, Workspace } from "./payloads.js";

export type Args = Record<string, unknown>;

export interface Reaction {
  name: string;
  count: number;
  users: string[];
}

export interface SlackMessage {
  type: "message";
  subtype?: string;
  ts: string;
  text: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  team?: string;
  thread_ts?: string;
  parent_user_id?: string;
  reply_count?: number;
  reply_users?: string[];
  reply_users_count?: number;
  latest_reply?: string;
  is_locked?: boolean;
  subscribed?: boolean;
  blocks?: unknown[];
  attachments?: unknown[];
  files?: SlackFile[];
  metadata?: unknown;
  edited?: { user: string; ts: string };
  bot_profile?: Record<string, unknown>;
  reactions?: Reaction[];
}

export interface SlackChannel {
  id: string;
  name: string;
  is_channel: boolean;
  is_group: boolean;
  is_im: boolean;
  is_mpim: boolean;
  is_private: boolean;
  is_archived: boolean;
  is_general: boolean;
  is_member: boolean;
  is_ext_shared: boolean;
  is_org_shared: boolean;
  created: number;
  creator: string;
  context_team_id: string;
  user?: string;
  topic: { value: string; creator: string; last_set: number };
  purpose: { value: string; creator: string; last_set: number };
}

export interface SlackUser {
  id: string;
  team_id: string;
  name: string;
  deleted: boolean;
  real_name: string;
  tz: string;
  tz_label: string;
  tz_offset: number;
  is_admin: boolean;
  is_owner: boolean;
  is_bot: boolean;
  is_app_user: boolean;
  is_restricted: boolean;
  is_ultra_restricted: boolean;
  updated: number;
  profile: Record<string, unknown>;
}

export interface SlackView {
  id: string;
  team_id: string;
  type: string;
  title?: unknown;
  submit?: unknown;
  close?: unknown;
  blocks: unknown[];
  private_metadata: string;
  callback_id: string;
  external_id: string;
  state: { values: Record<string, unknown> };
  hash: string;
  clear_on_close: boolean;
  notify_on_close: boolean;
  root_view_id: string;
  previous_view_id: string | null;
  app_id: string;
  app_installed_team_id: string;
  bot_id: string;
}

export interface EphemeralMessage {
  channel: string;
  user: string;
  message_ts: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
}

export interface Failure {
  /** Slack error code for an `ok:false` reply; defaults by status (`ratelimited` for 429). */
  error?: string;
  /** HTTP status; 429 when only `retryAfter` is given, else 200. */
  status?: number;
  /** Seconds, sent as `Retry-After` (429 only). */
  retryAfter?: number;
  /** How many consecutive calls fail (default 1). */
  times?: number;
  /**
   * Answer this many milliseconds late (a slow or hanging Slack): alone, the call then succeeds as usual;
   * with `error`/`status`/`retryAfter` it fails after the delay.
   */
  delayMs?: number;
  /** Fail this workspace's calls (the fake Web API's `failNext`); default: the default workspace. */
  team?: string;
}

/** Where a `response_url` came from: who and where, and the message (channel or ephemeral) that produced it. */
export interface ResponseUrlContext {
  channel?: string;
  user?: string;
  /** The channel message holding the clicked button: `replace_original` / `delete_original` act on it. */
  messageTs?: string;
  /** The ephemeral message holding the clicked button. */
  ephemeralTs?: string;
  /** Replies that are not replacements go to this thread. */
  threadTs?: string;
  /** The workspace the click or command happened in; default: the fake Web API's default workspace. */
  team?: string;
}

export interface ApiReply {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** Send the reply this late (failure injection). */
  delayMs?: number;
}

export interface WorkspaceOptions {
  teamId?: string;
  teamDomain?: string;
  teamName?: string;
  /** Set for a workspace in an Enterprise Grid org: `auth.test` and OAuth answers then name it. */
  enterpriseId?: string;
  enterpriseName?: string;
  appId?: string;
  botUserId?: string;
  botId?: string;
  /** The install's bot token (valid from the start unless `installed` is false). */
  botToken?: string;
  appToken?: string;
  /** False: the app is not installed yet, so no bot token works until an OAuth install (default true). */
  installed?: boolean;
  /** The seeded #general channel (default `DEFAULTS.channelId`). */
  generalChannelId?: string;
  /**
   * Channel ids that exist in another workspace: this one answers `channel_not_found` for them instead of
   * creating them on first use, so a workspace's token cannot see another's channels.
   */
  isForeignChannel?: (id: string) => boolean;
  /** App-level methods called without a token (`oauth.v2.access`), served with this workspace's failures. */
  tokenlessMethods?: Record<string, (args: Args) => Record<string, unknown>>;
  /** What `apps.connections.open` returns as `url`. */
  socketUrl?: () => string;
  /** Message timestamps follow the wall clock (the sandbox) instead of a fixed epoch (tests). */
  wallClock?: boolean;
  /** Origin used in `url_private` links, e.g. `http://127.0.0.1:1234`. */
  fileOrigin?: () => string;
}

export interface AddMessageInput {
  channel: string;
  user?: string;
  text: string;
  ts?: string;
  thread_ts?: string;
  bot_id?: string;
  subtype?: string;
  blocks?: unknown[];
  files?: SlackFile[];
}

export interface AddFileInput {
  name: string;
  filetype?: string;
  content: string | Uint8Array;
  title?: string;
  user?: string;
  mimetype?: string;
}

export interface AddUserInput {
  id: string;
  name?: string;
  real_name?: string;
  email?: string;
  tz?: string;
  is_bot?: boolean;
}

export interface AddChannelInput {
  id: string;
  name?: string;
  is_private?: boolean;
  /** For DMs (`D…` ids): the other member. */
  user?: string;
  topic?: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

/** Answer the current Web API call with `ok: false` and this error. */
export function fail(code: string, extra?: Record<string, unknown>): never {
  throw new ApiError(code, extra);
}

export function str(args: Args, key: string): string | undefined {
  const v = args[key];
  if (typeof v === "string" && v !== "") return v;
  if (typeof v === "number") return String(v);
  return undefined;
}

function bool(args: Args, key: string): boolean {
  const v = args[key];
  return v === true || v === "true" || v === "1" || v === 1;
}

/** Slack returns a message's metadata from conversations.history/replies only when asked to. */
function withMetadataIf(message: SlackMessage, args: Args): SlackMessage {
  if (bool(args, "include_all_metadata") || message.metadata === undefined) return message;
  const { metadata: _, ...rest } = message;
  return rest;
}

function asArray(args: Args, key: string, formatError: string): unknown[] | undefined {
  const v = args[key];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v === "string") fail(formatError);
  if (!Array.isArray(v)) fail(formatError);
  return v;
}

const FILE_TYPES: Record<string, { mimetype: string; pretty: string }> = {
  text: { mimetype: "text/plain", pretty: "Plain Text" },
  markdown: { mimetype: "text/markdown", pretty: "Markdown (raw)" },
  json: { mimetype: "application/json", pretty: "JSON" },
  csv: { mimetype: "text/csv", pretty: "CSV" },
  xml: { mimetype: "application/xml", pretty: "XML" },
  html: { mimetype: "text/html", pretty: "HTML" },
  log: { mimetype: "text/plain", pretty: "Plain Text" },
  pdf: { mimetype: "application/pdf", pretty: "PDF" },
  png: { mimetype: "image/png", pretty: "PNG" },
  binary: { mimetype: "application/octet-stream", pretty: "Binary" },
};

/** Block Kit limits Slack enforces with `invalid_blocks`; returns Slack-style `[ERROR] …` messages. */
export function validateBlocks(blocks: unknown[], maxBlocks: number): string[] {
  const errors: string[] = [];
  if (blocks.length > maxBlocks)
    errors.push(`[ERROR] no more than ${maxBlocks} items allowed [json-pointer:/blocks]`);
  const seenIds = new Set<string>();
  const textLen = (v: unknown): number => {
    const text = typeof v === "object" && v !== null ? (v as { text?: unknown }).text : undefined;
    return typeof text === "string" ? text.length : 0;
  };
  blocks.forEach((raw, i) => {
    const at = `/blocks/${i}`;
    if (typeof raw !== "object" || raw === null || typeof (raw as { type?: unknown }).type !== "string") {
      errors.push(`[ERROR] missing required field: type [json-pointer:${at}]`);
      return;
    }
    const block = raw as Record<string, unknown>;
    const blockId = block.block_id;
    if (typeof blockId === "string") {
      if (blockId.length > 255)
        errors.push(`[ERROR] must be less than 256 characters [json-pointer:${at}/block_id]`);
      if (seenIds.has(blockId)) errors.push(`[ERROR] duplicate block_id [json-pointer:${at}/block_id]`);
      seenIds.add(blockId);
    }
    switch (block.type) {
      case "section": {
        if (block.text === undefined && block.fields === undefined && block.accessory === undefined)
          errors.push(`[ERROR] must provide either text or fields [json-pointer:${at}]`);
        if (textLen(block.text) > 3000)
          errors.push(`[ERROR] must be less than 3001 characters [json-pointer:${at}/text/text]`);
        if (block.text !== undefined && textLen(block.text) === 0)
          errors.push(`[ERROR] must be more than 0 characters [json-pointer:${at}/text/text]`);
        if (Array.isArray(block.fields)) {
          if (block.fields.length > 10)
            errors.push(`[ERROR] no more than 10 items allowed [json-pointer:${at}/fields]`);
          block.fields.forEach((f, j) => {
            if (textLen(f) > 2000)
              errors.push(`[ERROR] must be less than 2001 characters [json-pointer:${at}/fields/${j}/text]`);
          });
        }
        break;
      }
      case "header": {
        const text = block.text as { type?: unknown } | undefined;
        if (text?.type !== "plain_text")
          errors.push(`[ERROR] must be a plain_text object [json-pointer:${at}/text]`);
        if (textLen(text) > 150)
          errors.push(`[ERROR] must be less than 151 characters [json-pointer:${at}/text/text]`);
        break;
      }
      case "context":
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 10)
          errors.push(`[ERROR] must contain between 1 and 10 elements [json-pointer:${at}/elements]`);
        break;
      case "actions":
        if (!Array.isArray(block.elements) || block.elements.length === 0 || block.elements.length > 25)
          errors.push(`[ERROR] must contain between 1 and 25 elements [json-pointer:${at}/elements]`);
        break;
    }
  });
  return errors;
}

interface StoredFile {
  file: SlackFile;
  content: Uint8Array;
}

/** Methods the fake implements; anything else is `unknown_method`, as on Slack. */
const APP_TOKEN_METHODS = new Set(["apps.connections.open"]);

type TokenKind = "bot" | "user" | "app";

interface TokenRecord {
  kind: TokenKind;
  /** The bot user for bot tokens, the authorizing user for user tokens. */
  userId: string;
  scopes: string[];
  /** Why the token stopped working: `auth.revoke`, or the app's uninstall. */
  revoked?: "token_revoked" | "account_inactive";
}

/** What an OAuth install granted: the tokens it issued (or kept, on a reinstall) and their scopes. */
export interface InstallGrant {
  botToken?: string;
  botScopes: string[];
  userToken?: string;
  userScopes: string[];
}

/** Who lost their tokens in an uninstall: the `tokens` of Slack's `tokens_revoked` event. */
export interface RevokedTokens {
  /** Users whose user tokens were revoked. */
  oauth: string[];
  /** Bot users whose bot tokens were revoked. */
  bot: string[];
}

function botTokenFor(): string {
  return `xoxb-${randomDigits(13)}-${randomDigits(13)}-${randomToken(24)}`;
}

function userTokenFor(): string {
  return `xoxp-${randomDigits(13)}-${randomDigits(13)}-${randomDigits(13)}-${randomHex(32)}`;
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}

export class FakeWorkspace {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly teamName: string;
  readonly enterpriseId: string | undefined;
  readonly enterpriseName: string | undefined;
  readonly appId: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appToken: string;
  readonly generalChannelId: string;
  socketUrl: (() => string) | undefined;
  private readonly fileOrigin: () => string;
  private readonly isForeignChannel: (id: string) => boolean;
  private readonly tokenless: Record<string, (args: Args) => Record<string, unknown>>;
  private readonly initialBotToken: string;
  private readonly installedAtStart: boolean;
  private currentBotToken: string;
  private tokens = new Map<string, TokenRecord>();
  private userTokens = new Map<string, string>();

  private readonly clock: TsClock;
  private messagesByChannel = new Map<string, ChannelMessages<SlackMessage>>();
  private reactionsByMessage = new Map<string, Map<string, string[]>>();
  private channels = new Map<string, SlackChannel>();
  private users = new Map<string, SlackUser>();
  private files = new Map<string, StoredFile>();
  private viewsById = new Map<string, SlackView>();
  // Home tabs are per user; kept beside the view store because SlackView mirrors Slack's shape.
  private homeOwner = new Map<string, string>();
  private failures = new Map<string, Failure[]>();
  readonly ephemerals: EphemeralMessage[] = [];

  private readonly handlers: Record<string, (args: Args, token: string) => Record<string, unknown>>;

  constructor(options: WorkspaceOptions = {}) {
    this.teamId = options.teamId ?? DEFAULTS.teamId;
    this.teamDomain = options.teamDomain ?? DEFAULTS.teamDomain;
    this.teamName = options.teamName ?? DEFAULTS.teamName;
    this.enterpriseId = options.enterpriseId;
    this.enterpriseName =
      options.enterpriseName ?? (options.enterpriseId !== undefined ? `${this.teamName} Org` : undefined);
    this.appId = options.appId ?? DEFAULTS.appId;
    this.botUserId = options.botUserId ?? DEFAULTS.botUserId;
    this.botId = options.botId ?? DEFAULTS.botId;
    this.initialBotToken = options.botToken ?? DEFAULTS.botToken;
    this.currentBotToken = this.initialBotToken;
    this.installedAtStart = options.installed !== false;
    this.appToken = options.appToken ?? DEFAULTS.appToken;
    this.generalChannelId = options.generalChannelId ?? DEFAULTS.channelId;
    this.socketUrl = options.socketUrl;
    this.fileOrigin = options.fileOrigin ?? (() => "https://files.slack.com");
    this.isForeignChannel = options.isForeignChannel ?? (() => false);
    this.tokenless = options.tokenlessMethods ?? {};
    this.clock = options.wallClock ? new TsClock(Date.now() * 1000, 100, true) : new TsClock();
    this.handlers = this.buildHandlers();
    this.resetTokens();
    this.seedDefaults();
  }

  /**
   * The install's bot token: the one it started with, or the one the latest OAuth install issued. On a
   * workspace created with `installed: false`, the token the first install will issue.
   */
  get botToken(): string {
    return this.currentBotToken;
  }

  /** Whether any bot or user token of the app's install in this workspace still works. */
  get installed(): boolean {
    for (const record of this.tokens.values()) if (record.kind !== "app" && !record.revoked) return true;
    return false;
  }

  /** This workspace as payload builders and senders take it: events "from" it carry its team and bot user. */
  identity(): Workspace {
    return {
      teamId: this.teamId,
      teamDomain: this.teamDomain,
      appId: this.appId,
      botUserId: this.botUserId,
      botId: this.botId,
      ...(this.enterpriseId !== undefined ? { enterpriseId: this.enterpriseId } : {}),
    };
  }

  /** Whether the token was ever valid here (revoked ones included), so the Web API can route calls to us. */
  ownsToken(token: string): boolean {
    return this.tokens.has(token);
  }

  /** A token that works now, for `url_private` downloads: a bot or user token of this workspace. */
  acceptsToken(token: string | undefined): boolean {
    if (token === undefined) return false;
    const record = this.tokens.get(token);
    return record !== undefined && record.kind !== "app" && !record.revoked;
  }

  /**
   * An OAuth install (or reinstall) of the app: as on Slack, a reinstall keeps the tokens that still work and
   * adds the newly granted scopes; after an uninstall or revoke it issues new ones.
   */
  install(grant: { userId: string; scopes: string[]; userScopes: string[] }): InstallGrant {
    const result: InstallGrant = { botScopes: [], userScopes: [] };
    if (grant.scopes.length) {
      const current = this.tokens.get(this.currentBotToken);
      if (current?.kind === "bot" && !current.revoked) {
        current.scopes = union(current.scopes, grant.scopes);
      } else {
        // The planned token on a first install; a fresh one after the old was revoked.
        if (current) this.currentBotToken = botTokenFor();
        this.tokens.set(this.currentBotToken, { kind: "bot", userId: this.botUserId, scopes: grant.scopes });
      }
      result.botToken = this.currentBotToken;
      result.botScopes = [...(this.tokens.get(this.currentBotToken)?.scopes ?? [])];
    }
    if (grant.userScopes.length) {
      const existing = this.userTokens.get(grant.userId);
      const record = existing !== undefined ? this.tokens.get(existing) : undefined;
      let token = existing;
      if (token !== undefined && record && !record.revoked) {
        record.scopes = union(record.scopes, grant.userScopes);
      } else {
        token = userTokenFor();
        this.userTokens.set(grant.userId, token);
        this.tokens.set(token, { kind: "user", userId: grant.userId, scopes: grant.userScopes });
      }
      result.userToken = token;
      result.userScopes = [...(this.tokens.get(token)?.scopes ?? [])];
    }
    return result;
  }

  /**
   * The app is removed from the workspace: every bot and user token of its install stops working. Bot tokens
   * then answer `account_inactive` and user tokens `token_revoked`, as Slack's error docs describe for a
   * removed app. The app-level token is the app's, not the install's, and keeps working.
   */
  uninstall(): RevokedTokens {
    const revoked: RevokedTokens = { oauth: [], bot: [] };
    for (const record of this.tokens.values()) {
      if (record.kind === "app" || record.revoked) continue;
      record.revoked = record.kind === "bot" ? "account_inactive" : "token_revoked";
      const ids = record.kind === "bot" ? revoked.bot : revoked.oauth;
      if (!ids.includes(record.userId)) ids.push(record.userId);
    }
    return revoked;
  }

  /** `auth.revoke`: this one token stops working (`token_revoked`); the install and its other tokens stay. */
  revokeToken(token: string): boolean {
    const record = this.tokens.get(token);
    if (!record || record.kind === "app" || record.revoked) return false;
    record.revoked = "token_revoked";
    return true;
  }

  /** Whether a channel with this id exists here (for other workspaces' `isForeignChannel`). */
  hasChannel(id: string): boolean {
    return this.channels.has(id);
  }

  // ------------------------------------------------------------------------------------------ public

  get methods(): string[] {
    return Object.keys(this.handlers);
  }

  /** A fresh message timestamp from this workspace's clock. */
  nextTs(): string {
    return this.clock.next();
  }

  failNext(method: string, failure: Failure = {}): void {
    const queue = this.failures.get(method) ?? [];
    for (let i = 0; i < (failure.times ?? 1); i++) queue.push(failure);
    this.failures.set(method, queue);
  }

  /** Answer one Web API call as Slack would. `token` is from `Authorization: Bearer` or the `token` field. */
  handle(method: string, args: Args, token: string | undefined): ApiReply {
    const tokenless = this.tokenless[method];
    const handler: ((args: Args, token: string) => Record<string, unknown>) | undefined = tokenless
      ? (a) => tokenless(a)
      : this.handlers[method];
    if (!handler) return this.reply({ ok: false, error: "unknown_method" });

    const failure = this.failures.get(method)?.shift();
    if (!failure) return this.answer(method, handler, args, token);
    const delay = failure.delayMs ? { delayMs: failure.delayMs } : {};
    const onlySlow =
      failure.error === undefined && failure.status === undefined && failure.retryAfter === undefined;
    if (onlySlow && failure.delayMs !== undefined)
      return { ...this.answer(method, handler, args, token), ...delay };
    return { ...this.failureReply(failure), ...delay };
  }

  private answer(
    method: string,
    handler: (args: Args, token: string) => Record<string, unknown>,
    args: Args,
    token: string | undefined,
  ): ApiReply {
    if (this.tokenless[method]) return this.run(handler, args, token ?? "");
    if (!token) return this.reply({ ok: false, error: "not_authed" });
    const kind = this.tokenKind(token);
    if (kind === undefined) return this.reply({ ok: false, error: "invalid_auth" });
    if (typeof kind === "object") return this.reply({ ok: false, error: kind.error });
    if ((kind === "app") !== APP_TOKEN_METHODS.has(method)) {
      return this.reply({ ok: false, error: "not_allowed_token_type" });
    }
    return this.run(handler, args, token);
  }

  private run(
    handler: (args: Args, token: string) => Record<string, unknown>,
    args: Args,
    token: string,
  ): ApiReply {
    try {
      return this.reply({ ok: true, ...handler(args, token) });
    } catch (err) {
      if (err instanceof ApiError) return this.reply({ ok: false, error: err.code, ...err.extra });
      throw err;
    }
  }

  /**
   * A message posted to a `response_url` (from `respond()`), with Slack's semantics: `delete_original` and
   * `replace_original` act on the message the URL came from (a channel message or an ephemeral one);
   * otherwise `in_channel` posts to the channel (in the source's thread, if any) and anything else is a new
   * ephemeral message for the user.
   */
  handleResponseUrl(context: ResponseUrlContext, body: Args): void {
    const text = typeof body.text === "string" ? body.text : "";
    const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
    if (!context.channel) return;
    const original = bool(body, "delete_original")
      ? "delete"
      : bool(body, "replace_original")
        ? "replace"
        : null;
    if (original && context.ephemeralTs !== undefined) {
      const at = this.ephemerals.findIndex(
        (e) => e.message_ts === context.ephemeralTs && e.channel === context.channel,
      );
      if (at === -1) return;
      if (original === "delete") this.ephemerals.splice(at, 1);
      else this.ephemerals[at] = { ...(this.ephemerals[at] as EphemeralMessage), text, blocks: blocks ?? [] };
      return;
    }
    if (original && context.messageTs !== undefined) {
      const message = this.find(context.channel, context.messageTs);
      if (!message) return;
      if (original === "delete") {
        this.messagesByChannel.get(context.channel)?.remove(message);
      } else {
        message.text = text;
        message.blocks = blocks ?? [];
        message.edited = { user: this.botUserId, ts: this.clock.next() };
      }
      return;
    }
    const threadTs = typeof body.thread_ts === "string" ? body.thread_ts : context.threadTs;
    if (body.response_type === "in_channel") {
      this.store(context.channel, {
        ...this.botMessageFields(),
        text,
        ts: this.clock.next(),
        ...(blocks ? { blocks } : {}),
        ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
      });
    } else if (context.user) {
      this.ephemerals.push({
        channel: context.channel,
        user: context.user,
        message_ts: this.clock.next(),
        text,
        ...(blocks ? { blocks } : {}),
        ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
      });
    }
  }

  addMessage(input: AddMessageInput): SlackMessage {
    const channel = this.resolveChannel(input.channel);
    if (!channel) throw new Error(`addMessage: not a channel id: ${input.channel}`);
    const ts = input.ts ?? this.clock.next();
    if (parseTs(ts) === undefined)
      throw new Error(`addMessage: ts must look like "1732500000.000100": ${ts}`);
    this.clock.observe(ts);
    const isBot = input.bot_id !== undefined;
    const message: SlackMessage = {
      type: "message",
      ...(input.subtype ? { subtype: input.subtype } : {}),
      text: input.text,
      user: input.user ?? (isBot ? this.botUserId : DEFAULTS.userId),
      ...(isBot ? { bot_id: input.bot_id, app_id: this.appId } : {}),
      ts,
      team: this.teamId,
      ...(input.blocks ? { blocks: input.blocks } : {}),
      ...(input.files ? { files: input.files } : {}),
      ...(input.thread_ts ? { thread_ts: input.thread_ts } : {}),
    };
    return this.copy(this.store(channel.id, message));
  }

  addFile(input: AddFileInput): SlackFile {
    const id = slackId("F");
    const content =
      typeof input.content === "string" ? new TextEncoder().encode(input.content) : input.content;
    const filetype = input.filetype ?? "text";
    const type = FILE_TYPES[filetype] ?? { mimetype: "application/octet-stream", pretty: filetype };
    const now = Math.floor(Date.now() / 1000);
    const name = encodeURIComponent(input.name);
    const origin = this.fileOrigin();
    const text = typeof input.content === "string" ? input.content : undefined;
    const file: SlackFile = {
      id,
      created: now,
      timestamp: now,
      name: input.name,
      title: input.title ?? input.name,
      mimetype: input.mimetype ?? type.mimetype,
      filetype,
      pretty_type: type.pretty,
      user: input.user ?? DEFAULTS.userId,
      user_team: this.teamId,
      editable: text !== undefined,
      size: content.byteLength,
      mode: text !== undefined ? "snippet" : "hosted",
      is_external: false,
      external_type: "",
      is_public: true,
      public_url_shared: false,
      display_as_bot: false,
      username: "",
      url_private: `${origin}/files/${id}/${name}`,
      url_private_download: `${origin}/files/${id}/download/${name}`,
      permalink: `https://${this.teamDomain}.slack.com/files/${input.user ?? DEFAULTS.userId}/${id}/${name}`,
      permalink_public: `https://slack-files.com/${this.teamId}-${id}-${randomToken(10).toLowerCase()}`,
      has_rich_preview: false,
      file_access: "visible",
      ...(text !== undefined ? { lines: text.split("\n").length, preview: text.slice(0, 400) } : {}),
    };
    this.files.set(id, { file, content });
    return { ...file };
  }

  /** Content of a registered file, for the `url_private` endpoint. */
  fileContent(id: string): { file: SlackFile; content: Uint8Array } | undefined {
    return this.files.get(id);
  }

  addUser(input: AddUserInput): SlackUser {
    const name = input.name ?? input.id.toLowerCase();
    const realName = input.real_name ?? name;
    const user: SlackUser = {
      id: input.id,
      team_id: this.teamId,
      name,
      deleted: false,
      real_name: realName,
      tz: input.tz ?? "Europe/Amsterdam",
      tz_label: "Central European Time",
      tz_offset: 3600,
      is_admin: false,
      is_owner: false,
      is_bot: input.is_bot ?? false,
      is_app_user: false,
      is_restricted: false,
      is_ultra_restricted: false,
      updated: 1_732_400_000,
      profile: {
        real_name: realName,
        real_name_normalized: realName,
        display_name: name,
        display_name_normalized: name,
        ...(input.email ? { email: input.email } : {}),
        image_48: `https://avatars.slack-edge.com/${input.id}_48.png`,
        team: this.teamId,
        ...(input.is_bot && input.id === this.botUserId
          ? { bot_id: this.botId, api_app_id: this.appId }
          : {}),
      },
    };
    this.users.set(user.id, user);
    return structuredClone(user);
  }

  addChannel(input: AddChannelInput): SlackChannel {
    const isIm = input.id.startsWith("D");
    const isPrivate = input.is_private ?? (input.id.startsWith("G") || isIm);
    const empty = { value: "", creator: "", last_set: 0 };
    const channel: SlackChannel = {
      id: input.id,
      name: input.name ?? (isIm ? input.id : input.id.toLowerCase()),
      is_channel: !isIm && !isPrivate,
      is_group: !isIm && isPrivate,
      is_im: isIm,
      is_mpim: false,
      is_private: isPrivate,
      is_archived: false,
      is_general: input.id === this.generalChannelId,
      is_member: true,
      is_ext_shared: false,
      is_org_shared: false,
      created: 1_732_400_000,
      creator: isIm ? "" : DEFAULTS.userId,
      context_team_id: this.teamId,
      ...(isIm ? { user: input.user ?? DEFAULTS.userId } : {}),
      topic: input.topic
        ? { value: input.topic, creator: DEFAULTS.userId, last_set: 1_732_400_000 }
        : { ...empty },
      purpose: { ...empty },
    };
    this.channels.set(channel.id, channel);
    return structuredClone(channel);
  }

  /** All stored messages of a channel (top-level and replies), oldest first. */
  messages(channel: string): SlackMessage[] {
    return (this.messagesByChannel.get(channel)?.all() ?? []).map((m) => this.copy(m, channel));
  }

  /** Parent and replies of a thread, oldest first (empty if unknown). */
  thread(channel: string, ts: string): SlackMessage[] {
    const list = this.messagesByChannel.get(channel);
    if (!list) return [];
    // A thread the fake knows only by its replies (events sent straight to the app) is still a thread.
    const root = list.get(ts);
    return list.thread(root?.thread_ts ?? ts).map((m) => this.copy(m, channel));
  }

  reactions(channel: string, ts: string): Reaction[] {
    return this.reactionList(channel, ts);
  }

  views(): SlackView[] {
    return [...this.viewsById.values()].map((v) => structuredClone(v));
  }

  viewById(id: string): SlackView | undefined {
    const v = this.viewsById.get(id);
    return v ? structuredClone(v) : undefined;
  }

  /** The Home tab the app last published for this user. */
  homeView(user: string): SlackView | undefined {
    for (const [id, owner] of this.homeOwner) if (owner === user) return this.viewById(id);
    return undefined;
  }

  channel(id: string): SlackChannel | undefined {
    const c = this.channels.get(id);
    return c ? structuredClone(c) : undefined;
  }

  allChannels(): SlackChannel[] {
    return [...this.channels.values()].map((c) => structuredClone(c));
  }

  user(id: string): SlackUser | undefined {
    const u = this.users.get(id);
    return u ? structuredClone(u) : undefined;
  }

  /** Forget state and tokens issued since the start: the initial install (if any) is back, as configured. */
  reset(): void {
    this.resetTokens();
    this.clock.reset();
    this.messagesByChannel.clear();
    this.reactionsByMessage.clear();
    this.channels.clear();
    this.users.clear();
    this.files.clear();
    this.viewsById.clear();
    this.homeOwner.clear();
    this.failures.clear();
    this.ephemerals.length = 0;
    this.seedDefaults();
  }

  // ---------------------------------------------------------------------------------------- internals

  private resetTokens(): void {
    this.tokens.clear();
    this.userTokens.clear();
    this.currentBotToken = this.initialBotToken;
    this.tokens.set(this.appToken, { kind: "app", userId: this.botUserId, scopes: ["connections:write"] });
    if (this.installedAtStart) {
      this.tokens.set(this.initialBotToken, {
        kind: "bot",
        userId: this.botUserId,
        scopes: SCOPES.split(","),
      });
    }
  }

  private seedDefaults(): void {
    this.addChannel({ id: this.generalChannelId, name: DEFAULTS.channelName });
    this.addUser({ id: DEFAULTS.userId, name: DEFAULTS.userName, real_name: "Alice Example" });
    this.addUser({ id: this.botUserId, name: DEFAULTS.botName, real_name: "Triage", is_bot: true });
  }

  private reply(body: Record<string, unknown>, status = 200, headers: Record<string, string> = {}): ApiReply {
    return { status, headers: { "x-oauth-scopes": SCOPES, ...headers }, body };
  }

  private failureReply(f: Failure): ApiReply {
    const status = f.status ?? (f.retryAfter !== undefined ? 429 : 200);
    if (status === 429) {
      return this.reply({ ok: false, error: f.error ?? "ratelimited" }, 429, {
        "retry-after": String(f.retryAfter ?? 1),
      });
    }
    return this.reply(
      { ok: false, error: f.error ?? (status >= 500 ? "internal_error" : "fatal_error") },
      status,
    );
  }

  private tokenKind(token: string): TokenKind | { error: string } | undefined {
    const record = this.tokens.get(token);
    if (record?.revoked) return { error: record.revoked };
    if (record) return record.kind;
    // Workflow tokens from function_executed events; Bolt calls the API with them in function handlers.
    if (/^xwfp-[A-Za-z0-9-]+$/.test(token)) return "bot";
    return undefined;
  }

  /** Channel by id (auto-created for plausible ids, as the bot is assumed to be a member), `#name` or user id (DM). */
  private resolveChannel(ref: string | undefined): SlackChannel | undefined {
    if (!ref) return undefined;
    const known = this.channels.get(ref);
    if (known) return known;
    const name = ref.startsWith("#") ? ref.slice(1) : undefined;
    if (name !== undefined) return [...this.channels.values()].find((c) => c.name === name);
    // DM ids here derive from user ids, so two workspaces may share one: only C/G ids are exclusive.
    if (/^[CG]/.test(ref) && this.isForeignChannel(ref)) return undefined;
    if (/^[CGD][A-Z0-9_]{2,}$/.test(ref)) {
      this.addChannel({ id: ref });
      return this.channels.get(ref);
    }
    if (/^[UW][A-Z0-9_]{2,}$/.test(ref)) {
      const dmId = `D${ref.slice(1)}`;
      if (!this.channels.has(dmId)) this.addChannel({ id: dmId, user: ref });
      return this.channels.get(dmId);
    }
    return undefined;
  }

  private requireChannel(args: Args, key = "channel"): SlackChannel {
    return this.resolveChannel(str(args, key)) ?? fail("channel_not_found");
  }

  private botMessageFields() {
    return {
      type: "message" as const,
      user: this.botUserId,
      bot_id: this.botId,
      app_id: this.appId,
      team: this.teamId,
      bot_profile: {
        id: this.botId,
        app_id: this.appId,
        name: DEFAULTS.botName,
        icons: { image_36: "https://a.slack-edge.com/80588/img/plugins/app/bot_36.png" },
        deleted: false,
        updated: 1_732_400_000,
        team_id: this.teamId,
      },
    };
  }

  /** Insert in ts order and maintain the parent's thread fields, as Slack does. */
  private store(channel: string, message: SlackMessage): SlackMessage {
    const list = this.messagesByChannel.get(channel) ?? new ChannelMessages<SlackMessage>();
    this.messagesByChannel.set(channel, list);
    if (message.thread_ts !== undefined && message.thread_ts !== message.ts) {
      // Replying to a reply lands in the same thread.
      const target = list.get(message.thread_ts);
      if (target?.thread_ts !== undefined && target.thread_ts !== target.ts)
        message.thread_ts = target.thread_ts;
      const parent = list.get(message.thread_ts);
      if (parent) {
        if (parent.user !== undefined) message.parent_user_id = parent.user;
        parent.thread_ts = parent.ts;
        parent.reply_count = (parent.reply_count ?? 0) + 1;
        const users = new Set(parent.reply_users ?? []);
        if (message.user !== undefined) users.add(message.user);
        parent.reply_users = [...users].slice(0, 5);
        parent.reply_users_count = users.size;
        if (parent.latest_reply === undefined || message.ts > parent.latest_reply)
          parent.latest_reply = message.ts;
        parent.is_locked = false;
        parent.subscribed = false;
      }
    }
    list.insert(message);
    return message;
  }

  private find(channel: string, ts: string | undefined): SlackMessage | undefined {
    if (ts === undefined) return undefined;
    return this.messagesByChannel.get(channel)?.get(ts);
  }

  private reactionList(channel: string, ts: string): Reaction[] {
    const byName = this.reactionsByMessage.get(`${channel}/${ts}`);
    if (!byName) return [];
    return [...byName].map(([name, users]) => ({ name, count: users.length, users: [...users] }));
  }

  private copy(message: SlackMessage, channel?: string): SlackMessage {
    const out = structuredClone(message);
    if (channel !== undefined) {
      const reactions = this.reactionList(channel, message.ts);
      if (reactions.length) out.reactions = reactions;
    }
    return out;
  }

  private messageContent(args: Args): { text: string; blocks?: unknown[]; attachments?: unknown[] } {
    const blocks = asArray(args, "blocks", "invalid_blocks_format");
    const attachments = asArray(args, "attachments", "invalid_attachments");
    const text = typeof args.text === "string" ? args.text : undefined;
    if (!text && !blocks?.length && !attachments?.length) fail("no_text");
    if (text !== undefined && text.length > 40_000) fail("msg_too_long");
    if (blocks) {
      const errors = validateBlocks(blocks, 50);
      if (errors.length) fail("invalid_blocks", { response_metadata: { messages: errors } });
    }
    return { text: text ?? "", ...(blocks ? { blocks } : {}), ...(attachments ? { attachments } : {}) };
  }

  private paginate<T>(items: T[], args: Args, defaultLimit: number) {
    const limit = Math.min(Math.max(Number(str(args, "limit") ?? defaultLimit) || defaultLimit, 1), 999);
    const cursor = str(args, "cursor");
    const offset = cursor ? Number(atob(cursor).replace(/^offset:/, "")) || 0 : 0;
    const page = items.slice(offset, offset + limit);
    const hasMore = offset + limit < items.length;
    return {
      page,
      has_more: hasMore,
      response_metadata: { next_cursor: hasMore ? btoa(`offset:${offset + limit}`) : "" },
    };
  }

  private inRange(ts: string, args: Args): boolean {
    const v = parseTs(ts) ?? 0;
    const inclusive = bool(args, "inclusive");
    const oldest = str(args, "oldest");
    const latest = str(args, "latest");
    const o = oldest !== undefined ? Math.round(Number(oldest) * 1_000_000) : undefined;
    const l = latest !== undefined ? Math.round(Number(latest) * 1_000_000) : undefined;
    if (o !== undefined && (inclusive ? v < o : v <= o)) return false;
    if (l !== undefined && (inclusive ? v > l : v >= l)) return false;
    return true;
  }

  private view(args: Args): Record<string, unknown> {
    const view = args.view;
    if (typeof view === "string") fail("invalid_arguments");
    if (typeof view !== "object" || view === null || typeof (view as { type?: unknown }).type !== "string")
      fail("invalid_arguments");
    const v = view as Record<string, unknown>;
    const blocks = Array.isArray(v.blocks) ? v.blocks : [];
    const errors = validateBlocks(blocks, 100).map((e) =>
      e.replace("json-pointer:/blocks", "json-pointer:/view/blocks"),
    );
    if (errors.length) fail("invalid_arguments", { response_metadata: { messages: errors } });
    return v;
  }

  private storeView(v: Record<string, unknown>, previous?: SlackView): SlackView {
    const id = previous?.id ?? slackId("V");
    const stored: SlackView = {
      id,
      team_id: this.teamId,
      type: String(v.type),
      ...(v.title !== undefined ? { title: v.title } : {}),
      ...(v.submit !== undefined ? { submit: v.submit } : {}),
      ...(v.close !== undefined ? { close: v.close } : {}),
      blocks: Array.isArray(v.blocks) ? v.blocks : [],
      private_metadata: typeof v.private_metadata === "string" ? v.private_metadata : "",
      callback_id: typeof v.callback_id === "string" ? v.callback_id : "",
      external_id: typeof v.external_id === "string" ? v.external_id : (previous?.external_id ?? ""),
      state: { values: {} },
      hash: `${Math.floor(Date.now() / 1000)}.${randomToken(8)}`,
      clear_on_close: v.clear_on_close === true,
      notify_on_close: v.notify_on_close === true,
      root_view_id: previous?.root_view_id ?? id,
      previous_view_id: previous?.previous_view_id ?? null,
      app_id: this.appId,
      app_installed_team_id: this.teamId,
      bot_id: this.botId,
    };
    if (stored.external_id) {
      for (const other of this.viewsById.values()) {
        if (other.id !== id && other.external_id === stored.external_id) fail("duplicate_external_id");
      }
    }
    this.viewsById.set(id, stored);
    return structuredClone(stored);
  }

  private permalink(channel: string, message: { ts: string; thread_ts?: string }): string {
    const base = `https://${this.teamDomain}.slack.com/archives/${channel}/p${message.ts.replace(".", "")}`;
    return message.thread_ts !== undefined && message.thread_ts !== message.ts
      ? `${base}?thread_ts=${message.thread_ts}&cid=${channel}`
      : base;
  }

  private buildHandlers(): Record<string, (args: Args, token: string) => Record<string, unknown>> {
    return {
      "auth.test": (_args, token) => {
        const record = this.tokens.get(token);
        const asUser = record?.kind === "user" ? record.userId : undefined;
        return {
          url: `https://${this.teamDomain}.slack.com/`,
          team: this.teamName,
          user:
            asUser !== undefined ? (this.users.get(asUser)?.name ?? asUser.toLowerCase()) : DEFAULTS.botName,
          team_id: this.teamId,
          user_id: asUser ?? this.botUserId,
          ...(asUser === undefined ? { bot_id: this.botId } : {}),
          ...(this.enterpriseId !== undefined ? { enterprise_id: this.enterpriseId } : {}),
          is_enterprise_install: false,
        };
      },

      // `test=1` only checks the token, as on Slack: the answer says whether it was really revoked.
      "auth.revoke": (args, token) => ({ revoked: bool(args, "test") ? false : this.revokeToken(token) }),

      "apps.connections.open": () => {
        if (!this.socketUrl) fail("socket_mode_not_enabled");
        return { url: this.socketUrl() };
      },

      "chat.postMessage": (args) => {
        const channel = this.requireChannel(args);
        const content = this.messageContent(args);
        const threadTs = str(args, "thread_ts");
        const broadcast = threadTs !== undefined && bool(args, "reply_broadcast");
        const message: SlackMessage = {
          ...this.botMessageFields(),
          ...(broadcast ? { subtype: "thread_broadcast" } : {}),
          ts: this.clock.next(),
          ...content,
          ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
          ...(args.metadata !== undefined ? { metadata: args.metadata } : {}),
        };
        const stored = this.store(channel.id, message);
        return { channel: channel.id, ts: stored.ts, message: this.copy(stored) };
      },

      "chat.postEphemeral": (args) => {
        const channel = this.requireChannel(args);
        const user = str(args, "user") ?? fail("user_not_found");
        const content = this.messageContent(args);
        const threadTs = str(args, "thread_ts");
        const message_ts = this.clock.next();
        this.ephemerals.push({
          channel: channel.id,
          user,
          message_ts,
          text: content.text,
          ...(content.blocks ? { blocks: content.blocks } : {}),
          ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
        });
        return { message_ts };
      },

      "chat.update": (args) => {
        const channel = this.requireChannel(args);
        const message = this.find(channel.id, str(args, "ts")) ?? fail("message_not_found");
        if (message.bot_id !== this.botId) fail("cant_update_message");
        const content = this.messageContent(args);
        message.text = content.text;
        if (content.blocks) message.blocks = content.blocks;
        if (content.attachments) message.attachments = content.attachments;
        message.edited = { user: this.botUserId, ts: this.clock.next() };
        return { channel: channel.id, ts: message.ts, text: message.text, message: this.copy(message) };
      },

      "chat.delete": (args) => {
        const channel = this.requireChannel(args);
        const ts = str(args, "ts");
        const message = this.find(channel.id, ts) ?? fail("message_not_found");
        if (message.bot_id !== this.botId) fail("cant_delete_message");
        this.messagesByChannel.get(channel.id)?.remove(message);
        if (message.thread_ts !== undefined && message.thread_ts !== message.ts) {
          const parent = this.find(channel.id, message.thread_ts);
          if (parent?.reply_count) parent.reply_count -= 1;
        }
        return { channel: channel.id, ts: message.ts };
      },

      "chat.getPermalink": (args) => {
        const channel = this.requireChannel(args);
        const ts = str(args, "message_ts") ?? fail("message_not_found");
        const message = this.find(channel.id, ts) ?? { ts };
        return { channel: channel.id, permalink: this.permalink(channel.id, message) };
      },

      "conversations.history": (args) => {
        const channel = this.requireChannel(args);
        const top = (this.messagesByChannel.get(channel.id)?.all() ?? [])
          .filter(
            (m) => m.thread_ts === undefined || m.thread_ts === m.ts || m.subtype === "thread_broadcast",
          )
          .filter((m) => this.inRange(m.ts, args))
          .reverse();
        const { page, ...rest } = this.paginate(top, args, 100);
        return {
          messages: page.map((m) => withMetadataIf(this.copy(m, channel.id), args)),
          ...rest,
          pin_count: 0,
          channel_actions_ts: null,
          channel_actions_count: 0,
        };
      },

      "conversations.replies": (args) => {
        const channel = this.requireChannel(args);
        const ts = str(args, "ts") ?? fail("thread_not_found");
        const thread = this.thread(channel.id, ts).filter((m) => m.ts === ts || this.inRange(m.ts, args));
        if (thread.length === 0) fail("thread_not_found");
        const { page, ...rest } = this.paginate(thread, args, 1000);
        return { messages: page.map((m) => withMetadataIf(m, args)), ...rest };
      },

      "conversations.info": (args) => ({ channel: structuredClone(this.requireChannel(args)) }),

      "conversations.open": (args) => {
        const users = (str(args, "users") ?? "").split(",").filter(Boolean);
        if (users.length !== 1) fail(users.length === 0 ? "users_list_not_supplied" : "not_supported");
        const existed = this.channels.has(`D${users[0]?.slice(1)}`);
        const channel = this.resolveChannel(users[0]) ?? fail("user_not_found");
        return { no_op: existed, already_open: existed, channel: { id: channel.id } };
      },

      "users.info": (args) => {
        const id = str(args, "user") ?? fail("user_not_found");
        const known = this.users.get(id);
        if (known) return { user: structuredClone(known) };
        // Any plausible user id exists, so tests need not seed every user they mention.
        if (!/^[UW][A-Z0-9_]{2,}$/.test(id)) fail("user_not_found");
        return { user: this.addUser({ id }) };
      },

      "views.open": (args) => {
        if (!str(args, "trigger_id")) fail("invalid_arguments");
        return { view: this.storeView(this.view(args)) };
      },

      "views.push": (args) => {
        if (!str(args, "trigger_id")) fail("invalid_arguments");
        return { view: this.storeView(this.view(args)) };
      },

      "views.update": (args) => {
        const viewId = str(args, "view_id");
        const externalId = str(args, "external_id");
        if (!viewId && !externalId) fail("invalid_arguments");
        const existing = viewId
          ? this.viewsById.get(viewId)
          : [...this.viewsById.values()].find((v) => v.external_id === externalId);
        if (!existing) fail("not_found");
        const hash = str(args, "hash");
        if (hash !== undefined && hash !== existing.hash) fail("hash_conflict");
        return { view: this.storeView(this.view(args), existing) };
      },

      "views.publish": (args) => {
        const userId = str(args, "user_id") ?? fail("invalid_arguments");
        const v = this.view(args);
        if (v.type !== "home") fail("invalid_arguments");
        const existing = [...this.viewsById.values()].find(
          (x) => x.type === "home" && this.homeOwner.get(x.id) === userId,
        );
        const stored = this.storeView(v, existing);
        this.homeOwner.set(stored.id, userId);
        return { view: stored };
      },

      "reactions.add": (args) => {
        const channel = this.requireChannel(args);
        const ts = str(args, "timestamp") ?? fail("bad_timestamp");
        const name = str(args, "name") ?? fail("invalid_name");
        const key = `${channel.id}/${ts}`;
        const byName = this.reactionsByMessage.get(key) ?? new Map<string, string[]>();
        this.reactionsByMessage.set(key, byName);
        const users = byName.get(name) ?? [];
        if (users.includes(this.botUserId)) fail("already_reacted");
        byName.set(name, [...users, this.botUserId]);
        return {};
      },

      "reactions.remove": (args) => {
        const channel = this.requireChannel(args);
        const ts = str(args, "timestamp") ?? fail("bad_timestamp");
        const name = str(args, "name") ?? fail("invalid_name");
        const byName = this.reactionsByMessage.get(`${channel.id}/${ts}`);
        const users = byName?.get(name) ?? [];
        if (!byName || !users.includes(this.botUserId)) fail("no_reaction");
        const rest = users.filter((u) => u !== this.botUserId);
        if (rest.length) byName.set(name, rest);
        else byName.delete(name);
        return {};
      },

      "files.info": (args) => {
        const stored = this.files.get(str(args, "file") ?? "") ?? fail("file_not_found");
        return {
          file: { ...stored.file },
          comments: [],
          response_metadata: { next_cursor: "" },
        };
      },

      "functions.completeSuccess": (args) => {
        if (!str(args, "function_execution_id")) fail("function_execution_not_found");
        if (typeof args.outputs !== "object" || args.outputs === null) fail("invalid_arguments");
        return {};
      },

      "functions.completeError": (args) => {
        if (!str(args, "function_execution_id")) fail("function_execution_not_found");
        if (!str(args, "error")) fail("invalid_arguments");
        return {};
      },
    };
  }
}

const SCOPES = [
  "app_mentions:read",
  "channels:history",
  "channels:read",
  "chat:write",
  "commands",
  "files:read",
  "groups:history",
  "im:history",
  "reactions:write",
  "users:read",
].join(",");
