/**
 * Rules and their targets: PutRule, DescribeRule, Enable/DisableRule, DeleteRule, ListRules,
 * ListRuleNamesByTarget, PutTargets, RemoveTargets, ListTargetsByRule.
 * Source: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html,
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { Operations } from "../../generated/events.ts";
import { AwsError } from "../../protocol/errors.ts";
import { notFound, page, parseBusRef, ruleArn, validation, type Scope, type Tags } from "./common.ts";
import { getRule, ruleKey, rulesOfBus, type StoredRule, type StoredTarget } from "./rule-store.ts";
export { getRule, ruleKey, rulesOfBus, deleteRulesOfBus, type StoredRule, type StoredTarget } from "./rule-store.ts";
import { checkPattern } from "./matching.ts";
import { parseScheduleExpression, ScheduleExpressionError } from "../../schedules/cron.ts";
import { checkJsonPath, checkTransformer } from "./transform.ts";
import { armRule, disarmRule } from "./schedule.ts";

const MAX_TARGETS = 5;

const scopeOf = (ctx: RequestContext): Scope => ({ store: ctx.store, accountId: ctx.accountId, region: ctx.region });

/** Bus name of a request's EventBusName (name or ARN of this account and region). */
function busName(ctx: RequestContext, ref: string | undefined): string {
  const parsed = parseBusRef(ref, ctx);
  if (parsed.accountId !== ctx.accountId || parsed.region !== ctx.region) {
    throw notFound(`Event bus ${parsed.name} does not exist.`);
  }
  return parsed.name;
}

async function requireBusExists(ctx: RequestContext, name: string): Promise<void> {
  if (name === "default") return;
  if (!(await ctx.store.get(["bus", name])).value) throw notFound(`Event bus ${name} does not exist.`);
}

function describe(rule: StoredRule): Record<string, unknown> {
  return {
    Name: rule.Name,
    Arn: rule.Arn,
    EventPattern: rule.EventPattern,
    ScheduleExpression: rule.ScheduleExpression,
    State: rule.State,
    Description: rule.Description,
    RoleArn: rule.RoleArn,
    ManagedBy: rule.ManagedBy,
    EventBusName: rule.EventBusName,
  };
}

function checkTarget(target: StoredTarget, rule: StoredRule): string | null {
  const given = [target.Input, target.InputPath, target.InputTransformer].filter((x) => x !== undefined).length;
  if (given > 1) return "Only one of Input, InputPath, or InputTransformer must be provided.";
  if (target.Input !== undefined) {
    try {
      JSON.parse(target.Input);
    } catch {
      return "Input is not a valid JSON text.";
    }
  }
  if (target.InputPath !== undefined && !checkJsonPath(target.InputPath)) return `Invalid InputPath for target ${target.Id}: ${target.InputPath}`;
  if (target.InputTransformer) {
    const problem = checkTransformer(target.InputTransformer);
    if (problem) return problem;
  }
  if (/^arn:aws[a-z-]*:sqs:[^:]*:\d{12}:.+\.fifo$/.test(target.Arn) && !target.SqsParameters?.MessageGroupId) {
    return `Parameter(s) SqsParameters must be specified for target: ${target.Id}.`;
  }
  if (/^arn:aws[a-z-]*:kinesis:/.test(target.Arn) && target.KinesisParameters && !target.KinesisParameters.PartitionKeyPath) {
    return `Parameter(s) KinesisParameters must be specified for target: ${target.Id}.`;
  }
  if (target.Arn === rule.Arn) return "Target cannot be the rule itself.";
  return null;
}

function matchesPrefix(name: string, prefix: string | undefined): boolean {
  return !prefix || name.startsWith(prefix);
}

