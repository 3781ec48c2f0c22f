/**
 * Vended-log deliveries as state: delivery sources (a resource and log type), delivery
 * destinations (an S3 bucket, log group or Firehose stream, or X-Ray) with their policies, and
 * deliveries joining one source to one destination. Nothing is delivered: fetchstack's services
 * do not vend logs.
 * Sources: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDeliverySource.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDeliveryDestination.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateDelivery.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { DeliveryDestinationType, Operations, OutputFormat, S3DeliveryConfiguration } from "../../generated/logs.ts";
import { AwsError } from "../../protocol/errors.ts";
import { partitionOf } from "../../util/partition.ts";
import { decodeToken, encodeToken } from "./state.ts";

interface StoredSource {
  name: string;
  arn: string;
  resourceArns: string[];
  service: string;
  logType: string;
  tags: Record<string, string>;
  deliverySourceConfiguration?: Record<string, unknown>;
}

interface StoredDestination {
  name: string;
  arn: string;
  deliveryDestinationType: DeliveryDestinationType;
  outputFormat?: OutputFormat;
  deliveryDestinationConfiguration?: { destinationResourceArn: string };
  tags: Record<string, string>;
  policy?: string;
}

interface StoredDelivery {
  id: string;
  arn: string;
  deliverySourceName: string;
  deliveryDestinationArn: string;
  deliveryDestinationType: DeliveryDestinationType;
  recordFields?: string[];
  fieldDelimiter?: string;
  s3DeliveryConfiguration?: S3DeliveryConfiguration;
  tags: Record<string, string>;
}

const k = {
  source: (name: string) => ["delivery-source", name] as const,
  destination: (name: string) => ["delivery-destination", name] as const,
  delivery: (id: string) => ["delivery", id] as const,
};

const notFound = (message: string) => new AwsError("ResourceNotFoundException", message, 400);
const conflict = (message: string) => new AwsError("ConflictException", message, 400);
const invalid = (message: string) => new AwsError("ValidationException", message, 400);

function arn(ctx: RequestContext, kind: string, name: string): string {
  return `arn:${partitionOf(ctx.region)}:logs:${ctx.region}:${ctx.accountId}:${kind}:${name}`;
}

/** S3, CWL or FH from a destination resource ARN. */
function destinationType(resourceArn: string): DeliveryDestinationType {
  const service = resourceArn.split(":")[2];
  if (service === "s3") return "S3";
  if (service === "logs") return "CWL";
  if (service === "firehose") return "FH";
  throw invalid(`Destination resource ARN ${resourceArn} is not an S3 bucket, a log group or a Firehose delivery stream.`);
}

async function all<T>(ctx: RequestContext, prefix: string): Promise<T[]> {
  const out: T[] = [];
  for await (const entry of ctx.store.list<T>({ prefix: [prefix] })) out.push(entry.value);
  return out;
}

function page<T>(items: T[], token: string | undefined, limit: number | undefined): { items: T[]; nextToken?: string } {
  const start = token !== undefined ? decodeToken<number>(token) : 0;
  if (typeof start !== "number") throw invalid("The specified nextToken is invalid.");
  const size = limit ?? 50;
  return { items: items.slice(start, start + size), ...(start + size < items.length ? { nextToken: encodeToken(start + size) } : {}) };
}

function describeSource({ tags, ...s }: StoredSource) {
  return { ...s, ...(Object.keys(tags).length ? { tags } : {}) };
}

function describeDestination({ tags, policy: _policy, ...d }: StoredDestination) {
  return { ...d, ...(Object.keys(tags).length ? { tags } : {}) };
}

function describeDelivery({ tags, ...d }: StoredDelivery) {
  return { ...d, ...(Object.keys(tags).length ? { tags } : {}) };
}

