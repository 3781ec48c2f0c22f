/**
 * Export tasks: CreateExportTask copies a log group's events between `from` and `to` (ms) to an
 * S3 bucket of fetchstack's S3 through `ctx.invoke("s3", "PutObject")`, in the background
 * (`emulator.settled()` waits for it): one gzip'd object per log stream,
 * `<destinationPrefix>/<taskId>/<logStreamName>/000000.gz`, each line `<ISO time> <message>`, and
 * an `aws-logs-write-test` object at the prefix, as AWS writes them. One task may be active per
 * account and region (LimitExceededException). DescribeExportTasks and CancelExportTask.
 * Sources: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateExportTask.html,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/S3ExportTasks.html
 */
import { gzipSync } from "fflate";
import type { Handlers, RequestContext } from "../types.ts";
import type { ExportTaskStatusCode, Operations } from "../../generated/logs.ts";
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import {
  decodeToken, encodeToken, invalidParameter, keys, limitExceeded, loadGroup, resourceNotFound, retentionCutoff,
  type StoredEvent, type StoredStream,
} from "./state.ts";

interface StoredTask {
  taskId: string;
  taskName?: string;
  logGroupName: string;
  logStreamNamePrefix?: string;
  from: number;
  to: number;
  destination: string;
  destinationPrefix: string;
  code: ExportTaskStatusCode;
  message: string;
  creationTime: number;
  completionTime?: number;
}

const taskKey = (id: string) => ["export-task", id] as const;
const ACTIVE = new Set<ExportTaskStatusCode>(["PENDING", "RUNNING", "PENDING_CANCEL"]);

async function setStatus(ctx: RequestContext, id: string, code: ExportTaskStatusCode, message: string): Promise<boolean> {
  const entry = await ctx.store.get<StoredTask>(taskKey(id));
  if (!entry.value || !ACTIVE.has(entry.value.code)) return false;
  const done = code === "COMPLETED" || code === "FAILED" || code === "CANCELLED";
  const next = { ...entry.value, code, message, ...(done ? { completionTime: ctx.clock.now() } : {}) };
  return (await ctx.store.atomic().check(entry).set(taskKey(id), next).commit()).ok;
}

async function run(ctx: RequestContext, task: StoredTask): Promise<void> {
  if (!(await setStatus(ctx, task.taskId, "RUNNING", "Started successfully"))) return;
  try {
    const group = await loadGroup(ctx, task.logGroupName);
    const cutoff = retentionCutoff(ctx, group);
    const base = task.destinationPrefix.replace(/\/+$/, "");
    await ctx.invoke("s3", "PutObject", { Bucket: task.destination, Key: `${base}/aws-logs-write-test`, Body: new TextEncoder().encode("Permission Check Successful") });
    const streams: string[] = [];
    for await (const entry of ctx.store.list<StoredStream>({ prefix: keys.streams(task.logGroupName) })) {
      if (task.logStreamNamePrefix === undefined || entry.value.logStreamName.startsWith(task.logStreamNamePrefix)) streams.push(entry.value.logStreamName);
    }
    for (const stream of streams) {
      const prefix = keys.events(task.logGroupName, stream);
      const lines: string[] = [];
      for await (const entry of ctx.store.list<StoredEvent>({ start: [...prefix, task.from], end: [...prefix, task.to] })) {
        const timestamp = entry.key[3] as number;
        if (timestamp < cutoff) continue;
        lines.push(`${new Date(timestamp).toISOString()} ${entry.value.m}\n`);
      }
      if (lines.length === 0) continue;
      // A cancellation between streams stops the export there.
      const current = (await ctx.store.get<StoredTask>(taskKey(task.taskId))).value;
      if (!current || current.code !== "RUNNING") return;
      await ctx.invoke("s3", "PutObject", {
        Bucket: task.destination, Key: `${base}/${task.taskId}/${stream}/000000.gz`,
        Body: gzipSync(new TextEncoder().encode(lines.join(""))), ContentEncoding: "gzip", ContentType: "application/octet-stream",
      });
    }
    await setStatus(ctx, task.taskId, "COMPLETED", "Completed successfully");
  } catch (error) {
    if (!isAwsError(error)) throw error;
    await setStatus(ctx, task.taskId, "FAILED", error.message);
  }
}

function describe(task: StoredTask) {
  return {
    taskId: task.taskId, ...(task.taskName ? { taskName: task.taskName } : {}), logGroupName: task.logGroupName,
    from: task.from, to: task.to, destination: task.destination, destinationPrefix: task.destinationPrefix,
    status: { code: task.code, message: task.message },
    executionInfo: { creationTime: task.creationTime, ...(task.completionTime !== undefined ? { completionTime: task.completionTime } : {}) },
  };
}

export const exportTaskHandlers: Handlers<Operations> = {
  async CreateExportTask(input, ctx) {
    await loadGroup(ctx, input.logGroupName);
    const from = Number(input.from);
    const to = Number(input.to);
    if (to < from) throw invalidParameter("Specified time range of '" + from + "' and '" + to + "' is not valid. Please make sure the values are within the retention period of the log group and from value is less than the to value");
    for await (const entry of ctx.store.list<StoredTask>({ prefix: ["export-task"] })) {
      if (ACTIVE.has(entry.value.code)) throw limitExceeded("Resource limit exceeded.");
    }
    try {
      await ctx.invoke("s3", "HeadBucket", { Bucket: input.destination });
    } catch (error) {
      if (isAwsError(error) && error.status !== 501) {
        throw invalidParameter("The given bucket does not exist. Please make sure the bucket is valid.");
      }
      throw error;
    }
    const task: StoredTask = {
      taskId: crypto.randomUUID(),
      ...(input.taskName !== undefined ? { taskName: input.taskName } : {}),
      logGroupName: input.logGroupName,
      ...(input.logStreamNamePrefix !== undefined ? { logStreamNamePrefix: input.logStreamNamePrefix } : {}),
      from, to,
      destination: input.destination,
      destinationPrefix: input.destinationPrefix ?? "exportedlogs",
      code: "PENDING",
      message: "Pending",
      creationTime: ctx.clock.now(),
    };
    await ctx.store.set(taskKey(task.taskId), task);
    ctx.waitUntil(run(ctx, task));
    return { taskId: task.taskId };
  },

  async DescribeExportTasks(input, ctx) {
    const tasks: StoredTask[] = [];
    for await (const entry of ctx.store.list<StoredTask>({ prefix: ["export-task"] })) {
      if (input.taskId !== undefined && entry.value.taskId !== input.taskId) continue;
      if (input.statusCode !== undefined && entry.value.code !== input.statusCode) continue;
      tasks.push(entry.value);
    }
    tasks.sort((a, b) => b.creationTime - a.creationTime || (a.taskId < b.taskId ? -1 : 1));
    const start = input.nextToken !== undefined ? decodeToken<number>(input.nextToken) : 0;
    if (typeof start !== "number") throw invalidParameter("The specified nextToken is invalid.");
    const limit = input.limit ?? 50;
    const page = tasks.slice(start, start + limit);
    return { exportTasks: page.map(describe), ...(start + limit < tasks.length ? { nextToken: encodeToken(start + limit) } : {}) };
  },

  async CancelExportTask(input, ctx) {
    const task = (await ctx.store.get<StoredTask>(taskKey(input.taskId))).value;
    if (!task) throw resourceNotFound("The specified export task does not exist.");
    if (!(await setStatus(ctx, task.taskId, "CANCELLED", "Cancelled by user"))) {
      throw new AwsError("InvalidOperationException", `The specified export task has already finished`, 400);
    }
    return {};
  },
};
