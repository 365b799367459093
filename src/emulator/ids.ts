// Identity defaults shared by the fake Web API, the senders and the payload builders, so a test that
// overrides nothing gets a consistent workspace (the bot user in `authorizations` is the one auth.test returns).
// No Node imports: this module is meant to run in a browser sandbox too.

export const DEFAULTS = {
  teamId: "T0KBTRIAGE",
  teamDomain: "kb-triage",
  teamName: "KB Triage",
  appId: "A0KBTRIAGE",
  botUserId: "U0KBTRIAGE",
  botId: "B0KBTRIAGE",
  botName: "triage",
  botToken: "xoxb-0000000000-0000000000000-fakebottoken000000",
  appToken: "xapp-1-A0KBTRIAGE-0000000000000-fakeapptoken000000",
  userId: "U0HUMAN0001",
  userName: "alice",
  channelId: "C0GENERAL01",
  channelName: "general",
  /** Slack's deprecated verification token; still sent in every payload. */
  verificationToken: "fakeVerificationToken000",
  /** The app's OAuth credentials (Basic Information page), shaped like Slack's. */
  clientId: "2000000000001.2000000000001",
  // Hex, like a real one (config.ts checks the shape).
  clientSecret: "fa4ec11e47000000000000000000beef",
} as const;

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALNUM_MIXED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomFrom(alphabet: string, length: number): string {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** Slack-style object id: prefix + uppercase alphanumerics, e.g. `Ev08ABCDEF12`. */
export function slackId(prefix: string, length = 10): string {
  return prefix + randomFrom(ALNUM, length);
}

export function randomToken(length: number): string {
  return randomFrom(ALNUM_MIXED, length);
}

/** Digits only, as in OAuth codes and the numeric parts of tokens. */
export function randomDigits(length: number): string {
  return randomFrom("0123456789", length);
}

/** Lowercase hex, as in OAuth codes and user tokens. */
export function randomHex(length: number): string {
  return randomFrom("0123456789abcdef", length);
}

export function uuid(): string {
  return globalThis.crypto.randomUUID();
}

/** Trigger ids look like `<digits>.<digits>.<32 hex>`. */
export function triggerId(): string {
  const hex = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
  return `${Date.now()}.${randomFrom("0123456789", 10)}.${hex}`;
}

/** A realistic (unreachable) response_url; pass a fake's `responseUrl()` when the app will call it. */
export function hooksResponseUrl(kind: "commands" | "actions", teamId: string = DEFAULTS.teamId): string {
  return `https://hooks.slack.com/${kind}/${teamId}/${randomFrom("0123456789", 13)}/${randomToken(24)}`;
}

/** Message timestamps: seconds.microseconds, always six fractional digits. */
export function formatTs(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = micros % 1_000_000;
  return `${seconds}.${String(fraction).padStart(6, "0")}`;
}

export function parseTs(ts: string): number | undefined {
  const m = /^(\d+)\.(\d{6})$/.exec(ts);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  return Number(m[1]) * 1_000_000 + Number(m[2]);
}

/** Current wall-clock time as a message ts (event_ts, action_ts). */
export function nowTs(): string {
  return formatTs(Date.now() * 1000 + Math.floor(Math.random() * 1000));
}

/**
 * Strictly increasing ts source. Starts at a fixed epoch so stored ts values are deterministic across runs;
 * seeding an explicit ts moves the clock forward so later messages still sort after it.
 */
export class TsClock {
  private last: number;
  constructor(
    private readonly startMicros = 1_732_500_000_000_000,
    private readonly stepMicros = 100,
    /** Follow the wall clock (never behind it), as a live workspace does; tests keep the fixed epoch. */
    private readonly wall = false,
  ) {
    this.last = startMicros;
  }
  next(): string {
    this.last = Math.max(this.last + this.stepMicros, this.wall ? Date.now() * 1000 : 0);
    return formatTs(this.last);
  }
  observe(ts: string): void {
    const micros = parseTs(ts);
    if (micros !== undefined && micros > this.last) this.last = micros;
  }
  reset(): void {
    this.last = this.startMicros;
  }
}
