/**
 * Event buses: the implicit `default` bus, custom and partner buses, resource policies
 * (PutPermission/RemovePermission), and who may put events on a bus.
 * Source: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html,
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutPermission.html
 */
import type { Handlers } from "../types.ts";
import type { Operations } from "../../generated/events.ts";
import { alreadyExists, busArn, dateOf, notFound, page, parseBusRef, validation, type Scope } from "./common.ts";
import { deleteRulesOfBus } from "./rule-store.ts";
import { busKey, getBus, listBuses, requireBus, type StoredBus } from "./bus-store.ts";
export { getBus, mayPutEvents, type StoredBus } from "./bus-store.ts";

function describe(bus: StoredBus): Record<string, unknown> {
  return {
    Name: bus.Name,
    Arn: bus.Arn,
    Description: bus.Description,
    KmsKeyIdentifier: bus.KmsKeyIdentifier,
    DeadLetterConfig: bus.DeadLetterConfig,
    LogConfig: bus.LogConfig,
    Policy: bus.Policy,
    CreationTime: bus.CreationTime ? dateOf(bus.CreationTime) : undefined,
    LastModifiedTime: bus.LastModifiedTime ? dateOf(bus.LastModifiedTime) : undefined,
  };
}

const scopeOf = (ctx: { store: Scope["store"]; accountId: string; region: string }): Scope => ({ store: ctx.store, accountId: ctx.accountId, region: ctx.region });

