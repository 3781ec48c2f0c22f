/**
 * GetOpsSummary over OpsItems (issue 17): items as AWS:OpsItem entities, filters
 * (<TypeName>.<Attribute> with Equal/NotEqual/BeginWith/LessThan/GreaterThan/Exists), count and
 * sum aggregators (nested), paging, and AWS's errors.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as S from "@aws-sdk/client-ssm";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

const ssm = new S.SSMClient(inProcess(createEmulator({ store: createMemoryStore() })));
const ids: string[] = [];

beforeAll(async () => {
  for (const [Title, Source, Severity, Priority] of [["disk", "EC2", "1", 1], ["cpu", "EC2", "2", 2], ["queue", "SQS", "2", 3]] as const) {
    ids.push((await ssm.send(new S.CreateOpsItemCommand({ Title, Source, Severity, Priority, Description: Title }))).OpsItemId!);
  }
  await ssm.send(new S.UpdateOpsItemCommand({ OpsItemId: ids[2], Status: "Resolved" }));
});

describe("GetOpsSummary", () => {
  it("lists every OpsItem as an AWS:OpsItem entity; filters select them", async () => {
    const all = await ssm.send(new S.GetOpsSummaryCommand({}));
    expect(all.Entities!.map((e) => e.Id).sort()).toEqual([...ids].sort());
    const disk = all.Entities!.find((e) => e.Id === ids[0])!;
    expect(disk.Data!["AWS:OpsItem"].Content![0]).toMatchObject({ OpsItemId: ids[0], Title: "disk", Source: "EC2", Status: "Open", Severity: "1", Priority: "1" });
    const open = await ssm.send(new S.GetOpsSummaryCommand({ Filters: [{ Key: "AWS:OpsItem.Status", Values: ["Open"], Type: "Equal" }] }));
    expect(open.Entities!.map((e) => e.Id).sort()).toEqual([ids[0], ids[1]].sort());
    const notEc2 = await ssm.send(new S.GetOpsSummaryCommand({ Filters: [{ Key: "AWS:OpsItem.Source", Values: ["EC2"], Type: "NotEqual" }] }));
    expect(notEc2.Entities!.map((e) => e.Id)).toEqual([ids[2]]);
    const urgent = await ssm.send(new S.GetOpsSummaryCommand({ Filters: [{ Key: "AWS:OpsItem.Priority", Values: ["3"], Type: "LessThan" }, { Key: "AWS:OpsItem.Title", Values: ["d"], Type: "BeginWith" }] }));
    expect(urgent.Entities!.map((e) => e.Id)).toEqual([ids[0]]);
    const page = await ssm.send(new S.GetOpsSummaryCommand({ MaxResults: 2 }));
    const rest = await ssm.send(new S.GetOpsSummaryCommand({ MaxResults: 2, NextToken: page.NextToken }));
    expect([...page.Entities!, ...rest.Entities!].map((e) => e.Id)).toEqual(all.Entities!.map((e) => e.Id));
  });

  it("count and sum aggregators, nested, with aggregator filters", async () => {
    const bySource = await ssm.send(new S.GetOpsSummaryCommand({ Aggregators: [{ AggregatorType: "count", TypeName: "AWS:OpsItem", AttributeName: "Source" }] }));
    expect(bySource.Entities).toEqual([
      { Id: "EC2", Data: { "AWS:OpsItem": { Content: [{ Source: "EC2", Count: "2" }] } } },
      { Id: "SQS", Data: { "AWS:OpsItem": { Content: [{ Source: "SQS", Count: "1" }] } } },
    ]);
    const nested = await ssm.send(new S.GetOpsSummaryCommand({ Aggregators: [{ TypeName: "AWS:OpsItem", AttributeName: "Severity", Aggregators: [{ AttributeName: "Status" }] }] }));
    expect(nested.Entities!.map((e) => e.Data!["AWS:OpsItem"].Content![0])).toEqual([
      { Severity: "1", Status: "Open", Count: "1" }, { Severity: "2", Status: "Open", Count: "1" }, { Severity: "2", Status: "Resolved", Count: "1" },
    ]);
    const summed = await ssm.send(new S.GetOpsSummaryCommand({ Aggregators: [{ AggregatorType: "sum", TypeName: "AWS:OpsItem", AttributeName: "Priority", Filters: [{ Key: "AWS:OpsItem.Source", Values: ["EC2"] }] }] }));
    expect(summed.Entities!.map((e) => e.Data!["AWS:OpsItem"].Content![0])).toEqual([{ Priority: "1", Sum: "1" }, { Priority: "2", Sum: "2" }]);
  });

  it("AWS's errors", async () => {
    expect((await error(ssm.send(new S.GetOpsSummaryCommand({ Filters: [{ Key: "AWS:Nope.Status", Values: ["x"] }] })))).name).toBe("InvalidTypeNameException");
    expect((await error(ssm.send(new S.GetOpsSummaryCommand({ Filters: [{ Key: "Status", Values: ["x"] }] })))).name).toBe("InvalidFilter");
    expect((await error(ssm.send(new S.GetOpsSummaryCommand({ Aggregators: [{ TypeName: "AWS:OpsItem", AttributeName: "Color" }] })))).name).toBe("InvalidAggregatorException");
    expect((await error(ssm.send(new S.GetOpsSummaryCommand({ SyncName: "none" })))).name).toBe("ResourceDataSyncNotFoundException");
    expect((await error(ssm.send(new S.GetOpsSummaryCommand({ NextToken: "garbage" })))).name).toBe("InvalidNextToken");
  });
});