export const ruleHandlers: Handlers<Operations> = {
  async PutRule(input, ctx) {
    const scope = scopeOf(ctx);
    const bus = busName(ctx, input.EventBusName);
    await requireBusExists(ctx, bus);
    if (input.EventPattern === undefined && input.ScheduleExpression === undefined) {
      throw validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
    }
    if (input.EventPattern !== undefined) {
      checkPattern(input.EventPattern);
    }
    if (input.ScheduleExpression !== undefined) {
      if (bus !== "default") throw validation("ScheduleExpression is supported only on the default event bus.");
      try {
        parseScheduleExpression(input.ScheduleExpression);
      } catch (error) {
        if (error instanceof ScheduleExpressionError) throw validation("Parameter ScheduleExpression is not valid.");
        throw error;
      }
    }
    const key = ruleKey(bus, input.Name);
    const existing = (await ctx.store.get<StoredRule>(key)).value;
    if (existing?.ManagedBy) {
      throw new AwsError("ManagedRuleException", `Rule ${input.Name} is managed by ${existing.ManagedBy} and can't be modified.`, 400);
    }
    const rule: StoredRule = {
      Name: input.Name,
      Arn: ruleArn(scope, bus, input.Name),
      EventBusName: bus,
      ...(input.EventPattern !== undefined ? { EventPattern: input.EventPattern } : {}),
      ...(input.ScheduleExpression !== undefined ? { ScheduleExpression: input.ScheduleExpression } : {}),
      State: input.State ?? "ENABLED",
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      ...(input.RoleArn !== undefined ? { RoleArn: input.RoleArn } : {}),
      CreatedBy: ctx.accountId,
      Targets: existing?.Targets ?? [],
    };
    const scheduleChanged = !existing || existing.ScheduleExpression !== rule.ScheduleExpression || existing.State !== rule.State;
    const stored = scheduleChanged ? rule : { ...rule, NextFire: existing.NextFire, ArmId: existing.ArmId, ScheduleAnchor: existing.ScheduleAnchor };
    await ctx.store.set(key, stored);
    if (input.Tags?.length) {
      const tags: Tags = input.Tags;
      await ctx.store.set(["tags", rule.Arn], tags);
    }
    if (scheduleChanged) await armRule(ctx, stored);
    return { RuleArn: rule.Arn };
  },

  async DescribeRule(input, ctx) {
    const rule = await getRule(scopeOf(ctx), busName(ctx, input.EventBusName), input.Name);
    return { ...describe(rule), CreatedBy: rule.CreatedBy };
  },

  async EnableRule(input, ctx) {
    return setState(ctx, input, "ENABLED");
  },

  async DisableRule(input, ctx) {
    return setState(ctx, input, "DISABLED");
  },

  async DeleteRule(input, ctx) {
    const bus = busName(ctx, input.EventBusName);
    const rule = (await ctx.store.get<StoredRule>(ruleKey(bus, input.Name))).value;
    if (!rule) return {};
    if (rule.ManagedBy && !input.Force) {
      throw new AwsError("ManagedRuleException", `Rule ${input.Name} is managed by ${rule.ManagedBy}; use Force to delete it.`, 400);
    }
    if (rule.Targets.length) throw validation("Rule can't be deleted since it has targets.");
    await ctx.store.delete(ruleKey(bus, input.Name));
    await ctx.store.delete(["tags", rule.Arn]);
    disarmRule(ctx, rule);
    return {};
  },

  async ListRules(input, ctx) {
    const bus = busName(ctx, input.EventBusName);
    await requireBusExists(ctx, bus);
    const rules = (await rulesOfBus(scopeOf(ctx), bus)).filter((r) => matchesPrefix(r.Name, input.NamePrefix));
    const { items, NextToken } = page(rules, (r) => r.Name, input.NextToken, input.Limit);
    return { Rules: items.map(describe), NextToken };
  },

  async ListRuleNamesByTarget(input, ctx) {
    const bus = busName(ctx, input.EventBusName);
    await requireBusExists(ctx, bus);
    const rules = (await rulesOfBus(scopeOf(ctx), bus)).filter((r) => r.Targets.some((t) => t.Arn === input.TargetArn));
    const { items, NextToken } = page(rules, (r) => r.Name, input.NextToken, input.Limit);
    return { RuleNames: items.map((r) => r.Name), NextToken };
  },

  async PutTargets(input, ctx) {
    const bus = busName(ctx, input.EventBusName);
    const key = ruleKey(bus, input.Rule);
    const entry = await ctx.store.get<StoredRule>(key);
    if (!entry.value) throw notFound(`Rule ${input.Rule} does not exist on EventBus ${bus}.`);
    const rule = entry.value;
    if (rule.ManagedBy) throw new AwsError("ManagedRuleException", `Rule ${input.Rule} is managed by ${rule.ManagedBy} and can't be modified.`, 400);
    const failed: { TargetId: string; ErrorCode: string; ErrorMessage: string }[] = [];
    const targets = new Map(rule.Targets.map((t) => [t.Id, t]));
    const ids = new Set<string>();
    for (const target of input.Targets as StoredTarget[]) {
      if (ids.has(target.Id)) throw validation(`The same target ID '${target.Id}' is specified more than once.`);
      ids.add(target.Id);
    }
    for (const target of input.Targets as StoredTarget[]) {
      const problem = checkTarget(target, rule);
      if (problem) throw validation(problem);
      targets.set(target.Id, target);
    }
    if (targets.size > MAX_TARGETS) throw new AwsError("LimitExceededException", `The requested resource exceeds the maximum number allowed.`, 400);
    const result = await ctx.store.atomic().check(entry).set(key, { ...rule, Targets: [...targets.values()] }).commit();
    if (!result.ok) throw new AwsError("ConcurrentModificationException", "Another request modified this rule; retry.", 400);
    return { FailedEntryCount: failed.length, FailedEntries: failed };
  },

  async RemoveTargets(input, ctx) {
    const bus = busName(ctx, input.EventBusName);
    const key = ruleKey(bus, input.Rule);
    const entry = await ctx.store.get<StoredRule>(key);
    if (!entry.value) throw notFound(`Rule ${input.Rule} does not exist on EventBus ${bus}.`);
    const rule = entry.value;
    if (rule.ManagedBy && !input.Force) throw new AwsError("ManagedRuleException", `Rule ${input.Rule} is managed by ${rule.ManagedBy}; use Force to modify it.`, 400);
    const remove = new Set<string>(input.Ids);
    const result = await ctx.store.atomic().check(entry).set(key, { ...rule, Targets: rule.Targets.filter((t) => !remove.has(t.Id)) }).commit();
    if (!result.ok) throw new AwsError("ConcurrentModificationException", "Another request modified this rule; retry.", 400);
    return { FailedEntryCount: 0, FailedEntries: [] };
  },

  async ListTargetsByRule(input, ctx) {
    const rule = await getRule(scopeOf(ctx), busName(ctx, input.EventBusName), input.Rule);
    const sorted = [...rule.Targets].sort((a, b) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));
    const { items, NextToken } = page(sorted, (t) => t.Id, input.NextToken, input.Limit);
    return { Targets: items, NextToken };
  },
};

async function setState(ctx: RequestContext, input: { Name: string; EventBusName?: string }, state: string): Promise<Record<string, never>> {
  const bus = busName(ctx, input.EventBusName);
  const rule = await getRule(scopeOf(ctx), bus, input.Name);
  if (rule.ManagedBy) throw new AwsError("ManagedRuleException", `Rule ${input.Name} is managed by ${rule.ManagedBy} and can't be modified.`, 400);
  if (rule.State === state) return {};
  const next = { ...rule, State: state };
  delete next.NextFire, delete next.ArmId, delete next.ScheduleAnchor;
  await ctx.store.set(ruleKey(bus, input.Name), next);
  if (state === "ENABLED") await armRule(ctx, next);
  else disarmRule(ctx, rule);
  return {};
}
