/**
 * Inventory and compliance without managed nodes.
 *
 * Inventory and compliance items belong to managed nodes (`ResourceType: ManagedInstance`), and
 * fetchstack has none: PutInventory and ListInventoryEntries answer `InvalidInstanceId`,
 * PutComplianceItems `InvalidResourceId`; GetInventory, ListComplianceItems,
 * ListComplianceSummaries, ListResourceComplianceSummaries and DescribeInventoryDeletions list
 * nothing; DeleteInventory has no custom type to delete (`InvalidTypeNameException`).
 * GetInventorySchema answers the AWS inventory types (`AWS:Application`, `AWS:InstanceInformation`,
 * ...) with their attributes, as data.
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutInventory.html
 * (and API_GetInventorySchema, API_PutComplianceItems, API_ListComplianceItems),
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/inventory-schema.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { pageOf } from "./paging.ts";

const S = "string";
const N = "number";
const SCHEMA: [string, string, [string, string][]][] = [
  ["AWS:Application", "1.1", [["Name", S], ["ApplicationType", S], ["Publisher", S], ["Version", S], ["Release", S], ["Epoch", S], ["InstalledTime", S], ["Architecture", S], ["URL", S], ["Summary", S], ["PackageId", S]]],
  ["AWS:AWSComponent", "1.0", [["Name", S], ["ApplicationType", S], ["Publisher", S], ["Version", S], ["InstalledTime", S], ["Architecture", S], ["URL", S]]],
  ["AWS:File", "1.0", [["Name", S], ["Size", S], ["Description", S], ["FileVersion", S], ["InstalledDate", S], ["ModificationTime", S], ["LastAccessTime", S], ["ProductName", S], ["InstalledDir", S], ["ProductLanguage", S], ["CompanyName", S], ["ProductVersion", S]]],
  ["AWS:InstanceDetailedInformation", "1.0", [["CPUModel", S], ["CPUCores", N], ["CPUs", N], ["CPUSpeedMHz", N], ["CPUSockets", N], ["CPUHyperThreadEnabled", S], ["OSServicePack", S]]],
  ["AWS:InstanceInformation", "1.0", [["AgentType", S], ["AgentVersion", S], ["ComputerName", S], ["InstanceId", S], ["IpAddress", S], ["PlatformName", S], ["PlatformType", S], ["PlatformVersion", S], ["ResourceType", S], ["InstanceStatus", S]]],
  ["AWS:Network", "1.0", [["Name", S], ["SubnetMask", S], ["Gateway", S], ["DHCPServer", S], ["DNSServer", S], ["MacAddress", S], ["IPV4", S], ["IPV6", S]]],
  ["AWS:PatchSummary", "1.0", [["PatchGroup", S], ["BaselineId", S], ["SnapshotId", S], ["OwnerInformation", S], ["InstalledCount", N], ["InstalledOtherCount", N], ["NotApplicableCount", N], ["MissingCount", N], ["FailedCount", N], ["OperationType", S], ["OperationStartTime", S], ["OperationEndTime", S]]],
  ["AWS:Service", "1.0", [["Name", S], ["DisplayName", S], ["ServiceType", S], ["Status", S], ["DependentServices", S], ["ServicesDependedOn", S], ["StartType", S]]],
  ["AWS:Tag", "1.0", [["Key", S], ["Value", S]]],
  ["AWS:WindowsRegistry", "1.0", [["KeyPath", S], ["ValueName", S], ["ValueType", S], ["Value", S]]],
  ["AWS:WindowsRole", "1.0", [["Name", S], ["DisplayName", S], ["Path", S], ["FeatureType", S], ["DependsOn", S], ["Description", S], ["Installed", S], ["InstalledState", S], ["SubFeatures", S], ["ServerComponentDescriptor", S], ["Parent", S]]],
  ["AWS:WindowsUpdate", "1.0", [["HotFixId", S], ["Description", S], ["InstalledTime", S], ["InstalledBy", S]]],
  ["AWS:ComplianceItem", "1.0", [["ComplianceType", S], ["ExecutionId", S], ["ExecutionType", S], ["ExecutionTime", S], ["Id", S], ["Title", S], ["Status", S], ["Severity", S], ["DocumentName", S], ["DocumentVersion", S], ["Classification", S], ["PatchBaselineId", S], ["PatchSeverity", S], ["PatchState", S], ["PatchGroup", S], ["InstalledTime", S]]],
  ["AWS:ComplianceSummary", "1.0", [["ComplianceType", S], ["PatchGroup", S], ["PatchBaselineId", S], ["Status", S], ["OverallSeverity", S], ["ExecutionId", S], ["ExecutionType", S], ["ExecutionTime", S], ["CompliantCriticalCount", N], ["CompliantHighCount", N], ["CompliantMediumCount", N], ["CompliantLowCount", N], ["CompliantInformationalCount", N], ["CompliantUnspecifiedCount", N], ["NonCompliantCriticalCount", N], ["NonCompliantHighCount", N], ["NonCompliantMediumCount", N], ["NonCompliantLowCount", N], ["NonCompliantInformationalCount", N], ["NonCompliantUnspecifiedCount", N]]],
];

const notManaged = (ctx: RequestContext, id: string) => new AwsError("InvalidInstanceId", `Instances [[${id}]] not in a valid state for account ${ctx.accountId}`, 400);

export const inventoryComplianceHandlers: Record<string, Handler> = {
  async PutInventory(input, ctx) {
    throw notManaged(ctx, input.InstanceId);
  },
  async ListInventoryEntries(input, ctx) {
    throw notManaged(ctx, input.InstanceId);
  },
  async GetInventory() {
    return { Entities: [] };
  },
  async GetInventorySchema(input) {
    if (input.TypeName !== undefined && !input.TypeName.startsWith("AWS:") && !input.TypeName.startsWith("Custom:")) {
      throw new AwsError("InvalidTypeNameException", `The inventory type ${input.TypeName} is not valid.`, 400);
    }
    const all = SCHEMA.filter(([name]) => input.TypeName === undefined || name === input.TypeName)
      .filter(([name]) => !input.SubType || name === "AWS:WindowsRegistry" || name === "AWS:File")
      .map(([TypeName, Version, attrs]) => ({ TypeName, Version, Attributes: attrs.map(([Name, DataType]) => ({ Name, DataType })) }));
    const { page, NextToken } = pageOf(all, input.MaxResults ?? 50, input.NextToken);
    return { Schemas: page, ...(NextToken ? { NextToken } : {}) };
  },
  async DeleteInventory(input) {
    throw new AwsError("InvalidTypeNameException", `The inventory type ${input.TypeName} doesn't exist: only custom inventory types you put can be deleted.`, 400);
  },
  async DescribeInventoryDeletions(input) {
    if (input.DeletionId !== undefined) throw new AwsError("InvalidDeletionIdException", `The deletion ID ${input.DeletionId} is not valid.`, 400);
    return { InventoryDeletions: [] };
  },

  async PutComplianceItems(input) {
    throw new AwsError("InvalidResourceId", `The resource ${input.ResourceId} of type ${input.ResourceType} is not a managed node.`, 400);
  },
  async ListComplianceItems() {
    return { ComplianceItems: [] };
  },
  async ListComplianceSummaries() {
    return { ComplianceSummaryItems: [] };
  },
  async ListResourceComplianceSummaries() {
    return { ResourceComplianceSummaryItems: [] };
  },
};
