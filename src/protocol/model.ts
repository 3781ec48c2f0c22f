/**
 * Types of the AWS service models in `models/<service>.json` (botocore's `service-2.json`
 * format, documentation stripped by `scripts/gen-models.ts`), and lookups over them.
 *
 * Source: botocore's model format (`botocore/model.py`) and Smithy's AWS protocol traits.
 */

export type ProtocolId = "query" | "json" | "rest-json" | "rest-xml" | "ec2" | "smithy-rpc-v2-cbor";

export interface ServiceMetadata {
  apiVersion: string;
  endpointPrefix: string;
  protocol: ProtocolId;
  protocols?: ProtocolId[];
  jsonVersion?: string;
  targetPrefix?: string;
  signingName?: string;
  serviceId: string;
  xmlNamespace?: string;
  /** Present (as `{}`) on JSON services that also answer the query protocol's error codes. */
  awsQueryCompatible?: Record<string, unknown>;
  globalEndpoint?: string;
  [key: string]: unknown;
}

export type Location = "header" | "headers" | "querystring" | "uri" | "statusCode";

export interface ShapeRef {
  shape: string;
  location?: Location;
  locationName?: string;
  queryName?: string;
  xmlNamespace?: { uri: string; prefix?: string } | string;
  xmlAttribute?: boolean;
  flattened?: boolean;
  timestampFormat?: TimestampFormat;
  jsonvalue?: boolean;
  streaming?: boolean;
  hostLabel?: boolean;
  idempotencyToken?: boolean;
  eventpayload?: boolean;
  contextParam?: unknown;
  [key: string]: unknown;
}

export type TimestampFormat = "iso8601" | "rfc822" | "unixTimestamp";

export type ShapeType =
  | "structure" | "list" | "map" | "string" | "integer" | "long" | "float" | "double"
  | "boolean" | "timestamp" | "blob" | "bigdecimal" | "biginteger" | "byte" | "short" | "char";

export interface Shape {
  type: ShapeType;
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  /** Structure member that is the HTTP payload (REST protocols). */
  payload?: string;
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
  exception?: boolean;
  fault?: boolean;
  flattened?: boolean;
  locationName?: string;
  timestampFormat?: TimestampFormat;
  streaming?: boolean;
  requiresLength?: boolean;
  union?: boolean;
  document?: boolean;
  sensitive?: boolean;
  xmlNamespace?: { uri: string; prefix?: string } | string;
  event?: boolean;
  eventstream?: boolean;
  [key: string]: unknown;
}

export interface OperationModel {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  input?: ShapeRef;
  output?: ShapeRef & { resultWrapper?: string };
  errors?: ShapeRef[];
  endpoint?: { hostPrefix?: string };
  httpChecksum?: Record<string, unknown>;
  httpChecksumRequired?: boolean;
  deprecated?: boolean;
  [key: string]: unknown;
}

export interface ServiceModel {
  version?: string;
  metadata: ServiceMetadata;
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
  /**
   * Query-protocol traits from an older model of a service that moved to JSON (SQS): result
   * wrappers and XML names the query protocol's clients still expect.
   */
  legacyQuery?: {
    metadata: { xmlNamespace?: string };
    operations: Record<string, { output?: { shape: string; resultWrapper?: string } }>;
    shapes: Record<string, Shape>;
  };
}

/** The shape a reference points at. Throws if the model is inconsistent (a bug, not bad input). */
export function resolveShape(model: ServiceModel, ref: ShapeRef | string): Shape {
  const name = typeof ref === "string" ? ref : ref.shape;
  const shape = model.shapes[name];
  if (!shape) throw new Error(`model ${model.metadata.serviceId}: no shape ${name}`);
  return shape;
}

/** Signing name of a service (SigV4 credential scope), e.g. `dynamodb` for DynamoDB Streams. */
export function signingName(model: ServiceModel): string {
  return model.metadata.signingName ?? model.metadata.endpointPrefix;
}

/** Protocols this service's model allows, in preference order. */
export function protocolsOf(model: ServiceModel): ProtocolId[] {
  return model.metadata.protocols ?? [model.metadata.protocol];
}
