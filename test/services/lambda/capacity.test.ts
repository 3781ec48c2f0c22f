/**
 * Lambda Managed Instances as state, through @aws-sdk/client-lambda in-process: capacity
 * providers (create, get, update, list with paging and State, delete refused while a function
 * uses one, tags) and function scaling configs.
 */
import { describe, expect, it } from "vitest";
import {
  LambdaClient, CreateCapacityProviderCommand, GetCapacityProviderCommand, UpdateCapacityProviderCommand,
  DeleteCapacityProviderCommand, ListCapacityProvidersCommand, ListFunctionVersionsByCapacityProviderCommand,
  PutFunctionScalingConfigCommand, GetFunctionScalingConfigCommand, CreateFunctionCommand, DeleteFunctionCommand,
  PublishVersionCommand, TagResourceCommand, ListTagsCommand,
} from "@aws-sdk/client-lambda";
import { createEmulator } from "../../../src/emulator.ts";
import { inProcess, STORES } from "../../helpers/clients.ts";
import { ROLE, zip } from "./zips.ts";

const CP_ARN = "arn:aws:lambda:us-east-1:000000000000:capacity-provider";
const FN_ARN = "arn:aws:lambda:us-east-1:000000000000:function";
const OPERATOR = "arn:aws:iam::000000000000:role/operator";
const code = zip({ "index.mjs": "export const handler = async () => 'ok';" });

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error: any) {
    return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
  }
  throw new Error("expected a failure");
}

