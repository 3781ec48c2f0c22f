/**
 * The patch catalog (issue 17): DescribeAvailablePatches (Windows and Linux filters, pages),
 * DescribePatchProperties, and DescribeEffectivePatchesForPatchBaseline applying a baseline's
 * global filters, approval rules (ApproveAfterDays on the clock, ApproveUntilDate) and explicit
 * approved/rejected patches.
 */
import { describe, expect, it } from "vitest";
import * as S from "@aws-sdk/client-ssm";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

const DAY = 24 * 3600_000;
const clock = createManualClock(Date.UTC(2024, 0, 12));
const ssm = new S.SSMClient(inProcess(createEmulator({ store: createMemoryStore(), clock })));

describe("DescribeAvailablePatches", () => {
  it("Windows OS patches by default, newest first, filtered and paged", async () => {
    const all = await ssm.send(new S.DescribeAvailablePatchesCommand({}));
    expect(all.Patches!.map((p) => p.KbNumber).sort()).toEqual(["KB5034119", "KB5034127", "KB5034129", "KB5034439", "KB890830"]);
    // Not yet released on the clock's date (2024-01-12): not in the catalog.
    expect(all.Patches!.map((p) => p.KbNumber)).not.toContain("KB5035857");
    expect(all.Patches!.every((p) => p.Vendor === "Microsoft" && p.KbNumber!.startsWith("KB"))).toBe(true);
    expect(all.Patches!.some((p) => p.ProductFamily === "Office")).toBe(false);
    const dates = all.Patches!.map((p) => p.ReleaseDate!.getTime());
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);

    const critical2022 = await ssm.send(new S.DescribeAvailablePatchesCommand({ Filters: [
      { Key: "PRODUCT", Values: ["WindowsServer2022"] }, { Key: "MSRC_SEVERITY", Values: ["Critical"] },
    ] }));
    expect(critical2022.Patches!.map((p) => p.KbNumber)).toEqual(["KB5034129"]);
    expect(critical2022.Patches![0]).toMatchObject({
      Title: "2024-01 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5034129)",
      Classification: "SecurityUpdates", Product: "WindowsServer2022", ProductFamily: "Windows", ContentUrl: "https://support.microsoft.com/help/5034129",
      ReleaseDate: new Date("2024-01-09T00:00:00Z"),
    });
    expect(critical2022.Patches![0].Id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const office = await ssm.send(new S.DescribeAvailablePatchesCommand({ Filters: [{ Key: "PATCH_SET", Values: ["APPLICATION"] }] }));
    expect(office.Patches!.map((p) => p.Product)).toEqual(["Office 2016", "Office 2016"]);
    const byKb = await ssm.send(new S.DescribeAvailablePatchesCommand({ Filters: [{ Key: "PATCH_ID", Values: ["KB890830"] }] }));
    expect(byKb.Patches!.map((p) => p.Title)).toEqual(["Windows Malicious Software Removal Tool x64 - v5.120 (KB890830)"]);

    const first = await ssm.send(new S.DescribeAvailablePatchesCommand({ MaxResults: 2 }));
    const second = await ssm.send(new S.DescribeAvailablePatchesCommand({ MaxResults: 2, NextToken: first.NextToken }));
    expect([...first.Patches!, ...second.Patches!].map((p) => p.Id)).toEqual(all.Patches!.slice(0, 4).map((p) => p.Id));
  });

  it("Linux patches need a PRODUCT filter (AWS's rule); NAME, CVE_ID, SEVERITY filter them", async () => {
    expect((await error(ssm.send(new S.DescribeAvailablePatchesCommand({ Filters: [{ Key: "CVE_ID", Values: ["CVE-2021-3156"] }] })))).name).toBe("ValidationException");
    const sudo = await ssm.send(new S.DescribeAvailablePatchesCommand({ Filters: [{ Key: "PRODUCT", Values: ["AmazonLinux2"] }, { Key: "CVE_ID", Values: ["CVE-2021-3156"] }] }));
    expect(sudo.Patches).toEqual([expect.objectContaining({
      Id: "sudo.x86_64:0:1.8.23-10.amzn2.1", Name: "sudo", Epoch: 0, Version: "1.8.23", Release: "10.amzn2.1", Arch: "x86_64",
      Classification: "Security", Severity: "Important", AdvisoryIds: ["ALAS2-2021-1590"], CVEIds: ["CVE-2021-3156"], Product: "AmazonLinux2",
    })]);
    const al1 = await ssm.send(new S.DescribeAvailablePatchesCommand({ Filters: [{ Key: "PRODUCT", Values: ["AmazonLinux2018.03"] }, { Key: "NAME", Values: ["openssl"] }] }));
    expect(al1.Patches!.map((p) => p.Release)).toEqual(["16.161.amzn1"]);
    const important = await ssm.send(new S.DescribeAvailablePatchesCommand({ Filters: [{ Key: "PRODUCT", Values: ["AmazonLinux2.0"] }, { Key: "SEVERITY", Values: ["Important"] }] }));
    // The kernel updates of February 2024 are not released yet on the clock (2024-01-12).
    expect(important.Patches!.map((p) => p.Name)).toEqual(["openssl", "sudo"]);
  });
});

