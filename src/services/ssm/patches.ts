/**
 * The patch catalog's operations: DescribeAvailablePatches, DescribePatchProperties and
 * DescribeEffectivePatchesForPatchBaseline, over the sample catalog of patch-catalog.ts.
 *
 * - DescribeAvailablePatches: Windows patches unless a `PRODUCT` filter names Linux products
 *   (Amazon Linux 2018.03, Amazon Linux 2); Windows keys PATCH_SET (default OS), PRODUCT,
 *   PRODUCT_FAMILY, MSRC_SEVERITY, CLASSIFICATION, PATCH_ID; Linux keys PRODUCT, NAME,
 *   CLASSIFICATION, SEVERITY, EPOCH, VERSION, RELEASE, ARCH, REPOSITORY, ADVISORY_ID,
 *   BUGZILLA_ID, CVE_ID, which need a PRODUCT filter (AWS's rule). Newest first, pages of 50.
 * - DescribeEffectivePatchesForPatchBaseline (Windows baselines only, else
 *   `UnsupportedOperatingSystem`): every catalog patch the baseline names — `EXPLICIT_REJECTED`
 *   (RejectedPatches), `EXPLICIT_APPROVED` (ApprovedPatches, with ApprovedPatchesComplianceLevel),
 *   or matched by GlobalFilters and an approval rule: `APPROVED` once ReleaseDate +
 *   ApproveAfterDays (or a release on or before ApproveUntilDate) is reached on the clock, else
 *   `PENDING_APPROVAL`, with that rule's ComplianceLevel and ApprovalDate. Filter values `*`
 *   match anything; without a PATCH_SET filter only OS patches match.
 * - The catalog holds a patch from its ReleaseDate on (on the injectable clock).
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeAvailablePatches.html,
 * API_DescribePatchProperties.html, API_DescribeEffectivePatchesForPatchBaseline.html and
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-approved-rejected-package-name-formats.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handlers } from "../types.ts";
import type { Operations, Patch, PatchComplianceLevel } from "../../generated/ssm.ts";
import { APPLICATION_PROPERTIES, CATALOG, PROPERTIES, patchValues, type CatalogPatch } from "./patch-catalog.ts";
import { loadBaseline, type Baseline } from "./patch-baselines.ts";
import { doesNotExist, pageOf, validation } from "./paging.ts";

const DAY = 24 * 3600_000;
const WINDOWS_KEYS = ["PATCH_SET", "PRODUCT", "PRODUCT_FAMILY", "MSRC_SEVERITY", "CLASSIFICATION", "PATCH_ID"];
const LINUX_KEYS = ["PRODUCT", "NAME", "CLASSIFICATION", "SEVERITY", "EPOCH", "VERSION", "RELEASE", "ARCH", "REPOSITORY", "ADVISORY_ID", "BUGZILLA_ID", "CVE_ID"];
const LINUX_PRODUCTS = new Set([...PROPERTIES.AMAZON_LINUX.PRODUCT, ...PROPERTIES.AMAZON_LINUX_2.PRODUCT]);

interface Filter {
  Key?: string;
  Values?: string[];
}

/** The Patch shape of a catalog record (internal fields dropped). */
export function patchView(p: CatalogPatch): Patch {
  const { patchSet: _, os: __, ReleaseDate, ...rest } = p;
  return { ...rest, ReleaseDate: new Date(ReleaseDate) };
}

const matches = (p: CatalogPatch, f: Filter) => (f.Values ?? []).some((v) => v === "*" || patchValues(p, f.Key ?? "").includes(v));

/** AL2's `AmazonLinux2.0` product name is the same product as `AmazonLinux2`. */
const linuxProduct = (v: string) => (v === "AmazonLinux2.0" ? "AmazonLinux2" : v);

interface Approval {
  status: "APPROVED" | "PENDING_APPROVAL" | "EXPLICIT_APPROVED" | "EXPLICIT_REJECTED";
  level: PatchComplianceLevel;
  date?: number;
}

function named(list: string[] | undefined, p: CatalogPatch): boolean {
  return (list ?? []).some((n) => n === p.Id || n === p.KbNumber || n === p.Name);
}

function groupMatches(p: CatalogPatch, filters: Filter[]): boolean {
  // Windows: without a PATCH_SET filter only OS patches are in scope.
  if (p.os === "WINDOWS" && !filters.some((f) => f.Key === "PATCH_SET") && p.patchSet !== "OS") return false;
  return filters.every((f) => matches(p, f));
}

