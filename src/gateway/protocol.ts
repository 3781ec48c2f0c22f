/**
 * Which wire protocol one request speaks. Identified per request, not per service: SQS answers
 * awsJson1_0 (current SDKs) and awsQuery (AWS CLI v2 2.9, old SDKs); CloudWatch answers
 * rpcv2Cbor to current SDKs and awsQuery to old ones.
 */
import type { ProtocolId, ServiceModel } from "../protocol/model.ts";

export function detectProtocol(model: ServiceModel, headers: Headers, url: URL, isForm: boolean): ProtocolId {
  const meta = model.metadata;
  const protocols = meta.protocols ?? [meta.protocol];
  if (headers.get("smithy-protocol") === "rpc-v2-cbor" && protocols.includes("smithy-rpc-v2-cbor")) return "smithy-rpc-v2-cbor";
  const contentType = headers.get("content-type") ?? "";
  if ((headers.has("x-amz-target") || contentType.startsWith("application/x-amz-json")) && protocols.includes("json")) return "json";
  const queryCapable = protocols.includes("query") || !!model.legacyQuery;
  if (queryCapable && (isForm || url.searchParams.has("Action"))) return "query";
  if (protocols.includes("json")) return "json";
  return protocols[0];
}

/** True for `application/x-www-form-urlencoded` bodies (with or without a charset). */
export function isFormContentType(headers: Headers): boolean {
  return (headers.get("content-type") ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");
}
