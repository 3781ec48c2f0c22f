/**
 * Delivery streams as stored, and their `DeliveryStreamDescription`. Destination
 * configurations become descriptions through the model: members the description shape has
 * are kept (so secrets like Redshift's Password or an HTTP endpoint's AccessKey are not echoed),
 * `S3Configuration` becomes `S3DestinationDescription`, and AWS's defaults are filled in.
 *
 * Source: https://docs.aws.amazon.com/firehose/latest/APIReference/API_DeliveryStreamDescription.html
 */
import type { ServiceModel, Shape } from "../../protocol/model.ts";
import { AwsError } from "../../protocol/errors.ts";
import type { Store } from "../../store/types.ts";
import model from "../../../models/firehose.json" with { type: "json" };
import type { DestinationDescription, DeliveryStreamDescription, DeliveryStreamEncryptionConfiguration, DeliveryStreamType } from "../../generated/firehose.ts";
import { describeEncryption, type StoredEncryption } from "./encryption.ts";

const MODEL = model as unknown as ServiceModel;

/** A destination kind: the stem shared by `<Kind>DestinationConfiguration|Description|Update`. */
export type DestinationKind =
  | "ExtendedS3" | "Redshift" | "Elasticsearch" | "Amazonopensearchservice" | "Splunk" | "HttpEndpoint"
  | "AmazonOpenSearchServerless" | "Snowflake" | "Iceberg";

export const DESTINATION_KINDS: DestinationKind[] = [
  "ExtendedS3", "Redshift", "Elasticsearch", "Amazonopensearchservice", "Splunk", "HttpEndpoint",
  "AmazonOpenSearchServerless", "Snowflake", "Iceberg",
];

/**
 * A destination configuration, update or description as the model shapes it. Firehose handles
 * these generically, walking the model's shapes (describeAs, deepMerge, withDefaults), so this
 * is the service's one documented untyped boundary.
 */
export type ModelRecord = Record<string, any>;

export interface StoredDestination {
  DestinationId: string;
  kind: DestinationKind;
  /** The `<Kind>DestinationDescription` as Describe returns it. */
  description: ModelRecord;
  /** Configuration members a description never shows but delivery needs (HTTP endpoint access key). */
  secrets?: Record<string, string>;
}

export interface StoredStream {
  DeliveryStreamName: string;
  DeliveryStreamARN: string;
  DeliveryStreamType: DeliveryStreamType;
  /** Decimal string, "1" at creation, +1 per destination update. */
  VersionId: string;
  CreateTimestamp: number;
  LastUpdateTimestamp?: number;
  Source?: ModelRecord;
  Encryption: StoredEncryption;
  Destinations: StoredDestination[];
  Tags: { Key: string; Value?: string }[];
}

export const streamKey = (name: string) => ["stream", name] as const;

export async function getStream(store: Store, name: string, accountId: string): Promise<StoredStream> {
  const stream = (await store.get<StoredStream>(streamKey(name))).value;
  if (!stream) throw notFound(name, accountId);
  return stream;
}

export function notFound(name: string, accountId: string): AwsError {
  return new AwsError("ResourceNotFoundException", `Firehose ${name} under account ${accountId} not found.`, 400);
}

function structure(name: string): Shape | undefined {
  const shape = MODEL.shapes[name];
  return shape?.type === "structure" ? shape : undefined;
}

/** Member renames between configuration/update shapes and description shapes. */
const RENAMES: Record<string, string> = {
  S3Configuration: "S3DestinationDescription",
  S3Update: "S3DestinationDescription",
  S3BackupConfiguration: "S3BackupDescription",
  S3BackupUpdate: "S3BackupDescription",
  VpcConfiguration: "VpcConfigurationDescription",
  ExtendedS3DestinationConfiguration: "ExtendedS3DestinationDescription",
};

/** Converts a configuration (or update) value of shape `from` into description shape `to`. */
function describeAs(fromShape: string, toShape: string, value: ModelRecord): ModelRecord {
  const from = structure(fromShape);
  const to = structure(toShape);
  if (!from || !to) return value;
  const out: ModelRecord = {};
  for (const [member, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    const target = to.members?.[member] ? member : RENAMES[member];
    if (!target || !to.members?.[target]) continue;
    const fromRef = from.members?.[member]?.shape;
    const toRef = to.members[target].shape;
    if (fromRef && structure(fromRef) && structure(toRef) && typeof v === "object" && !Array.isArray(v)) {
      out[target] = describeAs(fromRef, toRef, v);
    } else {
      out[target] = v;
    }
  }
  return out;
}

const S3_DEFAULTS = {
  BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300 },
  CompressionFormat: "UNCOMPRESSED",
  EncryptionConfiguration: { NoEncryptionConfig: "NoEncryption" },
  CloudWatchLoggingOptions: { Enabled: false },
};

function withS3Defaults(d: ModelRecord): ModelRecord {
  return {
    ...S3_DEFAULTS,
    ...d,
    BufferingHints: { ...S3_DEFAULTS.BufferingHints, ...d.BufferingHints },
  };
}

