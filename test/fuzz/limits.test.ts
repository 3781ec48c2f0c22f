/**
 * Hostile input that must meet AWS's limits and never expand XML entities (issue 22): the
 * billion laughs and external entities are refused as MalformedXML without being expanded or
 * read; item, message, nesting and body size limits answer AWS's errors in the protocol's shape.
 */
import { describe, expect, it } from "vitest";
import { createEmulator } from "../../src/emulator.ts";
import { parseXml, XmlSyntaxError } from "../../src/protocol/xml.ts";

const auth = (service: string) => `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`;

function s3(emulator: ReturnType<typeof createEmulator>, method: string, path: string, body?: string) {
  return emulator.fetch(new Request(`http://localhost:4566${path}`, {
    method, body, headers: { authorization: auth("s3"), "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
  }));
}

function awsJson(emulator: ReturnType<typeof createEmulator>, target: string, body: string, version = "1.0") {
  return emulator.fetch(new Request("http://localhost:4566/", {
    method: "POST", body, headers: { "x-amz-target": target, "content-type": `application/x-amz-json-${version}`, authorization: auth(target.startsWith("Dynamo") ? "dynamodb" : "sqs") },
  }));
}

/** Ten levels of ten references: 10^10 "a"s if a parser expanded them. */
const BILLION_LAUGHS = `<?xml version="1.0"?><!DOCTYPE Tagging [<!ENTITY l0 "aaaaaaaaaa">${
  Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join("")}]>`;

describe("XML never expands entities", () => {
  it("S3 answers the billion laughs with MalformedXML at once, and stores nothing", async () => {
    const emulator = createEmulator();
    expect((await s3(emulator, "PUT", "/laughs")).status).toBe(200);
    const started = performance.now();
    const response = await s3(emulator, "PUT", "/laughs?tagging", `${BILLION_LAUGHS}<Tagging><TagSet><Tag><Key>k</Key><Value>&l9;</Value></Tag></TagSet></Tagging>`);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/<Code>MalformedXML<\/Code>/);
    const tags = await s3(emulator, "GET", "/laughs?tagging");
    expect(tags.status).toBe(404);
    expect(await tags.text()).toMatch(/<Code>NoSuchTagSet<\/Code>/);
  });

  it("an external entity (file or URL) is never read: MalformedXML, nothing of the file in any answer", async () => {
    const emulator = createEmulator();
    await s3(emulator, "PUT", "/xxe");
    for (const dtd of [
      `<!DOCTYPE Tagging [<!ENTITY x SYSTEM "file:///etc/passwd">]>`,
      `<!DOCTYPE Tagging [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd"> %p;]>`,
      `<!DOCTYPE Tagging SYSTEM "file:///etc/passwd">`,
    ]) {
      const response = await s3(emulator, "PUT", "/xxe?tagging", `<?xml version="1.0"?>${dtd}<Tagging><TagSet><Tag><Key>k</Key><Value>&x;</Value></Tag></TagSet></Tagging>`);
      const text = await response.text();
      expect(response.status).toBe(400);
      expect(text).toMatch(/<Code>MalformedXML<\/Code>/);
      expect(text).not.toContain("root:");
    }
    // An entity never declared is not well-formed either (and is not left in the value).
    const undeclared = await s3(emulator, "PUT", "/xxe?tagging", "<Tagging><TagSet><Tag><Key>k</Key><Value>&x;</Value></Tag></TagSet></Tagging>");
    expect(undeclared.status).toBe(400);
    expect(await undeclared.text()).toMatch(/<Code>MalformedXML<\/Code>/);
    expect((await s3(emulator, "GET", "/xxe?tagging")).status).toBe(404);
  });

  it("only the five predefined entities and character references are decoded", async () => {
    const emulator = createEmulator();
    await s3(emulator, "PUT", "/chars");
    // (S3 tag values allow letters, digits, spaces and + - = . _ : / @.)
    const put = await s3(emulator, "PUT", "/chars?tagging", "<Tagging><TagSet><Tag><Key>k</Key><Value>&#x41;&#66; &#43;</Value></Tag></TagSet></Tagging>");
    expect(put.status).toBe(200);
    expect(await (await s3(emulator, "GET", "/chars?tagging")).text()).toContain("<Value>AB +</Value>");
    expect(parseXml("<a>x&amp;&lt;&gt;&quot;&apos;&#x1F600;</a>").text).toBe("x&<>\"'\u{1F600}");
    for (const bad of [`${BILLION_LAUGHS}<a>&l9;</a>`, "<a>&l9;</a>", "<a>a & b</a>", "<a>&#0;</a>", "<a>&#xD800;</a>", "<a>&#x110000;</a>", '<a b="&x;"/>']) {
      expect(() => parseXml(bad), bad).toThrow(XmlSyntaxError);
    }
  });
});

