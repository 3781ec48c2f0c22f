/**
 * The patch catalog, as data: a small sample of patch records for Windows Server (OS and
 * APPLICATION patch sets), Amazon Linux (2018.03) and Amazon Linux 2, with AWS's `Patch` fields
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Patch.html) — Windows:
 * KbNumber, MsrcNumber, MsrcSeverity, Product, ProductFamily, Classification; Linux: Name, Epoch,
 * Version, Release, Arch, Repository, Severity, Classification, AdvisoryIds, CVEIds, BugzillaIds.
 *
 * The records follow Microsoft's and Amazon Linux's published updates (KB numbers, release dates,
 * CVE ids, package versions); Windows patch `Id`s are GUIDs fetchstack derives from the KB number
 * (AWS uses the WSUS update id, which is not public), and AWS's live catalog holds thousands of
 * records, updated daily. Also the property vocabularies DescribePatchProperties answers per
 * operating system.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

export interface CatalogPatch {
  Id: string;
  ReleaseDate: number;
  Title: string;
  Description?: string;
  ContentUrl?: string;
  Vendor: string;
  ProductFamily: string;
  Product: string;
  Classification: string;
  MsrcSeverity?: string;
  KbNumber?: string;
  MsrcNumber?: string;
  Language?: string;
  Severity?: string;
  Name?: string;
  Epoch?: number;
  Version?: string;
  Release?: string;
  Arch?: string;
  Repository?: string;
  AdvisoryIds?: string[];
  BugzillaIds?: string[];
  CVEIds?: string[];
  /** Windows: `OS` or `APPLICATION`. */
  patchSet?: "OS" | "APPLICATION";
  /** The operating system the patch is for (an OperatingSystem enum value). */
  os: string;
}

