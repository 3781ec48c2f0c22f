/**
 * Parameter policies acting on the injectable clock, with AWS's "Parameter Store Policy Action"
 * events on the default EventBridge bus (source `aws.ssm`, resources the parameter ARN):
 *
 * - `Expiration`: at `Timestamp` the parameter is deleted.
 * - `ExpirationNotification`: `Before` days/hours before the Expiration policy's time.
 * - `NoChangeNotification`: `After` days/hours after the current version was written, once per
 *   version (a new version re-arms it).
 *
 * Detail: `policy-type`, `parameter-name`, `parameter-type`, `policy-content` (the policy JSON),
 * `action-status` `Success`, `action-reason` (AWS's sentence, e.g. "The parameter has not been
 * changed for 2 hours. This notification was generated based on the policy created at ...").
 * A fired notification policy becomes `Finished` in DescribeParameters.
 *
 * One timer per parameter and policy (`ctx.timers.setTimer`); a firing re-reads the parameter and
 * acts only if that version and policy are still current and pending, so each due time fires once.
 * Timers live in memory: the service's setup re-arms every stored policy of every account and
 * Region after a start, and a due time already past fires at once (catch-up).
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-policies.html
 * and https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-cwe.html
 */
import type { RequestContext } from "../types.ts";
import { paramKey, parameterArn, type ParamRecord, type StoredPolicy } from "./parameters.ts";

const HOUR = 3_600_000;

interface PolicyAttributes {
  After?: string | number;
  Before?: string | number;
  Unit?: string;
}

function attributes(policy: StoredPolicy): PolicyAttributes {
  try {
    const parsed = JSON.parse(policy.PolicyText) as { Attributes?: PolicyAttributes };
    return parsed.Attributes ?? {};
  } catch {
    return {};
  }
}

/** The policy's `Before` (ExpirationNotification) or `After` (NoChangeNotification) amount. */
const amount = (policy: StoredPolicy) => Number(policy.PolicyType === "ExpirationNotification" ? attributes(policy).Before : attributes(policy).After);

function afterMs(policy: StoredPolicy): number {
  return amount(policy) * (attributes(policy).Unit === "Days" ? 24 * HOUR : HOUR);
}

function afterText(policy: StoredPolicy): string {
  const a = attributes(policy);
  const n = amount(policy);
  const unit = a.Unit === "Days" ? "day" : "hour";
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

/** When `policy` of the record's current version acts (ms since epoch), or null. */
export function dueAt(record: ParamRecord, policy: StoredPolicy): number | null {
  const current = record.versions[record.versions.length - 1];
  switch (policy.PolicyType) {
    case "Expiration":
      return policy.expiresAt ?? null;
    case "ExpirationNotification": {
      const expires = current.policies.find((p) => p.PolicyType === "Expiration")?.expiresAt;
      return expires === undefined ? null : expires - afterMs(policy);
    }
    case "NoChangeNotification":
      return current.modifiedAt + afterMs(policy);
    default:
      return null;
  }
}

function runtimeOf(ctx: RequestContext) {
  return ctx.runtime("parameter-policy-timers", () => ({ cancels: new Map<string, () => void>(), armedScopes: new Set<string>() }));
}

/** Arms (or re-arms) the timers of the parameter's pending policies. */
export function armPolicies(ctx: RequestContext, record: ParamRecord): void {
  const r = runtimeOf(ctx);
  const current = record.versions[record.versions.length - 1];
  for (const type of ["Expiration", "ExpirationNotification", "NoChangeNotification"]) {
    const key = `${ctx.accountId}/${ctx.region}/${record.name}/${type}`;
    r.cancels.get(key)?.();
    r.cancels.delete(key);
    const policy = current.policies.find((p) => p.PolicyType === type);
    if (!policy || policy.PolicyStatus !== "Pending") continue;
    const at = dueAt(record, policy);
    if (at === null) continue;
    const fire = () => {
      r.cancels.delete(key);
      return firePolicy(ctx, record.name, current.version, type);
    };
    const wait = at - ctx.clock.now();
    // Already due (catching up after a restart or a late timer): act now.
    if (wait <= 0) ctx.waitUntil(fire());
    else r.cancels.set(key, ctx.timers.setTimer(wait, fire));
  }
}

/** Re-arms this account and Region's stored policies once per emulator (timers do not survive a restart); from setup. */
export async function ensurePolicyTimers(ctx: RequestContext): Promise<void> {
  const r = runtimeOf(ctx);
  const scope = `${ctx.accountId}/${ctx.region}`;
  if (r.armedScopes.has(scope)) return;
  r.armedScopes.add(scope);
  for await (const entry of ctx.store.list<ParamRecord>({ prefix: ["param"] })) {
    const current = entry.value.versions[entry.value.versions.length - 1];
    if (current.policies.some((p) => p.PolicyStatus === "Pending")) armPolicies(ctx, entry.value);
  }
}

function reason(record: ParamRecord, policy: StoredPolicy): string {
  const created = `This notification was generated based on the policy created at ${new Date(policy.createdAt ?? record.versions[record.versions.length - 1].modifiedAt).toISOString()}.`;
  switch (policy.PolicyType) {
    case "Expiration":
      return `The parameter has expired and was deleted. ${created}`;
    case "ExpirationNotification":
      return `Reached the expiration notification: the parameter expires in ${afterText(policy)}. ${created}`;
    default:
      return `The parameter has not been changed for ${afterText(policy)}. ${created}`;
  }
}

/** Acts on one policy if its version is still current and the policy pending and due. */
async function firePolicy(ctx: RequestContext, name: string, version: number, type: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await ctx.store.get<ParamRecord>(paramKey(name));
    const record = entry.value;
    if (!record) return;
    const current = record.versions[record.versions.length - 1];
    const policy = current.policies.find((p) => p.PolicyType === type);
    if (current.version !== version || !policy || policy.PolicyStatus !== "Pending") return;
    const at = dueAt(record, policy);
    if (at === null) return;
    if (at > ctx.clock.now()) {
      armPolicies(ctx, record);
      return;
    }
    const op = ctx.store.atomic().check({ key: paramKey(name), versionstamp: entry.versionstamp });
    if (type === "Expiration") op.delete(paramKey(name));
    else {
      const versions = record.versions.map((v) => (v.version === version
        ? { ...v, policies: v.policies.map((p) => (p.PolicyType === type ? { ...p, PolicyStatus: "Finished" } : p)) }
        : v));
      op.set(paramKey(name), { ...record, versions });
    }
    if (!(await op.commit()).ok) continue;
    const event = {
      Source: "aws.ssm",
      DetailType: "Parameter Store Policy Action",
      Resources: [parameterArn(ctx, name)],
      Time: new Date(ctx.clock.now()),
      Detail: JSON.stringify({
        "policy-type": type, "parameter-name": name, "parameter-type": current.type, "policy-content": policy.PolicyText,
        "action-status": "Success", "action-reason": reason(record, policy),
      }),
    };
    await ctx.invoke("events", "PutEvents", { Entries: [event] }).then(() => {}, () => {});
    return;
  }
}
