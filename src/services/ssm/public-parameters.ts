/**
 * SSM public parameters under `/aws/service/...`, as data: the global infrastructure tree
 * (`/aws/service/global-infrastructure/regions/<region>` with `longName`, `partition`, `domain`
 * and `services/<service>`; `/aws/service/global-infrastructure/services/<service>` with
 * `longName` and `regions/<region>`), the latest Amazon Linux 2 / 2023 AMIs
 * (`/aws/service/ami-amazon-linux-latest/...`), Ubuntu (`/aws/service/canonical/ubuntu/...`),
 * Windows Server (`/aws/service/ami-windows-latest/...`) and the ECS- and EKS-optimized AMIs.
 *
 * They read as AWS's do (GetParameter, GetParameters, GetParametersByPath): type `String`, ARN
 * `arn:<partition>:ssm:<region>::parameter/aws/service/...` (no account), Standard tier. They are
 * read-only and DescribeParameters does not list them. The AMI ids are **fixed data**, derived
 * from the parameter name and Region (`ami-` + 17 hex): they have AWS's form, not AWS's current
 * values, and never change. The service lists hold the services fetchstack knows and one name
 * per Region, not AWS's full, changing catalog.
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-public-parameters.html
 * (and parameter-store-public-parameters-ami.html, parameter-store-finding-public-parameters.html)
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { RequestContext } from "../types.ts";
import type { ParamRecord } from "./param-types.ts";

export const PUBLIC_PREFIX = "/aws/service/";
const MODIFIED = Date.UTC(2025, 0, 15);

/** Region code, long name (AWS's `longName` parameter values). */
const REGIONS: [string, string][] = [
  ["af-south-1", "Africa (Cape Town)"], ["ap-east-1", "Asia Pacific (Hong Kong)"], ["ap-northeast-1", "Asia Pacific (Tokyo)"],
  ["ap-northeast-2", "Asia Pacific (Seoul)"], ["ap-northeast-3", "Asia Pacific (Osaka)"], ["ap-south-1", "Asia Pacific (Mumbai)"],
  ["ap-south-2", "Asia Pacific (Hyderabad)"], ["ap-southeast-1", "Asia Pacific (Singapore)"], ["ap-southeast-2", "Asia Pacific (Sydney)"],
  ["ap-southeast-3", "Asia Pacific (Jakarta)"], ["ap-southeast-4", "Asia Pacific (Melbourne)"], ["ca-central-1", "Canada (Central)"],
  ["ca-west-1", "Canada West (Calgary)"], ["cn-north-1", "China (Beijing)"], ["cn-northwest-1", "China (Ningxia)"],
  ["eu-central-1", "Europe (Frankfurt)"], ["eu-central-2", "Europe (Zurich)"], ["eu-north-1", "Europe (Stockholm)"],
  ["eu-south-1", "Europe (Milan)"], ["eu-south-2", "Europe (Spain)"], ["eu-west-1", "Europe (Ireland)"], ["eu-west-2", "Europe (London)"],
  ["eu-west-3", "Europe (Paris)"], ["il-central-1", "Israel (Tel Aviv)"], ["me-central-1", "Middle East (UAE)"],
  ["me-south-1", "Middle East (Bahrain)"], ["sa-east-1", "South America (Sao Paulo)"], ["us-east-1", "US East (N. Virginia)"],
  ["us-east-2", "US East (Ohio)"], ["us-gov-east-1", "AWS GovCloud (US-East)"], ["us-gov-west-1", "AWS GovCloud (US-West)"],
  ["us-west-1", "US West (N. California)"], ["us-west-2", "US West (Oregon)"],
];

/** Service code, long name. */
const SERVICES: [string, string][] = [
  ["cloudwatch", "Amazon CloudWatch"], ["dynamodb", "Amazon DynamoDB"], ["ec2", "Amazon Elastic Compute Cloud (EC2)"],
  ["ecs", "Amazon Elastic Container Service (ECS)"], ["eks", "Amazon Elastic Kubernetes Service (EKS)"], ["events", "Amazon EventBridge"],
  ["firehose", "Amazon Data Firehose"], ["iam", "AWS Identity and Access Management (IAM)"], ["kinesis", "Amazon Kinesis Data Streams"],
  ["kms", "AWS Key Management Service"], ["lambda", "AWS Lambda"], ["logs", "Amazon CloudWatch Logs"], ["memorydb", "Amazon MemoryDB"],
  ["s3", "Amazon Simple Storage Service (S3)"], ["scheduler", "Amazon EventBridge Scheduler"], ["secretsmanager", "AWS Secrets Manager"],
  ["sns", "Amazon Simple Notification Service (SNS)"], ["sqs", "Amazon Simple Queue Service (SQS)"], ["ssm", "AWS Systems Manager"],
  ["stepfunctions", "AWS Step Functions"], ["sts", "AWS Security Token Service (STS)"],
];

