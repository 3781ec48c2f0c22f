/**
 * SSM Parameter Store through @aws-sdk/client-ssm, in-process on every test store and over HTTP:
 * types, versions, labels and selectors, SecureString with real KMS keys, hierarchies and filters,
 * tiers, policies (Expiration on the clock), history, tags.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddTagsToResourceCommand, DeleteParameterCommand, DeleteParametersCommand, DescribeParametersCommand, GetParameterCommand,
  GetParameterHistoryCommand, GetParametersByPathCommand, GetParametersCommand, LabelParameterVersionCommand,
  ListTagsForResourceCommand, PutParameterCommand, RemoveTagsFromResourceCommand, SSMClient,
  UnlabelParameterVersionCommand,
} from "@aws-sdk/client-ssm";
import { CreateKeyCommand, DisableKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { inProcess, overHttp, startTestServer, STORES } from "../../helpers/clients.ts";

const errorOf = (p: Promise<unknown>) => p.then(() => { throw new Error("expected an error"); }, (e) => e as { name: string; message: string; $metadata: { httpStatusCode?: number } });
const ARN = (name: string) => `arn:aws:ssm:us-east-1:000000000000:parameter${name.startsWith("/") ? "" : "/"}${name}`;

const transports = [
  ...STORES.map((store) => ({
    name: `in-process, ${store.name}`,
    async setup() {
      const clock = createManualClock();
      const config = inProcess(createEmulator({ store: store.make(), clock }));
      return { ssm: new SSMClient(config), kms: new KMSClient(config), clock: clock as ManualClock | undefined, close: async () => {} };
    },
  })),
  {
    name: "over HTTP",
    async setup() {
      const server = await startTestServer();
      const config = overHttp(server.url);
      return { ssm: new SSMClient(config), kms: new KMSClient(config), clock: undefined as ManualClock | undefined, close: () => server.close() };
    },
  },
];

for (const { name, setup } of transports) {
  describe(`SSM Parameter Store ${name}`, () => {
    let ssm: SSMClient;
    let kms: KMSClient;
    let clock: ManualClock | undefined;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ ssm, kms, clock, close } = await setup());
    });
    afterAll(() => close());

    it("puts and gets String and StringList parameters with versions", async () => {
      expect(await ssm.send(new PutParameterCommand({ Name: "/app/url", Value: "http://a", Type: "String", Description: "d" }))).toMatchObject({ Version: 1, Tier: "Standard" });
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: "/app/url" }));
      expect(Parameter).toMatchObject({ Name: "/app/url", Type: "String", Value: "http://a", Version: 1, ARN: ARN("/app/url"), DataType: "text" });
      expect(Parameter!.LastModifiedDate).toBeInstanceOf(Date);
      const exists = await errorOf(ssm.send(new PutParameterCommand({ Name: "/app/url", Value: "x", Type: "String" })));
      expect(exists.name).toBe("ParameterAlreadyExists");
      expect((await ssm.send(new PutParameterCommand({ Name: "/app/url", Value: "http://b", Overwrite: true }))).Version).toBe(2);
      expect((await ssm.send(new GetParameterCommand({ Name: "/app/url" }))).Parameter).toMatchObject({ Value: "http://b", Version: 2, Type: "String" });
      expect((await ssm.send(new GetParameterCommand({ Name: "/app/url:1" }))).Parameter).toMatchObject({ Value: "http://a", Version: 1, Selector: ":1" });
      expect((await ssm.send(new GetParameterCommand({ Name: ARN("/app/url") }))).Parameter!.Value).toBe("http://b");
      await ssm.send(new PutParameterCommand({ Name: "list", Value: "a,b,c", Type: "StringList" }));
      expect((await ssm.send(new GetParameterCommand({ Name: "list" }))).Parameter).toMatchObject({ Type: "StringList", Value: "a,b,c", ARN: ARN("list") });
      const missing = await errorOf(ssm.send(new GetParameterCommand({ Name: "/nope" })));
      expect(missing.name).toBe("ParameterNotFound");
      expect((await errorOf(ssm.send(new GetParameterCommand({ Name: "/app/url:9" })))).name).toBe("ParameterVersionNotFound");
      expect((await errorOf(ssm.send(new PutParameterCommand({ Name: "/new", Value: "x" })))).name).toBe("ValidationException");
      expect((await errorOf(ssm.send(new PutParameterCommand({ Name: "/app/url", Value: "x", Type: "SecureString", Overwrite: true })))).name).toBe("HierarchyTypeMismatchException");
    });

    it("validates names, values, tiers, patterns and data types", async () => {
      for (const bad of ["/ssm/x", "a/b", "bad name", "/x//y"]) {
        expect((await errorOf(ssm.send(new PutParameterCommand({ Name: bad, Value: "v", Type: "String" })))).name).toBe("ValidationException");
      }
      // The aws prefix is reserved for AWS's own (public) parameters.
      expect((await errorOf(ssm.send(new PutParameterCommand({ Name: "aws-thing", Value: "v", Type: "String" })))).message).toBe("No access to reserved parameter name: aws-thing.");
      const deep = "/" + Array.from({ length: 16 }, (_, i) => `l${i}`).join("/");
      expect((await errorOf(ssm.send(new PutParameterCommand({ Name: deep, Value: "v", Type: "String" })))).name).toBe("HierarchyLevelLimitExceededException");
      const big = "x".repeat(4097);
      expect((await errorOf(ssm.send(new PutParameterCommand({ Name: "/big", Value: big, Type: "String" })))).name).toBe("ValidationException");
      expect(await ssm.send(new PutParameterCommand({ Name: "/big", Value: big, Type: "String", Tier: "Advanced" }))).toMatchObject({ Tier: "Advanced" });
      expect(await ssm.send(new PutParameterCommand({ Name: "/smart", Value: big, Type: "String", Tier: "Intelligent-Tiering" }))).toMatchObject({ Tier: "Advanced" });
      expect((await errorOf(ssm.send(new PutParameterCommand({ Name: "/big", Value: "small", Overwrite: true, Tier: "Standard" })))).name).toBe("ValidationException");
      expect((await errorOf(ssm.send(new PutParameterCommand({ Name: "/num", Value: "abc", Type: "String", AllowedPattern: "^\\d+$" })))).name).toBe("ParameterPatternMismatchException");
      expect((await ssm.send(new PutParameterCommand({ Name: "/num", Value: "123", Type: "String", AllowedPattern: "^\\d+$" }))).Version).toBe(1);
      expect((await errorOf(ssm.send(new PutParameterCommand({ Name: "/num", Value: "12a", Overwrite: true })))).name).toBe("ParameterPatternMismatchException");
      expect((await errorOf(ssm.send(new PutParameterCommand({ Name: "/pat", Value: "1", Type: "String", AllowedPattern: "([" })))).name).toBe("InvalidAllowedPatternException");
      expect((await ssm.send(new PutParameterCommand({ Name: "/ami", Value: "ami-0123456789abcdef0", Type: "String", DataType: "aws:ec2:image" }))).Version).toBe(1);
      expect((await errorOf(ssm.send(new PutParameterCommand({ Name: "/ami2", Value: "not-an-ami", Type: "String", DataType: "aws:ec2:image" })))).name).toBe("ValidationException");
      expect((await errorOf(ssm.send(new PutParameterCommand({ Name: "/dt", Value: "x", Type: "String", DataType: "Text" })))).name).toBe("ValidationException");
      expect((await errorOf(ssm.send(new PutParameterCommand({ Name: "/tags", Value: "x", Type: "String", Overwrite: true, Tags: [{ Key: "a", Value: "b" }] })))).name).toBe("ValidationException");
    });

    it("SecureString: encrypted with KMS, decrypted WithDecryption; a disabled key fails with InvalidKeyId", async () => {
      await ssm.send(new PutParameterCommand({ Name: "/secure/default", Value: "s3cret", Type: "SecureString" }));
      const hidden = (await ssm.send(new GetParameterCommand({ Name: "/secure/default" }))).Parameter!;
      expect(hidden.Type).toBe("SecureString");
      expect(hidden.Value).not.toContain("s3cret");
      expect(hidden.Value!.length).toBeGreaterThan(40);
      expect((await ssm.send(new GetParameterCommand({ Name: "/secure/default", WithDecryption: true }))).Parameter!.Value).toBe("s3cret");
      const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      await ssm.send(new PutParameterCommand({ Name: "/secure/custom", Value: "mine", Type: "SecureString", KeyId: keyId }));
      const meta = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: ["/secure/custom"] }] }));
      expect(meta.Parameters).toEqual([expect.objectContaining({ Name: "/secure/custom", Type: "SecureString", KeyId: keyId })]);
      const defaults = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "KeyId", Values: ["alias/aws/ssm"] }] }));
      expect(defaults.Parameters!.map((p) => p.Name)).toEqual(["/secure/default"]);
      expect((await ssm.send(new GetParametersCommand({ Names: ["/secure/custom", "/secure/default"], WithDecryption: true }))).Parameters!.map((p) => p.Value)).toEqual(["mine", "s3cret"]);
      await kms.send(new DisableKeyCommand({ KeyId: keyId }));
      expect((await errorOf(ssm.send(new GetParameterCommand({ Name: "/secure/custom", WithDecryption: true })))).name).toBe("InvalidKeyId");
      expect((await ssm.send(new GetParameterCommand({ Name: "/secure/custom" }))).Parameter!.Type).toBe("SecureString");
      expect((await errorOf(ssm.send(new PutParameterCommand({ Name: "/secure/x", Value: "v", Type: "SecureString", KeyId: "alias/none" })))).name).toBe("InvalidKeyId");
      expect((await errorOf(ssm.send(new PutParameterCommand({ Name: "/plain/x", Value: "v", Type: "String", KeyId: keyId })))).name).toBe("ValidationException");
    });

    it("labels versions; name:label selectors; history; unlabel", async () => {
      await ssm.send(new PutParameterCommand({ Name: "/lbl", Value: "v1", Type: "String" }));
      await ssm.send(new PutParameterCommand({ Name: "/lbl", Value: "v2", Overwrite: true }));
      await ssm.send(new PutParameterCommand({ Name: "/lbl", Value: "v3", Overwrite: true }));
      const labelled = await ssm.send(new LabelParameterVersionCommand({ Name: "/lbl", ParameterVersion: 1, Labels: ["prod", "awsbad", "1bad", "stable"] }));
      expect(labelled).toMatchObject({ ParameterVersion: 1, InvalidLabels: ["awsbad", "1bad"] });
      expect((await ssm.send(new GetParameterCommand({ Name: "/lbl:prod" }))).Parameter).toMatchObject({ Value: "v1", Version: 1, Selector: ":prod" });
      await ssm.send(new LabelParameterVersionCommand({ Name: "/lbl", Labels: ["prod"] }));
      expect((await ssm.send(new GetParameterCommand({ Name: "/lbl:prod" }))).Parameter!.Value).toBe("v3");
      const history = await ssm.send(new GetParameterHistoryCommand({ Name: "/lbl" }));
      expect(history.Parameters!.map((p) => [p.Version, p.Value, p.Labels])).toEqual([[1, "v1", ["stable"]], [2, "v2", []], [3, "v3", ["prod"]]]);
      const unlabelled = await ssm.send(new UnlabelParameterVersionCommand({ Name: "/lbl", ParameterVersion: 1, Labels: ["stable", "prod"] }));
      expect(unlabelled).toMatchObject({ RemovedLabels: ["stable"], InvalidLabels: ["prod"] });
      const got = await ssm.send(new GetParametersCommand({ Names: ["/lbl:prod", "/lbl:stable", "/lbl:2", "/missing"] }));
      expect(got.Parameters!.map((p) => p.Value)).toEqual(["v3", "v2"]);
      expect(got.InvalidParameters).toEqual(["/lbl:stable", "/missing"]);
      const paged = await ssm.send(new GetParameterHistoryCommand({ Name: "/lbl", MaxResults: 2 }));
      expect(paged.Parameters).toHaveLength(2);
      expect((await ssm.send(new GetParameterHistoryCommand({ Name: "/lbl", NextToken: paged.NextToken }))).Parameters!.map((p) => p.Version)).toEqual([3]);
      const many = Array.from({ length: 10 }, (_, i) => `l${i}`);
      expect((await errorOf(ssm.send(new LabelParameterVersionCommand({ Name: "/lbl", ParameterVersion: 3, Labels: many })))).name).toBe("ParameterVersionLabelLimitExceeded");
    });

    it("GetParametersByPath: one level, recursive, filters, pages", async () => {
      for (const n of ["/tree/a", "/tree/b", "/tree/sub/c", "/tree/sub/deep/d", "/treeish"]) {
        await ssm.send(new PutParameterCommand({ Name: n, Value: n, Type: n.endsWith("c") ? "StringList" : "String" }));
      }
      const names = async (input: ConstructorParameters<typeof GetParametersByPathCommand>[0]) => {
        const out: string[] = [];
        let NextToken: string | undefined;
        do {
          const page = await ssm.send(new GetParametersByPathCommand({ ...input, NextToken, MaxResults: 2 }));
          expect(page.Parameters!.length).toBeLessThanOrEqual(2);
          out.push(...page.Parameters!.map((p) => p.Name!));
          NextToken = page.NextToken;
        } while (NextToken);
        return out;
      };
      expect(await names({ Path: "/tree" })).toEqual(["/tree/a", "/tree/b"]);
      expect(await names({ Path: "/tree/", Recursive: true })).toEqual(["/tree/a", "/tree/b", "/tree/sub/c", "/tree/sub/deep/d"]);
      expect(await names({ Path: "/tree", Recursive: true, ParameterFilters: [{ Key: "Type", Values: ["StringList"] }] })).toEqual(["/tree/sub/c"]);
      expect((await errorOf(ssm.send(new GetParametersByPathCommand({ Path: "/tree", ParameterFilters: [{ Key: "Name", Values: ["x"] }] })))).name).toBe("InvalidFilterKey");
      expect((await errorOf(ssm.send(new GetParametersByPathCommand({ Path: "tree" })))).name).toBe("ValidationException");
      expect((await errorOf(ssm.send(new GetParametersByPathCommand({ Path: "/tree", NextToken: "bogus" })))).name).toBe("InvalidNextToken");
    });

    it("DescribeParameters with every filter; tags; delete", async () => {
      await ssm.send(new PutParameterCommand({ Name: "/desc/one", Value: "1", Type: "String", Tags: [{ Key: "team", Value: "blue" }] }));
      await ssm.send(new PutParameterCommand({ Name: "/desc/two", Value: "2", Type: "String", Tier: "Advanced" }));
      const describe = async (filters: { Key: string; Option?: string; Values?: string[] }[]) =>
        (await ssm.send(new DescribeParametersCommand({ ParameterFilters: filters }))).Parameters!.map((p) => p.Name);
      expect(await describe([{ Key: "Name", Option: "BeginsWith", Values: ["/desc/"] }])).toEqual(["/desc/one", "/desc/two"]);
      expect(await describe([{ Key: "Name", Option: "Contains", Values: ["sc/tw"] }])).toEqual(["/desc/two"]);
      expect(await describe([{ Key: "Path", Option: "OneLevel", Values: ["/desc"] }])).toEqual(["/desc/one", "/desc/two"]);
      expect(await describe([{ Key: "Path", Values: ["/desc"] }, { Key: "Tier", Values: ["Advanced"] }])).toEqual(["/desc/two"]);
      expect(await describe([{ Key: "tag:team", Values: ["blue"] }])).toEqual(["/desc/one"]);
      expect(await describe([{ Key: "tag:team" }])).toEqual(["/desc/one"]);
      expect((await errorOf(ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Path", Option: "Contains", Values: ["/desc"] }] })))).name).toBe("InvalidFilterOption");
      const meta = (await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: ["/desc/one"] }] }))).Parameters![0];
      expect(meta).toMatchObject({ Name: "/desc/one", ARN: ARN("/desc/one"), Type: "String", Version: 1, Tier: "Standard", DataType: "text", Policies: [] });

      await ssm.send(new AddTagsToResourceCommand({ ResourceType: "Parameter", ResourceId: "/desc/one", Tags: [{ Key: "env", Value: "prod" }, { Key: "team", Value: "red" }] }));
      await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: "Parameter", ResourceId: "/desc/one", TagKeys: ["env"] }));
      expect((await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/desc/one" }))).TagList).toEqual([{ Key: "team", Value: "red" }]);
      expect((await errorOf(ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/desc/none" })))).name).toBe("InvalidResourceId");

      await ssm.send(new DeleteParameterCommand({ Name: "/desc/one" }));
      expect((await errorOf(ssm.send(new DeleteParameterCommand({ Name: "/desc/one" })))).name).toBe("ParameterNotFound");
      expect(await ssm.send(new DeleteParametersCommand({ Names: ["/desc/two", "/desc/one"] }))).toMatchObject({ DeletedParameters: ["/desc/two"], InvalidParameters: ["/desc/one"] });
    });

    it("policies are stored; an Expiration policy deletes the parameter at its time", async () => {
      const now = clock ? clock.now() : Date.now();
      const policies = JSON.stringify([
        { Type: "Expiration", Version: "1.0", Attributes: { Timestamp: new Date(now + 3_600_000).toISOString() } },
        { Type: "NoChangeNotification", Version: "1.0", Attributes: { After: "20", Unit: "Days" } },
      ]);
      expect((await errorOf(ssm.send(new PutParameterCommand({ Name: "/expiring", Value: "x", Type: "String", Policies: policies })))).name).toBe("ValidationException");
      expect((await ssm.send(new PutParameterCommand({ Name: "/expiring", Value: "x", Type: "String", Policies: policies, Tier: "Advanced" }))).Tier).toBe("Advanced");
      const meta = (await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: "Name", Values: ["/expiring"] }] }))).Parameters![0];
      expect(meta.Policies!.map((p) => [p.PolicyType, p.PolicyStatus])).toEqual([["Expiration", "Pending"], ["NoChangeNotification", "Pending"]]);
      expect((await errorOf(ssm.send(new PutParameterCommand({ Name: "/badpolicy", Value: "x", Type: "String", Tier: "Advanced", Policies: '[{"Type":"Nope"}]' })))).name).toBe("InvalidPolicyTypeException");
      if (!clock) return;
      await clock.advance(3_600_000);
      expect((await errorOf(ssm.send(new GetParameterCommand({ Name: "/expiring" })))).name).toBe("ParameterNotFound");
    });
  });
}
