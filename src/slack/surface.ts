/**
 * Everything the app asks of Slack, in one place: events, commands, shortcuts, actions and Web API methods,
 * and the OAuth scope each needs. The listeners register exactly these, manifest.yml declares exactly these
 * (test/slack/manifest.test.ts checks both), and the end-to-end tests check that the app calls no Web API
 * method missing here.
 */
import { ACTIONS, COMMAND, FUNCTION_CALLBACK, SHORTCUT_CALLBACK } from "../reply/ids.js";

/** Bolt event name → the manifest's bot events it stands for. */
export const EVENTS = {
  message: ["message.channels", "message.groups", "message.im"],
  app_mention: ["app_mention"],
  app_home_opened: ["app_home_opened"],
  // Installed through OAuth: the installation goes when the app is removed or its token revoked.
  app_uninstalled: ["app_uninstalled"],
  tokens_revoked: ["tokens_revoked"],
} as const;

export const COMMANDS = [COMMAND] as const;
export const MESSAGE_SHORTCUTS = [SHORTCUT_CALLBACK] as const;
/** Workflow Builder custom steps (manifest `functions`; their `function_executed` events need no subscription). */
export const FUNCTIONS = [FUNCTION_CALLBACK] as const;
export const ACTION_IDS = Object.values(ACTIONS);

/** Web API methods the listeners call, with the bot scope each needs ("" = none). */
export const WEB_API_METHODS: Record<string, string[]> = {
  "chat.postMessage": ["chat:write"],
  // The private warning to someone who pasted a secret.
  "chat.postEphemeral": ["chat:write"],
  // Reading a thread's parent for a bare mention: the history scope of the conversation type.
  "conversations.replies": ["channels:history", "groups:history", "im:history"],
  // Before a retried chat.postMessage: was the first attempt posted after all? (idempotent-post.ts)
  "conversations.history": ["channels:history", "groups:history", "im:history"],
  "views.open": [],
  "reactions.add": ["reactions:write"],
  "chat.getPermalink": [],
  "views.publish": [],
  // Who is a workspace admin, for channel settings.
  "users.info": ["users:read"],
  // The workflow step answers with the event's own workflow token: no bot scope.
  "functions.completeSuccess": [],
  "functions.completeError": [],
};

/** Bot events → the scope Slack requires for them. */
export const EVENT_SCOPES: Record<string, string> = {
  "message.channels": "channels:history",
  "message.groups": "groups:history",
  "message.im": "im:history",
  "message.mpim": "mpim:history",
  app_mention: "app_mentions:read",
  // App Home and installation events need no scope.
  app_home_opened: "",
  app_uninstalled: "",
  tokens_revoked: "",
};

/** Scopes for features that are not Web API calls: slash commands and shortcuts, snippet downloads. */
export const FEATURE_SCOPES = ["commands", "files:read"];

/** Every scope the code needs: the manifest must request exactly these. */
export function requiredScopes(): string[] {
  const scopes = new Set<string>(FEATURE_SCOPES);
  for (const events of Object.values(EVENTS))
    for (const event of events) scopes.add(EVENT_SCOPES[event] ?? "?");
  for (const needed of Object.values(WEB_API_METHODS)) for (const scope of needed) scopes.add(scope);
  scopes.delete(""); // events that need no scope
  return [...scopes].sort();
}