describe("size and nesting limits answer AWS's errors", () => {
  it("DynamoDB: an item over 400 KB, and attributes nested deeper than 32 levels, are ValidationExceptions", async () => {
    const emulator = createEmulator();
    const created = await awsJson(emulator, "DynamoDB_20120810.CreateTable", JSON.stringify({
      TableName: "limits", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST",
    }));
    expect(created.status).toBe(200);
    const big = await awsJson(emulator, "DynamoDB_20120810.PutItem", JSON.stringify({ TableName: "limits", Item: { pk: { S: "a" }, v: { S: "x".repeat(400 * 1024) } } }));
    expect(big.status).toBe(400);
    expect(await big.json()).toEqual({ __type: "com.amazon.coral.validate#ValidationException", message: "Item size has exceeded the maximum allowed size" });
    let nested: unknown = { S: "x" };
    for (let i = 0; i < 40; i++) nested = { M: { a: nested } };
    const deep = await awsJson(emulator, "DynamoDB_20120810.PutItem", JSON.stringify({ TableName: "limits", Item: { pk: { S: "b" }, v: nested } }));
    expect(deep.status).toBe(400);
    expect(await deep.json()).toEqual({ __type: "com.amazon.coral.validate#ValidationException", message: "Nesting Levels have exceeded supported limits" });
    // A JSON document thousands of levels deep is a client error, not a stack overflow (was a 500).
    for (const depth of [1000, 5000, 20_000]) {
      const absurd = await awsJson(emulator, "DynamoDB_20120810.PutItem", '{"TableName":"limits","Item":{"pk":{"S":"c"},"v":' + '{"M":{"a":'.repeat(depth) + '{"S":"x"}' + "}}".repeat(depth) + "}}");
      expect(absurd.status, `depth ${depth}`).toBe(400);
      expect(((await absurd.json()) as { __type: string }).__type).toMatch(/ValidationException|SerializationException/);
    }
  });

  it("SQS: a message over 1 MiB is InvalidParameterValue (query) / InvalidParameterValueException (JSON)", async () => {
    const emulator = createEmulator();
    const queueUrl = "http://localhost:4566/000000000000/limits";
    const form = (body: string) => emulator.fetch(new Request("http://localhost:4566/", {
      method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", authorization: auth("sqs") },
    }));
    expect((await form("Action=CreateQueue&QueueName=limits")).status).toBe(200);
    const over = await form(`Action=SendMessage&QueueUrl=${encodeURIComponent(queueUrl)}&MessageBody=${"a".repeat(1024 * 1024 + 1)}`);
    expect(over.status).toBe(400);
    expect(await over.text()).toMatch(/<Code>InvalidParameterValue<\/Code><Message>One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.<\/Message>/);
    expect((await form(`Action=SendMessage&QueueUrl=${encodeURIComponent(queueUrl)}&MessageBody=${"a".repeat(1024 * 1024)}`)).status).toBe(200);
    const json = await awsJson(emulator, "AmazonSQS.SendMessage", JSON.stringify({ QueueUrl: queueUrl, MessageBody: "a".repeat(1024 * 1024 + 1) }));
    expect(json.status).toBe(400);
    expect(((await json.json()) as { __type: string }).__type).toBe("com.amazonaws.sqs#InvalidParameterValueException");
  });

  it("a body over the emulator's limit is 413 in the protocol's shape (JSON, query, XML)", async () => {
    const emulator = createEmulator({ maxBodyBytes: 1024 });
    const json = await awsJson(emulator, "DynamoDB_20120810.ListTables", JSON.stringify({ X: "a".repeat(2048) }));
    expect(json.status).toBe(413);
    expect(((await json.json()) as { __type: string }).__type).toMatch(/RequestEntityTooLarge/);
    const query = await emulator.fetch(new Request("http://localhost:4566/", {
      method: "POST", body: `Action=ListQueues&X=${"a".repeat(2048)}`, headers: { "content-type": "application/x-www-form-urlencoded", authorization: auth("sqs") },
    }));
    expect(query.status).toBe(413);
    expect(await query.text()).toMatch(/<Code>RequestEntityTooLarge<\/Code>/);
    await s3(emulator, "PUT", "/limits");
    const xml = await s3(emulator, "PUT", "/limits?tagging", `<Tagging>${"<!-- -->".repeat(300)}</Tagging>`);
    expect(xml.status).toBe(413);
    expect(await xml.text()).toMatch(/<Code>RequestEntityTooLarge<\/Code>/);
  });
});
