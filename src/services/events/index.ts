/**
 * Amazon EventBridge over awsJson 1.1 (AWSEvents.*).
 * Source: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Operations.html
 *
 * Buses and policies (buses.ts), rules and targets (rules.ts), PutEvents and routing
 * (put-events.ts), the pattern language (pattern.ts), target delivery with retries and DLQs
 * (delivery.ts), input transformation (transform.ts), scheduled rules (schedule.ts), archives
 * and replays (archives.ts). Design notes: docs/events.md.
 */
import { defineService, type Handler, type Handlers, type RequestContext } from "../types.ts";
import { eventsAuthorization } from "./authorization.ts";
import type { Operations } from "../../generated/events.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import model from "../../../models/events.json" with { type: "json" };
import { listValues, mergeTags, notFound, validation, type Tags } from "./common.ts";
import { busHandlers } from "./buses.ts";
import { ruleHandlers } from "./rules.ts";
import { putEventsHandlers } from "./put-events.ts";
import { archiveHandlers } from "./archives.ts";
import { compilePattern, EventPatternError, matchesPattern } from "./pattern.ts";
import { AwsError } from "../../protocol/errors.ts";
import { ensureArmed } from "./schedule.ts";
import { listInvocations } from "./delivery.ts";
import { extraHandlers } from "./resources.ts";

/** Whether the resource an ARN names exists in this account and region. */
async function resourceExists(ctx: RequestContext, arn: string): Promise<boolean> {
  const m = /^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):([a-z-]+)\/(.+)$/.exec(arn);
  if (!m || m[1] !== ctx.region || m[2] !== ctx.accountId) return false;
  const [, , , kind, rest] = m as unknown as [string, string, string, string, string];
  switch (kind) {
    case "event-bus":
      return rest === "default" || (await ctx.store.get(["bus", rest])).value !== null;
    case "rule": {
      const slash = rest.indexOf("/");
      const [bus, name] = slash < 0 ? ["default", rest] : [rest.slice(0, slash), rest.slice(slash + 1)];
      return (await ctx.store.get(["rule", bus, name])).value !== null;
    }
    case "archive":
    case "connection":
    case "api-destination":
    case "endpoint": {
      const name = rest.split("/")[0]!;
      return (await ctx.store.get([kind, name])).value !== null;
    }
    default:
      return false;
  }
}

function resourceNotFound(arn: string): AwsError {
  const m = /:rule\/(?:([^/]+)\/)?([^/]+)$/.exec(arn);
  if (m) return notFound(`Rule ${m[2]} does not exist on EventBus ${m[1] ?? "default"}.`);
  const bus = /:event-bus\/(.+)$/.exec(arn);
  if (bus) return notFound(`Event bus ${bus[1]} does not exist.`);
  return notFound(`Resource ${arn} does not exist.`);
}

const tagHandlers: Handlers<Operations> = {
  async TagResource(input, ctx) {
    if (!(await resourceExists(ctx, input.ResourceARN))) throw resourceNotFound(input.ResourceARN);
    const current = (await ctx.store.get<Tags>(["tags", input.ResourceARN])).value ?? [];
    const next = mergeTags(current, input.Tags);
    if (next.length > 50) throw new AwsError("LimitExceededException", "The requested resource exceeds the maximum number allowed.", 400);
    await ctx.store.set(["tags", input.ResourceARN], next);
    return {};
  },
  async UntagResource(input, ctx) {
    if (!(await resourceExists(ctx, input.ResourceARN))) throw resourceNotFound(input.ResourceARN);
    const current = (await ctx.store.get<Tags>(["tags", input.ResourceARN])).value ?? [];
    const remove = new Set<string>(input.TagKeys);
    await ctx.store.set(["tags", input.ResourceARN], current.filter((t) => !remove.has(t.Key)));
    return {};
  },
  async ListTagsForResource(input, ctx) {
    if (!(await resourceExists(ctx, input.ResourceARN))) throw resourceNotFound(input.ResourceARN);
    return { Tags: (await ctx.store.get<Tags>(["tags", input.ResourceARN])).value ?? [] };
  },
};

const EVENT_FIELDS = ["id", "account", "source", "time", "region", "detail-type"];

const testHandlers: Handlers<Operations> = {
  async TestEventPattern(input) {
    let pattern;
    try {
      pattern = compilePattern(input.EventPattern);
    } catch (error) {
      if (error instanceof EventPatternError) throw new AwsError("InvalidEventPatternException", error.message, 400);
      throw error;
    }
    let event: Record<string, unknown> | null;
    try {
      event = JSON.parse(input.Event);
    } catch {
      throw validation("Parameter Event is not valid.");
    }
    if (!event || typeof event !== "object" || Array.isArray(event)) throw validation("Parameter Event is not valid.");
    for (const field of EVENT_FIELDS) {
      if (typeof event[field] !== "string") throw validation(`Parameter Event is not valid. Reason: Provided Event is missing the '${field}' field.`);
    }
    if (event.resources !== undefined && !Array.isArray(event.resources)) throw validation("Parameter Event is not valid. Reason: resources must be an array.");
    return { Result: matchesPattern(pattern, event) };
  },
};

const all: Handlers<Operations> = {
  ...busHandlers,
  ...ruleHandlers,
  ...putEventsHandlers,
  ...archiveHandlers,
  ...tagHandlers,
  ...testHandlers,
  ...extraHandlers,
};

// Every request first re-arms this account and region's stored schedules once per emulator;
// `setup` does it at start for every account and region holding state, so a restarted emulator
// catches up with the clock without waiting for a request.
const handlers = Object.fromEntries(
  Object.entries(all).map(([name, handler]) => [name, async (input: unknown, ctx: RequestContext) => {
    await ensureArmed(ctx);
    return (handler as Handler)(input, ctx);
  }]),
) as Handlers<Operations>;

export default defineService<Operations>({
  name: "events",
  authorization: eventsAuthorization,
  model: model as unknown as ServiceModel,
  handlers,
  setup(env) {
    env.waitUntil((async () => {
      for await (const { accountId, region } of env.scopes()) await ensureArmed(env.contextFor(accountId, region));
    })());
  },
  introspection: {
    /** Every target delivery attempt's outcome (delivered, failed, dead-lettered), oldest first. */
    invocations: (store) => listInvocations(store),
    /** Events kept by archives. */
    archived: (store) => listValues(store, ["archived"]),
  },
});
