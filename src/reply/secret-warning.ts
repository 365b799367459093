/** The private note to someone whose paste held what looks like a secret. Pure. */
import type { SecretKind } from "../match/secrets.js";

const LABELS: Record<SecretKind, string> = {
  "url-password": "a password in a URL",
  "connection-string": "a password or key in a connection string",
  "authorization-header": "an Authorization header or API key header",
  jwt: "a JSON Web Token",
  "aws-key": "an AWS access key",
  "github-token": "a GitHub token",
  "slack-token": "a Slack token or webhook URL",
  "private-key": "a private key",
  "password-pair": "a password or secret value",
  "api-key": "an API key",
};

/**
 * `visible`: the message can be read by others (a channel or DM post, not a slash command's private text), so
 * it should also be deleted or edited.
 */
export function secretWarning(kinds: readonly SecretKind[], visible: boolean): string {
  const what = kinds.map((k) => LABELS[k]).join(", ");
  return [
    `:lock: Your message looks like it contains a secret (${what}). I left it out: it was not used to look anything up, not stored and not sent to the helpdesk.`,
    visible
      ? "But the message itself is still visible to everyone here: delete it or edit the secret out, and *rotate that secret* (change the password, revoke the token or key), as it may already have been seen or copied."
      : "Consider it exposed all the same, and *rotate that secret* (change the password, revoke the token or key).",
  ].join("\n");
}
