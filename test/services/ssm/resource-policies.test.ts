/**
 * SSM resource policies on advanced parameters and the OpsItemGroup (issue 17), JS SDK in-process.
 */
import { describe, expect, it } from "vitest";
import * as S from "@aws-sdk/client-ssm";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

const ssm = new S.SSMClient(inProcess(createEmulator({ store: createMemoryStore() })));
const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "111122223333" }, Action: ["ssm:GetParameter"], Resource: "*" }] });

describe("resource policies", () => {
  it("put, update with the current hash, get, delete; AWS's errors", async () => {
    await ssm.send(new S.PutParameterCommand({ Name: "/shared/db", Value: "v", Type: "String", Tier: "Advanced" }));
    await ssm.send(new S.PutParameterCommand({ Name: "/standard", Value: "v", Type: "String" }));
    const arn = "arn:aws:ssm:us-east-1:000000000000:parameter/shared/db";
    const put = await ssm.send(new S.PutResourcePolicyCommand({ ResourceArn: arn, Policy: policy }));
    expect(put.PolicyHash).toMatch(/^[0-9a-f]{64}$/);
    const changed = policy.replace("111122223333", "444455556666");
    expect((await error(ssm.send(new S.PutResourcePolicyCommand({ ResourceArn: arn, Policy: changed, PolicyId: put.PolicyId, PolicyHash: "stale" })))).name).toBe("ResourcePolicyConflictException");
    const updated = await ssm.send(new S.PutResourcePolicyCommand({ ResourceArn: arn, Policy: changed, PolicyId: put.PolicyId, PolicyHash: put.PolicyHash }));
    expect(updated.PolicyId).toBe(put.PolicyId);
    expect((await ssm.send(new S.GetResourcePoliciesCommand({ ResourceArn: arn }))).Policies).toEqual([{ PolicyId: put.PolicyId, PolicyHash: updated.PolicyHash, Policy: changed }]);
    expect((await error(ssm.send(new S.PutResourcePolicyCommand({ ResourceArn: "arn:aws:ssm:us-east-1:000000000000:parameter/standard", Policy: policy })))).name).toBe("ResourcePolicyInvalidParameterException");
    expect((await error(ssm.send(new S.PutResourcePolicyCommand({ ResourceArn: "arn:aws:ssm:us-east-1:000000000000:parameter/none", Policy: policy })))).name).toBe("ResourceNotFoundException");
    expect((await error(ssm.send(new S.PutResourcePolicyCommand({ ResourceArn: arn, Policy: "{" })))).name).toBe("MalformedResourcePolicyDocumentException");
    await ssm.send(new S.DeleteResourcePolicyCommand({ ResourceArn: arn, PolicyId: put.PolicyId, PolicyHash: updated.PolicyHash }));
    expect((await ssm.send(new S.GetResourcePoliciesCommand({ ResourceArn: arn }))).Policies).toEqual([]);
    const group = await ssm.send(new S.PutResourcePolicyCommand({ ResourceArn: "arn:aws:ssm:us-east-1:000000000000:opsitemgroup/default", Policy: policy }));
    expect(group.PolicyId).toBeDefined();
  });
});
