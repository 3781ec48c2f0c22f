/**
 * Target kinds whose services are served: Firehose (through to S3 on the clock), Kinesis
 * (partition key path), SNS (to an SQS subscriber), CloudWatch Logs log groups, API destinations (real HTTP with the connection's auth, OAuth too), and
 * archives with a replay back to the bus.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CancelReplayCommand, CreateApiDestinationCommand, CreateArchiveCommand, CreateConnectionCommand, DeauthorizeConnectionCommand,
  DeleteApiDestinationCommand, DeleteArchiveCommand, DeleteConnectionCommand, DescribeApiDestinationCommand, DescribeArchiveCommand, DescribeConnectionCommand,
  DescribeReplayCommand, ListApiDestinationsCommand, ListArchivesCommand, ListConnectionsCommand, ListReplaysCommand,
  PutEventsCommand, PutRuleCommand, PutTargetsCommand, StartReplayCommand, UpdateApiDestinationCommand, UpdateArchiveCommand, UpdateConnectionCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { CreateDeliveryStreamCommand, FirehoseClient } from "@aws-sdk/client-firehose";
import { CreateStreamCommand, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogStreamsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { failure, setup } from "./helpers.ts";

describe("Firehose and Kinesis targets", () => {
  it("Firehose PutRecord: the event reaches S3 when the buffer interval passes", async () => {
    const { events, emulator, clock, config } = setup();
    const s3 = new S3Client({ ...config(), forcePathStyle: true });
    const firehose = new FirehoseClient(config());
    await s3.send(new CreateBucketCommand({ Bucket: "eb-firehose" }));
    const { DeliveryStreamARN } = await firehose.send(new CreateDeliveryStreamCommand({
      DeliveryStreamName: "eb-stream",
      ExtendedS3DestinationConfiguration: { BucketARN: "arn:aws:s3:::eb-firehose", RoleARN: "arn:aws:iam::000000000000:role/r", BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 1 } },
    }));
    await events.send(new PutRuleCommand({ Name: "to-firehose", EventPattern: '{"source":["f"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "to-firehose", Targets: [{ Id: "fh", Arn: DeliveryStreamARN, InputPath: "$.detail" }] }));
    await events.send(new PutEventsCommand({ Entries: [{ Source: "f", DetailType: "x", Detail: '{"n":1}' }, { Source: "f", DetailType: "x", Detail: '{"n":2}' }] }));
    await emulator.settled();
    await clock.advance(61_000);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "eb-firehose" }));
    expect(listed.KeyCount).toBe(1);
    const body = await (await s3.send(new GetObjectCommand({ Bucket: "eb-firehose", Key: listed.Contents![0]!.Key! }))).Body!.transformToString();
    expect(body).toBe('{"n":1}{"n":2}');
  });

  it("Kinesis PutRecord with the partition key taken from the event", async () => {
    const { events, emulator, config } = setup();
    const kinesis = new KinesisClient(config());
    await kinesis.send(new CreateStreamCommand({ StreamName: "eb-kinesis", ShardCount: 1 }));
    const stream = (await kinesis.send(new DescribeStreamCommand({ StreamName: "eb-kinesis" }))).StreamDescription!;
    await events.send(new PutRuleCommand({ Name: "to-kinesis", EventPattern: '{"source":["k"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "to-kinesis", Targets: [{ Id: "k", Arn: stream.StreamARN, KinesisParameters: { PartitionKeyPath: "$.detail.user" } }] }));
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: "k", DetailType: "x", Detail: '{"user":"alice"}' }] }));
    await emulator.settled();
    const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: "eb-kinesis", ShardId: stream.Shards![0]!.ShardId, ShardIteratorType: "TRIM_HORIZON" }));
    const records = (await kinesis.send(new GetRecordsCommand({ ShardIterator }))).Records!;
    expect(records.map((r) => r.PartitionKey)).toEqual(["alice"]);
    expect(JSON.parse(new TextDecoder().decode(records[0]!.Data)).id).toBe(put.Entries![0]!.EventId);
  });
});

describe("SNS and CloudWatch Logs targets", () => {
  it("SNS Publish reaches the topic's SQS subscriber", async () => {
    const { events, emulator, queue, bodies, config } = setup();
    const sns = new SNSClient(config());
    const q = await queue("sns-sub");
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "eb-topic" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: q.arn, Attributes: { RawMessageDelivery: "true" } }));
    await events.send(new PutRuleCommand({ Name: "to-sns", EventPattern: '{"source":["n"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "to-sns", Targets: [{ Id: "t", Arn: TopicArn }] }));
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: "n", DetailType: "x", Detail: '{"via":"sns"}' }] }));
    await emulator.settled();
    const got = await bodies(q.url);
    expect(got.map((e) => [e.id, e.detail])).toEqual([[put.Entries![0]!.EventId, { via: "sns" }]]);
  });

  it("a log group target gets a stream named by the event id holding the event", async () => {
    const { events, emulator, config } = setup();
    const logs = new CloudWatchLogsClient(config());
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/aws/events/eb" }));
    await events.send(new PutRuleCommand({ Name: "to-logs", EventPattern: '{"source":["l"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "to-logs", Targets: [{ Id: "t", Arn: "arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/eb:*" }] }));
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: "l", DetailType: "x", Detail: '{"n":1}' }] }));
    await emulator.settled();
    const id = put.Entries![0]!.EventId!;
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/events/eb" }));
    expect(streams.logStreams!.map((s) => s.logStreamName)).toEqual([id]);
    const got = await logs.send(new GetLogEventsCommand({ logGroupName: "/aws/events/eb", logStreamName: id, startFromHead: true }));
    expect(got.events!.map((e) => [e.timestamp, JSON.parse(e.message!).id])).toEqual([[Date.UTC(2026, 0, 1), id]]);
  });
});

describe("connections and API destinations", () => {
  let server: Server;
  let url: string;
  const seen: { method: string; url: string; headers: Record<string, unknown>; body: string }[] = [];
  let status = 200;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        if (req.url === "/oauth") {
          res.setHeader("content-type", "application/json");
          res.end(JSON.stringify({ access_token: "tok-123", token_type: "Bearer" }));
          return;
        }
        res.statusCode = status;
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server?.close());

  it("CRUD: secrets are never returned; errors as AWS", async () => {
    const { events } = setup();
    const created = await events.send(new CreateConnectionCommand({ Name: "c", AuthorizationType: "API_KEY", AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: "secret" } } }));
    expect(created.ConnectionState).toBe("AUTHORIZED");
    expect(created.ConnectionArn).toMatch(/^arn:aws:events:us-east-1:000000000000:connection\/c\/[0-9a-f-]{36}$/);
    const described = await events.send(new DescribeConnectionCommand({ Name: "c" }));
    expect(described.AuthParameters).toEqual({ ApiKeyAuthParameters: { ApiKeyName: "x-api-key" } });
    expect(described.SecretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:events!connection\/c\//);
    const wrong = await failure(events.send(new CreateConnectionCommand({ Name: "d", AuthorizationType: "BASIC", AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "k", ApiKeyValue: "v" } } })));
    expect(wrong.name).toBe("ValidationException");
    const dup = await failure(events.send(new CreateConnectionCommand({ Name: "c", AuthorizationType: "API_KEY", AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "k", ApiKeyValue: "v" } } })));
    expect(dup.name).toBe("ResourceAlreadyExistsException");
    await events.send(new UpdateConnectionCommand({ Name: "c", Description: "new" }));
    expect((await events.send(new ListConnectionsCommand({ NamePrefix: "c" }))).Connections!.map((c) => c.Name)).toEqual(["c"]);
    const dest = await events.send(new CreateApiDestinationCommand({ Name: "d", ConnectionArn: created.ConnectionArn, InvocationEndpoint: "https://example.com/*", HttpMethod: "POST" }));
    expect(dest.ApiDestinationState).toBe("ACTIVE");
    expect((await events.send(new DescribeApiDestinationCommand({ Name: "d" }))).InvocationRateLimitPerSecond).toBe(300);
    expect((await events.send(new ListApiDestinationsCommand({}))).ApiDestinations!.map((d) => d.Name)).toEqual(["d"]);
    const updated = await events.send(new UpdateApiDestinationCommand({ Name: "d", HttpMethod: "PUT", InvocationRateLimitPerSecond: 5 }));
    expect(updated.ApiDestinationArn).toBe(dest.ApiDestinationArn);
    expect(await events.send(new DescribeApiDestinationCommand({ Name: "d" }))).toMatchObject({ HttpMethod: "PUT", InvocationRateLimitPerSecond: 5 });
    expect((await failure(events.send(new UpdateApiDestinationCommand({ Name: "none", HttpMethod: "PUT" })))).name).toBe("ResourceNotFoundException");
    await events.send(new CreateApiDestinationCommand({ Name: "gone", ConnectionArn: created.ConnectionArn, InvocationEndpoint: "https://example.com/x", HttpMethod: "GET" }));
    expect((await events.send(new DeleteApiDestinationCommand({ Name: "gone" })))).toBeDefined();
    expect((await failure(events.send(new DescribeApiDestinationCommand({ Name: "gone" })))).name).toBe("ResourceNotFoundException");
    expect((await failure(events.send(new DeleteApiDestinationCommand({ Name: "gone" })))).name).toBe("ResourceNotFoundException");
    const noConn = await failure(events.send(new CreateApiDestinationCommand({ Name: "e", ConnectionArn: "arn:aws:events:us-east-1:000000000000:connection/none/x", InvocationEndpoint: "https://example.com", HttpMethod: "POST" })));
    expect(noConn.name).toBe("ResourceNotFoundException");
    expect((await events.send(new DeauthorizeConnectionCommand({ Name: "c" }))).ConnectionState).toBe("DEAUTHORIZING");
    expect((await events.send(new DescribeConnectionCommand({ Name: "c" }))).ConnectionState).toBe("DEAUTHORIZED");
    expect((await events.send(new DeleteConnectionCommand({ Name: "c" }))).ConnectionState).toBe("DELETING");
    expect((await failure(events.send(new DescribeConnectionCommand({ Name: "c" })))).name).toBe("ResourceNotFoundException");
  });

  it("an API destination target makes the HTTP call with API key, basic and OAuth client credentials", async () => {
    const { events, emulator } = setup();
    const key = await events.send(new CreateConnectionCommand({ Name: "key", AuthorizationType: "API_KEY", AuthParameters: {
      ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: "k-1" },
      InvocationHttpParameters: { HeaderParameters: [{ Key: "x-extra", Value: "e" }], QueryStringParameters: [{ Key: "q", Value: "1" }] },
    } }));
    const basic = await events.send(new CreateConnectionCommand({ Name: "basic", AuthorizationType: "BASIC", AuthParameters: { BasicAuthParameters: { Username: "u", Password: "p" } } }));
    const oauth = await events.send(new CreateConnectionCommand({ Name: "oauth", AuthorizationType: "OAUTH_CLIENT_CREDENTIALS", AuthParameters: {
      OAuthParameters: { AuthorizationEndpoint: `${url}/oauth`, HttpMethod: "POST", ClientParameters: { ClientID: "id", ClientSecret: "s" } },
    } }));
    const d1 = await events.send(new CreateApiDestinationCommand({ Name: "d1", ConnectionArn: key.ConnectionArn, InvocationEndpoint: `${url}/orders/*`, HttpMethod: "POST" }));
    const d2 = await events.send(new CreateApiDestinationCommand({ Name: "d2", ConnectionArn: basic.ConnectionArn, InvocationEndpoint: `${url}/basic`, HttpMethod: "PUT" }));
    const d3 = await events.send(new CreateApiDestinationCommand({ Name: "d3", ConnectionArn: oauth.ConnectionArn, InvocationEndpoint: `${url}/oauthed`, HttpMethod: "POST" }));
    await events.send(new PutRuleCommand({ Name: "http", EventPattern: '{"source":["h"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "http", Targets: [
      { Id: "1", Arn: d1.ApiDestinationArn, RoleArn: "arn:aws:iam::000000000000:role/r", InputPath: "$.detail", HttpParameters: { PathParameterValues: ["o-7"], HeaderParameters: { "x-h": "v" } } },
      { Id: "2", Arn: d2.ApiDestinationArn, RoleArn: "arn:aws:iam::000000000000:role/r", InputPath: "$.detail" },
      { Id: "3", Arn: d3.ApiDestinationArn, RoleArn: "arn:aws:iam::000000000000:role/r", InputPath: "$.detail" },
    ] }));
    seen.length = 0;
    await events.send(new PutEventsCommand({ Entries: [{ Source: "h", DetailType: "x", Detail: '{"order":"o-7"}' }] }));
    await emulator.settled();
    const byPath = Object.fromEntries(seen.map((r) => [r.url.split("?")[0], r]));
    expect(byPath["/orders/o-7"]).toMatchObject({ method: "POST", url: "/orders/o-7?q=1", body: '{"order":"o-7"}', headers: { "x-api-key": "k-1", "x-extra": "e", "x-h": "v" } });
    expect(byPath["/basic"]).toMatchObject({ method: "PUT", headers: { authorization: `Basic ${Buffer.from("u:p").toString("base64")}` } });
    expect(byPath["/oauth"]).toMatchObject({ method: "POST", body: "grant_type=client_credentials", headers: { authorization: `Basic ${Buffer.from("id:s").toString("base64")}` } });
    expect(byPath["/oauthed"]).toMatchObject({ headers: { authorization: "Bearer tok-123" } });
  });

  it("a 4xx answer is not retried; a 5xx is retried on the clock until it succeeds", async () => {
    const { events, emulator, clock } = setup();
    const c = await events.send(new CreateConnectionCommand({ Name: "c", AuthorizationType: "API_KEY", AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "k", ApiKeyValue: "v" } } }));
    const d = await events.send(new CreateApiDestinationCommand({ Name: "d", ConnectionArn: c.ConnectionArn, InvocationEndpoint: `${url}/flaky`, HttpMethod: "POST" }));
    await events.send(new PutRuleCommand({ Name: "r", EventPattern: '{"source":["h"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "r", Targets: [{ Id: "1", Arn: d.ApiDestinationArn, RoleArn: "arn:aws:iam::000000000000:role/r" }] }));
    seen.length = 0;
    status = 400;
    await events.send(new PutEventsCommand({ Entries: [{ Source: "h", DetailType: "x", Detail: "{}" }] }));
    await emulator.settled();
    await clock.advance(60_000);
    expect(seen.length).toBe(1);
    seen.length = 0;
    status = 503;
    await events.send(new PutEventsCommand({ Entries: [{ Source: "h", DetailType: "x", Detail: "{}" }] }));
    await emulator.settled();
    expect(seen.length).toBe(1);
    await clock.advance(1000);
    expect(seen.length).toBe(2);
    status = 200;
    await clock.advance(2000);
    expect(seen.length).toBe(3);
    await clock.advance(600_000);
    expect(seen.length).toBe(3);
    const records = await (await emulator.fetch(new Request("http://localhost/_fetchstack/services/events/invocations"))).json() as any[];
    expect(records.map((r) => [r.status, r.attempts, r.errorCode])).toEqual([["failed", 1, "400"], ["delivered", 3, undefined]]);
    status = 200;
  });
});

describe("archives and replays", () => {
  it("archives matching events and replays a time window back to the bus with replay-name", async () => {
    const { events, emulator, clock, queue, bodies } = setup();
    const q = await queue("replayed");
    const busArn = "arn:aws:events:us-east-1:000000000000:event-bus/default";
    const { ArchiveArn } = await events.send(new CreateArchiveCommand({ ArchiveName: "all-orders", EventSourceArn: busArn, EventPattern: '{"source":["orders"]}', RetentionDays: 1 }));
    const dup = await failure(events.send(new CreateArchiveCommand({ ArchiveName: "all-orders", EventSourceArn: busArn })));
    expect([dup.name, dup.message]).toEqual(["ResourceAlreadyExistsException", "Archive all-orders already exists."]);
    const badBus = await failure(events.send(new CreateArchiveCommand({ ArchiveName: "x", EventSourceArn: "arn:aws:events:us-east-1:000000000000:event-bus/none" })));
    expect(badBus.name).toBe("ResourceNotFoundException");

    await events.send(new PutEventsCommand({ Entries: [
      { Source: "orders", DetailType: "placed", Detail: '{"n":1}' },
      { Source: "other", DetailType: "placed", Detail: '{"n":2}' },
    ] }));
    await clock.advance(60_000);
    await events.send(new PutEventsCommand({ Entries: [{ Source: "orders", DetailType: "placed", Detail: '{"n":3}' }] }));
    await emulator.settled();
    const archive = await events.send(new DescribeArchiveCommand({ ArchiveName: "all-orders" }));
    expect([archive.EventCount, archive.State, archive.RetentionDays]).toEqual([2, "ENABLED", 1]);
    expect((await events.send(new ListArchivesCommand({ NamePrefix: "all" }))).Archives!.map((a) => a.ArchiveName)).toEqual(["all-orders"]);

    // Only now a rule exists: a replay delivers the archived events to it.
    await events.send(new PutRuleCommand({ Name: "r", EventPattern: '{"source":["orders"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "r", Targets: [{ Id: "q", Arn: q.arn }] }));
    await clock.advance(60_000);
    const future = await failure(events.send(new StartReplayCommand({ ReplayName: "bad", EventSourceArn: ArchiveArn, EventStartTime: new Date(Date.UTC(2026, 0, 1)), EventEndTime: new Date(Date.UTC(2027, 0, 1)), Destination: { Arn: busArn } })));
    expect(future.name).toBe("ValidationException");
    const started = await events.send(new StartReplayCommand({
      ReplayName: "first-minute", EventSourceArn: ArchiveArn, Destination: { Arn: busArn },
      EventStartTime: new Date(Date.UTC(2026, 0, 1)), EventEndTime: new Date(Date.UTC(2026, 0, 1, 0, 0, 30)),
    }));
    expect(started.State).toBe("STARTING");
    await emulator.settled();
    const got = await bodies(q.url);
    expect(got.map((e) => [e.detail.n, e["replay-name"]])).toEqual([[1, "first-minute"]]);
    const replay = await events.send(new DescribeReplayCommand({ ReplayName: "first-minute" }));
    expect(replay.State).toBe("COMPLETED");
    expect(replay.EventLastReplayedTime).toEqual(new Date(Date.UTC(2026, 0, 1)));
    expect((await events.send(new ListReplaysCommand({}))).Replays!.map((r) => [r.ReplayName, r.State])).toEqual([["first-minute", "COMPLETED"]]);
    const cancel = await failure(events.send(new CancelReplayCommand({ ReplayName: "first-minute" })));
    expect(cancel.name).toBe("IllegalStatusException");
    // Replayed events are not archived again.
    expect((await events.send(new DescribeArchiveCommand({ ArchiveName: "all-orders" }))).EventCount).toBe(2);

    await events.send(new UpdateArchiveCommand({ ArchiveName: "all-orders", Description: "d" }));
    // Retention: a day later both events have expired.
    await clock.advance(86_400_000);
    expect((await events.send(new DescribeArchiveCommand({ ArchiveName: "all-orders" }))).EventCount).toBe(0);
    await events.send(new DeleteArchiveCommand({ ArchiveName: "all-orders" }));
    expect((await failure(events.send(new DescribeArchiveCommand({ ArchiveName: "all-orders" })))).name).toBe("ResourceNotFoundException");
  });
});
