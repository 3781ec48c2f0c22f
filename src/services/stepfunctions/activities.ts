/**
 * Activities (CreateActivity, DescribeActivity, ListActivities, DeleteActivity,
 * GetActivityTask with a 60-second long poll on the emulator's clock) and the task-token
 * callbacks (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat) shared by activities and
 * `.waitForTaskToken` integrations.
 * Source: https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetActivityTask.html
 */
import type { Operations as Ops } from "../../generated/stepfunctions.ts";
import type { Handlers, RequestContext } from "../types.ts";
import { waitForActivity } from "./activity-signal.ts";
import { arn, checkName, err, keys, listAll, page, parseJsonInput, requireArn, type StoredActivity } from "./common.ts";
import { wakeToken } from "./run.ts";
import type { StoredToken } from "./task.ts";

const POLL_MS = 60_000;

async function getActivity(ctx: RequestContext, value: string): Promise<StoredActivity> {
  requireArn(value, "activity");
  const a = (await ctx.store.get<StoredActivity>(keys.activity(value))).value;
  if (!a) throw err("ActivityDoesNotExist", `Activity Does Not Exist: '${value}'`);
  return a;
}

async function getToken(ctx: RequestContext, token: string): Promise<StoredToken> {
  if (token.length < 1 || token.length > 2048) throw err("InvalidToken", "Invalid Token: 'Invalid token'");
  const rec = (await ctx.store.get<StoredToken>(keys.token(token))).value;
  if (!rec) throw err("InvalidToken", "Invalid Token: 'Invalid token'");
  if (rec.status === "TIMED_OUT") throw err("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'");
  if (rec.status !== "PENDING") throw err("TaskDoesNotExist", "Task Does Not Exist: 'Provided task does not exist anymore'");
  const exec = (await ctx.store.get<{ status: string }>(keys.execution(rec.executionArn))).value;
  if (!exec || exec.status !== "RUNNING") throw err("TaskDoesNotExist", "Task Does Not Exist: 'Provided task does not exist anymore'");
  return rec;
}

/** Takes the oldest queued task of an activity, or undefined. */
async function takeTask(ctx: RequestContext, activityArn: string, workerName: string | undefined): Promise<{ taskToken: string; input: string } | undefined> {
  for await (const entry of ctx.store.list<{ token: string; input: string }>({ prefix: ["activity-task", activityArn] })) {
    const claimed = await ctx.store.atomic().check({ key: entry.key, versionstamp: entry.versionstamp }).delete(entry.key).commit();
    if (!claimed.ok) continue;
    const rec = (await ctx.store.get<StoredToken>(keys.token(entry.value.token))).value;
    if (!rec || rec.status !== "PENDING") continue;
    await ctx.store.set(keys.token(rec.token), { ...rec, workerName: workerName ?? "", heartbeat: ctx.clock.now() });
    wakeToken(ctx, rec.token);
    return { taskToken: entry.value.token, input: entry.value.input };
  }
  return undefined;
}

export const activityHandlers: Handlers<Ops> = {
  async CreateActivity(input, ctx) {
    checkName(input.name);
    const activityArn = arn(ctx, "activity", input.name);
    const existing = (await ctx.store.get<StoredActivity>(keys.activity(activityArn))).value;
    if (existing) return { activityArn, creationDate: new Date(existing.creationDate) };
    const tags = (input.tags ?? []).map((t) => ({ key: t.key!, value: t.value ?? "" }));
    if (tags.length > 50) throw err("TooManyTags", "Too many tags: the resource may have at most 50 tags.", { resourceName: activityArn });
    const activity: StoredActivity = { arn: activityArn, name: input.name, creationDate: ctx.clock.now(), tags };
    await ctx.store.set(keys.activity(activityArn), activity);
    return { activityArn, creationDate: new Date(activity.creationDate) };
  },

  async DescribeActivity(input, ctx) {
    const a = await getActivity(ctx, input.activityArn);
    return { activityArn: a.arn, name: a.name, creationDate: new Date(a.creationDate), encryptionConfiguration: { type: "AWS_OWNED_KEY" } };
  },

  async ListActivities(input, ctx) {
    const all = await listAll<StoredActivity>(ctx, ["activity"]);
    all.sort((a, b) => a.creationDate - b.creationDate || a.name.localeCompare(b.name));
    const p = page(all, input.maxResults, input.nextToken);
    return {
      activities: p.items.map((a) => ({ activityArn: a.arn, name: a.name, creationDate: new Date(a.creationDate) })),
      ...(p.nextToken ? { nextToken: p.nextToken } : {}),
    };
  },

  async DeleteActivity(input, ctx) {
    requireArn(input.activityArn, "activity");
    await ctx.store.delete(keys.activity(input.activityArn));
    return {};
  },

  async GetActivityTask(input, ctx) {
    await getActivity(ctx, input.activityArn);
    const deadline = ctx.timers.elapsed() + POLL_MS;
    for (;;) {
      // Listen before looking, so a task queued in between still wakes this poll.
      const stop = new AbortController();
      const onAbort = () => stop.abort();
      ctx.signal?.addEventListener("abort", onAbort, { once: true });
      const wait = waitForActivity(ctx, input.activityArn, Math.max(0, deadline - ctx.timers.elapsed()), stop.signal);
      const task = await takeTask(ctx, input.activityArn, input.workerName);
      if (task) stop.abort();
      await wait;
      ctx.signal?.removeEventListener("abort", onAbort);
      if (task) return task;
      if (deadline - ctx.timers.elapsed() <= 0 || ctx.signal?.aborted) {
        return (await takeTask(ctx, input.activityArn, input.workerName)) ?? {};
      }
    }
  },

  async SendTaskSuccess(input, ctx) {
    const rec = await getToken(ctx, input.taskToken);
    parseJsonInput(input.output, "InvalidOutput");
    await ctx.store.set(keys.token(rec.token), { ...rec, status: "SUCCEEDED", output: input.output });
    wakeToken(ctx, rec.token);
    return {};
  },

  async SendTaskFailure(input, ctx) {
    const rec = await getToken(ctx, input.taskToken);
    await ctx.store.set(keys.token(rec.token), {
      ...rec, status: "FAILED", ...(input.error !== undefined ? { error: input.error } : {}), ...(input.cause !== undefined ? { cause: input.cause } : {}),
    });
    wakeToken(ctx, rec.token);
    return {};
  },

  async SendTaskHeartbeat(input, ctx) {
    const rec = await getToken(ctx, input.taskToken);
    await ctx.store.set(keys.token(rec.token), { ...rec, heartbeat: ctx.clock.now() });
    wakeToken(ctx, rec.token);
    return {};
  },
};