/** AMI parameter names (values are fixed per Region, see the module comment). */
const AMI_PATHS = [
  ...["al2023-ami-kernel-default-x86_64", "al2023-ami-kernel-default-arm64", "al2023-ami-kernel-6.1-x86_64", "al2023-ami-kernel-6.1-arm64",
    "al2023-ami-minimal-kernel-default-x86_64", "al2023-ami-minimal-kernel-default-arm64", "amzn2-ami-hvm-x86_64-gp2", "amzn2-ami-hvm-arm64-gp2",
    "amzn2-ami-kernel-5.10-hvm-x86_64-gp2", "amzn2-ami-kernel-5.10-hvm-arm64-gp2", "amzn2-ami-hvm-x86_64-ebs", "amzn2-ami-minimal-hvm-x86_64-ebs",
  ].map((n) => `ami-amazon-linux-latest/${n}`),
  ...["20.04/stable/current/amd64/hvm/ebs-gp2", "20.04/stable/current/arm64/hvm/ebs-gp2", "22.04/stable/current/amd64/hvm/ebs-gp2",
    "22.04/stable/current/arm64/hvm/ebs-gp2", "24.04/stable/current/amd64/hvm/ebs-gp3", "24.04/stable/current/arm64/hvm/ebs-gp3",
  ].map((n) => `canonical/ubuntu/server/${n}/ami-id`),
  ...["Windows_Server-2016-English-Full-Base", "Windows_Server-2019-English-Full-Base", "Windows_Server-2019-English-Core-Base",
    "Windows_Server-2022-English-Full-Base", "Windows_Server-2022-English-Core-Base", "Windows_Server-2025-English-Full-Base",
  ].map((n) => `ami-windows-latest/${n}`),
  ...["amazon-linux-2", "amazon-linux-2/arm64", "amazon-linux-2023", "amazon-linux-2023/arm64"].map((n) => `ecs/optimized-ami/${n}/recommended/image_id`),
  ...["1.29", "1.30", "1.31"].flatMap((v) => [`eks/optimized-ami/${v}/amazon-linux-2/recommended/image_id`, `eks/optimized-ami/${v}/amazon-linux-2023/x86_64/standard/recommended/image_id`]),
];

export function amiIdFor(name: string, region: string): string {
  return `ami-0${bytesToHex(sha256(new TextEncoder().encode(`${name}@${region}`))).slice(0, 16)}`;
}

function record(name: string, value: string): ParamRecord {
  return {
    name,
    tags: [],
    versions: [{ version: 1, type: "String", value, tier: "Standard", policies: [], dataType: "text", labels: [], modifiedAt: MODIFIED, modifiedBy: "" }],
  };
}

function build(region: string): Map<string, ParamRecord> {
  const out = new Map<string, ParamRecord>();
  const add = (name: string, value: string) => out.set(name, record(name, value));
  const infra = `${PUBLIC_PREFIX}global-infrastructure`;
  for (const [code, longName] of REGIONS) {
    const partition = code.startsWith("cn-") ? "aws-cn" : code.startsWith("us-gov-") ? "aws-us-gov" : "aws";
    add(`${infra}/regions/${code}`, code);
    add(`${infra}/regions/${code}/longName`, longName);
    add(`${infra}/regions/${code}/partition`, partition);
    add(`${infra}/regions/${code}/domain`, partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com");
    for (const [service] of SERVICES) add(`${infra}/regions/${code}/services/${service}`, service);
  }
  for (const [service, longName] of SERVICES) {
    add(`${infra}/services/${service}`, service);
    add(`${infra}/services/${service}/longName`, longName);
    for (const [code] of REGIONS) add(`${infra}/services/${service}/regions/${code}`, code);
  }
  for (const path of AMI_PATHS) add(`${PUBLIC_PREFIX}${path}`, amiIdFor(`${PUBLIC_PREFIX}${path}`, region));
  return out;
}

/** All public parameters as seen from `ctx.region`, by name (built once per Region; derived data, not state). */
function catalog(ctx: Pick<RequestContext, "region" | "runtime">): Map<string, ParamRecord> {
  const cache = ctx.runtime("public-parameters", () => new Map<string, Map<string, ParamRecord>>());
  let found = cache.get(ctx.region);
  if (!found) cache.set(ctx.region, (found = build(ctx.region)));
  return found;
}

export const isPublicName = (name: string) => name.startsWith(PUBLIC_PREFIX);

/** The public parameter `name`, or null. */
export function publicParameter(ctx: Pick<RequestContext, "region" | "runtime">, name: string): ParamRecord | null {
  return isPublicName(name) ? catalog(ctx).get(name) ?? null : null;
}

/** Every public parameter, sorted by name. */
export function publicParameters(ctx: Pick<RequestContext, "region" | "runtime">): ParamRecord[] {
  return [...catalog(ctx).values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
