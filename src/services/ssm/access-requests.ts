/**
 * Just-in-time node access: StartAccessRequest and GetAccessToken.
 *
 * An access request is an OpsItem of type `/aws/accessrequest` (`oi-` + 12 hex, in
 * GetOpsItem/DescribeOpsItems) with status `Pending`, the reason as its description and the
 * targets in its operational data. Approvers decide with UpdateOpsItem (`Status` `Approved`,
 * `Rejected` or `Revoked`), as the console's approval does. GetAccessToken answers the request's
 * status (`Pending`, `Rejected`, `Revoked`, `Expired`) and, once `Approved`, temporary
 * credentials issued by STS (`GetSessionToken`, one hour) that sign requests to fetchstack; an
 * approval older than an hour on the clock is `Expired`. An id that is not an access request is
 * `ResourceNotFoundException`. The targets are recorded, not checked: fetchstack has no managed
 * nodes to start sessions on.
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartAccessRequest.html,
 * API_GetAccessToken.html and https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-just-in-time-node-access.html
 */
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import type { Handlers, RequestContext } from "../types.ts";
import type { AccessRequestStatus, Operations } from "../../generated/ssm.ts";
import { partitionOf } from "../../util/partition.ts";
import { hexId, validation } from "./paging.ts";
import type { OpsItemRecord } from "./ops-items.ts";

const TYPE = "/aws/accessrequest";
const ACCESS_WINDOW_MS = 3_600_000;
const MAX_PENDING = 10;


const user = (ctx: RequestContext) => `arn:${partitionOf(ctx.region)}:iam::${ctx.accountId}:root`;
const notFound = (id: string) => new AwsError("ResourceNotFoundException", `Access request ${id} not found.`, 400);

export const accessRequestHandlers: Handlers<Operations> = {
  async StartAccessRequest(input, ctx) {
    const targets = input.Targets;
    if (targets.length === 0) throw validation("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1");
    let pending = 0;
    for await (const e of ctx.store.list<OpsItemRecord>({ prefix: ["opsitem"] })) if (e.value.OpsItemType === TYPE && e.value.Status === "Pending") pending++;
    if (pending >= MAX_PENDING) throw new AwsError("ServiceQuotaExceededException", `You can have at most ${MAX_PENDING} pending access requests.`, 400);
    const now = ctx.clock.now();
    const nodes = targets.flatMap((t) => t.Values ?? []);
    const item: OpsItemRecord = {
      OpsItemId: `oi-${hexId(12)}`, OpsItemType: TYPE, Title: `Access request for ${nodes.join(", ")}`, Description: input.Reason, Source: "SSM",
      Status: "Pending",
      OperationalData: {
        "/aws/accessrequest/targets": { Value: JSON.stringify(targets), Type: "SearchableString" },
        "/aws/resources": { Value: JSON.stringify(nodes.map((n) => ({ arn: `arn:${partitionOf(ctx.region)}:ec2:${ctx.region}:${ctx.accountId}:instance/${n}` }))), Type: "SearchableString" },
      },
      CreatedTime: now, LastModifiedTime: now, CreatedBy: user(ctx), LastModifiedBy: user(ctx), Version: crypto.randomUUID(),
      tags: (input.Tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value })), related: [],
    };
    await ctx.store.set(["opsitem", item.OpsItemId], item);
    return { AccessRequestId: item.OpsItemId };
  },

  async GetAccessToken(input, ctx) {
    const item = (await ctx.store.get<OpsItemRecord>(["opsitem", input.AccessRequestId])).value;
    if (!item || item.OpsItemType !== TYPE) throw notFound(input.AccessRequestId);
    let status: AccessRequestStatus = item.Status === "Approved" || item.Status === "Rejected" || item.Status === "Revoked" ? item.Status : "Pending";
    if (status === "Approved" && ctx.clock.now() >= item.LastModifiedTime + ACCESS_WINDOW_MS) status = "Expired";
    if (status !== "Approved") return { AccessRequestStatus: status };
    let issued: Record<string, unknown>;
    try {
      issued = await ctx.invoke("sts", "GetSessionToken", { DurationSeconds: Math.max(900, Math.floor((item.LastModifiedTime + ACCESS_WINDOW_MS - ctx.clock.now()) / 1000)) });
    } catch (err) {
      throw new AwsError("AccessDeniedException", `Temporary credentials could not be issued for this caller: ${isAwsError(err) ? err.message : String(err)}`, 400);
    }
    const c = issued.Credentials as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: Date | number | string };
    return {
      AccessRequestStatus: status,
      Credentials: { AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, ExpirationTime: new Date(c.Expiration) },
    };
  },
};