function guid(seed: string): string {
  const h = bytesToHex(sha256(new TextEncoder().encode(seed)));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

type WinRow = [kb: string, date: string, product: string, family: string, classification: string, severity: string, title: string, set?: "APPLICATION"];

const WINDOWS: WinRow[] = [
  ["KB5034129", "2024-01-09", "WindowsServer2022", "Windows", "SecurityUpdates", "Critical", "2024-01 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5034129)"],
  ["KB5034127", "2024-01-09", "WindowsServer2019", "Windows", "SecurityUpdates", "Critical", "2024-01 Cumulative Update for Windows Server 2019 for x64-based Systems (KB5034127)"],
  ["KB5034119", "2024-01-09", "WindowsServer2016", "Windows", "SecurityUpdates", "Critical", "2024-01 Cumulative Update for Windows Server 2016 for x64-based Systems (KB5034119)"],
  ["KB5034439", "2024-01-09", "WindowsServer2022", "Windows", "SecurityUpdates", "Important", "2024-01 Security Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5034439)"],
  ["KB5034768", "2024-02-13", "WindowsServer2019", "Windows", "SecurityUpdates", "Critical", "2024-02 Cumulative Update for Windows Server 2019 for x64-based Systems (KB5034768)"],
  ["KB5035857", "2024-03-12", "WindowsServer2022", "Windows", "SecurityUpdates", "Critical", "2024-03 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5035857)"],
  ["KB5034612", "2024-01-23", "WindowsServer2022", "Windows", "Updates", "Unspecified", "2024-01 Cumulative Update for .NET Framework 3.5, 4.8 and 4.8.1 for Microsoft server operating system version 21H2 for x64 (KB5034612)"],
  ["KB890830", "2024-01-09", "WindowsServer2019", "Windows", "UpdateRollups", "Unspecified", "Windows Malicious Software Removal Tool x64 - v5.120 (KB890830)"],
  ["KB4052623", "2024-01-16", "MicrosoftDefenderAntivirus", "Windows", "DefinitionUpdates", "Unspecified", "Update for Microsoft Defender Antivirus antimalware platform - KB4052623 (Version 4.18.23110.3)"],
  ["KB5002537", "2024-01-09", "Office 2016", "Office", "SecurityUpdates", "Important", "Security Update for Microsoft Office 2016 (KB5002537) 64-Bit Edition", "APPLICATION"],
  ["KB5002522", "2023-12-12", "Office 2016", "Office", "SecurityUpdates", "Important", "Security Update for Microsoft Excel 2016 (KB5002522) 64-Bit Edition", "APPLICATION"],
];

type LinuxRow = [name: string, epoch: number, version: string, release: string, arch: string, date: string, classification: string, severity: string, advisory: string, cves: string[], product: string];

const LINUX: LinuxRow[] = [
  ["kernel", 0, "5.10.209", "198.858.amzn2", "x86_64", "2024-02-15", "Security", "Important", "ALAS2KERNEL-5.10-2024-048", ["CVE-2024-1086", "CVE-2023-6817"], "AmazonLinux2"],
  ["kernel", 0, "4.14.336", "257.566.amzn2", "x86_64", "2024-02-15", "Security", "Important", "ALAS2-2024-2456", ["CVE-2024-1086"], "AmazonLinux2"],
  ["openssl", 1, "1.0.2k", "24.amzn2.0.10", "x86_64", "2023-02-16", "Security", "Important", "ALAS2-2023-1952", ["CVE-2023-0286", "CVE-2023-0215", "CVE-2022-4304"], "AmazonLinux2"],
  ["sudo", 0, "1.8.23", "10.amzn2.1", "x86_64", "2021-01-26", "Security", "Important", "ALAS2-2021-1590", ["CVE-2021-3156"], "AmazonLinux2"],
  ["curl", 0, "8.3.0", "1.amzn2.0.5", "x86_64", "2023-10-11", "Security", "Critical", "ALAS2-2023-2287", ["CVE-2023-38545", "CVE-2023-38546"], "AmazonLinux2"],
  ["glibc", 0, "2.26", "64.amzn2.0.1", "x86_64", "2023-10-04", "Bugfix", "Medium", "ALAS2-2023-2274", [], "AmazonLinux2"],
  ["systemd", 0, "219", "78.amzn2.0.22", "x86_64", "2023-03-09", "Security", "Low", "ALAS2-2023-1978", ["CVE-2022-4415"], "AmazonLinux2"],
  ["python3", 0, "3.7.16", "1.amzn2.0.4", "x86_64", "2023-08-21", "Enhancement", "Low", "ALAS2-2023-2205", [], "AmazonLinux2"],
  ["openssl", 1, "1.0.2k", "16.161.amzn1", "x86_64", "2023-02-16", "Security", "Important", "ALAS-2023-1681", ["CVE-2023-0286"], "AmazonLinux2018.03"],
  ["sudo", 0, "1.8.23", "10.56.amzn1", "x86_64", "2021-01-26", "Security", "Important", "ALAS-2021-1478", ["CVE-2021-3156"], "AmazonLinux2018.03"],
];

const OS_OF_PRODUCT: Record<string, string> = { AmazonLinux2: "AMAZON_LINUX_2", "AmazonLinux2018.03": "AMAZON_LINUX" };

export const CATALOG: CatalogPatch[] = [
  ...WINDOWS.map(([kb, date, product, family, classification, severity, title, set]): CatalogPatch => ({
    Id: guid(kb), ReleaseDate: day(date), Title: title, Description: `Install this update to resolve issues in ${product}. (${kb})`,
    ContentUrl: `https://support.microsoft.com/help/${kb.slice(2)}`, Vendor: "Microsoft", ProductFamily: family, Product: product,
    Classification: classification, MsrcSeverity: severity, KbNumber: kb, MsrcNumber: "", Language: "All", patchSet: set ?? "OS", os: "WINDOWS",
  })),
  ...LINUX.map(([name, epoch, version, release, arch, date, classification, severity, advisory, cves, product]): CatalogPatch => ({
    Id: `${name}.${arch}:${epoch}:${version}-${release}`, ReleaseDate: day(date), Title: `${name}-${version}-${release}.${arch}`,
    Description: `${name} package update (${advisory})`, ContentUrl: `https://alas.aws.amazon.com/${product === "AmazonLinux2" ? "AL2/" : ""}${advisory}.html`,
    Vendor: "Amazon Linux", ProductFamily: "AmazonLinux", Product: product, Classification: classification, Severity: severity,
    Name: name, Epoch: epoch, Version: version, Release: release, Arch: arch, Repository: product === "AmazonLinux2" ? "amzn2-core" : "amzn-updates",
    AdvisoryIds: [advisory], BugzillaIds: [], CVEIds: cves, os: OS_OF_PRODUCT[product],
  })),
];

/** A patch's value for a filter key (several for lists), as baselines and DescribeAvailablePatches filter. */
export function patchValues(p: CatalogPatch, key: string): string[] {
  switch (key) {
    case "PRODUCT": return [p.Product];
    case "PRODUCT_FAMILY": return [p.ProductFamily];
    case "CLASSIFICATION": return [p.Classification];
    case "MSRC_SEVERITY": return p.MsrcSeverity !== undefined ? [p.MsrcSeverity] : [];
    case "SEVERITY": return p.Severity !== undefined ? [p.Severity] : [];
    case "PATCH_SET": return p.patchSet ? [p.patchSet] : [];
    case "PATCH_ID": return [p.Id, ...(p.KbNumber ? [p.KbNumber] : [])];
    case "NAME": return p.Name !== undefined ? [p.Name] : [];
    case "EPOCH": return p.Epoch !== undefined ? [String(p.Epoch)] : [];
    case "VERSION": return p.Version !== undefined ? [p.Version] : [];
    case "RELEASE": return p.Release !== undefined ? [p.Release] : [];
    case "ARCH": return p.Arch !== undefined ? [p.Arch] : [];
    case "REPOSITORY": return p.Repository !== undefined ? [p.Repository] : [];
    case "ADVISORY_ID": return p.AdvisoryIds ?? [];
    case "BUGZILLA_ID": return p.BugzillaIds ?? [];
    case "CVE_ID": return p.CVEIds ?? [];
    default: return [];
  }
}

/** DescribePatchProperties' vocabularies: operating system → property → values (AWS's lists). */
const WINDOWS_PRODUCTS = ["WindowsServer2008", "WindowsServer2008R2", "WindowsServer2012", "WindowsServer2012R2", "WindowsServer2016", "WindowsServer2019", "WindowsServer2022", "WindowsServer2025", "MicrosoftDefenderAntivirus"];
const WINDOWS_CLASSIFICATIONS = ["CriticalUpdates", "DefinitionUpdates", "Drivers", "FeaturePacks", "SecurityUpdates", "ServicePacks", "Tools", "UpdateRollups", "Updates", "Upgrades"];
const LINUX_CLASSIFICATIONS = ["Security", "Bugfix", "Enhancement", "Recommended", "Newpackage"];
const LINUX_SEVERITIES = ["Critical", "Important", "Medium", "Low"];

export const PROPERTIES: Record<string, Record<string, string[]>> = {
  WINDOWS: { PRODUCT: WINDOWS_PRODUCTS, PRODUCT_FAMILY: ["Windows"], CLASSIFICATION: WINDOWS_CLASSIFICATIONS, MSRC_SEVERITY: ["Critical", "Important", "Moderate", "Low", "Unspecified"] },
  AMAZON_LINUX: { PRODUCT: ["AmazonLinux2012.03", "AmazonLinux2013.03", "AmazonLinux2014.03", "AmazonLinux2014.09", "AmazonLinux2015.03", "AmazonLinux2015.09", "AmazonLinux2016.03", "AmazonLinux2016.09", "AmazonLinux2017.03", "AmazonLinux2017.09", "AmazonLinux2018.03"], CLASSIFICATION: LINUX_CLASSIFICATIONS, SEVERITY: LINUX_SEVERITIES },
  AMAZON_LINUX_2: { PRODUCT: ["AmazonLinux2", "AmazonLinux2.0"], CLASSIFICATION: LINUX_CLASSIFICATIONS, SEVERITY: LINUX_SEVERITIES },
  AMAZON_LINUX_2023: { PRODUCT: ["AmazonLinux2023"], CLASSIFICATION: LINUX_CLASSIFICATIONS, SEVERITY: LINUX_SEVERITIES },
  REDHAT_ENTERPRISE_LINUX: { PRODUCT: ["RedhatEnterpriseLinux7", "RedhatEnterpriseLinux8", "RedhatEnterpriseLinux9"], CLASSIFICATION: LINUX_CLASSIFICATIONS, SEVERITY: LINUX_SEVERITIES },
  UBUNTU: { PRODUCT: ["Ubuntu18.04", "Ubuntu20.04", "Ubuntu22.04", "Ubuntu24.04"], PRIORITY: ["Required", "Important", "Standard", "Optional", "Extra"] },
  DEBIAN: { PRODUCT: ["Debian10", "Debian11", "Debian12"], PRIORITY: ["Required", "Important", "Standard", "Optional", "Extra"] },
};

/** Windows APPLICATION patch set vocabularies (DescribePatchProperties with PatchSet APPLICATION). */
export const APPLICATION_PROPERTIES: Record<string, string[]> = {
  PRODUCT: ["Office 2010", "Office 2013", "Office 2016", "Office 2019", "Microsoft 365 Apps", "Active Directory", "SQL Server 2016", "SQL Server 2019"],
  PRODUCT_FAMILY: ["Office", "Active Directory", "SQL Server"],
  CLASSIFICATION: WINDOWS_CLASSIFICATIONS,
  MSRC_SEVERITY: ["Critical", "Important", "Moderate", "Low", "Unspecified"],
};