export const busHandlers: Handlers<Operations> = {
  async CreateEventBus(input, ctx) {
    const scope = scopeOf(ctx);
    const name: string = input.Name;
    if (name === "default") throw alreadyExists("Event bus default already exists.");
    if (name.startsWith("aws.") && !input.EventSourceName) {
      throw validation("Event bus name starting with 'aws.' must be created from a partner event source.");
    }
    if (input.EventSourceName && input.EventSourceName !== name) {
      throw validation(`Event source ${input.EventSourceName} does not match event bus name ${name}.`);
    }
    if (input.EventSourceName) {
      const source = (await ctx.store.get<{ State: string }>(["event-source", input.EventSourceName])).value;
      if (!source || source.State === "DELETED") throw notFound(`Event source ${input.EventSourceName} does not exist.`);
      await ctx.store.set(["event-source", input.EventSourceName], { ...source, State: "ACTIVE" });
    }
    const now = ctx.clock.now();
    const bus: StoredBus = {
      Name: name,
      Arn: busArn(scope, name),
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      ...(input.KmsKeyIdentifier !== undefined ? { KmsKeyIdentifier: input.KmsKeyIdentifier } : {}),
      ...(input.DeadLetterConfig !== undefined ? { DeadLetterConfig: input.DeadLetterConfig } : {}),
      ...(input.LogConfig !== undefined ? { LogConfig: input.LogConfig } : {}),
      CreationTime: now,
      LastModifiedTime: now,
      Tags: [],
    };
    const op = ctx.store.atomic().check({ key: busKey(name), versionstamp: null }).set(busKey(name), bus);
    if (input.Tags?.length) op.set(["tags", bus.Arn], input.Tags);
    const result = await op.commit();
    if (!result.ok) throw alreadyExists(`Event bus ${name} already exists.`);
    return {
      EventBusArn: bus.Arn,
      Description: bus.Description,
      KmsKeyIdentifier: bus.KmsKeyIdentifier,
      DeadLetterConfig: bus.DeadLetterConfig,
      LogConfig: bus.LogConfig,
    };
  },

  async DescribeEventBus(input, ctx) {
    const scope = scopeOf(ctx);
    const ref = parseBusRef(input.Name, scope);
    const target = ref.accountId === ctx.accountId && ref.region === ctx.region ? scope : { store: ctx.storeFor(ref.accountId, ref.region), accountId: ref.accountId, region: ref.region };
    return describe(await requireBus(target, ref.name));
  },

  async UpdateEventBus(input, ctx) {
    const scope = scopeOf(ctx);
    const name: string = input.Name ?? "default";
    const bus = await requireBus(scope, name);
    const next: StoredBus = { ...bus, LastModifiedTime: ctx.clock.now() };
    if (!next.CreationTime) next.CreationTime = next.LastModifiedTime;
    for (const member of ["Description", "KmsKeyIdentifier", "DeadLetterConfig", "LogConfig"] as const) {
      if (input[member] !== undefined) (next as any)[member] = input[member];
    }
    await ctx.store.set(busKey(name), next);
    return { Arn: next.Arn, Name: next.Name, Description: next.Description, KmsKeyIdentifier: next.KmsKeyIdentifier, DeadLetterConfig: next.DeadLetterConfig, LogConfig: next.LogConfig };
  },

  async DeleteEventBus(input, ctx) {
    const name: string = input.Name;
    if (name === "default") throw validation("Cannot delete event bus default.");
    if (!(await ctx.store.get(busKey(name))).value) return {};
    await deleteRulesOfBus(scopeOf(ctx), name);
    await ctx.store.delete(busKey(name));
    await ctx.store.delete(["tags", busArn(ctx, name)]);
    return {};
  },

  async ListEventBuses(input, ctx) {
    const buses = (await listBuses(scopeOf(ctx))).filter((b) => !input.NamePrefix || b.Name.startsWith(input.NamePrefix));
    const { items, NextToken } = page(buses, (b) => b.Name, input.NextToken, input.Limit);
    return {
      EventBuses: items.map((b) => ({
        Name: b.Name, Arn: b.Arn, Description: b.Description, Policy: b.Policy,
        CreationTime: b.CreationTime ? dateOf(b.CreationTime) : undefined,
        LastModifiedTime: b.LastModifiedTime ? dateOf(b.LastModifiedTime) : undefined,
      })),
      NextToken,
    };
  },

  async PutPermission(input, ctx) {
    const scope = scopeOf(ctx);
    const name: string = input.EventBusName ?? "default";
    const bus = await requireBus(scope, name);
    let policy: any;
    if (input.Policy !== undefined) {
      if (input.Action !== undefined || input.Principal !== undefined || input.StatementId !== undefined || input.Condition !== undefined) {
        throw validation("Parameter Policy can not be combined with Action, Principal, StatementId or Condition.");
      }
      try {
        policy = JSON.parse(input.Policy);
      } catch {
        throw validation("Parameter Policy is not valid. Reason: the policy is not valid JSON.");
      }
      if (!policy || typeof policy !== "object" || !policy.Statement) throw validation("Policy is missing required element 'Statement'.");
    } else {
      if (input.Action === undefined) throw validation("Parameter Action must be specified.");
      if (input.Principal === undefined) throw validation("Parameter Principal must be specified.");
      if (input.StatementId === undefined) throw validation("Parameter StatementId must be specified.");
      if (input.Action !== "events:PutEvents") throw validation("Provided value in parameter 'action' is not supported.");
      if (input.Principal !== "*" && !/^\d{12}$/.test(input.Principal)) throw validation("Parameter Principal is not valid.");
      const statement: Record<string, unknown> = {
        Sid: input.StatementId,
        Effect: "Allow",
        Principal: input.Principal === "*" ? "*" : { AWS: `arn:aws:iam::${input.Principal}:root` },
        Action: "events:PutEvents",
        Resource: bus.Arn,
      };
      if (input.Condition) {
        if (input.Condition.Type !== "StringEquals" || input.Condition.Key !== "aws:PrincipalOrgID") {
          throw validation("Parameter Condition is not valid. Only 'StringEquals' on 'aws:PrincipalOrgID' is supported.");
        }
        statement.Condition = { StringEquals: { "aws:PrincipalOrgID": input.Condition.Value } };
      }
      const current = bus.Policy ? JSON.parse(bus.Policy) : { Version: "2012-10-17", Statement: [] };
      const statements = ([current.Statement].flat().filter(Boolean) as any[]).filter((s) => s.Sid !== input.StatementId);
      policy = { ...current, Statement: [...statements, statement] };
    }
    const now = ctx.clock.now();
    await ctx.store.set(busKey(name), { ...bus, Policy: JSON.stringify(policy), CreationTime: bus.CreationTime || now, LastModifiedTime: now });
    return {};
  },

  async RemovePermission(input, ctx) {
    const scope = scopeOf(ctx);
    const name: string = input.EventBusName ?? "default";
    const bus = await requireBus(scope, name);
    if (!bus.Policy) throw notFound("EventBus does not have a policy.");
    const next = { ...bus, LastModifiedTime: ctx.clock.now() };
    if (input.RemoveAllPermissions) {
      delete next.Policy;
    } else {
      if (!input.StatementId) throw validation("Parameter StatementId must be specified.");
      const policy = JSON.parse(bus.Policy);
      const statements = [policy.Statement].flat().filter(Boolean) as any[];
      if (!statements.some((s) => s.Sid === input.StatementId)) throw notFound("Statement with the provided id does not exist.");
      const rest = statements.filter((s) => s.Sid !== input.StatementId);
      if (rest.length) next.Policy = JSON.stringify({ ...policy, Statement: rest });
      else delete next.Policy;
    }
    await ctx.store.set(busKey(name), next);
    return {};
  },
};
