/**
 * The Node adapter serves HTTP/1.1 and cleartext HTTP/2 on one port: the JS SDK's Kinesis client
 * (which opens HTTP/2 to any endpoint, for event streams) and an HTTP/1.1 client both work.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { overHttp, startTestServer } from "../helpers/clients.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe("Node adapter, HTTP/1.1 and h2c on one port", () => {
  it("serves the JS SDK's Kinesis client over HTTP/2 and STS over HTTP/1.1", async () => {
    const kinesis = new KinesisClient(overHttp(server.url));
    await kinesis.send(new CreateStreamCommand({ StreamName: "h2", ShardCount: 1 }));
    const put = await kinesis.send(new PutRecordCommand({ StreamName: "h2", PartitionKey: "k", Data: new TextEncoder().encode("over h2") }));
    const iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "h2", ShardId: put.ShardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    const records = (await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }))).Records!;
    expect(records.map((r) => new TextDecoder().decode(r.Data))).toEqual(["over h2"]);
    kinesis.destroy();
    expect((await new STSClient(overHttp(server.url)).send(new GetCallerIdentityCommand({}))).Account).toBe("000000000000");
    const plain = await fetch(`${server.url}/_fetchstack/health`);
    expect(plain.status).toBe(200);
  });
});
