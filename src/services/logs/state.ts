/**
 * CloudWatch Logs state: log groups, log streams and their events, filters, policies.
 *
 * Events are keyed `["event", group, stream, timestamp, seq]` so a stream reads in timestamp
 * order (ties in arrival order) and a time range is one key range.
 */
import type { RequestContext } from "../types.ts";
import { AwsError } from "../../protocol/errors.ts";
import { partitionOf } from "../../util/partition.ts";
import { decodePageToken, encodePageToken } from "../../encoding/page-token.ts";
import type { MetricTransformation } from "../../generated/logs.ts";

export interface StoredGroup {
  logGroupName: string;
  /** ms since epoch */
  creationTime: number;
  retentionInDays?: number;
  kmsKeyId?: string;
  logGroupClass: "STANDARD" | "INFREQUENT_ACCESS" | "DELIVERY";
  deletionProtectionEnabled: boolean;
  tags: Record<string, string>;
  dataProtectionPolicy?: string;
  bearerTokenAuthenticationEnabled?: boolean;
}

export interface StoredStream {
  logStreamName: string;
  creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  /** Events ever stored in this stream; also the next event's tie-breaking `seq`. */
  seq: number;
  storedBytes: number;
}

export interface StoredEvent {
  m: string;
  /** ingestion time, ms */
  i: number;
}

export interface StoredFilter {
  filterName: string;
  filterPattern: string;
  creationTime: number;
  /** metric filter */
  metricTransformations?: MetricTransformation[];
  /** subscription filter */
  destinationArn?: string;
  roleArn?: string;
  distribution?: "Random" | "ByLogStream";
  /** Match (and deliver) the transformed event rather than the ingested one. */
  applyOnTransformedLogs?: boolean;
}

export const keys = {
  group: (name: string) => ["group", name] as const,
  groups: () => ["group"] as const,
  stream: (group: string, stream: string) => ["stream", group, stream] as const,
  streams: (group: string) => ["stream", group] as const,
  groupEvents: (group: string) => ["event", group] as const,
  events: (group: string, stream: string) => ["event", group, stream] as const,
  event: (group: string, stream: string, timestamp: number, seq: number) => ["event", group, stream, timestamp, seq] as const,
  metricFilter: (group: string, name: string) => ["metric-filter", group, name] as const,
  metricFilters: (group: string) => ["metric-filter", group] as const,
  subscription: (group: string, name: string) => ["subscription", group, name] as const,
  subscriptions: (group: string) => ["subscription", group] as const,
  resourcePolicy: (name: string) => ["resource-policy", name] as const,
  resourcePolicies: () => ["resource-policy"] as const,
  destination: (name: string) => ["destination", name] as const,
  destinations: () => ["destination"] as const,
  queryDefinition: (id: string) => ["query-definition", id] as const,
  queryDefinitions: () => ["query-definition"] as const,
};

export { partitionOf } from "../../util/partition.ts";

export function groupArn(ctx: RequestContext, name: string): string {
  return `arn:${partitionOf(ctx.region)}:logs:${ctx.region}:${ctx.accountId}:log-group:${name}`;
}

export const resourceNotFound = (message: string) => new AwsError("ResourceNotFoundException", message, 400);
export const invalidParameter = (message: string) => new AwsError("InvalidParameterException", message, 400);
export const alreadyExists = (message: string) => new AwsError("ResourceAlreadyExistsException", message, 400);
export const limitExceeded = (message: string) => new AwsError("LimitExceededException", message, 400);

/** The group a request names by `logGroupName` or `logGroupIdentifier` (name or ARN). */
export function groupNameOf(input: { logGroupName?: string; logGroupIdentifier?: string }): string {
  if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined) {
    throw invalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  }
  const id = input.logGroupName ?? input.logGroupIdentifier;
  if (id === undefined) throw invalidParameter("Either logGroupName or logGroupIdentifier must be specified.");
  const m = /^arn:aws[a-z-]*:logs:[^:]*:\d{12}:log-group:([^:]+)(:\*)?$/.exec(id);
  return m ? m[1]! : id;
}

export async function loadGroup(ctx: RequestContext, name: string): Promise<StoredGroup> {
  const group = (await ctx.store.get<StoredGroup>(keys.group(name))).value;
  if (!group) throw resourceNotFound("The specified log group does not exist.");
  return group;
}

export async function loadStream(ctx: RequestContext, group: string, stream: string): Promise<StoredStream> {
  const found = (await ctx.store.get<StoredStream>(keys.stream(group, stream))).value;
  if (!found) throw resourceNotFound("The specified log stream does not exist.");
  return found;
}

/** Oldest event time a group keeps (ms), or -Infinity without a retention policy. */
export function retentionCutoff(ctx: RequestContext, group: StoredGroup): number {
  return group.retentionInDays === undefined ? -Infinity : ctx.clock.now() - group.retentionInDays * 86_400_000;
}

export function encodeToken(value: unknown): string {
  return encodePageToken({ v: value });
}

export function decodeToken<T>(token: string): T {
  const state = decodePageToken(token);
  if (state && "v" in state) return state.v as T;
  throw invalidParameter("The specified nextToken is invalid.");
}

/** Rewrites one group (ResourceNotFoundException when it does not exist). */
export async function updateGroupField(ctx: RequestContext, name: string, change: (group: StoredGroup) => void): Promise<StoredGroup> {
  const group = structuredClone(await loadGroup(ctx, name));
  change(group);
  await ctx.store.set(keys.group(name), group);
  return group;
}
