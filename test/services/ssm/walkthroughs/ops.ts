/**
 * OpsCenter and Application Manager through every client: OpsItems (create, get, update with a
 * new version, filters, related items, tags, delete), OpsItem events (none: no EventBridge rules
 * create OpsItems here), the OpsItemGroup resource policy, and OpsMetadata.
 */
import { expect } from "vitest";
import { call, fails, ref, type Step } from "../walkthrough.ts";

const RESOURCES = '[{"arn":"arn:aws:ec2:us-east-1:000000000000:instance/i-1"}]';
const GROUP = "arn:aws:ssm:us-east-1:000000000000:opsitemgroup/default";
const APP = "/aws/ssm/AppManager/application/shop";
const APP_ARN = "arn:aws:ssm:us-east-1:000000000000:opsmetadata/aws/ssm/AppManager/application/shop";
const POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "share", Effect: "Allow", Principal: { AWS: "111122223333" }, Action: ["ssm:CreateOpsItem", "ssm:GetOpsItem"], Resource: GROUP }],
});

export const opsSteps: Step[] = [
  call("CreateOpsItem", {
    Title: "Disk full", Description: "root volume at 95%", Source: "EC2", Priority: 2, Severity: "2", Category: "Availability",
    OperationalData: { "/aws/resources": { Value: RESOURCES, Type: "SearchableString" }, team: { Value: "ops", Type: "SearchableString" } },
    Tags: [{ Key: "env", Value: "prod" }],
  }, {
    as: "item",
    check: (out) => {
      expect(out.OpsItemId).toMatch(/^oi-[0-9a-f]{12}$/);
      expect(out.OpsItemArn).toBe(`arn:aws:ssm:us-east-1:000000000000:opsitem/${out.OpsItemId}`);
    },
  }),
  call("CreateOpsItem", { Title: "Slow queries", Description: "p99 above 2 s", Source: "RDS", Priority: 4 }, { as: "other" }),
  fails("CreateOpsItem", { Title: "t", Description: "d", Source: "EC2", Priority: 9 }, "ValidationException"),
  call("GetOpsItem", { OpsItemId: ref("item.OpsItemId") }, {
    as: "got",
    check: (out) => expect(out.OpsItem).toMatchObject({
      Title: "Disk full", Description: "root volume at 95%", Status: "Open", Priority: 2, Severity: "2", Source: "EC2", Category: "Availability", OpsItemType: "/aws/issue",
      OperationalData: { team: { Value: "ops", Type: "SearchableString" } },
    }),
  }),
  fails("GetOpsItem", { OpsItemId: "oi-000000000000" }, "OpsItemNotFoundException"),
  call("UpdateOpsItem", { OpsItemId: ref("item.OpsItemId"), Status: "Resolved", OperationalDataToDelete: ["team"] }),
  call("GetOpsItem", { OpsItemId: ref("item.OpsItemId") }, {
    check: (out, at) => {
      expect(out.OpsItem!.Status).toBe("Resolved");
      expect(out.OpsItem!.Version).not.toBe(at("got.OpsItem.Version"));
      expect(Object.keys(out.OpsItem!.OperationalData!)).toEqual(["/aws/resources"]);
    },
  }),
  call("DescribeOpsItems", { OpsItemFilters: [{ Key: "Status", Values: ["Resolved"], Operator: "Equal" }] }, {
    check: (out, at) => expect(out.OpsItemSummaries!.map((s) => [s.OpsItemId, s.Title, s.Status])).toEqual([[at("item.OpsItemId"), "Disk full", "Resolved"]]),
  }),
  call("DescribeOpsItems", { OpsItemFilters: [{ Key: "Priority", Values: ["3"], Operator: "GreaterThan" }] }, {
    check: (out, at) => expect(out.OpsItemSummaries!.map((s) => s.OpsItemId)).toEqual([at("other.OpsItemId")]),
  }),
  call("DescribeOpsItems", { OpsItemFilters: [{ Key: "Title", Values: ["slow"], Operator: "Contains" }] }, {
    check: (out) => expect(out.OpsItemSummaries!.map((s) => s.Title)).toEqual(["Slow queries"]),
  }),
  call("GetOpsSummary", { Filters: [{ Key: "AWS:OpsItem.Status", Values: ["Resolved"], Type: "Equal" }] }, {
    check: (out, at) => {
      expect(out.Entities!.map((e) => e.Id)).toEqual([at("item.OpsItemId")]);
      expect(out.Entities![0].Data!["AWS:OpsItem"].Content![0]).toMatchObject({ Title: "Disk full", Source: "EC2", Status: "Resolved", Priority: "2" });
    },
  }),
  call("GetOpsSummary", { Aggregators: [{ AggregatorType: "count", TypeName: "AWS:OpsItem", AttributeName: "Source" }] }, {
    check: (out) => expect(out.Entities).toEqual([
      { Id: "EC2", Data: { "AWS:OpsItem": { Content: [{ Source: "EC2", Count: "1" }] } } },
      { Id: "RDS", Data: { "AWS:OpsItem": { Content: [{ Source: "RDS", Count: "1" }] } } },
    ]),
  }),
  fails("GetOpsSummary", { Aggregators: [{ TypeName: "AWS:OpsItem", AttributeName: "Color" }] }, "InvalidAggregatorException"),
  call("AddTagsToResource", { ResourceType: "OpsItem", ResourceId: ref("item.OpsItemId"), Tags: [{ Key: "owner", Value: "sre" }] }),
  call("ListTagsForResource", { ResourceType: "OpsItem", ResourceId: ref("item.OpsItemId") }, {
    check: (out) => expect(out.TagList).toEqual([{ Key: "env", Value: "prod" }, { Key: "owner", Value: "sre" }]),
  }),

  call("AssociateOpsItemRelatedItem", { OpsItemId: ref("item.OpsItemId"), AssociationType: "RelatesTo", ResourceType: "AWS::SSM::Document", ResourceUri: "arn:aws:ssm:us-east-1:000000000000:document/Runbook" }, {
    as: "related",
    check: (out) => expect(out.AssociationId).toMatch(/^[0-9a-f-]{36}$/),
  }),
  call("ListOpsItemRelatedItems", { OpsItemId: ref("item.OpsItemId") }, {
    check: (out, at) => expect(out.Summaries).toEqual([expect.objectContaining({
      OpsItemId: at("item.OpsItemId"), AssociationId: at("related.AssociationId"), AssociationType: "RelatesTo", ResourceType: "AWS::SSM::Document",
      ResourceUri: "arn:aws:ssm:us-east-1:000000000000:document/Runbook",
    })]),
  }),
  call("DisassociateOpsItemRelatedItem", { OpsItemId: ref("item.OpsItemId"), AssociationId: ref("related.AssociationId") }),
  fails("DisassociateOpsItemRelatedItem", { OpsItemId: ref("item.OpsItemId"), AssociationId: ref("related.AssociationId") }, "OpsItemRelatedItemAssociationNotFoundException"),
  call("ListOpsItemRelatedItems", { OpsItemId: ref("item.OpsItemId") }, { check: (out) => expect(out.Summaries).toEqual([]) }),
  call("ListOpsItemEvents", { Filters: [{ Key: "OpsItemId", Values: [ref("item.OpsItemId")], Operator: "Equal" }] }, { check: (out) => expect(out.Summaries).toEqual([]) }),

  call("PutResourcePolicy", { ResourceArn: GROUP, Policy: POLICY }, { as: "policy" }),
  call("GetResourcePolicies", { ResourceArn: GROUP }, {
    check: (out, at) => expect(out.Policies).toEqual([{ PolicyId: at("policy.PolicyId"), PolicyHash: at("policy.PolicyHash"), Policy: POLICY }]),
  }),
  call("DeleteResourcePolicy", { ResourceArn: GROUP, PolicyId: ref("policy.PolicyId"), PolicyHash: ref("policy.PolicyHash") }),

  call("StartAccessRequest", { Reason: "debug the disk", Targets: [{ Key: "InstanceIds", Values: ["i-0123456789abcdef0"] }] }, {
    as: "access",
    check: (out) => expect(out.AccessRequestId).toMatch(/^oi-[0-9a-f]{12}$/),
  }),
  call("GetOpsItem", { OpsItemId: ref("access.AccessRequestId") }, {
    needs: "StartAccessRequest",
    check: (out) => expect(out.OpsItem).toMatchObject({ OpsItemType: "/aws/accessrequest", Status: "Pending", Description: "debug the disk" }),
  }),
  call("GetAccessToken", { AccessRequestId: ref("access.AccessRequestId") }, {
    check: (out) => {
      expect(out.AccessRequestStatus).toBe("Pending");
      expect(out.Credentials).toBeUndefined();
    },
  }),
  call("UpdateOpsItem", { OpsItemId: ref("access.AccessRequestId"), Status: "Approved" }, { needs: "StartAccessRequest" }),
  call("GetAccessToken", { AccessRequestId: ref("access.AccessRequestId") }, {
    check: (out) => {
      expect(out.AccessRequestStatus).toBe("Approved");
      expect(out.Credentials!.AccessKeyId).toMatch(/^ASIA/);
      expect(out.Credentials!.SessionToken).toEqual(expect.any(String));
    },
  }),
  fails("GetAccessToken", { AccessRequestId: "oi-000000000000" }, "ResourceNotFoundException"),

  call("DeleteOpsItem", { OpsItemId: ref("other.OpsItemId") }),
  fails("GetOpsItem", { OpsItemId: ref("other.OpsItemId") }, "OpsItemNotFoundException", { needs: "DeleteOpsItem" }),

  call("CreateOpsMetadata", { ResourceId: APP, Metadata: { owner: { Value: "team-a" } }, Tags: [{ Key: "app", Value: "shop" }] }, {
    check: (out) => expect(out.OpsMetadataArn).toBe(APP_ARN),
  }),
  fails("CreateOpsMetadata", { ResourceId: APP }, "OpsMetadataAlreadyExistsException"),
  call("UpdateOpsMetadata", { OpsMetadataArn: APP_ARN, MetadataToUpdate: { tier: { Value: "gold" } }, KeysToDelete: ["owner"] }, {
    check: (out) => expect(out.OpsMetadataArn).toBe(APP_ARN),
  }),
  call("GetOpsMetadata", { OpsMetadataArn: APP_ARN }, { check: (out) => expect(out).toMatchObject({ ResourceId: APP, Metadata: { tier: { Value: "gold" } } }) }),
  call("ListOpsMetadata", {}, { check: (out) => expect(out.OpsMetadataList!.map((m) => [m.OpsMetadataArn, m.ResourceId])).toEqual([[APP_ARN, APP]]) }),
  call("ListTagsForResource", { ResourceType: "OpsMetadata", ResourceId: "aws/ssm/AppManager/application/shop" }, {
    check: (out) => expect(out.TagList).toEqual([{ Key: "app", Value: "shop" }]),
  }),
  call("DeleteOpsMetadata", { OpsMetadataArn: APP_ARN }),
  fails("GetOpsMetadata", { OpsMetadataArn: APP_ARN }, "OpsMetadataNotFoundException"),
];