/** Fills AWS's defaults into a destination description of `kind`. */
function withDefaults(kind: DestinationKind, d: ModelRecord): ModelRecord {
  const out: ModelRecord = { ...d };
  for (const member of ["S3DestinationDescription", "S3BackupDescription"]) {
    if (out[member]) out[member] = withS3Defaults(out[member]);
  }
  switch (kind) {
    case "ExtendedS3":
      return { ...withS3Defaults(out), Prefix: out.Prefix ?? "", S3BackupMode: out.S3BackupMode ?? "Disabled" };
    case "HttpEndpoint":
      return {
        BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 300, ...out.BufferingHints },
        CloudWatchLoggingOptions: { Enabled: false },
        RequestConfiguration: { ContentEncoding: "NONE" },
        RetryOptions: { DurationInSeconds: 300 },
        S3BackupMode: "FailedDataOnly",
        ...out,
      };
    case "Redshift":
      return { RetryOptions: { DurationInSeconds: 3600 }, S3BackupMode: "Disabled", CloudWatchLoggingOptions: { Enabled: false }, ...out };
    case "Splunk":
      return { HECAcknowledgmentTimeoutInSeconds: 180, RetryOptions: { DurationInSeconds: 3600 }, S3BackupMode: "FailedEventsOnly", CloudWatchLoggingOptions: { Enabled: false }, ...out };
    case "Elasticsearch":
    case "Amazonopensearchservice":
      return {
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 5, ...out.BufferingHints },
        IndexRotationPeriod: "OneDay",
        RetryOptions: { DurationInSeconds: 300 },
        S3BackupMode: "FailedDocumentsOnly",
        CloudWatchLoggingOptions: { Enabled: false },
        ...out,
      };
    default:
      return out;
  }
}

/** The stored destination for a `<Kind>DestinationConfiguration` (S3DestinationConfiguration is stored as ExtendedS3). */
export function destinationFromConfiguration(kind: DestinationKind | "S3", config: ModelRecord, id: string): StoredDestination {
  const stored: DestinationKind = kind === "S3" ? "ExtendedS3" : kind;
  const description = describeAs(`${kind}DestinationConfiguration`, `${stored}DestinationDescription`, config);
  if (stored === "HttpEndpoint" && description.EndpointConfiguration) {
    description.EndpointConfiguration = { Url: config.EndpointConfiguration.Url, Name: config.EndpointConfiguration.Name };
  }
  const secrets: Record<string, string> = {};
  if (config.EndpointConfiguration?.AccessKey) secrets.AccessKey = config.EndpointConfiguration.AccessKey;
  return { DestinationId: id, kind: stored, description: withDefaults(stored, description), ...(Object.keys(secrets).length ? { secrets } : {}) };
}

function deepMerge(base: ModelRecord, patch: ModelRecord): ModelRecord {
  const out: ModelRecord = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v && typeof v === "object" && !Array.isArray(v) && base[k] && typeof base[k] === "object" && !Array.isArray(base[k])) {
      out[k] = deepMerge(base[k], v);
    } else {
      out[k] = v;
    }
  }
  return out;
}

/**
 * Applies a `<Kind>DestinationUpdate`: merged into the destination when the kind is the same
 * (S3 and ExtendedS3 count as one), replacing it otherwise, as UpdateDestination documents.
 */
export function applyUpdate(destination: StoredDestination, kind: DestinationKind | "S3", update: ModelRecord): StoredDestination {
  const stored: DestinationKind = kind === "S3" ? "ExtendedS3" : kind;
  const patch = describeAs(`${kind}DestinationUpdate`, `${stored}DestinationDescription`, update);
  if (stored === "HttpEndpoint" && update.EndpointConfiguration) {
    patch.EndpointConfiguration = { Url: update.EndpointConfiguration.Url, Name: update.EndpointConfiguration.Name };
  }
  const secrets = { ...(stored === destination.kind ? destination.secrets : {}) };
  if (update.EndpointConfiguration?.AccessKey) secrets.AccessKey = update.EndpointConfiguration.AccessKey;
  const description = stored === destination.kind ? deepMerge(destination.description, patch) : withDefaults(stored, patch);
  return { DestinationId: destination.DestinationId, kind: stored, description, ...(Object.keys(secrets).length ? { secrets } : {}) };
}

/** The wire `DestinationDescription`; an ExtendedS3 destination also shows its plain S3 view, as AWS does. */
/** A destination as Describe shows it; its members are built from the model's shapes, so it is checked there, not here. */
export function describeDestination(d: StoredDestination): DestinationDescription {
  const out: Record<string, unknown> = { DestinationId: d.DestinationId, [`${d.kind}DestinationDescription`]: d.description };
  if (d.kind === "ExtendedS3") {
    const s3 = structure("S3DestinationDescription")!;
    out.S3DestinationDescription = Object.fromEntries(Object.entries(d.description).filter(([k]) => s3.members?.[k]));
  }
  return out as unknown as DestinationDescription;
}

export function describeStream(stream: StoredStream, limit = 10, exclusiveStartDestinationId?: string): DeliveryStreamDescription {
  let destinations = stream.Destinations;
  if (exclusiveStartDestinationId) {
    const i = destinations.findIndex((d) => d.DestinationId === exclusiveStartDestinationId);
    destinations = i === -1 ? [] : destinations.slice(i + 1);
  }
  const page = destinations.slice(0, limit);
  const encryption: DeliveryStreamEncryptionConfiguration = describeEncryption(stream.Encryption);
  return {
    DeliveryStreamName: stream.DeliveryStreamName,
    DeliveryStreamARN: stream.DeliveryStreamARN,
    DeliveryStreamStatus: "ACTIVE",
    DeliveryStreamEncryptionConfiguration: encryption,
    DeliveryStreamType: stream.DeliveryStreamType,
    VersionId: stream.VersionId,
    CreateTimestamp: new Date(stream.CreateTimestamp),
    LastUpdateTimestamp: stream.LastUpdateTimestamp === undefined ? undefined : new Date(stream.LastUpdateTimestamp),
    Source: stream.Source,
    Destinations: page.map(describeDestination),
    HasMoreDestinations: destinations.length > page.length,
  };
}
