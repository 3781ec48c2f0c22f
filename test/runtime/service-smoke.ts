/**
 * One round trip through every implemented service with the JS SDK, against an endpoint URL:
 * the cross-runtime suites (Deno, workerd) run it to show that each service's code is portable.
 */
import { expect } from "vitest";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { CreateDeliveryStreamCommand, FirehoseClient, PutRecordCommand } from "@aws-sdk/client-firehose";
import { DescribeClustersCommand, MemoryDBClient } from "@aws-sdk/client-memorydb";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand as PutKinesisRecordCommand } from "@aws-sdk/client-kinesis";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { Decoder, Encoder } from "cbor-x";
import { NodeHttpHandler } from "@smithy/node-http-handler";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/**
 * `http1Only`: the endpoint cannot speak cleartext HTTP/2 (workerd), so the Kinesis client, which
 * opens HTTP/2 by default, is given an HTTP/1.1 handler, as users of such a runtime must.
 */
export async function runServiceSmoke(endpoint: string, tag: string, { http1Only = false }: { http1Only?: boolean } = {}): Promise<void> {
  const config = { region: "us-east-1", endpoint, credentials };
  expect((await new STSClient(config).send(new GetCallerIdentityCommand({}))).Account).toBe("000000000000");

  // S3 with the SDK's default flexible checksums (CRC32 header) and a GET with checksum mode.
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const bucket = `smoke-${tag}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "a/b.txt", Body: `hello from ${tag}`, ContentType: "text/plain" }));
  expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "a/b.txt", ChecksumMode: "ENABLED" }));
  expect(await got.Body!.transformToString()).toBe(`hello from ${tag}`);
  expect(got.ContentType).toBe("text/plain");

  // SQS over JSON, with MD5 verification by the SDK.
  const sqs = new SQSClient(config);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `smoke-${tag}` }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "ping", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } }));
  const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, MessageAttributeNames: ["All"] }));
  expect(received.Messages?.[0]?.Body).toBe("ping");
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.Messages![0].ReceiptHandle }));

  // DynamoDB: table, item, query.
  const ddb = new DynamoDBClient(config);
  const table = `smoke-${tag}`;
  await ddb.send(new CreateTableCommand({
    TableName: table, BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
  }));
  for (const sk of ["10", "2", "33"]) await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "p" }, sk: { N: sk }, v: { S: `v${sk}` } } }));
  expect((await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: "p" }, sk: { N: "2" } } }))).Item?.v).toEqual({ S: "v2" });
  const query = await ddb.send(new QueryCommand({ TableName: table, KeyConditionExpression: "pk = :p AND sk > :min", ExpressionAttributeValues: { ":p": { S: "p" }, ":min": { N: "5" } } }));
  expect(query.Items?.map((i) => i.sk.N)).toEqual(["10", "33"]);

  // Firehose ingestion and MemoryDB's defaults.
  const firehose = new FirehoseClient(config);
  await firehose.send(new CreateDeliveryStreamCommand({
    DeliveryStreamName: `smoke-${tag}`,
    ExtendedS3DestinationConfiguration: { RoleARN: "arn:aws:iam::000000000000:role/f", BucketARN: `arn:aws:s3:::${bucket}`, BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 900 } },
  }));
  expect((await firehose.send(new PutRecordCommand({ DeliveryStreamName: `smoke-${tag}`, Record: { Data: new TextEncoder().encode("r\n") } }))).RecordId).toBeTruthy();
  expect((await new MemoryDBClient(config).send(new DescribeClustersCommand({}))).Clusters).toEqual([]);

  // Kinesis records, CloudWatch Logs with a filter pattern, CloudWatch over Smithy RPC v2 CBOR.
  const kinesis = new KinesisClient(http1Only ? { ...config, requestHandler: new NodeHttpHandler() } : config);
  await kinesis.send(new CreateStreamCommand({ StreamName: `smoke-${tag}`, ShardCount: 1 }));
  const seq = (await kinesis.send(new PutKinesisRecordCommand({ StreamName: `smoke-${tag}`, PartitionKey: "k", Data: new TextEncoder().encode("rec") }))).SequenceNumber;
  const iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: `smoke-${tag}`, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
  expect((await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }))).Records?.map((r) => r.SequenceNumber)).toEqual([seq]);
  const logs = new CloudWatchLogsClient(config);
  await logs.send(new CreateLogGroupCommand({ logGroupName: `smoke-${tag}` }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: `smoke-${tag}`, logStreamName: "s" }));
  await logs.send(new PutLogEventsCommand({ logGroupName: `smoke-${tag}`, logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: '{"level":"error"}' }] }));
  expect((await logs.send(new FilterLogEventsCommand({ logGroupName: `smoke-${tag}`, filterPattern: '{ $.level = "error" }' }))).events).toHaveLength(1);
  const cbor = (operation: string, body: unknown) => fetch(`${endpoint}/service/GraniteServiceVersion20100801/operation/${operation}`, {
    method: "POST",
    headers: { "smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor", authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0" },
    body: new Encoder({ useRecords: false, tagUint8Array: false }).encode(body) as BodyInit,
  });
  expect((await cbor("PutMetricData", { Namespace: `Smoke${tag}`, MetricData: [{ MetricName: "m", Value: 1 }] })).status).toBe(200);
  const metrics = new Decoder({ mapsAsObjects: true, useRecords: false }).decode(new Uint8Array(await (await cbor("ListMetrics", { Namespace: `Smoke${tag}` })).arrayBuffer()));
  expect(metrics.Metrics).toEqual([{ Namespace: `Smoke${tag}`, MetricName: "m", Dimensions: [] }]);
}