for (const store of STORES) {
  describe(`Lambda capacity providers, ${store.name}`, () => {
    const emulator = createEmulator({ store: store.make() });
    const lambda = new LambdaClient(inProcess(emulator));
    const createProvider = (name: string, extra: Record<string, unknown> = {}) => lambda.send(new CreateCapacityProviderCommand({
      CapacityProviderName: name, VpcConfig: { SubnetIds: ["subnet-1"], SecurityGroupIds: ["sg-1"] },
      PermissionsConfig: { CapacityProviderOperatorRoleArn: OPERATOR }, ...extra,
    }));

    it("creates (Pending, then Active), gets, updates and refuses a duplicate", async () => {
      const created = await createProvider("cp-a", { Tags: { team: "x" }, InstanceRequirements: { Architectures: ["arm64"] } });
      expect(created.$metadata.httpStatusCode).toBe(202);
      expect(created.CapacityProvider).toMatchObject({
        CapacityProviderArn: `${CP_ARN}:cp-a`, State: "Pending",
        VpcConfig: { SubnetIds: ["subnet-1"], SecurityGroupIds: ["sg-1"] },
        PermissionsConfig: { CapacityProviderOperatorRoleArn: OPERATOR }, InstanceRequirements: { Architectures: ["arm64"] },
        CapacityProviderScalingConfig: { ScalingMode: "Auto" },
      });
      const got = await lambda.send(new GetCapacityProviderCommand({ CapacityProviderName: `${CP_ARN}:cp-a` }));
      expect(got.CapacityProvider?.State).toBe("Active");
      expect(got.CapacityProvider?.LastModified).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect((await lambda.send(new ListTagsCommand({ Resource: `${CP_ARN}:cp-a` }))).Tags).toEqual({ team: "x" });
      await lambda.send(new TagResourceCommand({ Resource: `${CP_ARN}:cp-a`, Tags: { env: "dev" } }));
      expect((await lambda.send(new ListTagsCommand({ Resource: `${CP_ARN}:cp-a` }))).Tags).toEqual({ team: "x", env: "dev" });

      const updated = await lambda.send(new UpdateCapacityProviderCommand({
        CapacityProviderName: "cp-a",
        CapacityProviderScalingConfig: { ScalingMode: "Manual", MaxVCpuCount: 64, ScalingPolicies: [{ PredefinedMetricType: "LambdaCapacityProviderAverageCPUUtilization", TargetValue: 60 }] },
      }));
      expect(updated.$metadata.httpStatusCode).toBe(202);
      expect(updated.CapacityProvider?.CapacityProviderScalingConfig).toMatchObject({ ScalingMode: "Manual", MaxVCpuCount: 64 });
      expect((await lambda.send(new GetCapacityProviderCommand({ CapacityProviderName: "cp-a" }))).CapacityProvider?.CapacityProviderScalingConfig?.MaxVCpuCount).toBe(64);

      expect(await failure(createProvider("cp-a"))).toMatchObject({ name: "ResourceConflictException", status: 409 });
      expect(await failure(lambda.send(new UpdateCapacityProviderCommand({ CapacityProviderName: "cp-a", CapacityProviderScalingConfig: { ScalingMode: "Manual" } }))))
        .toMatchObject({ name: "InvalidParameterValueException", status: 400 });
    });

    it("answers AWS's errors for unknown and malformed names", async () => {
      expect(await failure(lambda.send(new GetCapacityProviderCommand({ CapacityProviderName: "nope" }))))
        .toMatchObject({ name: "ResourceNotFoundException", status: 404, message: `Capacity provider not found: ${CP_ARN}:nope` });
      expect(await failure(lambda.send(new DeleteCapacityProviderCommand({ CapacityProviderName: "nope" })))).toMatchObject({ name: "ResourceNotFoundException" });
      expect(await failure(lambda.send(new UpdateCapacityProviderCommand({ CapacityProviderName: "nope" })))).toMatchObject({ name: "ResourceNotFoundException" });
      expect(await failure(lambda.send(new ListFunctionVersionsByCapacityProviderCommand({ CapacityProviderName: "nope" })))).toMatchObject({ name: "ResourceNotFoundException" });
      expect(await failure(createProvider("bad name!"))).toMatchObject({ status: 400 });
      expect(await failure(lambda.send(new ListCapacityProvidersCommand({ MaxItems: 51 })))).toMatchObject({ status: 400 });
    });

    it("lists with paging and the State filter", async () => {
      for (const n of ["cp-l1", "cp-l2", "cp-l3"]) await createProvider(n);
      const names: string[] = [];
      let marker: string | undefined;
      do {
        const out = await lambda.send(new ListCapacityProvidersCommand({ MaxItems: 2, Marker: marker }));
        expect(out.CapacityProviders!.length).toBeLessThanOrEqual(2);
        names.push(...out.CapacityProviders!.map((p) => p.CapacityProviderArn!.split(":").pop()!));
        marker = out.NextMarker;
      } while (marker);
      expect(names).toEqual(expect.arrayContaining(["cp-l1", "cp-l2", "cp-l3"]));
      expect((await lambda.send(new ListCapacityProvidersCommand({ State: "Pending" }))).CapacityProviders).toEqual([]);
      expect((await lambda.send(new ListCapacityProvidersCommand({ State: "Active" }))).CapacityProviders!.length).toBe(names.length);
    });

    it("functions on a provider: listed, block its deletion, take scaling configs", async () => {
      await createProvider("cp-f");
      const cpc = { LambdaManagedInstancesCapacityProviderConfig: { CapacityProviderArn: `${CP_ARN}:cp-f`, PerExecutionEnvironmentMaxConcurrency: 10 } };
      expect(await failure(lambda.send(new CreateFunctionCommand({
        FunctionName: "on-missing", Runtime: "nodejs22.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: code },
        CapacityProviderConfig: { LambdaManagedInstancesCapacityProviderConfig: { CapacityProviderArn: `${CP_ARN}:missing` } },
      })))).toMatchObject({ name: "InvalidParameterValueException" });
      await lambda.send(new CreateFunctionCommand({
        FunctionName: "on-cp", Runtime: "nodejs22.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: code }, CapacityProviderConfig: cpc,
      }));
      await lambda.send(new PublishVersionCommand({ FunctionName: "on-cp" }));
      await lambda.send(new CreateFunctionCommand({ FunctionName: "plain", Runtime: "nodejs22.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: code } }));
      await lambda.send(new PublishVersionCommand({ FunctionName: "plain" }));

      const listed = await lambda.send(new ListFunctionVersionsByCapacityProviderCommand({ CapacityProviderName: "cp-f" }));
      expect(listed.CapacityProviderArn).toBe(`${CP_ARN}:cp-f`);
      expect(listed.FunctionVersions!.map((v) => v.FunctionArn).sort()).toEqual([`${FN_ARN}:on-cp:$LATEST`, `${FN_ARN}:on-cp:1`]);
      expect(listed.FunctionVersions!.every((v) => v.State === "Active")).toBe(true);

      const inUse = await failure(lambda.send(new DeleteCapacityProviderCommand({ CapacityProviderName: "cp-f" })));
      expect(inUse).toMatchObject({ name: "ResourceConflictException", status: 409 });
      expect(inUse.message).toContain(`${FN_ARN}:on-cp:1`);

      // Scaling configs: defaults, a put, AWS's errors.
      expect(await lambda.send(new GetFunctionScalingConfigCommand({ FunctionName: "on-cp", Qualifier: "1" }))).toMatchObject({
        FunctionArn: `${FN_ARN}:on-cp:1`, AppliedFunctionScalingConfig: { MinExecutionEnvironments: 3, MaxExecutionEnvironments: 3 },
      });
      const put = await lambda.send(new PutFunctionScalingConfigCommand({ FunctionName: "on-cp", Qualifier: "1", FunctionScalingConfig: { MinExecutionEnvironments: 2, MaxExecutionEnvironments: 20 } }));
      expect(put).toMatchObject({ FunctionState: "Active", $metadata: { httpStatusCode: 202 } });
      expect(await lambda.send(new GetFunctionScalingConfigCommand({ FunctionName: `${FN_ARN}:on-cp`, Qualifier: "1" }))).toMatchObject({
        AppliedFunctionScalingConfig: { MinExecutionEnvironments: 2, MaxExecutionEnvironments: 20 },
        RequestedFunctionScalingConfig: { MinExecutionEnvironments: 2, MaxExecutionEnvironments: 20 },
      });
      await lambda.send(new PutFunctionScalingConfigCommand({ FunctionName: "on-cp", Qualifier: "$LATEST.PUBLISHED", FunctionScalingConfig: { MaxExecutionEnvironments: 7 } }));
      expect((await lambda.send(new GetFunctionScalingConfigCommand({ FunctionName: "on-cp", Qualifier: "$LATEST.PUBLISHED" }))).AppliedFunctionScalingConfig)
        .toEqual({ MinExecutionEnvironments: 3, MaxExecutionEnvironments: 7 });
      expect(await failure(lambda.send(new PutFunctionScalingConfigCommand({ FunctionName: "on-cp", Qualifier: "1", FunctionScalingConfig: { MinExecutionEnvironments: 9, MaxExecutionEnvironments: 2 } }))))
        .toMatchObject({ name: "InvalidParameterValueException" });
      expect(await failure(lambda.send(new GetFunctionScalingConfigCommand({ FunctionName: "on-cp", Qualifier: "9" })))).toMatchObject({ name: "ResourceNotFoundException", status: 404 });
      expect(await failure(lambda.send(new GetFunctionScalingConfigCommand({ FunctionName: "nope", Qualifier: "1" })))).toMatchObject({ name: "ResourceNotFoundException" });
      expect(await failure(lambda.send(new PutFunctionScalingConfigCommand({ FunctionName: "plain", Qualifier: "1", FunctionScalingConfig: {} })))).toMatchObject({ name: "InvalidParameterValueException" });
      expect(await failure(lambda.send(new GetFunctionScalingConfigCommand({ FunctionName: "on-cp", Qualifier: "$LATEST" })))).toMatchObject({ status: 400 });

      // Once the function is gone, the provider can go.
      await lambda.send(new DeleteFunctionCommand({ FunctionName: "on-cp" }));
      const deleted = await lambda.send(new DeleteCapacityProviderCommand({ CapacityProviderName: "cp-f" }));
      expect(deleted).toMatchObject({ CapacityProvider: { State: "Deleting" }, $metadata: { httpStatusCode: 202 } });
      expect(await failure(lambda.send(new GetCapacityProviderCommand({ CapacityProviderName: "cp-f" })))).toMatchObject({ name: "ResourceNotFoundException" });
    });
  });
}
