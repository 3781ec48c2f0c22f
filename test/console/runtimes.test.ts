/**
 * The console where fetchstack runs beside Node: under workerd (Miniflare, the bundled
 * dist/worker.js) and under Deno (`deno task start`), opened in Chromium: the page, resources
 * made with the SDK, and the live request log over server-sent events.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { Miniflare } from "miniflare";
import type { Browser } from "puppeteer-core";
import { SQSClient, CreateQueueCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { spawnUntil, type Spawned } from "../helpers/process.ts";
import { chromium, launch, openPage, rows, settle } from "./browser.ts";

const deno = "node_modules/.bin/deno";
if (!chromium.path) console.warn(`skipping the console under workerd and Deno: ${chromium.reason}`);
if (chromium.path && !existsSync(deno)) console.warn("skipping the console under Deno: node_modules/.bin/deno is missing (npm ci installs it)");

/** Opens the console at `origin`, finds a queue the SDK made, and sees a request arrive live. */
async function exercise(browser: Browser, origin: string, name: string): Promise<void> {
  const errors: string[] = [];
  const page = await openPage(browser, errors);
  const sqs = new SQSClient({ region: "us-east-1", endpoint: origin, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  await page.goto(`${origin}/_fetchstack/ui#/sqs`);
  await settle(page);
  expect((await rows(page, "queues")).map((r) => r[0])).toContain(name);
  await page.evaluate(() => (location.hash = "#/requests"));
  await page.waitForFunction(() => document.querySelector(".live")?.textContent === "live");
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `hello ${name}` }));
  await page.waitForSelector("table[data-name=requests] tr[data-operation=SendMessage]");
  await page.click("table[data-name=requests] tr[data-operation=SendMessage]");
  await page.waitForFunction((t) => document.querySelector(".detail")?.textContent?.includes(t), {}, `hello ${name}`);
  await page.close();
  expect(errors).toEqual([]);
}

// Skipped only when Chromium is absent (.ci/run installs Debian's chromium); the reason is printed.
describe.skipIf(!chromium.path)("console under workerd and Deno", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(() => browser?.close());

  it("works under workerd (Miniflare, dist/worker.js)", async () => {
    if (!existsSync("dist/worker.js")) execFileSync("node", ["scripts/build.mjs"]);
    const mf = new Miniflare({ modules: true, scriptPath: "dist/worker.js", compatibilityDate: "2025-09-01" });
    try {
      const url = await mf.ready;
      await exercise(browser, url.origin, "on-workerd");
    } finally {
      await mf.dispose();
    }
  }, 90_000);

  // Skipped only when the npm-installed deno is absent; the reason is printed.
  it.skipIf(!existsSync(deno))("works under Deno (deno task start)", async () => {
    let server: (Spawned & { match: RegExpMatchArray }) | undefined;
    try {
      server = await spawnUntil(deno, ["task", "start", "--port", "0"], /fetchstack on Deno [^:]+: http:\/\/127\.0\.0\.1:(\d+)/, {
        env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
        timeoutMs: 90_000,
      });
      await exercise(browser, `http://127.0.0.1:${server.match[1]}`, "on-deno");
    } finally {
      server?.stop();
    }
  }, 150_000);
});
