/** The Workflow Builder step end to end: a function_executed event in, functions.completeSuccess/Error out. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeWebApi, HttpSender } from "../../src/emulator/index.js";
import { functionExecuted } from "../../src/emulator/payloads.js";
import { FUNCTION_CALLBACK } from "../../src/reply/ids.js";
import { plainOutput } from "../../src/slack/listeners/functions.js";
import { startHttpApp } from "./harness.js";

let api: FakeWebApi;
let send: HttpSender;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ api, send, stop } = await startHttpApp());
});
afterAll(async () => {
  await stop?.();
});

describe("Workflow Builder step", () => {
  it("completes with the verdict and the article's cause and resolution as plain text", async () => {
    const event = functionExecuted({
      callback_id: FUNCTION_CALLBACK,
      inputs: { error_text: "System error 53 has occurred. The network path was not found." },
    });
    expect((await send.sendEvent(event)).status).toBe(200);
    const done = await api.waitForCall("functions.completeSuccess");
    expect(done.args.function_execution_id).toBe(event.function_execution_id);
    const outputs = done.args.outputs as Record<string, unknown>;
    expect(outputs).toMatchObject({ verdict: "match", article_id: "KT1007" });
    expect(String(outputs.title)).toMatch(/System Error 53/);
    expect(String(outputs.resolution).length).toBeGreaterThan(20);
    expect(String(outputs.resolution).length).toBeLessThanOrEqual(3000);
    expect(outputs.confidence).toBeGreaterThan(0.7);
    expect(done.token).toBe(event.bot_access_token);
  });

  it("completes with verdict none and empty outputs for an error the knowledge base does not cover", async () => {
    await send.sendEvent(
      functionExecuted({
        callback_id: FUNCTION_CALLBACK,
        inputs: { error_text: "Flux capacitor overheated" },
      }),
    );
    const done = await api.waitForCall(
      "functions.completeSuccess",
      (c) => (c.args.outputs as { verdict?: string }).verdict === "none",
    );
    expect(done.args.outputs).toMatchObject({ article_id: "", cause: "", confidence: 0 });
  });

  it("fails the step with a clear message when the input is empty", async () => {
    await send.sendEvent(functionExecuted({ callback_id: FUNCTION_CALLBACK, inputs: { error_text: "   " } }));
    const failed = await api.waitForCall("functions.completeError");
    expect(String(failed.args.error)).toMatch(/error_text/);
  });
});

describe("plainOutput", () => {
  it("reduces Markdown emphasis and links to text, and stays within the output limit", () => {
    expect(plainOutput("**Restart** the [VPN client](https://example.com/vpn).")).toBe(
      "Restart the VPN client (https://example.com/vpn).",
    );
    expect(plainOutput("x".repeat(10_000)).length).toBeLessThanOrEqual(3000);
  });
});
