/**
 * Parameter Store through every client: String, StringList and SecureString (decrypted only
 * WithDecryption), versions, labels and `name:version` / `name:label` selectors, history,
 * GetParametersByPath paging, DescribeParameters filters, deletes, tags, resource policies on
 * advanced parameters, and the service settings (the default tier a new parameter gets).
 */
import { expect } from "vitest";
import { call, fails, ref, type Step } from "../walkthrough.ts";

const ARN = (name: string) => `arn:aws:ssm:us-east-1:000000000000:parameter${name.startsWith("/") ? "" : "/"}${name}`;
const TIER = "/ssm/parameter-store/default-parameter-tier";
const POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: ["ssm:GetParameter"], Resource: ARN("/shared/db") }],
});

export const parameterSteps: Step[] = [
  call("PutParameter", { Name: "/app/db/host", Value: "db.internal", Type: "String", Description: "database host" }, {
    check: (out) => expect(out).toEqual({ Version: 1, Tier: "Standard" }),
  }),
  call("PutParameter", { Name: "/app/db/host", Value: "db2.internal", Overwrite: true }, { check: (out) => expect(out.Version).toBe(2) }),
  fails("PutParameter", { Name: "/app/db/host", Value: "again", Type: "String" }, "ParameterAlreadyExists"),
  fails("PutParameter", { Name: "/app/db/host", Value: "x", Type: "SecureString", Overwrite: true }, "HierarchyTypeMismatchException"),
  call("PutParameter", { Name: "/app/db/ports", Value: "5432,5433", Type: "StringList" }),
  call("PutParameter", { Name: "/app/db/password", Value: "s3cret-pw", Type: "SecureString", KeyId: "alias/aws/ssm" }),
  call("PutParameter", { Name: "/app/web/url", Value: "www.example.com", Type: "String", Tags: [{ Key: "team", Value: "web" }] }),
  call("PutParameter", { Name: "/app/web/cdn/origin", Value: "origin.example.com", Type: "String" }),
  fails("PutParameter", { Name: "/aws/reserved", Value: "x", Type: "String" }, "AccessDeniedException"),
  fails("PutParameter", { Name: "/ssm/reserved", Value: "x", Type: "String" }, "ValidationException"),
  fails("PutParameter", { Name: "/pattern", Value: "abc", Type: "String", AllowedPattern: "^\\d+$" }, "ParameterPatternMismatchException"),

  call("GetParameter", { Name: "/app/db/host" }, {
    check: (out) => expect(out.Parameter).toMatchObject({ Name: "/app/db/host", Type: "String", Value: "db2.internal", Version: 2, ARN: ARN("/app/db/host"), DataType: "text" }),
  }),
  call("GetParameter", { Name: "/app/db/host:1" }, { check: (out) => expect(out.Parameter).toMatchObject({ Value: "db.internal", Version: 1, Selector: ":1" }) }),
  call("GetParameter", { Name: ARN("/app/db/host") }, { check: (out) => expect(out.Parameter!.Value).toBe("db2.internal") }),
  call("GetParameter", { Name: "/app/db/ports" }, { check: (out) => expect(out.Parameter).toMatchObject({ Type: "StringList", Value: "5432,5433" }) }),
  call("GetParameter", { Name: "/app/db/password" }, {
    check: (out) => {
      expect(out.Parameter!.Type).toBe("SecureString");
      expect(out.Parameter!.Value).not.toContain("s3cret-pw");
    },
  }),
  call("GetParameter", { Name: "/app/db/password", WithDecryption: true }, { check: (out) => expect(out.Parameter!.Value).toBe("s3cret-pw") }),
  fails("GetParameter", { Name: "/app/none" }, "ParameterNotFound"),
  fails("GetParameter", { Name: "/app/db/host:7" }, "ParameterVersionNotFound"),

  call("LabelParameterVersion", { Name: "/app/db/host", ParameterVersion: 1, Labels: ["stable", "aws-bad"] }, {
    check: (out) => expect(out).toEqual({ ParameterVersion: 1, InvalidLabels: ["aws-bad"] }),
  }),
  call("LabelParameterVersion", { Name: "/app/db/host", Labels: ["latest"] }, { check: (out) => expect(out).toMatchObject({ ParameterVersion: 2, InvalidLabels: [] }) }),
  call("GetParameter", { Name: "/app/db/host:stable" }, { check: (out) => expect(out.Parameter).toMatchObject({ Value: "db.internal", Version: 1, Selector: ":stable" }) }),
  call("GetParameters", { Names: ["/app/db/host:latest", "/app/db/password", "/app/missing", "/app/db/host:nolabel"], WithDecryption: true }, {
    check: (out) => {
      expect(out.Parameters!.map((p) => [p.Name, p.Value, p.Selector ?? null])).toEqual([["/app/db/host", "db2.internal", ":latest"], ["/app/db/password", "s3cret-pw", null]]);
      expect([...out.InvalidParameters!].sort()).toEqual(["/app/db/host:nolabel", "/app/missing"]);
    },
  }),
  call("GetParameterHistory", { Name: "/app/db/host" }, {
    check: (out) => expect(out.Parameters!.map((p) => [p.Version, p.Value, p.Labels, p.Description ?? null])).toEqual([
      [1, "db.internal", ["stable"], "database host"],
      [2, "db2.internal", ["latest"], "database host"],
    ]),
  }),
  call("UnlabelParameterVersion", { Name: "/app/db/host", ParameterVersion: 1, Labels: ["stable", "never"] }, {
    check: (out) => expect(out).toEqual({ RemovedLabels: ["stable"], InvalidLabels: ["never"] }),
  }),
  fails("GetParameter", { Name: "/app/db/host:stable" }, "ParameterVersionNotFound"),

  call("GetParametersByPath", { Path: "/app", Recursive: true, MaxResults: 2 }, {
    as: "page1",
    check: (out) => {
      expect(out.Parameters!.map((p) => p.Name)).toEqual(["/app/db/host", "/app/db/password"]);
      expect(out.NextToken).toEqual(expect.any(String));
    },
  }),
  call("GetParametersByPath", { Path: "/app", Recursive: true, MaxResults: 2, NextToken: ref("page1.NextToken") }, {
    as: "page2",
    check: (out) => expect(out.Parameters!.map((p) => p.Name)).toEqual(["/app/db/ports", "/app/web/cdn/origin"]),
  }),
  call("GetParametersByPath", { Path: "/app", Recursive: true, MaxResults: 2, NextToken: ref("page2.NextToken") }, {
    check: (out) => {
      expect(out.Parameters!.map((p) => p.Name)).toEqual(["/app/web/url"]);
      expect(out.NextToken).toBeUndefined();
    },
  }),
  call("GetParameter", { Name: "/aws/service/global-infrastructure/regions/us-east-1/longName" }, {
    check: (out) => expect(out.Parameter).toMatchObject({
      Type: "String", Value: "US East (N. Virginia)", ARN: "arn:aws:ssm:us-east-1::parameter/aws/service/global-infrastructure/regions/us-east-1/longName",
    }),
  }),
  call("GetParametersByPath", { Path: "/aws/service/global-infrastructure/regions/eu-west-1" }, {
    check: (out) => expect(out.Parameters!.map((p) => [p.Name!.split("/").pop(), p.Value])).toEqual(expect.arrayContaining([["longName", "Europe (Ireland)"], ["partition", "aws"]])),
  }),
  fails("DeleteParameter", { Name: "/aws/service/global-infrastructure/regions/us-east-1/longName" }, "AccessDeniedException"),
  call("GetParametersByPath", { Path: "/app/web" }, { check: (out) => expect(out.Parameters!.map((p) => p.Name)).toEqual(["/app/web/url"]) }),
  call("GetParametersByPath", { Path: "/app/db", WithDecryption: true, ParameterFilters: [{ Key: "Type", Values: ["SecureString"] }] }, {
    check: (out) => expect(out.Parameters!.map((p) => [p.Name, p.Value])).toEqual([["/app/db/password", "s3cret-pw"]]),
  }),
  call("DescribeParameters", { ParameterFilters: [{ Key: "Name", Option: "BeginsWith", Values: ["/app/db"] }] }, {
    check: (out) => expect(out.Parameters!.map((p) => [p.Name, p.Type, p.Version])).toEqual([
      ["/app/db/host", "String", 2], ["/app/db/password", "SecureString", 1], ["/app/db/ports", "StringList", 1],
    ]),
  }),
  call("DescribeParameters", { ParameterFilters: [{ Key: "tag:team", Values: ["web"] }] }, {
    check: (out) => expect(out.Parameters!.map((p) => p.Name)).toEqual(["/app/web/url"]),
  }),
  call("DescribeParameters", { ParameterFilters: [{ Key: "Type", Values: ["SecureString"] }] }, {
    check: (out) => expect(out.Parameters).toEqual([expect.objectContaining({ Name: "/app/db/password", KeyId: "alias/aws/ssm", Tier: "Standard", DataType: "text" })]),
  }),
  fails("DescribeParameters", { ParameterFilters: [{ Key: "Colour", Values: ["red"] }] }, "ValidationException"),
  fails("DescribeParameters", { ParameterFilters: [{ Key: "Type", Option: "BeginsWith", Values: ["Str"] }] }, "InvalidFilterOption"),

  call("AddTagsToResource", { ResourceType: "Parameter", ResourceId: "/app/db/host", Tags: [{ Key: "env", Value: "prod" }, { Key: "team", Value: "db" }] }),
  call("RemoveTagsFromResource", { ResourceType: "Parameter", ResourceId: "/app/db/host", TagKeys: ["team"] }),
  call("ListTagsForResource", { ResourceType: "Parameter", ResourceId: "/app/db/host" }, { check: (out) => expect(out.TagList).toEqual([{ Key: "env", Value: "prod" }]) }),
  fails("ListTagsForResource", { ResourceType: "Parameter", ResourceId: "/app/none" }, "InvalidResourceId"),

  call("GetServiceSetting", { SettingId: TIER }, {
    check: (out) => expect(out.ServiceSetting).toMatchObject({ SettingId: TIER, SettingValue: "Standard", Status: "Default" }),
  }),
  call("UpdateServiceSetting", { SettingId: TIER, SettingValue: "Advanced" }),
  call("GetServiceSetting", { SettingId: TIER }, { check: (out) => expect(out.ServiceSetting).toMatchObject({ SettingValue: "Advanced", Status: "Customized" }) }),
  call("PutParameter", { Name: "/shared/db", Value: "shared", Type: "String" }, { check: (out) => expect(out).toEqual({ Version: 1, Tier: "Advanced" }) }),
  call("ResetServiceSetting", { SettingId: TIER }, { check: (out) => expect(out.ServiceSetting).toMatchObject({ SettingValue: "Standard", Status: "Default" }) }),
  fails("UpdateServiceSetting", { SettingId: TIER, SettingValue: "Premium" }, "ValidationException"),
  fails("GetServiceSetting", { SettingId: "/ssm/no/such/setting" }, "ServiceSettingNotFound"),

  call("PutResourcePolicy", { ResourceArn: ARN("/shared/db"), Policy: POLICY }, {
    as: "policy",
    check: (out) => expect(out).toEqual({ PolicyId: expect.any(String), PolicyHash: expect.stringMatching(/^[0-9a-f]{64}$/) }),
  }),
  call("GetResourcePolicies", { ResourceArn: ARN("/shared/db") }, {
    check: (out, at) => expect(out.Policies).toEqual([{ PolicyId: at("policy.PolicyId"), PolicyHash: at("policy.PolicyHash"), Policy: POLICY }]),
  }),
  fails("PutResourcePolicy", { ResourceArn: ARN("/app/db/host"), Policy: POLICY }, "ResourcePolicyInvalidParameterException"),
  fails("DeleteResourcePolicy", { ResourceArn: ARN("/shared/db"), PolicyId: ref("policy.PolicyId"), PolicyHash: "0".repeat(64) }, "ResourcePolicyConflictException"),
  call("DeleteResourcePolicy", { ResourceArn: ARN("/shared/db"), PolicyId: ref("policy.PolicyId"), PolicyHash: ref("policy.PolicyHash") }),
  call("GetResourcePolicies", { ResourceArn: ARN("/shared/db") }, { check: (out) => expect(out.Policies).toEqual([]) }),

  call("DeleteParameter", { Name: "/app/web/cdn/origin" }),
  fails("DeleteParameter", { Name: "/app/web/cdn/origin" }, "ParameterNotFound"),
  call("DeleteParameters", { Names: ["/app/db/ports", "/app/db/password", "/app/none"] }, {
    check: (out) => expect(out).toEqual({ DeletedParameters: ["/app/db/ports", "/app/db/password"], InvalidParameters: ["/app/none"] }),
  }),
  call("GetParametersByPath", { Path: "/app", Recursive: true }, {
    check: (out) => expect(out.Parameters!.map((p) => p.Name)).toEqual(["/app/db/host", "/app/web/url"]),
  }),
];
