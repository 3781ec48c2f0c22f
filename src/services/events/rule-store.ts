/**
 * Stored rules: a rule and its (at most 5) targets are one record, so a delivery reads one key.
 */
import { notFound, type Scope } from "./common.ts";

export interface StoredTarget {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  KinesisParameters?: { PartitionKeyPath: string };
  SqsParameters?: { MessageGroupId?: string };
  HttpParameters?: Record<string, unknown>;
  DeadLetterConfig?: { Arn?: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  [other: string]: unknown;
}

export interface StoredRule {
  Name: string;
  Arn: string;
  EventBusName: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State: string;
  Description?: string;
  RoleArn?: string;
  ManagedBy?: string;
  CreatedBy: string;
  Targets: StoredTarget[];
  /** Scheduled rules: next fire time (ms) and the token of the timer armed for it. */
  NextFire?: number;
  ArmId?: string;
  /** When the schedule started counting (rate rules), ms. */
  ScheduleAnchor?: number;
}

export const ruleKey = (bus: string, name: string) => ["rule", bus, name];

export async function getRule(scope: Scope, bus: string, name: string): Promise<StoredRule> {
  const rule = (await scope.store.get<StoredRule>(ruleKey(bus, name))).value;
  if (!rule) throw notFound(`Rule ${name} does not exist on EventBus ${bus}.`);
  return rule;
}

export async function rulesOfBus(scope: Scope, bus: string): Promise<StoredRule[]> {
  const out: StoredRule[] = [];
  for await (const e of scope.store.list<StoredRule>({ prefix: ["rule", bus] })) out.push(e.value);
  return out;
}

export async function deleteRulesOfBus(scope: Scope, bus: string): Promise<void> {
  for (const rule of await rulesOfBus(scope, bus)) {
    await scope.store.delete(ruleKey(bus, rule.Name));
    await scope.store.delete(["tags", rule.Arn]);
  }
}

