/**
 * The web console in a real browser (headless Chromium): resources made with the JS SDK are
 * found, opened, edited and deleted through the UI, and requests appear in the live log.
 * Skipped, with the reason printed, when no Chromium is installed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { S3Client, CreateBucketCommand, PutObjectCommand, HeadObjectCommand, PutBucketVersioningCommand, GetObjectCommand } from "@aws-sdk/client-s3";
import { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand, ListQueuesCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { DynamoDBClient, CreateTableCommand, PutItemCommand, GetItemCommand, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { overHttp, startTestServer } from "../helpers/clients.ts";
import { chromium, launch, openPage, route, rows, settle, statusText } from "./browser.ts";

if (!chromium.path) console.warn(`skipping the console's browser tests: ${chromium.reason}`);

// Skipped only when Chromium is absent (.ci/run installs Debian's chromium); the reason is printed.
describe.skipIf(!chromium.path)("web console in Chromium", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  let s3: S3Client;
  let sqs: SQSClient;
  let ddb: DynamoDBClient;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launch();
    page = await openPage(browser, errors);
    await page.goto(`${server.url}/_fetchstack/ui`);
    await settle(page);
    s3 = new S3Client({ ...overHttp(server.url), forcePathStyle: true });
    sqs = new SQSClient(overHttp(server.url));
    ddb = new DynamoDBClient(overHttp(server.url));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    expect(errors).toEqual([]);
  });

  const click = async (selector: string) => {
    await page.waitForSelector(selector);
    await page.click(selector);
  };
  const waitText = (selector: string, text: string) =>
    page.waitForFunction((s, t) => [...document.querySelectorAll(s)].some((e) => e.textContent?.includes(t)), {}, selector, text);
  const waitStatus = (text: string) => page.waitForFunction((t) => document.querySelector(".status")?.textContent?.includes(t), {}, text);

  it("shows the served services and switches account and region", async () => {
    const nav = await page.$$eval("nav a", (as) => as.map((a) => a.textContent));
    expect(nav).toEqual(expect.arrayContaining(["Overview", "S3", "SQS", "DynamoDB", "Requests", "State"]));
    await new SQSClient({ ...overHttp(server.url, "eu-west-1"), credentials: { accessKeyId: "111122223333", secretAccessKey: "x" } })
      .send(new CreateQueueCommand({ QueueName: "elsewhere" }));
    await route(page, "#/sqs");
    expect((await rows(page, "queues")).map((r) => r[0])).not.toContain("elsewhere");
    await page.$eval("input[name=account]", (el) => ((el as HTMLInputElement).value = "111122223333"));
    await page.$eval("input[name=region]", (el) => ((el as HTMLInputElement).value = "eu-west-1"));
    await page.click("form[data-form=scope] button");
    await waitText("table[data-name=queues] td", "elsewhere");
    await page.$eval("input[name=account]", (el) => ((el as HTMLInputElement).value = "000000000000"));
    await page.$eval("input[name=region]", (el) => ((el as HTMLInputElement).value = "us-east-1"));
    await page.click("form[data-form=scope] button");
    await settle(page);
    expect((await rows(page, "queues")).map((r) => r[0])).not.toContain("elsewhere");
  });

  it("S3: browses buckets and prefixes, shows metadata and versions, uploads, downloads and deletes", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "photos" }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: "photos", VersioningConfiguration: { Status: "Enabled" } }));
    await s3.send(new PutObjectCommand({ Bucket: "photos", Key: "2024/cat.txt", Body: "meow v1", ContentType: "text/plain", Metadata: { owner: "ana" } }));
    await s3.send(new PutObjectCommand({ Bucket: "photos", Key: "2024/cat.txt", Body: "meow v2", ContentType: "text/plain", Metadata: { owner: "ana" } }));
    await s3.send(new PutObjectCommand({ Bucket: "photos", Key: "readme.md", Body: "# hi" }));

    await route(page, "#/s3");
    expect((await rows(page, "buckets")).map((r) => r[0])).toContain("photos");
    await page.click("table[data-name=buckets] a[href='#/s3/photos']");
    await waitText("table[data-name=objects] td", "readme.md");
    const top = await rows(page, "objects");
    expect(top.map((r) => r[0])).toEqual(["2024/", "readme.md"]);
    await page.click("table[data-name=objects] a .folder");
    await waitText("table[data-name=objects] td", "cat.txt");
    expect((await rows(page, "objects")).map((r) => [r[0], r[2]])).toEqual([["cat.txt", "7 B"]]);
    await page.click("tr[data-key='2024/cat.txt']");
    await waitText("h1", "2024/cat.txt");
    await settle(page);
    const text = await page.$eval(".view", (el) => el.textContent ?? "");
    expect(text).toContain("owner");
    expect(text).toContain("ana");
    expect(text).toContain("text/plain");
    expect(await rows(page, "versions")).toHaveLength(2);
    await click("[data-action=preview]");
    await waitText("pre", "meow v2");

    // Download lands in a folder the browser is told to use.
    const downloads = mkdtempSync(join(tmpdir(), "fetchstack-console-"));
    const cdp = await page.createCDPSession();
    await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
    await click("[data-action=download]");
    await expect.poll(() => readdirSync(downloads).filter((f) => !f.endsWith(".crdownload")), { timeout: 10_000 }).toEqual(["cat.txt"]);
    expect(readFileSync(join(downloads, "cat.txt"), "utf8")).toBe("meow v2");

    // Upload a file into the prefix.
    await route(page, "#/s3/photos?prefix=2024%2F");
    const upload = join(downloads, "dog.txt");
    writeFileSync(upload, "woof");
    const input = await page.$("form[data-form=upload] input[type=file]");
    await input!.uploadFile(upload);
    await page.click("form[data-form=upload] button[type=submit]");
    await waitStatus("Uploaded 2024/dog.txt");
    await waitText("table[data-name=objects] td", "dog.txt");
    const head = await s3.send(new HeadObjectCommand({ Bucket: "photos", Key: "2024/dog.txt" }));
    expect(head.ContentLength).toBe(4);
    expect(head.ContentType).toBe("text/plain");

    // Delete it; S3 keeps a delete marker (versioning), shown in the versions listing.
    await page.click("tr[data-key='2024/dog.txt']");
    await waitText("h1", "2024/dog.txt");
    await click("[data-action=delete-object]");
    await waitStatus("Deleted 2024/dog.txt");
    await expect(s3.send(new GetObjectCommand({ Bucket: "photos", Key: "2024/dog.txt" }))).rejects.toMatchObject({ name: "NoSuchKey" });
    await route(page, "#/s3/photos?prefix=2024%2F&versions=1");
    await waitText("table[data-name=objects] td", "delete marker");
  });

  it("SQS: peeks without receiving, sends, purges and deletes a queue", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "orders" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"order":1}' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"order":2}' }));
    await route(page, "#/sqs");
    await page.click("table[data-name=queues] a[href='#/sqs/orders']");
    await waitText("table[data-name=messages] td", '{"order":2}');
    expect((await rows(page, "messages")).map((r) => [r[1], r[3], r[4]])).toEqual([['{"order":1}', "0", "visible"], ['{"order":2}', "0", "visible"]]);
    // Peeking received nothing: both are still there for a consumer, received once.
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, AttributeNames: ["All"], VisibilityTimeout: 0 }));
    expect(got.Messages?.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(["1", "1"]);

    await page.type("form[data-form=send] textarea", "sent from the console");
    await page.click("form[data-form=send] button[type=submit]");
    await waitText("table[data-name=messages] td", "sent from the console");
    const all = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(all.Messages?.map((m) => m.Body)).toContain("sent from the console");

    await click("[data-action=purge]");
    await waitStatus("Purged orders");
    await waitText(".view p.empty", "No messages.");
    await route(page, "#/sqs");
    await page.$$eval("table[data-name=queues] tr", (trs) => {
      const tr = trs.find((t) => t.textContent?.includes("orders"));
      (tr!.querySelector("[data-action=delete-queue]") as HTMLButtonElement).click();
    });
    await waitStatus("Deleted queue orders");
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).not.toContain(QueueUrl);
  });

  it("SQS: a dead-letter queue's messages are redriven to their source from the console", async () => {
    const { QueueUrl: dlqUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "jobs-dlq" }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }));
    const { QueueUrl: jobsUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "jobs", Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: 1 }) } }));
    await sqs.send(new SendMessageCommand({ QueueUrl: jobsUrl, MessageBody: "poison" }));
    // Received once, then past maxReceiveCount: the next receive moves it to the DLQ.
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: jobsUrl, VisibilityTimeout: 0 }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: jobsUrl, VisibilityTimeout: 0 }));
    await route(page, "#/sqs/jobs-dlq");
    expect((await rows(page, "messages")).map((r) => r[1])).toEqual(["poison"]);
    await click("[data-action=redrive]");
    await waitStatus("Started move task");
    await expect.poll(async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: jobsUrl, VisibilityTimeout: 0 }))).Messages?.[0]?.Body, { timeout: 15_000 }).toBe("poison");
  });

  it("DynamoDB: schema and indexes, Scan/Query with pages, items edited and deleted in DynamoDB JSON", async () => {
    await ddb.send(new CreateTableCommand({
      TableName: "users",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }, { AttributeName: "email", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
      GlobalSecondaryIndexes: [{ IndexName: "by-email", KeySchema: [{ AttributeName: "email", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } }],
      BillingMode: "PAY_PER_REQUEST",
    }));
    for (let i = 1; i <= 5; i++) {
      await ddb.send(new PutItemCommand({ TableName: "users", Item: { pk: { S: i <= 3 ? "team-a" : "team-b" }, sk: { N: String(i) }, email: { S: `u${i}@example.com` }, name: { S: `user ${i}` } } }));
    }
    await route(page, "#/dynamodb");
    await page.click("table[data-name=tables] a[href='#/dynamodb/users']");
    await waitText("table[data-name=items] td", "user 1");
    expect((await rows(page, "indexes"))[0]!.slice(0, 3)).toEqual(["by-email", "global", "email (HASH)"]);
    expect(await rows(page, "items")).toHaveLength(5);

    // Query with a page size of 2: two pages, then the end.
    await page.select("form[data-form=query] select[name=op]", "Query");
    await page.type("form[data-form=query] input[name=key]", "pk = :p");
    await page.type("form[data-form=query] input[name=values]", '{":p":{"S":"team-a"}}');
    await page.$eval("form[data-form=query] input[name=limit]", (el) => ((el as HTMLInputElement).value = "2"));
    await page.click("form[data-form=query] button[type=submit]");
    await waitStatus("Query: 2 item(s), more pages");
    expect((await rows(page, "items")).map((r) => r[1])).toEqual(["1", "2"]);
    await click("[data-action=next-page]");
    await page.waitForFunction(() => document.querySelectorAll("table[data-name=items] tbody tr").length === 3);
    expect((await rows(page, "items")).map((r) => r[1])).toEqual(["1", "2", "3"]);

    // Query an index.
    await page.select("form[data-form=query] select[name=index]", "by-email");
    await page.$eval("form[data-form=query] input[name=key]", (el) => ((el as HTMLInputElement).value = "email = :e"));
    await page.$eval("form[data-form=query] input[name=values]", (el) => ((el as HTMLInputElement).value = '{":e":{"S":"u4@example.com"}}'));
    await page.click("form[data-form=query] button[type=submit]");
    // The page before ended "Query: 1 item(s)." too: wait for the index's answer itself.
    await page.waitForFunction(() => document.querySelector("table[data-name=items] tbody tr")?.textContent?.includes("u4@example.com"));
    await waitStatus("Query: 1 item(s).");
    expect(await rows(page, "items")).toHaveLength(1);
    expect((await rows(page, "items"))[0]!.slice(0, 3)).toEqual(["team-b", "4", "u4@example.com"]);

    // Edit the item in DynamoDB JSON.
    await page.click("table[data-name=items] tbody tr");
    await page.waitForSelector("form[data-form=item] textarea");
    await page.$eval("form[data-form=item] textarea", (el) => {
      const area = el as HTMLTextAreaElement;
      const item = JSON.parse(area.value);
      item.name = { S: "renamed" };
      item.tags = { SS: ["x", "y"] };
      area.value = JSON.stringify(item);
    });
    await page.click("form[data-form=item] button[type=submit]");
    await waitStatus("Saved the item.");
    const edited = await ddb.send(new GetItemCommand({ TableName: "users", Key: { pk: { S: "team-b" }, sk: { N: "4" } } }));
    expect(edited.Item?.name).toEqual({ S: "renamed" });
    expect(edited.Item?.tags).toEqual({ SS: ["x", "y"] });

    // Bad JSON is refused in the page, AWS's errors are shown as they come.
    await click("[data-action=new-item]");
    await page.$eval("form[data-form=item] textarea", (el) => ((el as HTMLTextAreaElement).value = '{"pk":{"S":"k"}}'));
    await page.click("form[data-form=item] button[type=submit]");
    await page.waitForFunction(() => document.querySelector(".status.error")?.textContent?.includes("ValidationException"));

    // Delete the edited item.
    await route(page, "#/dynamodb/users");
    await page.$$eval("table[data-name=items] tbody tr", (trs) => (trs.find((t) => t.textContent?.includes("renamed")) as HTMLElement).click());
    await click("[data-action=delete-item]");
    await waitStatus("Deleted the item.");
    expect((await ddb.send(new GetItemCommand({ TableName: "users", Key: { pk: { S: "team-b" }, sk: { N: "4" } } }))).Item).toBeUndefined();

    await route(page, "#/dynamodb");
    await click("table[data-name=tables] [data-action=delete-table]");
    await waitStatus("Deleted table users");
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).not.toContain("users");
  });

  it("Requests: SDK calls appear live with their bodies; filters by service, status and text", async () => {
    await route(page, "#/requests");
    await page.waitForFunction(() => document.querySelector(".live")?.textContent === "live");
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "live-log" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "watch me" }));
    await expect(ddb.send(new GetItemCommand({ TableName: "missing", Key: { k: { S: "x" } } }))).rejects.toThrow();
    await waitText("table[data-name=requests] td", "SendMessage");
    await waitText("table[data-name=requests] td", "GetItem");

    await page.select(".filters select[name=service]", "sqs");
    const sqsOnly = await rows(page, "requests");
    expect(sqsOnly.every((r) => r[1] === "sqs")).toBe(true);
    expect(sqsOnly.map((r) => r[2])).toEqual(expect.arrayContaining(["SendMessage", "CreateQueue"]));
    await page.select(".filters select[name=service]", "");
    await page.select(".filters select[name=status]", "4");
    const failed = await rows(page, "requests");
    expect(failed.map((r) => [r[1], r[2], r[3]])).toContainEqual(["dynamodb", "GetItem", "400"]);
    expect(failed.every((r) => r[3]!.startsWith("4"))).toBe(true);
    await page.select(".filters select[name=status]", "");
    await page.type(".filters input[name=q]", "sendmessage");
    const found = (await rows(page, "requests")).map((r) => r[2]);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((o) => o === "SendMessage")).toBe(true);

    await page.click("table[data-name=requests] tbody tr");
    await waitText(".detail pre", "watch me");
    const detail = await page.$eval(".detail", (el) => el.textContent ?? "");
    expect(detail).toContain("MD5OfMessageBody");
    expect(detail).toContain("application/x-amz-json-1.0");
  });

  it("State: downloads a snapshot, resets, and loads the snapshot back", async () => {
    await sqs.send(new CreateQueueCommand({ QueueName: "kept" }));
    await route(page, "#/state");
    const downloads = mkdtempSync(join(tmpdir(), "fetchstack-console-"));
    const cdp = await page.createCDPSession();
    await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
    await click("[data-action=download-state]");
    await expect.poll(() => readdirSync(downloads).filter((f) => f.endsWith(".json")).length, { timeout: 10_000 }).toBe(1);
    const file = join(downloads, readdirSync(downloads).find((f) => f.endsWith(".json"))!);
    expect(JSON.parse(readFileSync(file, "utf8")).format).toBe("fetchstack-state");

    await page.click("form[data-form=reset] button[type=submit]");
    await waitStatus("Reset all state.");
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).toEqual([]);

    const input = await page.$("form[data-form=load-state] input[type=file]");
    await input!.uploadFile(file);
    await page.click("form[data-form=load-state] button[type=submit]");
    await waitStatus("State replaced by the snapshot.");
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls?.some((u) => u.endsWith("/kept"))).toBe(true);
  });
});
