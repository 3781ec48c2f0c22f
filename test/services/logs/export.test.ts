/**
 * CloudWatch Logs export tasks through the JS SDK v3, in-process: CreateExportTask writes one
 * gzip'd object per stream to fetchstack's S3 in the background (settled), with AWS's key
 * layout and line format; DescribeExportTasks, CancelExportTask and AWS's errors.
 */
import { gunzipSync } from "node:zlib";
import { beforeEach, describe, expect, it } from "vitest";
import {
  CancelExportTaskCommand, CloudWatchLogsClient, CreateExportTaskCommand, CreateLogGroupCommand, CreateLogStreamCommand,
  DescribeExportTasksCommand, PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { createEmulator, type Emulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";
import { fail } from "../cloudwatch/helpers.ts";

const START = Date.UTC(2026, 11, 1);

describe("CloudWatch Logs export tasks, in-process", () => {
  let emulator: Emulator;
  let logs: CloudWatchLogsClient;
  let s3: S3Client;
  beforeEach(async () => {
    emulator = createEmulator({ clock: createManualClock(START + 3_600_000) });
    logs = new CloudWatchLogsClient(inProcess(emulator));
    s3 = new S3Client({ ...inProcess(emulator), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "archive" }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/app" }));
    for (const stream of ["web-1", "web-2", "worker"]) await logs.send(new CreateLogStreamCommand({ logGroupName: "/app", logStreamName: stream }));
    await logs.send(new PutLogEventsCommand({ logGroupName: "/app", logStreamName: "web-1", logEvents: [
      { timestamp: START, message: "first" }, { timestamp: START + 1000, message: "second" }, { timestamp: START + 10_000, message: "late" },
    ] }));
    await logs.send(new PutLogEventsCommand({ logGroupName: "/app", logStreamName: "web-2", logEvents: [{ timestamp: START + 500, message: "other" }] }));
    await logs.send(new PutLogEventsCommand({ logGroupName: "/app", logStreamName: "worker", logEvents: [{ timestamp: START + 500, message: "job" }] }));
  });

  it("exports a time range of matching streams as gzip'd objects, then reports COMPLETED", async () => {
    const { taskId } = await logs.send(new CreateExportTaskCommand({
      taskName: "nightly", logGroupName: "/app", logStreamNamePrefix: "web", from: START, to: START + 5000, destination: "archive", destinationPrefix: "logs/app",
    }));
    await emulator.settled();
    const [task] = (await logs.send(new DescribeExportTasksCommand({ taskId }))).exportTasks!;
    expect(task).toMatchObject({
      taskId, taskName: "nightly", logGroupName: "/app", from: START, to: START + 5000, destination: "archive", destinationPrefix: "logs/app",
      status: { code: "COMPLETED" }, executionInfo: { creationTime: START + 3_600_000, completionTime: START + 3_600_000 },
    });
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: "archive" }))).Contents!.map((o) => o.Key);
    expect(keys).toEqual(["logs/app/aws-logs-write-test", `logs/app/${taskId}/web-1/000000.gz`, `logs/app/${taskId}/web-2/000000.gz`].sort());
    const object = await s3.send(new GetObjectCommand({ Bucket: "archive", Key: `logs/app/${taskId}/web-1/000000.gz` }));
    const text = gunzipSync(await object.Body!.transformToByteArray()).toString();
    expect(text).toBe("2026-12-01T00:00:00.000Z first\n2026-12-01T00:00:01.000Z second\n");

    expect((await logs.send(new DescribeExportTasksCommand({ statusCode: "COMPLETED" }))).exportTasks!.map((t) => t.taskId)).toEqual([taskId]);
    expect((await logs.send(new DescribeExportTasksCommand({ statusCode: "RUNNING" }))).exportTasks).toEqual([]);
    const finished = await fail(logs.send(new CancelExportTaskCommand({ taskId })));
    expect(finished.name).toBe("InvalidOperationException");
  });

  it("answers AWS's errors", async () => {
    const noBucket = await fail(logs.send(new CreateExportTaskCommand({ logGroupName: "/app", from: START, to: START + 1, destination: "nope" })));
    expect([noBucket.name, noBucket.message]).toEqual(["InvalidParameterException", "The given bucket does not exist. Please make sure the bucket is valid."]);
    const noGroup = await fail(logs.send(new CreateExportTaskCommand({ logGroupName: "/none", from: START, to: START + 1, destination: "archive" })));
    expect(noGroup.name).toBe("ResourceNotFoundException");
    const backwards = await fail(logs.send(new CreateExportTaskCommand({ logGroupName: "/app", from: START + 10, to: START, destination: "archive" })));
    expect(backwards.name).toBe("InvalidParameterException");
    const unknown = await fail(logs.send(new CancelExportTaskCommand({ taskId: "00000000-0000-0000-0000-000000000000" })));
    expect(unknown.name).toBe("ResourceNotFoundException");
  });
});
