/**
 * A Slack SDK logger that says nothing: WebClient logs Slack's `[ERROR]` response messages even at
 * LogLevel.ERROR, and the tests that provoke them do not want them on the console.
 */
import { type Logger, LogLevel } from "@slack/web-api";

export const quietSlackLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};
