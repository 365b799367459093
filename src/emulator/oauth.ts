// Slack's OAuth v2 install flow for one app: the authorize page (played as the user clicking "Allow" or
// "Cancel") and `oauth.v2.access`. Transport-free like workspace.ts: web-api.ts serves it over HTTP.
import { DEFAULTS, randomDigits, randomHex } from "./ids.js";
import { type Args, type FakeWorkspace, fail, str } from "./workspace.js";

export interface OAuthAppOptions {
  clientId?: string;
  clientSecret?: string;
  appId?: string;
  /**
   * The app's configured Redirect URLs. When set, authorize accepts only a `redirect_uri` equal to one of
   * them or below one (Slack allows subpaths) and uses the first when none is given; unset, any URL goes.
   */
  redirectUrls?: string[];
  /** How long a code can be exchanged (default 10 minutes, as on Slack). */
  codeTtlMs?: number;
  /** Clock in epoch milliseconds, for code expiry (tests move it instead of waiting). */
  now?: () => number;
}

/** What the user does on the authorize page the next time it is opened. */
export interface InstallChoice {
  /** The workspace they install into when the authorize URL names no known `team`. */
  teamId?: string;
  /** The installing user (`authed_user.id`); default `DEFAULTS.userId`. */
  userId?: string;
  /** They click "Cancel": the redirect carries `error=access_denied`. */
  deny?: boolean;
}

/** The authorize page's answer: a redirect back to the app, or Slack's error page. */
export interface AuthorizeOutcome {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The workspace being installed, once known. */
  teamId?: string;
  /** The code handed to the app on "Allow". */
  code?: string;
  /** `access_denied` (redirected), or the error the page shows (not redirected). */
  error?: string;
}

interface PendingCode {
  teamId: string;
  userId: string;
  scopes: string[];
  userScopes: string[];
  /** As given to authorize (undefined when it used the configured default). */
  redirectUri: string | undefined;
  redirectedTo: string;
  expiresAt: number;
}

export const OAUTH_CODE_TTL_MS = 10 * 60 * 1000;