export const deliveryHandlers: Handlers<Operations> = {
  async PutDeliverySource(input, ctx) {
    const service = input.resourceArn.split(":")[2];
    if (!input.resourceArn.startsWith("arn:") || !service) throw invalid(`Invalid resource ARN ${input.resourceArn}.`);
    const existing = (await ctx.store.get<StoredSource>(k.source(input.name))).value;
    if (existing && (existing.resourceArns[0] !== input.resourceArn || existing.logType !== input.logType)) {
      throw conflict(`Delivery source ${input.name} already exists for another resource or log type.`);
    }
    const source: StoredSource = {
      name: input.name, arn: arn(ctx, "delivery-source", input.name), resourceArns: [input.resourceArn], service, logType: input.logType,
      tags: { ...(existing?.tags ?? {}), ...(input.tags ?? {}) },
      ...(input.deliverySourceConfiguration ? { deliverySourceConfiguration: input.deliverySourceConfiguration as Record<string, unknown> } : {}),
    };
    await ctx.store.set(k.source(input.name), source);
    return { deliverySource: describeSource(source) as never };
  },

  async GetDeliverySource(input, ctx) {
    const source = (await ctx.store.get<StoredSource>(k.source(input.name))).value;
    if (!source) throw notFound(`Delivery source ${input.name} does not exist.`);
    return { deliverySource: describeSource(source) as never };
  },

  async DescribeDeliverySources(input, ctx) {
    const { items, nextToken } = page(await all<StoredSource>(ctx, "delivery-source"), input.nextToken, input.limit);
    return { deliverySources: items.map(describeSource) as never, ...(nextToken ? { nextToken } : {}) };
  },

  async DeleteDeliverySource(input, ctx) {
    if (!(await ctx.store.get(k.source(input.name))).value) throw notFound(`Delivery source ${input.name} does not exist.`);
    if ((await all<StoredDelivery>(ctx, "delivery")).some((d) => d.deliverySourceName === input.name)) {
      throw conflict(`Delivery source ${input.name} is used by a delivery; delete the delivery first.`);
    }
    await ctx.store.delete(k.source(input.name));
    return {};
  },

  async PutDeliveryDestination(input, ctx) {
    const existing = (await ctx.store.get<StoredDestination>(k.destination(input.name))).value;
    const config = input.deliveryDestinationConfiguration;
    let type: DeliveryDestinationType;
    if (input.deliveryDestinationType === "XRAY") {
      if (config) throw invalid("An XRAY delivery destination takes no deliveryDestinationConfiguration.");
      type = "XRAY";
    } else {
      if (!config) throw invalid("deliveryDestinationConfiguration is required.");
      type = destinationType(config.destinationResourceArn);
      if (input.deliveryDestinationType !== undefined && input.deliveryDestinationType !== type) {
        throw invalid(`deliveryDestinationType ${input.deliveryDestinationType} does not match ${config.destinationResourceArn}.`);
      }
    }
    if (existing && existing.deliveryDestinationType !== type) throw conflict(`Delivery destination ${input.name} already exists with another type.`);
    const destination: StoredDestination = {
      name: input.name, arn: arn(ctx, "delivery-destination", input.name), deliveryDestinationType: type,
      ...(input.outputFormat ? { outputFormat: input.outputFormat } : existing?.outputFormat ? { outputFormat: existing.outputFormat } : {}),
      ...(config ? { deliveryDestinationConfiguration: { destinationResourceArn: config.destinationResourceArn } } : {}),
      tags: { ...(existing?.tags ?? {}), ...(input.tags ?? {}) },
      ...(existing?.policy ? { policy: existing.policy } : {}),
    };
    await ctx.store.set(k.destination(input.name), destination);
    return { deliveryDestination: describeDestination(destination) };
  },

  async GetDeliveryDestination(input, ctx) {
    const d = (await ctx.store.get<StoredDestination>(k.destination(input.name))).value;
    if (!d) throw notFound(`Delivery destination ${input.name} does not exist.`);
    return { deliveryDestination: describeDestination(d) };
  },

  async DescribeDeliveryDestinations(input, ctx) {
    const { items, nextToken } = page(await all<StoredDestination>(ctx, "delivery-destination"), input.nextToken, input.limit);
    return { deliveryDestinations: items.map(describeDestination), ...(nextToken ? { nextToken } : {}) };
  },

  async DeleteDeliveryDestination(input, ctx) {
    const d = (await ctx.store.get<StoredDestination>(k.destination(input.name))).value;
    if (!d) throw notFound(`Delivery destination ${input.name} does not exist.`);
    if ((await all<StoredDelivery>(ctx, "delivery")).some((x) => x.deliveryDestinationArn === d.arn)) {
      throw conflict(`Delivery destination ${input.name} is used by a delivery; delete the delivery first.`);
    }
    await ctx.store.delete(k.destination(input.name));
    return {};
  },

  async PutDeliveryDestinationPolicy(input, ctx) {
    const d = (await ctx.store.get<StoredDestination>(k.destination(input.deliveryDestinationName))).value;
    if (!d) throw notFound(`Delivery destination ${input.deliveryDestinationName} does not exist.`);
    try {
      JSON.parse(input.deliveryDestinationPolicy);
    } catch {
      throw invalid("The policy is not valid JSON.");
    }
    await ctx.store.set(k.destination(d.name), { ...d, policy: input.deliveryDestinationPolicy });
    return { policy: { deliveryDestinationPolicy: input.deliveryDestinationPolicy } };
  },

  async GetDeliveryDestinationPolicy(input, ctx) {
    const d = (await ctx.store.get<StoredDestination>(k.destination(input.deliveryDestinationName))).value;
    if (!d) throw notFound(`Delivery destination ${input.deliveryDestinationName} does not exist.`);
    return { policy: d.policy ? { deliveryDestinationPolicy: d.policy } : {} };
  },

  async DeleteDeliveryDestinationPolicy(input, ctx) {
    const d = (await ctx.store.get<StoredDestination>(k.destination(input.deliveryDestinationName))).value;
    if (!d?.policy) throw notFound(`Delivery destination ${input.deliveryDestinationName} has no policy.`);
    const { policy: _, ...rest } = d;
    await ctx.store.set(k.destination(d.name), rest);
    return {};
  },

  async CreateDelivery(input, ctx) {
    if (!(await ctx.store.get(k.source(input.deliverySourceName))).value) throw notFound(`Delivery source ${input.deliverySourceName} does not exist.`);
    const destination = (await all<StoredDestination>(ctx, "delivery-destination")).find((d) => d.arn === input.deliveryDestinationArn);
    if (!destination) throw notFound(`Delivery destination ${input.deliveryDestinationArn} does not exist.`);
    const deliveries = await all<StoredDelivery>(ctx, "delivery");
    if (deliveries.some((d) => d.deliverySourceName === input.deliverySourceName && d.deliveryDestinationArn === input.deliveryDestinationArn)) {
      throw conflict("A delivery already exists for this delivery source and delivery destination.");
    }
    const id = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
    const delivery: StoredDelivery = {
      id, arn: arn(ctx, "delivery", id), deliverySourceName: input.deliverySourceName, deliveryDestinationArn: input.deliveryDestinationArn,
      deliveryDestinationType: destination.deliveryDestinationType,
      ...(input.recordFields ? { recordFields: input.recordFields } : {}),
      ...(input.fieldDelimiter !== undefined ? { fieldDelimiter: input.fieldDelimiter } : {}),
      ...(input.s3DeliveryConfiguration ? { s3DeliveryConfiguration: input.s3DeliveryConfiguration } : {}),
      tags: input.tags ?? {},
    };
    await ctx.store.set(k.delivery(id), delivery);
    return { delivery: describeDelivery(delivery) };
  },

  async GetDelivery(input, ctx) {
    const d = (await ctx.store.get<StoredDelivery>(k.delivery(input.id))).value;
    if (!d) throw notFound(`Delivery ${input.id} does not exist.`);
    return { delivery: describeDelivery(d) };
  },

  async DescribeDeliveries(input, ctx) {
    const { items, nextToken } = page(await all<StoredDelivery>(ctx, "delivery"), input.nextToken, input.limit);
    return { deliveries: items.map(describeDelivery), ...(nextToken ? { nextToken } : {}) };
  },

  async UpdateDeliveryConfiguration(input, ctx) {
    const d = (await ctx.store.get<StoredDelivery>(k.delivery(input.id))).value;
    if (!d) throw notFound(`Delivery ${input.id} does not exist.`);
    await ctx.store.set(k.delivery(input.id), {
      ...d,
      ...(input.recordFields ? { recordFields: input.recordFields } : {}),
      ...(input.fieldDelimiter !== undefined ? { fieldDelimiter: input.fieldDelimiter } : {}),
      ...(input.s3DeliveryConfiguration ? { s3DeliveryConfiguration: input.s3DeliveryConfiguration } : {}),
    });
    return {};
  },

  async DeleteDelivery(input, ctx) {
    if (!(await ctx.store.get(k.delivery(input.id))).value) throw notFound(`Delivery ${input.id} does not exist.`);
    await ctx.store.delete(k.delivery(input.id));
    return {};
  },
};
