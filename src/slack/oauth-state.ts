/**
 * The OAuth `state`: Bolt's signed, expiring state (ClearStateStore, SLACK_STATE_SECRET) made single use. A
 * state seen once is claimed in the shared state (Redis with several replicas), so a replayed callback URL
 * is refused on every replica, not only the one that handled it first.
 */
import { createHash } from "node:crypto";
import oauth, { type StateStore } from "@slack/oauth";
import type { SharedState } from "../state/shared-state.js";

// @slack/oauth is CommonJS: its classes come from the default export under Node's ESM loader.
const { ClearStateStore, InvalidStateError } = oauth;

/** How long a state is valid (Slack's authorize page plus the person's time on it). */
const STATE_SECONDS = 600;

export function singleUseStateStore(stateSecret: string, shared: SharedState): StateStore {
  const signed = new ClearStateStore(stateSecret, STATE_SECONDS);
  return {
    generateStateParam: (options, now) => signed.generateStateParam(options, now),
    async verifyStateParam(now, state) {
      const options = await signed.verifyStateParam(now, state); // throws for a forged or expired state
      const key = `oauth-state:${createHash("sha256").update(state).digest("base64url")}`;
      if (!(await shared.claim(key, (STATE_SECONDS + 60) * 1000))) {
        throw new InvalidStateError("this install link was already used; start the installation again");
      }
      return options;
    },
  };
}