/** Slack's scope lists are comma-separated; spaces are tolerated. */
function scopeList(value: string | null | undefined): string[] {
  return [
    ...new Set(
      (value ?? "")
        .split(/[,\s]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Slack shows this page (no redirect) when the request itself is bad: such an app gets no redirect.
function errorPage(details: string, error: string, teamId?: string): AuthorizeOutcome {
  return {
    status: 200,
    headers: { "content-type": "text/html; charset=utf-8" },
    body:
      "<!DOCTYPE html><html><head><title>Slack</title></head><body>" +
      "<h1>Something went wrong when authorizing this app.</h1>" +
      `<p>Error details</p><p>${escapeHtml(details)}</p></body></html>`,
    error,
    ...(teamId !== undefined ? { teamId } : {}),
  };
}

export interface WorkspaceLookup {
  get(teamId: string): FakeWorkspace | undefined;
  /** Where an install goes when nothing names a workspace. */
  fallback(): FakeWorkspace;
}

export class FakeOAuth {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly appId: string;
  private readonly redirectUrls: string[] | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private codes = new Map<string, PendingCode>();
  private choices: InstallChoice[] = [];

  constructor(
    options: OAuthAppOptions,
    private readonly workspaces: WorkspaceLookup,
  ) {
    this.clientId = options.clientId ?? DEFAULTS.clientId;
    this.clientSecret = options.clientSecret ?? DEFAULTS.clientSecret;
    this.appId = options.appId ?? DEFAULTS.appId;
    this.redirectUrls = options.redirectUrls;
    this.ttlMs = options.codeTtlMs ?? OAUTH_CODE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** Queue what the user does on the next authorize page; each visit takes one choice, in order. */
  nextInstall(choice: InstallChoice): void {
    if (choice.teamId !== undefined && !this.workspaces.get(choice.teamId))
      throw new Error(`nextInstall: no workspace ${choice.teamId}; add it with addWorkspace first`);
    this.choices.push(choice);
  }

  /** `GET /oauth/v2/authorize?client_id&scope&user_scope&redirect_uri&state&team`, answered as the user. */
  authorize(query: URLSearchParams): AuthorizeOutcome {
    if (query.get("client_id") !== this.clientId)
      return errorPage("Invalid client_id parameter", "invalid_client_id");
    const given = query.get("redirect_uri") ?? undefined;
    const redirect = this.redirectTarget(given);
    if (redirect === undefined) {
      return errorPage(
        given === undefined
          ? "No redirect_uri was given and the app has no Redirect URL configured"
          : `redirect_uri did not match any configured URIs. Passed URI: ${given}`,
        "bad_redirect_uri",
      );
    }
    const scopes = scopeList(query.get("scope"));
    const userScopes = scopeList(query.get("user_scope"));
    if (scopes.length === 0 && userScopes.length === 0)
      return errorPage("Invalid permissions requested", "invalid_scope");

    const choice = this.choices.shift() ?? {};
    const team = query.get("team");
    const workspace =
      (team ? this.workspaces.get(team) : undefined) ??
      (choice.teamId !== undefined ? this.workspaces.get(choice.teamId) : undefined) ??
      this.workspaces.fallback();
    const state = query.get("state");
    const back = new URL(redirect);
    if (choice.deny) {
      back.searchParams.set("error", "access_denied");
      if (state !== null) back.searchParams.set("state", state);
      back.searchParams.set(
        "error_description",
        "The user has denied access to the scope(s) requested by the client application.",
      );
      return { ...this.redirect(back), teamId: workspace.teamId, error: "access_denied" };
    }

    this.prune();
    // Shaped like Slack's: `<digits>.<digits>.<64 hex>`.
    const code = `${randomDigits(13)}.${randomDigits(13)}.${randomHex(64)}`;
    this.codes.set(code, {
      teamId: workspace.teamId,
      userId: choice.userId ?? DEFAULTS.userId,
      scopes,
      userScopes,
      redirectUri: given,
      redirectedTo: redirect,
      expiresAt: this.now() + this.ttlMs,
    });
    back.searchParams.set("code", code);
    if (state !== null) back.searchParams.set("state", state);
    return { ...this.redirect(back), teamId: workspace.teamId, code };
  }

  /**
   * `oauth.v2.access`: exchange a code for the install's tokens. `args` carries `client_id`/`client_secret`
   * (form fields, or HTTP Basic credentials the server put there), `code`, `redirect_uri`, `grant_type`.
   */
  access(args: Args): Record<string, unknown> {
    if (str(args, "client_id") !== this.clientId) fail("invalid_client_id");
    if (str(args, "client_secret") !== this.clientSecret) fail("bad_client_secret");
    const grantType = str(args, "grant_type");
    // Token rotation is not modelled, so no refresh token this fake issued can exist.
    if (grantType === "refresh_token") fail("invalid_refresh_token");
    if (grantType !== undefined && grantType !== "authorization_code") fail("invalid_grant_type");

    const code = str(args, "code");
    const pending = code !== undefined ? this.codes.get(code) : undefined;
    if (code === undefined || !pending) fail("invalid_code");
    if (this.now() >= pending.expiresAt) {
      this.codes.delete(code);
      fail("invalid_code");
    }
    const redirectUri = str(args, "redirect_uri");
    // It must be the URI authorize was given; with none given there, only the one it redirected to fits.
    const redirectOk =
      pending.redirectUri !== undefined
        ? redirectUri === pending.redirectUri
        : redirectUri === undefined || redirectUri === pending.redirectedTo;
    if (!redirectOk) fail("bad_redirect_uri");

    const workspace = this.workspaces.get(pending.teamId) ?? fail("invalid_code");
    this.codes.delete(code); // single use
    const grant = workspace.install({
      userId: pending.userId,
      scopes: pending.scopes,
      userScopes: pending.userScopes,
    });
    return {
      app_id: this.appId,
      authed_user: {
        id: pending.userId,
        ...(grant.userToken !== undefined
          ? { scope: grant.userScopes.join(","), access_token: grant.userToken, token_type: "user" }
          : {}),
      },
      ...(grant.botToken !== undefined
        ? {
            scope: grant.botScopes.join(","),
            token_type: "bot",
            access_token: grant.botToken,
            bot_user_id: workspace.botUserId,
          }
        : {}),
      team: { id: workspace.teamId, name: workspace.teamName },
      enterprise:
        workspace.enterpriseId !== undefined
          ? { id: workspace.enterpriseId, name: workspace.enterpriseName ?? workspace.enterpriseId }
          : null,
      is_enterprise_install: false,
    };
  }

  /** Forget codes and queued choices. */
  reset(): void {
    this.codes.clear();
    this.choices.length = 0;
  }

  private redirectTarget(given: string | undefined): string | undefined {
    const configured = this.redirectUrls;
    if (given === undefined) return configured?.[0];
    if (!URL.canParse(given)) return undefined;
    if (!configured) return given;
    return configured.some((url) => given === url || given.startsWith(url.endsWith("/") ? url : `${url}/`))
      ? given
      : undefined;
  }

  private redirect(url: URL): AuthorizeOutcome {
    return { status: 302, headers: { location: url.toString() }, body: "" };
  }

  private prune(): void {
    const now = this.now();
    for (const [code, pending] of this.codes) if (now >= pending.expiresAt) this.codes.delete(code);
  }
}
