/**
 * PutEvents and event routing: entries become events, each event is matched against the bus's
 * enabled rules (and archives), and every matching rule's targets receive it in the background.
 * Source: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { Operations } from "../../generated/events.ts";
import { AwsError } from "../../protocol/errors.ts";
import { eventTime, parseBusRef, validation, type Scope } from "./common.ts";
import { getBus, mayPutEvents } from "./bus-store.ts";
import { rulesOfBus } from "./rule-store.ts";
import { matches } from "./matching.ts";
import { deliver } from "./delivery.ts";
import { archiveEvents } from "./archive-store.ts";

/** The event source an AWS service sends as: `aws.<service>`, or AWS's own name where it differs. */
const SERVICE_SOURCES: Record<string, string> = { stepfunctions: "aws.states" };
const serviceSource = (service: string) => SERVICE_SOURCES[service] ?? `aws.${service}`;

const MAX_REQUEST_BYTES = 256 * 1024;

/** Size of an entry as AWS counts it: UTF-8 bytes of Source, DetailType, Detail, Resources; 14 for Time. */
function entrySize(entry: Record<string, any>): number {
  const enc = new TextEncoder();
  let size = entry.Time !== undefined ? 14 : 0;
  for (const member of ["Source", "DetailType", "Detail"]) if (typeof entry[member] === "string") size += enc.encode(entry[member]).length;
  for (const r of entry.Resources ?? []) size += enc.encode(r).length;
  return size;
}

/**
 * Routes events on `bus` of `scope`: archives first, then each enabled rule whose pattern
 * matches delivers to its targets (in the background of `ctx`). The bus's rules and archives
 * are read once for the whole batch.
 */
export async function routeEvents(ctx: RequestContext, scope: Scope, bus: string, events: Record<string, unknown>[], hops = 0, replay?: { name: string; rules?: Set<string> }): Promise<void> {
  if (!replay) await archiveEvents(scope, bus, events, ctx.clock.now());
  const rules = (await rulesOfBus(scope, bus)).filter((rule) =>
    (rule.State === "ENABLED" || rule.State === "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS") &&
    (!replay?.rules || replay.rules.has(rule.Arn)));
  for (const event of events) {
    for (const rule of rules) {
      if (!matches(rule.EventPattern, event)) continue;
      for (const target of rule.Targets) ctx.waitUntil(deliver(ctx, scope, rule, target, event, hops, putToBus));
    }
  }
}

/** Routes one event (see routeEvents). */
export function routeEvent(ctx: RequestContext, scope: Scope, bus: string, event: Record<string, unknown>, hops = 0, replay?: { name: string; rules?: Set<string> }): Promise<void> {
  return routeEvents(ctx, scope, bus, [event], hops, replay);
}

/** A bus-to-bus delivery: the target bus must exist and let the sending account put events. */
export async function putToBus(ctx: RequestContext, scope: Scope, bus: string, event: Record<string, unknown>, hops: number): Promise<void> {
  const target = await getBus(scope, bus);
  if (!target) throw new AwsError("ResourceNotFoundException", `Event bus ${bus} does not exist.`, 400);
  if (!mayPutEvents(target, scope.accountId, ctx.accountId)) {
    throw new AwsError("AccessDeniedException", `Account ${ctx.accountId} is not authorized to put events on ${target.Arn}.`, 400);
  }
  // The event keeps the account and region it was first put in, as on AWS.
  await routeEvent(ctx, scope, bus, event, hops);
}

export function newEventId(): string {
  return crypto.randomUUID();
}

export const putEventsHandlers: Handlers<Operations> = {
  async PutEvents(input, ctx) {
    const entries: Record<string, any>[] = input.Entries;
    const total = entries.reduce((n, e) => n + entrySize(e), 0);
    if (total > MAX_REQUEST_BYTES) throw validation("Total size of the entries in the request is over the limit.");
    const results: Record<string, string>[] = [];
    const accepted: { scope: Scope; bus: string; event: Record<string, unknown> }[] = [];
    for (const entry of entries) {
      const fail = (ErrorCode: string, ErrorMessage: string) => results.push({ ErrorCode, ErrorMessage });
      if (entry.Source === undefined) {
        fail("InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument.");
        continue;
      }
      if (entry.DetailType === undefined) {
        fail("InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument.");
        continue;
      }
      if (entry.Detail === undefined) {
        fail("InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument.");
        continue;
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        detail = undefined;
      }
      if (!detail || typeof detail !== "object" || Array.isArray(detail)) {
        fail("MalformedDetail", "Detail is malformed.");
        continue;
      }
      // Only AWS services send `aws.*` events: one calling through ctx.invoke, with its own source.
      if (/^aws\./.test(entry.Source) && !(ctx.caller.service && entry.Source === serviceSource(ctx.caller.service))) {
        fail("NotAuthorizedForSourceException", "Not authorized for the source.");
        continue;
      }
      let ref;
      try {
        ref = parseBusRef(entry.EventBusName, ctx);
      } catch (error) {
        fail("InvalidArgument", (error as Error).message);
        continue;
      }
      const scope: Scope = ref.accountId === ctx.accountId && ref.region === ctx.region
        ? { store: ctx.store, accountId: ctx.accountId, region: ctx.region }
        : { store: ctx.storeFor(ref.accountId, ref.region), accountId: ref.accountId, region: ref.region };
      const bus = await getBus(scope, ref.name);
      if (!bus) {
        fail("ResourceNotFoundException", `Event bus ${ref.name} does not exist.`);
        continue;
      }
      if (!mayPutEvents(bus, scope.accountId, ctx.accountId)) {
        fail("AccessDeniedException", `User: arn:aws:iam::${ctx.accountId}:root is not authorized to perform: events:PutEvents on resource: ${bus.Arn}`);
        continue;
      }
      const id = newEventId();
      const time = entry.Time !== undefined ? new Date(entry.Time).getTime() : ctx.clock.now();
      const event = {
        version: "0",
        id,
        "detail-type": entry.DetailType,
        source: entry.Source,
        account: ctx.accountId,
        time: eventTime(time),
        region: ctx.region,
        resources: entry.Resources ?? [],
        detail,
      };
      results.push({ EventId: id });
      accepted.push({ scope, bus: ref.name, event });
    }
    // One routing per bus: its rules and archives are read once for all of the request's events.
    const byBus = new Map<string, { scope: Scope; bus: string; events: Record<string, unknown>[] }>();
    for (const a of accepted) {
      const key = `${a.scope.accountId}/${a.scope.region}/${a.bus}`;
      const group = byBus.get(key) ?? { scope: a.scope, bus: a.bus, events: [] };
      group.events.push(a.event);
      byBus.set(key, group);
    }
    for (const g of byBus.values()) ctx.waitUntil(routeEvents(ctx, g.scope, g.bus, g.events));
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  },
};