/** How the baseline treats one patch on `now`, or null when it does not name it. */
function approval(b: Baseline, p: CatalogPatch, now: number): Approval | null {
  if (named(b.RejectedPatches, p)) return { status: "EXPLICIT_REJECTED", level: "UNSPECIFIED" };
  if (named(b.ApprovedPatches, p)) return { status: "EXPLICIT_APPROVED", level: (b.ApprovedPatchesComplianceLevel ?? "UNSPECIFIED") as PatchComplianceLevel, date: p.ReleaseDate };
  if (!groupMatches(p, b.GlobalFilters?.PatchFilters ?? []) && (b.GlobalFilters?.PatchFilters ?? []).length) return null;
  let best: Approval | null = null;
  for (const rule of (b.ApprovalRules?.PatchRules ?? []) as { PatchFilterGroup?: { PatchFilters?: Filter[] }; ComplianceLevel?: string; ApproveAfterDays?: number; ApproveUntilDate?: string }[]) {
    if (!groupMatches(p, rule.PatchFilterGroup?.PatchFilters ?? [])) continue;
    let date: number;
    if (rule.ApproveUntilDate !== undefined) {
      if (p.ReleaseDate > Date.parse(`${rule.ApproveUntilDate}T23:59:59Z`)) continue;
      date = p.ReleaseDate;
    } else date = p.ReleaseDate + (rule.ApproveAfterDays ?? 0) * DAY;
    if (!best || (best.date ?? Infinity) > date) best = { status: date <= now ? "APPROVED" : "PENDING_APPROVAL", level: (rule.ComplianceLevel ?? "UNSPECIFIED") as PatchComplianceLevel, date };
  }
  return best;
}

/** The catalog as of `now` on the clock: a patch exists from its release date. */
const released = (now: number) => CATALOG.filter((p) => p.ReleaseDate <= now);

export const patchHandlers: Handlers<Operations> = {
  async DescribeAvailablePatches(input, ctx) {
    const filters: Filter[] = input.Filters ?? [];
    const products = filters.filter((f) => f.Key === "PRODUCT").flatMap((f) => f.Values ?? []);
    const linux = products.length > 0 && products.every((v) => LINUX_PRODUCTS.has(v));
    const allowed = linux ? LINUX_KEYS : WINDOWS_KEYS;
    for (const f of filters) {
      if (!allowed.includes(f.Key ?? "")) {
        if (!linux && LINUX_KEYS.includes(f.Key ?? "")) throw validation(`When specifying filters for Linux patches, you must specify a key-pair for PRODUCT (a Linux product such as AmazonLinux2). Filter key: ${f.Key}`);
        throw validation(`Invalid filter key: ${f.Key}. Valid keys: ${allowed.join(", ")}.`);
      }
    }
    const patchSet = filters.find((f) => f.Key === "PATCH_SET")?.Values ?? ["OS"];
    const found = released(ctx.clock.now()).filter((p) => (linux ? p.os !== "WINDOWS" : p.os === "WINDOWS"))
      .filter((p) => linux || patchSet.includes(p.patchSet ?? "OS"))
      .filter((p) => filters.filter((f) => f.Key !== "PATCH_SET").every((f) =>
        f.Key === "PRODUCT" ? (f.Values ?? []).some((v) => linuxProduct(v) === p.Product) : matches(p, f)))
      .sort((a, b) => b.ReleaseDate - a.ReleaseDate || (a.Id < b.Id ? -1 : 1));
    const { page, NextToken } = pageOf(found, input.MaxResults ?? 50, input.NextToken);
    return { Patches: page.map(patchView), ...(NextToken ? { NextToken } : {}) };
  },

  async DescribePatchProperties(input) {
    const os = input.OperatingSystem;
    const set = input.PatchSet ?? "OS";
    if (set === "APPLICATION" && os !== "WINDOWS") throw validation(`PatchSet APPLICATION is supported only for the WINDOWS operating system.`);
    const vocab = set === "APPLICATION" ? APPLICATION_PROPERTIES : PROPERTIES[os] ?? {};
    const values = vocab[input.Property] ?? [];
    const { page, NextToken } = pageOf(values.map((Name) => ({ Name })), input.MaxResults ?? 50, input.NextToken);
    return { Properties: page, ...(NextToken ? { NextToken } : {}) };
  },

  async DescribeEffectivePatchesForPatchBaseline(input, ctx) {
    if (!/^(arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:patchbaseline\/)?pb-[0-9a-f]{17}$/.test(input.BaselineId)) {
      throw new AwsError("InvalidResourceId", `The baseline ID ${input.BaselineId} is not valid.`, 400);
    }
    const b = await loadBaseline(ctx, input.BaselineId);
    if (!b) throw doesNotExist(`Patch Baseline ${input.BaselineId} does not exist.`);
    if (b.OperatingSystem !== "WINDOWS") {
      throw new AwsError("UnsupportedOperatingSystem", "The operating system you specified is not supported, or the operation is not supported for the operating system.", 400);
    }
    const now = ctx.clock.now();
    const effective = released(now).filter((p) => p.os === b.OperatingSystem)
      .map((p) => ({ p, a: approval(b, p, now) }))
      .filter((x): x is { p: CatalogPatch; a: Approval } => x.a !== null)
      .sort((x, y) => y.p.ReleaseDate - x.p.ReleaseDate || (x.p.Id < y.p.Id ? -1 : 1));
    const { page, NextToken } = pageOf(effective, input.MaxResults ?? 50, input.NextToken);
    return {
      EffectivePatches: page.map(({ p, a }) => ({
        Patch: patchView(p),
        PatchStatus: { DeploymentStatus: a.status, ComplianceLevel: a.level, ...(a.date !== undefined ? { ApprovalDate: new Date(a.date) } : {}) },
      })),
      ...(NextToken ? { NextToken } : {}),
    };
  },
};
