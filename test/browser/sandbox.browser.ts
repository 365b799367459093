/**
 * The sandbox as a newcomer uses it: `npm start` with no Slack credentials, the page in Debian's Chromium,
 * errors pasted into the channel, `/triage`, the answer's buttons, #helpdesk, App Home and its settings modal.
 * Screenshots go to test-results/ (docs/sandbox.png is one of them).
 */
import { existsSync, mkdirSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadKnowledge } from "../../src/knowledge/load.js";
import type { Article } from "../../src/knowledge/types.js";
import { exitCode, npmStart, type StartedProcess, waitForOutput } from "../helpers/npm-start.js";
import { freePort } from "../slack/harness.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const RESULTS = new URL("../../test-results/", import.meta.url).pathname;
const DOCKER =
  "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";

let sandbox: StartedProcess;
let browser: Browser;
let page: Page;
let url: string;
let articles: Map<string, Article>;

/** The first sentence-ish of an article section, as the answer shows it (hard wraps undone). */
const opening = (text: string) => text.replace(/\s+/g, " ").trim().slice(0, 60);

async function paste(text: string): Promise<void> {
  const box = page.locator("#composer");
  await box.fill(text);
  await box.press("Enter");
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), as .ci/run does.`,
    );
  }
  mkdirSync(RESULTS, { recursive: true });
  articles = new Map((await loadKnowledge("knowledge")).articles.map((a) => [a.id, a]));
  const port = await freePort();
  sandbox = npmStart({ PORT: String(port) });
  await waitForOutput(sandbox, "Knowledge base ready");
  url = /Sandbox: (\S+)/.exec(sandbox.output())?.[1] ?? "";
  expect(url).toBe(`http://localhost:${port}`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  await page.goto(url);
  await page.locator(".try-example").first().waitFor();
  expect(problems).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  if (sandbox && sandbox.exitCode === null) {
    sandbox.kill("SIGTERM");
    expect(await exitCode(sandbox)).toBe(0);
  }
});

describe("the sandbox in Chromium", () => {
  it("puts the cursor in the message box, the first text field on the page; Shift+Enter adds a line", async () => {
    const first = page.locator("textarea, input:not([type]), input[type=text]").first();
    expect(await first.getAttribute("id")).toBe("composer");
    expect(await page.evaluate("document.activeElement && document.activeElement.id")).toBe("composer");
    await first.fill("line one");
    await first.press("Shift+Enter");
    await first.pressSequentially("line two");
    expect(await first.inputValue()).toBe("line one\nline two");
    await first.fill("");
  });

  it("answers an error pasted into #it-help in a thread, with the right article's cause and resolution", async () => {
    await paste(DOCKER);
    const message = page.locator("#messages .msg", { hasText: "Is the docker daemon running?" });
    await message.locator(".replies", { hasText: "1 reply" }).click();
    const thread = page.locator("#thread");
    await expect.poll(() => thread.isVisible()).toBe(true);
    // The channel stays visible beside the thread.
    expect(await page.locator("#messages").isVisible()).toBe(true);
    const article = articles.get("KT1027") as Article;
    const answer = thread.locator(".msg", { hasText: article.title });
    await answer.waitFor();
    // biome-ignore lint/performance/useDomNodeTextContent: the text as a person reads it, line breaks included
    const text = (await answer.innerText()).replace(/\s+/g, " ");
    expect(text).toContain(opening(article.cause));
    expect(text).toContain(opening(article.resolution));
  });

  it("marks it fixed with Fixed it: ✅ on the paste and the answer says who confirmed it", async () => {
    const answer = page.locator("#thread .msg", { hasText: "What matched" });
    await answer.locator("button[data-action-id=triage_fixed]").click();
    await page
      .locator("#messages .msg", { hasText: "Is the docker daemon running?" })
      .locator(".reaction")
      .waitFor();
    expect(await page.locator("#messages .reaction").first().textContent()).toContain("✅");
    await page.locator("#thread .msg", { hasText: "confirmed by @you" }).waitFor();
    await page.screenshot({ path: `${RESULTS}sandbox.png` });
  });

  it("runs /triage typed in the message box and shows the answer only to me", async () => {
    await page.locator("#thread-close").click();
    await paste("/triage Your password has expired and must be changed.");
    const ephemeral = page.locator("#messages .msg.ephemeral", { hasText: "Only visible to you" });
    await ephemeral.waitFor();
    expect(await ephemeral.textContent()).toContain((articles.get("KT1004") as Article).title);
  });

  it("escalates an answer to #helpdesk", async () => {
    await paste("remote: Support for password authentication was removed on August 13, 2021.");
    const message = page.locator("#messages .msg", { hasText: "password authentication was removed" }).last();
    await message.locator(".replies").click();
    const answer = page.locator("#thread .msg", { hasText: "What matched" });
    await answer.locator("button[data-action-id=triage_escalate]").click();
    await page.locator("#thread .msg", { hasText: "helpdesk" }).last().waitFor();
    await page.locator(".side-item", { hasText: "helpdesk" }).click();
    const escalation = page.locator("#messages .msg", { hasText: "Escalated by @you" });
    await escalation.waitFor();
    expect(await escalation.textContent()).toContain("password authentication was removed");
  });

  it("sends a Try: example with one click and answers it", async () => {
    await page.locator(".side-item", { hasText: "it-help" }).click();
    const example = page.locator(".try-example").first();
    const text = (await example.getAttribute("data-example")) ?? "";
    await example.click();
    const message = page.locator("#messages .msg", { hasText: text.slice(0, 40) }).last();
    await message.locator(".replies").waitFor();
  });

  it("shows App Home with the counts, and saves channel settings through its modal", async () => {
    await page.locator("#apps .side-item").click();
    const home = page.locator("#home");
    await home.locator("text=errors triaged").first().waitFor();
    expect(await home.textContent()).toMatch(/[4-9] errors triaged/);
    await home.locator("button[data-action-id=triage_edit_settings]").click();
    const modal = page.locator(".modal");
    await modal.waitFor();
    await modal.locator("[data-action-id=min_score]").fill("seven");
    await modal.locator("[data-modal-submit]").click();
    await modal.locator(".bk-error").first().waitFor();
    await modal.locator("select[data-action-id=channel]").selectOption({ label: "#general" });
    await modal.locator("[data-action-id=min_score]").fill("0.9");
    await modal.locator("[data-modal-submit]").click();
    await modal.waitFor({ state: "detached" });
    await home.locator("text=#general").first().waitFor();
    await page.screenshot({ path: `${RESULTS}sandbox-home.png` });
  });
});
