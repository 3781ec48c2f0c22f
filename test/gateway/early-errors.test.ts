/**
 * Errors the gateway answers before any service runs (unknown or disabled service, unreadable
 * body) speak the request's protocol: awsJson `__type`, restJson `x-amzn-ErrorType`, awsQuery
 * `<ErrorResponse>`, S3's `<Error>`. Real SDK clients parse them into their NotImplemented error.
 */
import { describe, expect, it } from "vitest";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { createEmulator } from "../../src/emulator.ts";
import { inProcess } from "../helpers/clients.ts";

function auth(service: string) {
  return `AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`;
}

const onlySqs = createEmulator({ services: ["sqs"] });
const onlyS3 = createEmulator({ services: ["s3"] });
const emulator = createEmulator();

describe("awsJson: X-Amz-Target / application/x-amz-json", () => {
  it("an unknown target gets a JSON __type body, never XML", async () => {
    const res = await emulator.fetch(new Request("http://127.0.0.1:4566/", {
      method: "POST", headers: { "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters", "content-type": "application/x-amz-json-1.1" }, body: "{}",
    }));
    expect(res.status).toBe(501);
    expect(res.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    const body = await res.json() as Record<string, string>;
    expect(body.__type).toBe("com.amazon.coral.service#NotImplemented");
    expect(body.message).toContain("AmazonEC2ContainerServiceV20141113");
    expect(res.headers.get("x-amzn-errortype")).toBe("NotImplemented");
  });

  it("a disabled service answers in its own JSON format, which the SDK parses", async () => {
    const res = await onlySqs.fetch(new Request("http://127.0.0.1:4566/", {
      method: "POST", headers: { "x-amz-target": "DynamoDB_20120810.ListTables", "content-type": "application/x-amz-json-1.0", authorization: auth("dynamodb") }, body: "{}",
    }));
    expect(res.status).toBe(501);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ __type: "com.amazon.coral.service#NotImplemented", message: expect.stringContaining("'dynamodb' is not enabled") });
    // DynamoDB's CRC32 header comes with it, as on every DynamoDB response.
    expect(res.headers.get("x-amz-crc32")).toMatch(/^\d+$/);
    const client = new DynamoDBClient(inProcess(onlySqs));
    await expect(client.send(new ListTablesCommand({}))).rejects.toMatchObject({ name: "NotImplemented", $metadata: { httpStatusCode: 501 } });
  });
});

describe("restJson", () => {
  it("a disabled REST JSON service answers x-amzn-ErrorType with a JSON body", async () => {
    const res = await onlySqs.fetch(new Request("http://127.0.0.1:4566/2015-03-31/functions/", { headers: { authorization: auth("lambda") } }));
    expect(res.status).toBe(501);
    expect(res.headers.get("x-amzn-errortype")).toBe("NotImplemented");
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toMatchObject({ message: expect.stringContaining("'lambda' is not enabled") });
    const client = new LambdaClient(inProcess(onlySqs));
    await expect(client.send(new ListFunctionsCommand({}))).rejects.toMatchObject({ name: "NotImplemented", $metadata: { httpStatusCode: 501 } });
  });

  it("an unknown service sent JSON gets JSON", async () => {
    const res = await emulator.fetch(new Request("http://127.0.0.1:4566/v1/apis", {
      method: "POST", headers: { authorization: auth("apigateway"), "content-type": "application/json" }, body: "{}",
    }));
    expect(res.status).toBe(501);
    expect(res.headers.get("x-amzn-errortype")).toBe("NotImplemented");
    expect(await res.json()).toMatchObject({ message: expect.stringContaining("'apigateway'") });
  });
});

describe("awsQuery: form bodies and ?Action=", () => {
  it("an unknown service gets <ErrorResponse> XML", async () => {
    const res = await emulator.fetch(new Request("http://127.0.0.1:4566/", {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", authorization: auth("ec2") }, body: "Action=DescribeInstances&Version=2016-11-15",
    }));
    expect(res.status).toBe(501);
    const text = await res.text();
    expect(text).toMatch(/^(<\?xml[^>]*>\s*)?<ErrorResponse[^>]*><Error><Type>Receiver<\/Type><Code>NotImplemented<\/Code><Message>Service 'ec2'/);
    expect(text).toContain("<RequestId>");
  });

  it("a disabled query service is parsed by its SDK", async () => {
    const client = new STSClient(inProcess(onlySqs));
    await expect(client.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "NotImplemented", $metadata: { httpStatusCode: 501 } });
  });

  it("a form body over the limit gets 413 as <ErrorResponse>", async () => {
    const small = createEmulator({ maxBodyBytes: 64 });
    const res = await small.fetch(new Request("http://127.0.0.1:4566/", {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=GetCallerIdentity&Version=2011-06-15&Pad=" + "x".repeat(256),
    }));
    expect(res.status).toBe(413);
    expect(await res.text()).toContain("<ErrorResponse><Error><Type>Sender</Type><Code>RequestEntityTooLarge</Code>");
  });
});

describe("restXml", () => {
  it("disabled S3 answers S3's <Error> body, which the SDK parses", async () => {
    const res = await onlySqs.fetch(new Request("http://127.0.0.1:4566/some-bucket", { headers: { authorization: auth("s3") } }));
    expect(res.status).toBe(501);
    const text = await res.text();
    expect(text).toMatch(/<Error><Code>NotImplemented<\/Code><Message>Service 's3' is not enabled[^<]*<\/Message><RequestId>[^<]+<\/RequestId><HostId>/);
    expect(text).not.toContain("<ErrorResponse");
    const client = new S3Client({ ...inProcess(onlySqs), forcePathStyle: true });
    await expect(client.send(new ListBucketsCommand({}))).rejects.toMatchObject({ name: "NotImplemented", $metadata: { httpStatusCode: 501 } });
  });

  it("S3 itself still serves when it is the only service", async () => {
    const client = new S3Client({ ...inProcess(onlyS3), forcePathStyle: true });
    expect((await client.send(new ListBucketsCommand({}))).Buckets).toEqual([]);
  });
});
