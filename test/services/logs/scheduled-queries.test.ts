/**
 * CloudWatch Logs scheduled queries through the JS SDK v3 in-process on a manual clock: a query
 * runs at each scheduled time over its window, writes its results to fetchstack's S3 and keeps a
 * trigger history; updates, disabling, deletion and AWS's errors.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, CreateScheduledQueryCommand, DeleteScheduledQueryCommand,
  GetScheduledQueryCommand, GetScheduledQueryHistoryCommand, ListScheduledQueriesCommand, PutLogEventsCommand, UpdateScheduledQueryCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateBucketCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { fail, harness, SUITE_STORES, type Harness } from "../cloudwatch/helpers.ts";

const START = Date.UTC(2026, 11, 1, 12);
const ROLE = "arn:aws:iam::000000000000:role/sq";

for (const store of SUITE_STORES) {
  describe(`CloudWatch Logs scheduled queries, ${store.name}`, () => {
    let h: Harness;
    let logs: CloudWatchLogsClient;
    beforeEach(async () => {
      h = harness(store, START);
      logs = new CloudWatchLogsClient(h.config);
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/app" }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: "/app", logStreamName: "s" }));
    });

    it("runs on schedule, delivers results to S3 and records history", async () => {
      const s3 = new S3Client({ ...h.config, forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: "results" }));
      await logs.send(new PutLogEventsCommand({ logGroupName: "/app", logStreamName: "s", logEvents: [
        { timestamp: START + 60_000, message: "ERROR a" }, { timestamp: START + 120_000, message: "ok" }, { timestamp: START + 180_000, message: "ERROR b" },
      ] }));
      const created = await logs.send(new CreateScheduledQueryCommand({
        name: "errors", queryLanguage: "CWLI", queryString: "filter @message like /ERROR/ | stats count() as n", logGroupIdentifiers: ["/app"],
        scheduleExpression: "rate(5 minutes)", startTimeOffset: 300, executionRoleArn: ROLE,
        destinationConfiguration: { s3Configuration: { destinationIdentifier: "s3://results/cw", roleArn: ROLE } },
      }));
      expect(created).toMatchObject({ scheduledQueryArn: "arn:aws:logs:us-east-1:000000000000:scheduled-query:errors", state: "ENABLED" });
      expect((await fail(logs.send(new CreateScheduledQueryCommand({ name: "errors", queryLanguage: "CWLI", queryString: "fields @message", logGroupIdentifiers: ["/app"], scheduleExpression: "rate(5 minutes)", executionRoleArn: ROLE })))).name).toBe("ConflictException");
      await h.clock.advance(5 * 60_000);
      await h.emulator.settled();
      const history = await logs.send(new GetScheduledQueryHistoryCommand({ identifier: "errors", startTime: START, endTime: START + 3_600_000 }));
      expect(history.triggerHistory!.map((r) => [r.executionStatus, r.triggeredTimestamp])).toEqual([["Complete", START + 300_000]]);
      const destination = history.triggerHistory![0]!.destinations![0]!;
      expect(destination).toMatchObject({ destinationType: "S3", status: "COMPLETE" });
      const objectKey = destination.processedIdentifier!.replace("s3://results/", "");
      const body = JSON.parse(await (await s3.send(new GetObjectCommand({ Bucket: "results", Key: objectKey }))).Body!.transformToString());
      expect(body.results).toEqual([{ n: "2" }]);
      const got = await logs.send(new GetScheduledQueryCommand({ identifier: created.scheduledQueryArn! }));
      expect(got).toMatchObject({ name: "errors", lastExecutionStatus: "Complete", lastTriggeredTime: START + 300_000 });

      await logs.send(new UpdateScheduledQueryCommand({
        identifier: "errors", queryLanguage: "CWLI", queryString: "fields @message", logGroupIdentifiers: ["/app"], scheduleExpression: "rate(5 minutes)",
        executionRoleArn: ROLE, state: "DISABLED",
      }));
      await h.clock.advance(10 * 60_000);
      await h.emulator.settled();
      expect((await logs.send(new GetScheduledQueryHistoryCommand({ identifier: "errors", startTime: START, endTime: START + 3_600_000 }))).triggerHistory).toHaveLength(1);
      expect((await logs.send(new ListScheduledQueriesCommand({ state: "DISABLED" }))).scheduledQueries!.map((q) => q.name)).toEqual(["errors"]);
      await logs.send(new DeleteScheduledQueryCommand({ identifier: "errors" }));
      expect((await fail(logs.send(new GetScheduledQueryCommand({ identifier: "errors" })))).name).toBe("ResourceNotFoundException");
    });

    it("a malformed query is recorded as InvalidQuery; bad configurations are refused", async () => {
      await logs.send(new CreateScheduledQueryCommand({ name: "bad", queryLanguage: "CWLI", queryString: "stats count( by", logGroupIdentifiers: ["/app"], scheduleExpression: "cron(0/10 * * * ? *)", executionRoleArn: ROLE }));
      await h.clock.advance(10 * 60_000);
      await h.emulator.settled();
      const history = await logs.send(new GetScheduledQueryHistoryCommand({ identifier: "bad", startTime: START, endTime: START + 3_600_000 }));
      expect(history.triggerHistory!.map((r) => r.executionStatus)).toEqual(["InvalidQuery"]);
      for (const [field, value, code] of [
        ["scheduleExpression", "every day", "ValidationException"], ["queryLanguage", "SQL", "ValidationException"], ["logGroupIdentifiers", ["/none"], "ResourceNotFoundException"],
      ] as const) {
        const input = { name: "x", queryLanguage: "CWLI", queryString: "fields @message", logGroupIdentifiers: ["/app"], scheduleExpression: "rate(1 hour)", executionRoleArn: ROLE, [field]: value };
        expect([field, (await fail(logs.send(new CreateScheduledQueryCommand(input as never)))).name]).toEqual([field, code]);
      }
    });
  });
}
