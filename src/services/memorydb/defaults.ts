/**
 * Resources present in every account and region: the default user, the open-access ACL,
 * the default subnet group and the default parameter groups.
 */
import type { Handler, Handlers, RequestContext } from "../types.ts";
import { DEFAULT_GROUPS, FAMILIES } from "./catalog.ts";
import { arn, hash } from "./state.ts";
import { subnetGroup } from "./subnet-groups.ts";
import type { Operations as Ops } from "../../generated/memorydb.ts";

const DEFAULT_USER = { Name: "default", Status: "active", AccessString: "on ~* &* +@all", MinimumEngineVersion: "6.0", Authentication: { Type: "no-password" } };
const OPEN_ACCESS = { Name: "open-access", Status: "active", UserNames: ["default"], MinimumEngineVersion: "6.2" };

async function ensureDefaults(ctx: RequestContext): Promise<void> {
  if ((await ctx.store.get(["init"])).value) return;
  const op = ctx.store.atomic().check({ key: ["init"], versionstamp: null });
  op.set(["init"], true);
  op.set(["user", "default"], { ...DEFAULT_USER, ARN: arn(ctx, "user", "default") });
  op.set(["acl", "open-access"], { ...OPEN_ACCESS, ARN: arn(ctx, "acl", "open-access") });
  op.set(["subnetgroup", "default"], subnetGroup(ctx, "default", "Default for the default VPC", [`subnet-${hash(ctx.accountId + ctx.region + "a", 8)}`, `subnet-${hash(ctx.accountId + ctx.region + "b", 8)}`, `subnet-${hash(ctx.accountId + ctx.region + "c", 8)}`], true));
  for (const family of FAMILIES) {
    const name = DEFAULT_GROUPS[family];
    op.set(["paramgroup", name], { Name: name, Family: family, Description: `Default parameter group for ${family}`, ARN: arn(ctx, "parametergroup", name), values: {} });
  }
  await op.commit();
}

/** The default user, open-access ACL, default subnet group and parameter groups exist in every account and region. */
export function withDefaults(table: Handlers<Ops>): Handlers<Ops> {
  const wrap = (handler: Handler): Handler => async (input, ctx) => {
    await ensureDefaults(ctx);
    return handler(input, ctx);
  };
  return Object.fromEntries(Object.entries(table).map(([op, handler]) => [op, wrap(handler as Handler)])) as Handlers<Ops>;
}
