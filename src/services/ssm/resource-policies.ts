/**
 * Resource policies: PutResourcePolicy, GetResourcePolicies, DeleteResourcePolicy, for the
 * resources SSM accepts them on: advanced-tier parameters (to share them with other accounts)
 * and the OpsItemGroup (`arn:aws:ssm:<region>:<account>:opsitemgroup/default`).
 *
 * Policies per resource under `["resourcepolicy", arn]`; ids are UUIDs and `PolicyHash` the
 * SHA-256 of the policy text. Updating or deleting names the id and its current hash (a stale
 * hash is `ResourcePolicyConflictException`). A parameter must exist
 * (`ResourceNotFoundException`) and be advanced tier (`ResourcePolicyInvalidParameterException`);
 * the policy must be JSON with a Statement (`MalformedResourcePolicyDocumentException`).
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutResourcePolicy.html
 * and https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-shared-parameters.html
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { loadParam } from "./parameters.ts";

interface StoredPolicy {
  PolicyId: string;
  PolicyHash: string;
  Policy: string;
}

const MAX_POLICIES = 10;
const key = (arn: string) => ["resourcepolicy", arn];
const conflict = () => new AwsError("ResourcePolicyConflictException", "The hash provided in the call doesn't match the stored hash. This exception is thrown when trying to update an obsolete policy version or when multiple requests to update a policy are sent.", 400);

async function checkResource(ctx: RequestContext, arn: string): Promise<void> {
  const m = /^arn:aws[a-z-]*:ssm:([^:]*):(\d{12}):(parameter|opsitemgroup)\/(.+)$/.exec(arn);
  if (!m || m[1] !== ctx.region || m[2] !== ctx.accountId) {
    throw new AwsError("ResourcePolicyInvalidParameterException", `The resource ${arn} doesn't support resource policies.`, 400);
  }
  if (m[3] === "opsitemgroup") return;
  const name = m[4].includes("/") ? `/${m[4]}` : m[4];
  const record = (await loadParam(ctx, name)) ?? (await loadParam(ctx, `/${m[4]}`));
  if (!record) throw new AwsError("ResourceNotFoundException", `The parameter ${arn} doesn't exist.`, 400);
  if (record.versions[record.versions.length - 1].tier !== "Advanced") {
    throw new AwsError("ResourcePolicyInvalidParameterException", "Only advanced-tier parameters can be shared. Change the parameter to the advanced tier and try again.", 400);
  }
}

function checkPolicy(text: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new AwsError("MalformedResourcePolicyDocumentException", "The policy is not valid JSON.", 400);
  }
  if (!doc || typeof doc !== "object" || !("Statement" in doc)) throw new AwsError("MalformedResourcePolicyDocumentException", "The policy has no Statement.", 400);
}

export const resourcePolicyHandlers: Record<string, Handler> = {
  async PutResourcePolicy(input, ctx) {
    await checkResource(ctx, input.ResourceArn);
    checkPolicy(input.Policy);
    const list = (await ctx.store.get<StoredPolicy[]>(key(input.ResourceArn))).value ?? [];
    const hash = bytesToHex(sha256(new TextEncoder().encode(input.Policy)));
    let next: StoredPolicy[];
    let id: string;
    if (input.PolicyId !== undefined) {
      const current = list.find((p) => p.PolicyId === input.PolicyId);
      if (!current) throw new AwsError("ResourcePolicyNotFoundException", `No policy ${input.PolicyId} on ${input.ResourceArn}.`, 400);
      if (current.PolicyHash !== input.PolicyHash) throw conflict();
      id = current.PolicyId;
      next = list.map((p) => (p.PolicyId === id ? { PolicyId: id, PolicyHash: hash, Policy: input.Policy } : p));
    } else {
      if (list.length >= MAX_POLICIES) throw new AwsError("ResourcePolicyLimitExceededException", `A resource can have at most ${MAX_POLICIES} policies.`, 400);
      id = crypto.randomUUID();
      next = [...list, { PolicyId: id, PolicyHash: hash, Policy: input.Policy }];
    }
    await ctx.store.set(key(input.ResourceArn), next);
    return { PolicyId: id, PolicyHash: hash };
  },

  async GetResourcePolicies(input, ctx) {
    await checkResource(ctx, input.ResourceArn);
    return { Policies: (await ctx.store.get<StoredPolicy[]>(key(input.ResourceArn))).value ?? [] };
  },

  async DeleteResourcePolicy(input, ctx) {
    await checkResource(ctx, input.ResourceArn);
    const list = (await ctx.store.get<StoredPolicy[]>(key(input.ResourceArn))).value ?? [];
    const current = list.find((p) => p.PolicyId === input.PolicyId);
    if (!current) throw new AwsError("ResourcePolicyNotFoundException", `No policy ${input.PolicyId} on ${input.ResourceArn}.`, 400);
    if (current.PolicyHash !== input.PolicyHash) throw conflict();
    const next = list.filter((p) => p.PolicyId !== input.PolicyId);
    if (next.length) await ctx.store.set(key(input.ResourceArn), next);
    else await ctx.store.delete(key(input.ResourceArn));
    return {};
  },
};
