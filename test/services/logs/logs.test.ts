/**
 * CloudWatch Logs through the JS SDK v3, in-process on a manual clock: groups, streams,
 * PutLogEvents rules, GetLogEvents paging both ways, FilterLogEvents, retention that removes
 * aged events, metric and subscription filters (delivered to fetchstack's Kinesis, gzip'd as
 * AWS sends them), tags and AWS's errors.
 */
import { gunzipSync } from "node:zlib";
import { beforeEach, describe, expect, it } from "vitest";
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DeleteLogGroupCommand, DescribeLogGroupsCommand,
  DescribeLogStreamsCommand, DescribeMetricFiltersCommand, DescribeSubscriptionFiltersCommand, FilterLogEventsCommand,
  GetLogEventsCommand, ListTagsForResourceCommand, PutLogEventsCommand, PutMetricFilterCommand, PutRetentionPolicyCommand,
  PutSubscriptionFilterCommand, TagResourceCommand, TestMetricFilterCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { createEmulator, type Emulator } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { inProcess, STORES } from "../../helpers/clients.ts";
import { fail } from "../cloudwatch/helpers.ts";

const START = Date.UTC(2026, 11, 1);

for (const store of STORES.filter((s) => s.name !== "copying store")) {
  describe(`CloudWatch Logs, in-process, ${store.name}`, () => {
    let clock: ManualClock;
    let emulator: Emulator;
    let logs: CloudWatchLogsClient;
    beforeEach(async () => {
      clock = createManualClock(START);
      emulator = createEmulator({ store: store.make(), clock });
      logs = new CloudWatchLogsClient(inProcess(emulator));
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/app/web", tags: { env: "dev" } }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: "/app/web", logStreamName: "i-1" }));
    });

    const put = (stream: string, events: [number, string][]) =>
      logs.send(new PutLogEventsCommand({ logGroupName: "/app/web", logStreamName: stream, logEvents: events.map(([t, message]) => ({ timestamp: START + t, message })) }));

    it("groups and streams: describe, errors", async () => {
      const groups = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/app" }))).logGroups!;
      expect(groups).toEqual([expect.objectContaining({
        logGroupName: "/app/web", creationTime: START, metricFilterCount: 0, logGroupClass: "STANDARD",
        arn: "arn:aws:logs:us-east-1:000000000000:log-group:/app/web:*", logGroupArn: "arn:aws:logs:us-east-1:000000000000:log-group:/app/web",
      })]);
      const dup = await fail(logs.send(new CreateLogGroupCommand({ logGroupName: "/app/web" })));
      expect([dup.name, dup.message]).toEqual(["ResourceAlreadyExistsException", "The specified log group already exists"]);
      const noStream = await fail(put("missing", [[0, "x"]]));
      expect([noStream.name, noStream.message]).toEqual(["ResourceNotFoundException", "The specified log stream does not exist."]);
      const noGroup = await fail(logs.send(new CreateLogStreamCommand({ logGroupName: "/nope", logStreamName: "s" })));
      expect([noGroup.name, noGroup.message]).toEqual(["ResourceNotFoundException", "The specified log group does not exist."]);
      await logs.send(new TagResourceCommand({ resourceArn: "arn:aws:logs:us-east-1:000000000000:log-group:/app/web", tags: { team: "a" } }));
      expect((await logs.send(new ListTagsForResourceCommand({ resourceArn: "arn:aws:logs:us-east-1:000000000000:log-group:/app/web" }))).tags).toEqual({ env: "dev", team: "a" });
    });

    it("PutLogEvents: order, span and age rules; GetLogEvents pages forward and backward", async () => {
      const unordered = await fail(put("i-1", [[2, "b"], [1, "a"]]));
      expect([unordered.name, unordered.message]).toEqual(["InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order."]);
      const span = await fail(put("i-1", [[0, "a"], [25 * 3_600_000, "b"]]));
      expect(span.message).toBe("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
      const old = await put("i-1", [[-15 * 86_400_000, "ancient"]]);
      expect(old.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 0 });
      const res = await put("i-1", [[-1000, "e1"], [0, "e2"], [0, "e3"], [3 * 3_600_000, "future"]]);
      expect(res.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 3 });
      await put("i-1", [[10, "e4"], [20, "e5"]]);

      const tail = await logs.send(new GetLogEventsCommand({ logGroupName: "/app/web", logStreamName: "i-1", limit: 2 }));
      expect(tail.events!.map((e) => e.message)).toEqual(["e4", "e5"]);
      const before = await logs.send(new GetLogEventsCommand({ logGroupName: "/app/web", logStreamName: "i-1", limit: 2, nextToken: tail.nextBackwardToken }));
      expect(before.events!.map((e) => e.message)).toEqual(["e2", "e3"]);
      const head = await logs.send(new GetLogEventsCommand({ logGroupName: "/app/web", logStreamName: "i-1", limit: 3, startFromHead: true }));
      expect(head.events!.map((e) => [e.message, e.timestamp, e.ingestionTime])).toEqual([["e1", START - 1000, START], ["e2", START, START], ["e3", START, START]]);
      const next = await logs.send(new GetLogEventsCommand({ logGroupName: "/app/web", logStreamName: "i-1", nextToken: head.nextForwardToken }));
      expect(next.events!.map((e) => e.message)).toEqual(["e4", "e5"]);
      const end = await logs.send(new GetLogEventsCommand({ logGroupName: "/app/web", logStreamName: "i-1", nextToken: next.nextForwardToken }));
      expect(end.events).toEqual([]);
      expect(end.nextForwardToken).toBe(next.nextForwardToken);
      const streams = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/app/web" }))).logStreams!;
      expect(streams[0]).toMatchObject({ logStreamName: "i-1", firstEventTimestamp: START - 1000, lastEventTimestamp: START + 20, lastIngestionTime: START });
    });

    it("FilterLogEvents across streams with patterns and paging; retention removes aged events", async () => {
      await logs.send(new CreateLogStreamCommand({ logGroupName: "/app/web", logStreamName: "i-2" }));
      await put("i-1", [[1, "ERROR disk full"], [3, '{"level":"warn","ms":250}']]);
      await put("i-2", [[2, "INFO ok"], [4, "ERROR timeout"]]);
      const errors = await logs.send(new FilterLogEventsCommand({ logGroupName: "/app/web", filterPattern: "ERROR" }));
      expect(errors.events!.map((e) => [e.logStreamName, e.message])).toEqual([["i-1", "ERROR disk full"], ["i-2", "ERROR timeout"]]);
      expect(errors.events![0]!.eventId).toMatch(/^\d{56}$/);
      const json = await logs.send(new FilterLogEventsCommand({ logGroupName: "/app/web", filterPattern: "{ $.ms > 100 }" }));
      expect(json.events!.map((e) => e.message)).toEqual(['{"level":"warn","ms":250}']);
      const first = await logs.send(new FilterLogEventsCommand({ logGroupName: "/app/web", limit: 3 }));
      expect(first.events).toHaveLength(3);
      const rest = await logs.send(new FilterLogEventsCommand({ logGroupName: "/app/web", nextToken: first.nextToken }));
      expect(rest.events!.map((e) => e.message)).toEqual(["ERROR timeout"]);
      expect(rest.nextToken).toBeUndefined();
      const bad = await fail(logs.send(new FilterLogEventsCommand({ logGroupName: "/app/web", filterPattern: '{ $.x = "' })));
      expect([bad.name, bad.message]).toEqual(["InvalidParameterException", "Invalid filter pattern"]);

      await logs.send(new PutRetentionPolicyCommand({ logGroupName: "/app/web", retentionInDays: 1 }));
      await clock.advance(86_400_000 - 1);
      await put("i-2", [[86_400_000, "fresh"]]);
      await clock.advance(10);
      const kept = await logs.send(new FilterLogEventsCommand({ logGroupName: "/app/web" }));
      expect(kept.events!.map((e) => e.message)).toEqual(["fresh"]);
      const badDays = await fail(logs.send(new PutRetentionPolicyCommand({ logGroupName: "/app/web", retentionInDays: 2 })));
      expect(badDays.name).toBe("InvalidParameterException");
    });

    it("metric filters and subscription filters delivering to Kinesis", async () => {
      await logs.send(new PutMetricFilterCommand({
        logGroupName: "/app/web", filterName: "errors", filterPattern: "[ip, status = 5*, bytes]",
        metricTransformations: [{ metricName: "Errors", metricNamespace: "App", metricValue: "1" }],
      }));
      const mf = (await logs.send(new DescribeMetricFiltersCommand({ logGroupName: "/app/web" }))).metricFilters!;
      expect(mf).toEqual([expect.objectContaining({ filterName: "errors", logGroupName: "/app/web", creationTime: START })]);
      const tested = await logs.send(new TestMetricFilterCommand({ filterPattern: "[ip, status = 5*, bytes]", logEventMessages: ["1.1.1.1 503 10", "1.1.1.1 200 10"] }));
      expect(tested.matches).toEqual([{ eventNumber: 1, eventMessage: "1.1.1.1 503 10", extractedValues: { $ip: "1.1.1.1", $status: "503", $bytes: "10" } }]);

      const kinesis = new KinesisClient(inProcess(emulator));
      await kinesis.send(new CreateStreamCommand({ StreamName: "logs", ShardCount: 1 }));
      const streamArn = "arn:aws:kinesis:us-east-1:000000000000:stream/logs";
      await logs.send(new PutSubscriptionFilterCommand({ logGroupName: "/app/web", filterName: "to-kinesis", filterPattern: "ERROR", destinationArn: streamArn }));
      expect((await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: "/app/web" }))).subscriptionFilters).toEqual([
        expect.objectContaining({ filterName: "to-kinesis", destinationArn: streamArn, distribution: "ByLogStream" }),
      ]);
      await put("i-1", [[0, "INFO fine"], [1, "ERROR broke"]]);
      await emulator.settled();
      const it = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "logs", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
      const records = (await kinesis.send(new GetRecordsCommand({ ShardIterator: it }))).Records!;
      expect(records).toHaveLength(1);
      const envelope = JSON.parse(gunzipSync(records[0]!.Data!).toString());
      expect(envelope).toMatchObject({
        messageType: "DATA_MESSAGE", owner: "000000000000", logGroup: "/app/web", logStream: "i-1", subscriptionFilters: ["to-kinesis"],
        logEvents: [{ timestamp: START + 1, message: "ERROR broke" }],
      });
      const third = await fail(logs.send(new PutSubscriptionFilterCommand({ logGroupName: "/app/web", filterName: "x", filterPattern: "", destinationArn: "arn:aws:sqs:us-east-1:000000000000:q" })));
      expect(third.name).toBe("InvalidParameterException");

      // The metric filter published what matched to fetchstack's CloudWatch, with a dimension from the event.
      await put("i-1", [[2, "10.0.0.1 503 2048"], [3, "10.0.0.2 500 100"], [4, "10.0.0.1 200 5"]]);
      await emulator.settled();
      const cw = new CloudWatchClient(inProcess(emulator));
      await logs.send(new PutMetricFilterCommand({
        logGroupName: "/app/web", filterName: "bytes", filterPattern: "[ip, status = 5*, bytes]",
        metricTransformations: [{ metricName: "ErrorBytes", metricNamespace: "App", metricValue: "$bytes", dimensions: { Client: "$ip" } }],
      }));
      await put("i-1", [[5, "10.0.0.1 503 2048"], [6, "10.0.0.2 500 100"], [7, "10.0.0.1 200 5"]]);
      await emulator.settled();
      const stat = async (name: string, dims: { Name: string; Value: string }[] = []) => (await cw.send(new GetMetricStatisticsCommand({
        Namespace: "App", MetricName: name, Dimensions: dims, StartTime: new Date(START - 60_000), EndTime: new Date(START + 60_000), Period: 120, Statistics: ["Sum", "SampleCount"],
      }))).Datapoints!.map((d) => [d.Sum, d.SampleCount]);
      expect(await stat("Errors")).toEqual([[4, 4]]);
      expect(await stat("ErrorBytes", [{ Name: "Client", Value: "10.0.0.1" }])).toEqual([[2048, 1]]);
      expect(await stat("ErrorBytes", [{ Name: "Client", Value: "10.0.0.2" }])).toEqual([[100, 1]]);

      await logs.send(new DeleteLogGroupCommand({ logGroupName: "/app/web" }));
      expect((await logs.send(new DescribeLogGroupsCommand({}))).logGroups).toEqual([]);
    });
  });
}
