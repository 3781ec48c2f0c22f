/**
 * Lambda's control plane through @aws-sdk/client-lambda, in-process, on every store: functions,
 * versions, aliases, layers, policies, tags, concurrency, URLs, event invoke configs, event
 * source mappings, and AWS's errors.
 */
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import {
  LambdaClient, CreateFunctionCommand, GetFunctionCommand, GetFunctionConfigurationCommand, UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand, DeleteFunctionCommand, ListFunctionsCommand, PublishVersionCommand,
  ListVersionsByFunctionCommand, CreateAliasCommand, GetAliasCommand, UpdateAliasCommand, DeleteAliasCommand, ListAliasesCommand,
  AddPermissionCommand, RemovePermissionCommand, GetPolicyCommand, TagResourceCommand, UntagResourceCommand, ListTagsCommand,
  PutFunctionConcurrencyCommand, GetFunctionConcurrencyCommand, DeleteFunctionConcurrencyCommand, GetAccountSettingsCommand,
  PublishLayerVersionCommand, GetLayerVersionCommand, ListLayersCommand, ListLayerVersionsCommand, DeleteLayerVersionCommand,
  GetLayerVersionByArnCommand, AddLayerVersionPermissionCommand, GetLayerVersionPolicyCommand,
  CreateFunctionUrlConfigCommand, GetFunctionUrlConfigCommand, UpdateFunctionUrlConfigCommand, DeleteFunctionUrlConfigCommand,
  PutFunctionEventInvokeConfigCommand, GetFunctionEventInvokeConfigCommand, UpdateFunctionEventInvokeConfigCommand,
  CreateEventSourceMappingCommand, GetEventSourceMappingCommand, UpdateEventSourceMappingCommand, DeleteEventSourceMappingCommand,
  ListEventSourceMappingsCommand, PutProvisionedConcurrencyConfigCommand, GetProvisionedConcurrencyConfigCommand,
  waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
  CreateCodeSigningConfigCommand, GetCodeSigningConfigCommand, UpdateCodeSigningConfigCommand, DeleteCodeSigningConfigCommand,
  ListCodeSigningConfigsCommand, ListFunctionsByCodeSigningConfigCommand, PutFunctionCodeSigningConfigCommand,
  GetFunctionCodeSigningConfigCommand, DeleteFunctionCodeSigningConfigCommand,
} from "@aws-sdk/client-lambda";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createEmulator } from "../../../src/emulator.ts";
import { inProcess, STORES } from "../../helpers/clients.ts";
import { ROLE, zip } from "./zips.ts";

const ARN = "arn:aws:lambda:us-east-1:000000000000:function";
const code = zip({ "index.mjs": "export const handler = async () => 'v1';" });
const code2 = zip({ "index.mjs": "export const handler = async () => 'v2';" });
const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("base64");

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error: any) {
    return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
  }
  throw new Error("expected a failure");
}