describe("DescribePatchProperties", () => {
  it("answers each operating system's vocabulary", async () => {
    const products = await ssm.send(new S.DescribePatchPropertiesCommand({ OperatingSystem: "WINDOWS", Property: "PRODUCT" }));
    expect(products.Properties).toContainEqual({ Name: "WindowsServer2022" });
    const severities = await ssm.send(new S.DescribePatchPropertiesCommand({ OperatingSystem: "AMAZON_LINUX_2", Property: "SEVERITY" }));
    expect(severities.Properties).toEqual([{ Name: "Critical" }, { Name: "Important" }, { Name: "Medium" }, { Name: "Low" }]);
    const office = await ssm.send(new S.DescribePatchPropertiesCommand({ OperatingSystem: "WINDOWS", Property: "PRODUCT_FAMILY", PatchSet: "APPLICATION" }));
    expect(office.Properties).toContainEqual({ Name: "Office" });
    const paged = await ssm.send(new S.DescribePatchPropertiesCommand({ OperatingSystem: "WINDOWS", Property: "CLASSIFICATION", MaxResults: 4 }));
    expect(paged.Properties).toHaveLength(4);
    expect(paged.NextToken).toBeDefined();
  });
});

describe("DescribeEffectivePatchesForPatchBaseline", () => {
  it("applies approval rules on the clock, global filters, and explicit approvals and rejections", async () => {
    const { BaselineId } = await ssm.send(new S.CreatePatchBaselineCommand({
      Name: "win-critical", OperatingSystem: "WINDOWS",
      GlobalFilters: { PatchFilters: [{ Key: "PRODUCT", Values: ["WindowsServer2022"] }] },
      ApprovalRules: { PatchRules: [{
        PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION", Values: ["SecurityUpdates"] }, { Key: "MSRC_SEVERITY", Values: ["Critical", "Important"] }] },
        ApproveAfterDays: 7, ComplianceLevel: "CRITICAL",
      }] },
      ApprovedPatches: ["KB890830"], ApprovedPatchesComplianceLevel: "LOW",
      RejectedPatches: ["KB5034439"],
    }));
    const effective = async () => {
      const out = await ssm.send(new S.DescribeEffectivePatchesForPatchBaselineCommand({ BaselineId }));
      return Object.fromEntries(out.EffectivePatches!.map((e) => [e.Patch!.KbNumber, [e.PatchStatus!.DeploymentStatus, e.PatchStatus!.ComplianceLevel, e.PatchStatus!.ApprovalDate?.toISOString().slice(0, 10)]]));
    };
    // 2024-01-12: the January update is 3 days old, approved after 7.
    expect(await effective()).toEqual({
      KB5034129: ["PENDING_APPROVAL", "CRITICAL", "2024-01-16"],
      KB5034439: ["EXPLICIT_REJECTED", "UNSPECIFIED", undefined],
      KB890830: ["EXPLICIT_APPROVED", "LOW", "2024-01-09"],
    });
    await clock.advance(5 * DAY);
    expect((await effective()).KB5034129[0]).toBe("APPROVED");
    await clock.advance(60 * DAY); // 2024-03-17
    expect(await effective()).toMatchObject({ KB5035857: ["PENDING_APPROVAL", "CRITICAL", "2024-03-19"] });
    await clock.advance(2 * DAY);
    expect(await effective()).toMatchObject({ KB5035857: ["APPROVED", "CRITICAL", "2024-03-19"] });

    const until = await ssm.send(new S.CreatePatchBaselineCommand({
      Name: "win-until", OperatingSystem: "WINDOWS",
      ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "PRODUCT", Values: ["*"] }, { Key: "CLASSIFICATION", Values: ["SecurityUpdates"] }] }, ApproveUntilDate: "2024-01-31" }] },
    }));
    const got = await ssm.send(new S.DescribeEffectivePatchesForPatchBaselineCommand({ BaselineId: until.BaselineId, MaxResults: 2 }));
    expect(got.EffectivePatches).toHaveLength(2);
    expect(got.NextToken).toBeDefined();
    const rest = await ssm.send(new S.DescribeEffectivePatchesForPatchBaselineCommand({ BaselineId: until.BaselineId, NextToken: got.NextToken }));
    const kbs = [...got.EffectivePatches!, ...rest.EffectivePatches!].map((e) => e.Patch!.KbNumber).sort();
    expect(kbs).toEqual(["KB5034119", "KB5034127", "KB5034129", "KB5034439"]);
  });

  it("the predefined Windows baseline; Linux baselines are UnsupportedOperatingSystem; unknown ids", async () => {
    const { BaselineId } = await ssm.send(new S.GetDefaultPatchBaselineCommand({ OperatingSystem: "WINDOWS" }));
    const got = await ssm.send(new S.DescribeEffectivePatchesForPatchBaselineCommand({ BaselineId }));
    // AWS-DefaultPatchBaseline: critical and security updates of Critical/Important severity, after 7 days (now 2024-03-19).
    expect(Object.fromEntries(got.EffectivePatches!.map((e) => [e.Patch!.KbNumber, e.PatchStatus!.DeploymentStatus]))).toEqual({
      KB5035857: "APPROVED", KB5034768: "APPROVED", KB5034129: "APPROVED", KB5034127: "APPROVED", KB5034119: "APPROVED", KB5034439: "APPROVED",
    });
    const linux = await ssm.send(new S.GetDefaultPatchBaselineCommand({ OperatingSystem: "AMAZON_LINUX_2" }));
    expect((await error(ssm.send(new S.DescribeEffectivePatchesForPatchBaselineCommand({ BaselineId: linux.BaselineId })))).name).toBe("UnsupportedOperatingSystem");
    expect((await error(ssm.send(new S.DescribeEffectivePatchesForPatchBaselineCommand({ BaselineId: "pb-0123456789abcdef0" })))).name).toBe("DoesNotExistException");
    expect((await error(ssm.send(new S.DescribeEffectivePatchesForPatchBaselineCommand({ BaselineId: "nope-baseline" })))).name).toBe("ValidationException");
    expect((await error(ssm.send(new S.DescribeEffectivePatchesForPatchBaselineCommand({ BaselineId: "not-a-patch-baseline-id" })))).name).toBe("InvalidResourceId");
  });
});