for (const store of STORES) {
  describe(`Lambda control plane, ${store.name}`, () => {
    const emulator = createEmulator({ store: store.make() });
    const lambda = new LambdaClient(inProcess(emulator));
    const s3 = new S3Client({ ...inProcess(emulator), forcePathStyle: true });
    const create = (name: string, extra: Record<string, unknown> = {}) =>
      lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: code }, ...extra }));

    it("creates a function with AWS's defaults, and the waiters pass", async () => {
      const out = await create("fn-a", { Environment: { Variables: { A: "1" } }, Tags: { team: "x" } });
      expect(out).toMatchObject({
        FunctionName: "fn-a", FunctionArn: `${ARN}:fn-a`, Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler",
        CodeSize: code.byteLength, CodeSha256: sha(code), Timeout: 3, MemorySize: 128, Version: "$LATEST",
        PackageType: "Zip", Architectures: ["x86_64"], EphemeralStorage: { Size: 512 }, TracingConfig: { Mode: "PassThrough" },
        Environment: { Variables: { A: "1" } }, State: "Pending", StateReasonCode: "Creating",
        LoggingConfig: { LogFormat: "Text", LogGroup: "/aws/lambda/fn-a" },
      });
      expect(out.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
      const waited = await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: "fn-a" });
      expect(waited.state).toBe("SUCCESS");
      const got = await lambda.send(new GetFunctionCommand({ FunctionName: "fn-a" }));
      expect(got.Configuration).toMatchObject({ State: "Active", LastUpdateStatus: "Successful" });
      expect(got.Tags).toEqual({ team: "x" });
      expect(got.Code?.RepositoryType).toBe("S3");
      const zipped = await emulator.fetch(new Request(got.Code!.Location!));
      expect(zipped.status).toBe(200);
      expect(new Uint8Array(await zipped.arrayBuffer())).toEqual(code);
    });

    it("answers AWS's errors for duplicates, missing functions and bad input", async () => {
      expect(await failure(create("fn-a"))).toEqual({ name: "ResourceConflictException", message: "Function already exist: fn-a", status: 409 });
      expect(await failure(lambda.send(new GetFunctionCommand({ FunctionName: "nope" })))).toEqual({
        name: "ResourceNotFoundException", message: `Function not found: ${ARN}:nope`, status: 404,
      });
      expect(await failure(lambda.send(new GetFunctionCommand({ FunctionName: "fn-a", Qualifier: "7" })))).toMatchObject({
        name: "ResourceNotFoundException", message: `Function not found: ${ARN}:fn-a:7`,
      });
      expect(await failure(create("bad-zip", { Code: { ZipFile: new TextEncoder().encode("not a zip") } }))).toEqual({
        name: "InvalidParameterValueException", message: "Could not unzip uploaded file. Please check your file, then try to upload again.", status: 400,
      });
      expect(await failure(create("old", { Runtime: "python2.7" }))).toMatchObject({ name: "InvalidParameterValueException", message: expect.stringContaining("python2.7 is no longer supported") });
      expect(await failure(create("nohandler", { Handler: undefined }))).toMatchObject({
        name: "InvalidParameterValueException", message: "Runtime and Handler are mandatory parameters for functions created with deployment packages.",
      });
      expect(await failure(create("reserved", { Environment: { Variables: { AWS_REGION: "x" } } }))).toMatchObject({
        name: "InvalidParameterValueException", message: expect.stringContaining("Reserved keys used in this request: AWS_REGION"),
      });
      expect(await failure(create("unknown-runtime", { Runtime: "cobol1.0" as never }))).toMatchObject({ name: "ValidationException", status: 400 });
      expect(await failure(create("s3-missing", { Code: { S3Bucket: "no-bucket", S3Key: "k.zip" } }))).toMatchObject({
        name: "InvalidParameterValueException", message: expect.stringMatching(/^Error occurred while GetObject\. S3 Error Code: NoSuchBucket\./),
      });
    });

    it("reads code from fetchstack's S3", async () => {
      await s3.send(new CreateBucketCommand({ Bucket: "deploy" }));
      await s3.send(new PutObjectCommand({ Bucket: "deploy", Key: "fn.zip", Body: code2 }));
      const out = await create("from-s3", { Code: { S3Bucket: "deploy", S3Key: "fn.zip" } });
      expect(out.CodeSha256).toBe(sha(code2));
      expect(out.CodeSize).toBe(code2.byteLength);
    });

    it("updates code and configuration, with RevisionId checks, and function-updated-v2 passes", async () => {
      const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "fn-a" }));
      const updated = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "fn-a", ZipFile: code2, RevisionId: before.RevisionId }));
      expect(updated).toMatchObject({ CodeSha256: sha(code2), LastUpdateStatus: "InProgress" });
      expect(updated.RevisionId).not.toBe(before.RevisionId);
      expect(await failure(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "fn-a", Timeout: 10, RevisionId: before.RevisionId })))).toMatchObject({
        name: "PreconditionFailedException", status: 412,
      });
      const conf = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "fn-a", Timeout: 10, MemorySize: 256, Environment: { Variables: { B: "2" } } }));
      expect(conf).toMatchObject({ Timeout: 10, MemorySize: 256, Environment: { Variables: { B: "2" } } });
      expect((await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 10, minDelay: 1 }, { FunctionName: "fn-a" })).state).toBe("SUCCESS");
      const dry = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "fn-a", ZipFile: code, DryRun: true }));
      expect(dry.CodeSha256).toBe(sha(code));
      expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "fn-a" }))).CodeSha256).toBe(sha(code2));
    });

    it("publishes versions (reusing an unchanged one), checks CodeSha256, lists versions", async () => {
      const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: "fn-a", Description: "first" }));
      expect(v1).toMatchObject({ Version: "1", FunctionArn: `${ARN}:fn-a:1`, Description: "first", CodeSha256: sha(code2) });
      const again = await lambda.send(new PublishVersionCommand({ FunctionName: "fn-a" }));
      expect(again.Version).toBe("1");
      expect(await failure(lambda.send(new PublishVersionCommand({ FunctionName: "fn-a", CodeSha256: "wrong" })))).toMatchObject({
        name: "InvalidParameterValueException",
        message: `CodeSHA256 (wrong) is different from current CodeSHA256 in $LATEST (${sha(code2)}). Please try again with the current CodeSHA256.`,
      });
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "fn-a", ZipFile: code }));
      const v2 = await lambda.send(new PublishVersionCommand({ FunctionName: "fn-a" }));
      expect(v2.Version).toBe("2");
      const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "fn-a" }));
      expect(versions.Versions!.map((v) => v.Version)).toEqual(["$LATEST", "1", "2"]);
      const paged = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "fn-a", MaxItems: 2 }));
      expect(paged.Versions).toHaveLength(2);
      const rest = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "fn-a", Marker: paged.NextMarker }));
      expect(rest.Versions!.map((v) => v.Version)).toEqual(["2"]);
      expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: `${ARN}:fn-a:1` }))).CodeSha256).toBe(sha(code2));
    });

    it("manages aliases with routing weights", async () => {
      const alias = await lambda.send(new CreateAliasCommand({ FunctionName: "fn-a", Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.25 } } }));
      expect(alias).toMatchObject({ AliasArn: `${ARN}:fn-a:live`, Name: "live", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 0.25 } } });
      expect(await failure(lambda.send(new CreateAliasCommand({ FunctionName: "fn-a", Name: "live", FunctionVersion: "1" })))).toMatchObject({
        name: "ResourceConflictException", message: `Alias already exists: ${ARN}:fn-a:live`,
      });
      expect(await failure(lambda.send(new CreateAliasCommand({ FunctionName: "fn-a", Name: "x", FunctionVersion: "9" })))).toMatchObject({ name: "ResourceNotFoundException" });
      const updated = await lambda.send(new UpdateAliasCommand({ FunctionName: "fn-a", Name: "live", FunctionVersion: "2", RoutingConfig: { AdditionalVersionWeights: {} } }));
      expect(updated.FunctionVersion).toBe("2");
      expect(updated.RoutingConfig).toBeUndefined();
      expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "fn-a", Qualifier: "live" }))).Version).toBe("2");
      expect((await lambda.send(new ListAliasesCommand({ FunctionName: "fn-a" }))).Aliases!.map((a) => a.Name)).toEqual(["live"]);
      expect(await failure(lambda.send(new DeleteFunctionCommand({ FunctionName: "fn-a", Qualifier: "2" })))).toMatchObject({
        name: "ResourceConflictException", message: "Unable to delete version because the following aliases reference it: [live]",
      });
      await lambda.send(new DeleteAliasCommand({ FunctionName: "fn-a", Name: "live" }));
      expect(await failure(lambda.send(new GetAliasCommand({ FunctionName: "fn-a", Name: "live" })))).toMatchObject({
        name: "ResourceNotFoundException", message: `Cannot find alias arn: ${ARN}:fn-a:live`,
      });
      await lambda.send(new DeleteFunctionCommand({ FunctionName: "fn-a", Qualifier: "2" }));
      expect((await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "fn-a" }))).Versions!.map((v) => v.Version)).toEqual(["$LATEST", "1"]);
    });

    it("keeps resource policies per qualifier", async () => {
      const added = await lambda.send(new AddPermissionCommand({
        FunctionName: "fn-a", StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", SourceArn: "arn:aws:s3:::b",
      }));
      expect(JSON.parse(added.Statement!)).toEqual({
        Sid: "s3", Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "lambda:InvokeFunction",
        Resource: `${ARN}:fn-a`, Condition: { ArnLike: { "AWS:SourceArn": "arn:aws:s3:::b" } },
      });
      expect(await failure(lambda.send(new AddPermissionCommand({ FunctionName: "fn-a", StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "*" })))).toMatchObject({
        name: "ResourceConflictException",
      });
      const policy = await lambda.send(new GetPolicyCommand({ FunctionName: "fn-a" }));
      expect(JSON.parse(policy.Policy!).Statement).toHaveLength(1);
      expect(await failure(lambda.send(new GetPolicyCommand({ FunctionName: "fn-a", Qualifier: "1" })))).toMatchObject({ name: "ResourceNotFoundException" });
      await lambda.send(new RemovePermissionCommand({ FunctionName: "fn-a", StatementId: "s3" }));
      expect(await failure(lambda.send(new RemovePermissionCommand({ FunctionName: "fn-a", StatementId: "s3" })))).toMatchObject({ name: "ResourceNotFoundException" });
    });

    it("tags, concurrency, account settings", async () => {
      await lambda.send(new TagResourceCommand({ Resource: `${ARN}:fn-a`, Tags: { a: "1", b: "2" } }));
      await lambda.send(new UntagResourceCommand({ Resource: `${ARN}:fn-a`, TagKeys: ["team", "b"] }));
      expect((await lambda.send(new ListTagsCommand({ Resource: `${ARN}:fn-a` }))).Tags).toEqual({ a: "1" });
      expect(await failure(lambda.send(new ListTagsCommand({ Resource: `${ARN}:ghost` })))).toMatchObject({ name: "ResourceNotFoundException" });
      expect(await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "fn-a", ReservedConcurrentExecutions: 5 }))).toMatchObject({ ReservedConcurrentExecutions: 5 });
      expect(await failure(lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "from-s3", ReservedConcurrentExecutions: 990 })))).toMatchObject({
        name: "InvalidParameterValueException",
        message: "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
      });
      const settings = await lambda.send(new GetAccountSettingsCommand({}));
      expect(settings.AccountLimit).toMatchObject({ ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 995, CodeSizeZipped: 52428800 });
      expect(settings.AccountUsage!.FunctionCount).toBe(2);
      await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "fn-a" }));
      expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "fn-a" }))).ReservedConcurrentExecutions).toBeUndefined();
      await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "fn-a", Qualifier: "1", ProvisionedConcurrentExecutions: 2 }));
      expect(await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "fn-a", Qualifier: "1" }))).toMatchObject({ Status: "READY", AllocatedProvisionedConcurrentExecutions: 2 });
    });

    it("publishes layers and attaches them", async () => {
      const layerZip = zip({ "nodejs/node_modules/greet/index.js": "module.exports = () => 'hi';" });
      const l1 = await lambda.send(new PublishLayerVersionCommand({ LayerName: "libs", Content: { ZipFile: layerZip }, CompatibleRuntimes: ["nodejs20.x"] }));
      expect(l1).toMatchObject({ Version: 1, LayerArn: "arn:aws:lambda:us-east-1:000000000000:layer:libs", LayerVersionArn: "arn:aws:lambda:us-east-1:000000000000:layer:libs:1" });
      expect(l1.Content).toMatchObject({ CodeSha256: sha(layerZip), CodeSize: layerZip.byteLength });
      const l2 = await lambda.send(new PublishLayerVersionCommand({ LayerName: "libs", Content: { ZipFile: layerZip } }));
      expect(l2.Version).toBe(2);
      expect((await lambda.send(new ListLayersCommand({}))).Layers!.map((l) => [l.LayerName, l.LatestMatchingVersion!.Version])).toEqual([["libs", 2]]);
      expect((await lambda.send(new ListLayersCommand({ CompatibleRuntime: "nodejs20.x" }))).Layers!.map((l) => l.LatestMatchingVersion!.Version)).toEqual([1]);
      expect((await lambda.send(new ListLayerVersionsCommand({ LayerName: "libs" }))).LayerVersions!.map((l) => l.Version)).toEqual([2, 1]);
      expect((await lambda.send(new GetLayerVersionByArnCommand({ Arn: l1.LayerVersionArn! }))).Version).toBe(1);
      const got = await lambda.send(new GetLayerVersionCommand({ LayerName: "libs", VersionNumber: 1 }));
      expect(new Uint8Array(await (await emulator.fetch(new Request(got.Content!.Location!))).arrayBuffer())).toEqual(layerZip);
      await lambda.send(new AddLayerVersionPermissionCommand({ LayerName: "libs", VersionNumber: 1, StatementId: "all", Action: "lambda:GetLayerVersion", Principal: "*" }));
      expect(JSON.parse((await lambda.send(new GetLayerVersionPolicyCommand({ LayerName: "libs", VersionNumber: 1 }))).Policy!).Statement[0]).toMatchObject({ Sid: "all", Principal: "*" });
      const conf = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "fn-a", Layers: [l1.LayerVersionArn!] }));
      expect(conf.Layers).toEqual([{ Arn: l1.LayerVersionArn, CodeSize: layerZip.byteLength }]);
      expect(await failure(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "fn-a", Layers: [l1.LayerVersionArn!.replace(/1$/, "9")] })))).toMatchObject({
        name: "InvalidParameterValueException", message: "Layer version arn:aws:lambda:us-east-1:000000000000:layer:libs:9 does not exist.",
      });
      await lambda.send(new DeleteLayerVersionCommand({ LayerName: "libs", VersionNumber: 2 }));
      expect((await lambda.send(new ListLayerVersionsCommand({ LayerName: "libs" }))).LayerVersions!.map((l) => l.Version)).toEqual([1]);
    });

    it("keeps URL configs, event invoke configs and event source mappings", async () => {
      const url = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "fn-a", AuthType: "NONE" }));
      expect(url.FunctionUrl).toMatch(/^https:\/\/[a-z0-9]{32}\.lambda-url\.us-east-1\.on\.aws\/$/);
      expect(await failure(lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "fn-a", AuthType: "NONE" })))).toMatchObject({ name: "ResourceConflictException" });
      expect((await lambda.send(new UpdateFunctionUrlConfigCommand({ FunctionName: "fn-a", AuthType: "AWS_IAM" }))).AuthType).toBe("AWS_IAM");
      expect((await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: "fn-a" }))).FunctionUrl).toBe(url.FunctionUrl);
      await lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: "fn-a" }));

      const eic = await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "fn-a", MaximumRetryAttempts: 1 }));
      expect(eic).toMatchObject({ FunctionArn: `${ARN}:fn-a`, MaximumRetryAttempts: 1 });
      expect(eic.LastModified).toBeInstanceOf(Date);
      await lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "fn-a", DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:dlq" } } }));
      expect(await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "fn-a" }))).toMatchObject({
        MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:dlq" } },
      });

      const source = "arn:aws:sqs:us-east-1:000000000000:events";
      const esm = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "fn-a", EventSourceArn: source, BatchSize: 5 }));
      expect(esm).toMatchObject({ State: "Creating", BatchSize: 5, FunctionArn: `${ARN}:fn-a`, EventSourceArn: source });
      expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: esm.UUID }))).State).toBe("Enabled");
      expect(await failure(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "fn-a", EventSourceArn: source })))).toMatchObject({ name: "ResourceConflictException" });
      expect((await lambda.send(new UpdateEventSourceMappingCommand({ UUID: esm.UUID, Enabled: false }))).State).toBe("Disabling");
      expect((await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "fn-a" }))).EventSourceMappings!.map((m) => m.State)).toEqual(["Disabled"]);
      expect((await lambda.send(new DeleteEventSourceMappingCommand({ UUID: esm.UUID }))).State).toBe("Deleting");
      expect(await failure(lambda.send(new GetEventSourceMappingCommand({ UUID: esm.UUID })))).toMatchObject({ name: "ResourceNotFoundException", status: 404 });
    });

    it("keeps code signing configs and their function associations", async () => {
      const publishers = { SigningProfileVersionArns: ["arn:aws:signer:us-east-1:000000000000:/signing-profiles/p/abc"] };
      const { CodeSigningConfig: csc } = await lambda.send(new CreateCodeSigningConfigCommand({ AllowedPublishers: publishers, Description: "d" }));
      expect(csc).toMatchObject({ AllowedPublishers: publishers, CodeSigningPolicies: { UntrustedArtifactOnDeployment: "Warn" }, Description: "d" });
      expect(csc!.CodeSigningConfigArn).toBe(`arn:aws:lambda:us-east-1:000000000000:code-signing-config:${csc!.CodeSigningConfigId}`);
      expect(csc!.CodeSigningConfigId).toMatch(/^csc-[a-z0-9]{17}$/);
      const arn = csc!.CodeSigningConfigArn!;
      expect((await lambda.send(new UpdateCodeSigningConfigCommand({ CodeSigningConfigArn: arn, CodeSigningPolicies: { UntrustedArtifactOnDeployment: "Enforce" } }))).CodeSigningConfig!.CodeSigningPolicies)
        .toEqual({ UntrustedArtifactOnDeployment: "Enforce" });
      expect((await lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: "fn-a" }))).CodeSigningConfigArn).toBe("");
      await lambda.send(new PutFunctionCodeSigningConfigCommand({ FunctionName: "fn-a", CodeSigningConfigArn: arn }));
      expect(await lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: "fn-a" }))).toMatchObject({ CodeSigningConfigArn: arn, FunctionName: "fn-a" });
      expect((await lambda.send(new ListFunctionsByCodeSigningConfigCommand({ CodeSigningConfigArn: arn }))).FunctionArns).toEqual([`${ARN}:fn-a`]);
      expect(await failure(lambda.send(new DeleteCodeSigningConfigCommand({ CodeSigningConfigArn: arn })))).toMatchObject({ name: "ResourceConflictException" });
      await lambda.send(new DeleteFunctionCodeSigningConfigCommand({ FunctionName: "fn-a" }));
      expect((await lambda.send(new ListCodeSigningConfigsCommand({}))).CodeSigningConfigs!.map((c) => c.CodeSigningConfigArn)).toEqual([arn]);
      await lambda.send(new DeleteCodeSigningConfigCommand({ CodeSigningConfigArn: arn }));
      expect(await failure(lambda.send(new GetCodeSigningConfigCommand({ CodeSigningConfigArn: arn })))).toMatchObject({ name: "ResourceNotFoundException", status: 404 });
    });

    it("lists with paging and deletes functions", async () => {
      for (const n of ["p1", "p2", "p3"]) await create(n);
      const first = await lambda.send(new ListFunctionsCommand({ MaxItems: 2 }));
      expect(first.Functions).toHaveLength(2);
      const names = [...first.Functions!.map((f) => f.FunctionName)];
      let marker = first.NextMarker;
      while (marker) {
        const next = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker: marker }));
        names.push(...next.Functions!.map((f) => f.FunctionName));
        marker = next.NextMarker;
      }
      expect(names).toEqual(["fn-a", "from-s3", "p1", "p2", "p3"]);
      const all = await lambda.send(new ListFunctionsCommand({ FunctionVersion: "ALL" }));
      expect(all.Functions!.filter((f) => f.FunctionName === "fn-a").map((f) => f.Version)).toEqual(["$LATEST", "1"]);
      await lambda.send(new DeleteFunctionCommand({ FunctionName: `${ARN}:p1` }));
      expect(await failure(lambda.send(new DeleteFunctionCommand({ FunctionName: "p1" })))).toMatchObject({ name: "ResourceNotFoundException" });
      await lambda.send(new DeleteFunctionCommand({ FunctionName: "fn-a" }));
      expect(await failure(lambda.send(new GetFunctionCommand({ FunctionName: "fn-a", Qualifier: "1" })))).toMatchObject({ name: "ResourceNotFoundException" });
    });
  });
}
