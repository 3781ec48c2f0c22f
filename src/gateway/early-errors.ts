/**
 * Errors the gateway answers before a service's dispatch: an unknown or disabled service, a body
 * it could not read, a protocol without a codec. They render through the codec of the protocol
 * the request speaks, as every other error does (a JSON client never receives XML):
 *
 * - `smithy-protocol: rpc-v2-cbor` → Smithy RPC v2 CBOR (a CBOR map with `__type`),
 * - `X-Amz-Target` or an `application/x-amz-json-*` body → awsJson (`{"__type": ...}`),
 * - a form body or `?Action=` → awsQuery (`<ErrorResponse>`),
 * - an `application/json` body → restJson (`x-amzn-ErrorType` header, JSON body),
 * - anything else → restXml (`<Error>` for S3's requests, `<ErrorResponse>` otherwise).
 *
 * With the service known (disabled, or its protocol has no codec), its own model and wire
 * options render the error exactly as the service would.
 */
import type { Codec } from "../protocol/codec.ts";
import type { AwsError } from "../protocol/errors.ts";
import type { ProtocolId, ServiceModel } from "../protocol/model.ts";
import { codecFor } from "../protocol/index.ts";
import type { ServiceDefinition } from "../services/types.ts";
import { createIncoming } from "./incoming.ts";
import { detectProtocol } from "./protocol.ts";

/** A model of no service: framework errors only, every protocol allowed. */
function anonymousModel(protocol: ProtocolId): ServiceModel {
  return { metadata: { apiVersion: "", endpointPrefix: "", protocol, serviceId: "" }, operations: {}, shapes: {} } as unknown as ServiceModel;
}

/** The protocol a request speaks, judged from the request alone (no service known). */
export function protocolOfRequest(headers: Headers, url: URL, isForm: boolean): ProtocolId {
  const contentType = (headers.get("content-type") ?? "").toLowerCase();
  if (headers.get("smithy-protocol") === "rpc-v2-cbor") return "smithy-rpc-v2-cbor";
  if (headers.has("x-amz-target") || contentType.startsWith("application/x-amz-json")) return "json";
  if (isForm || url.searchParams.has("Action")) return "query";
  if (contentType.startsWith("application/json")) return "rest-json";
  return "rest-xml";
}

/** A codec for `protocol`, else (no codec yet: EC2) the closest one that exists. */
function renderingCodec(protocol: ProtocolId, model: ServiceModel): Codec {
  try {
    return codecFor(protocol);
  } catch {
    const allowed = model.metadata.protocols ?? [model.metadata.protocol];
    const fallback: ProtocolId = protocol === "smithy-rpc-v2-cbor" || allowed.includes("json") ? "json" : "query";
    return codecFor(fallback);
  }
}

export interface EarlyErrorInit {
  request: Request;
  /** The request URL as routed (basePath removed). */
  url: URL;
  requestId: string;
  isForm: boolean;
  error: AwsError;
  /** The service, when identified (a disabled one, or one whose protocol has no codec). */
  service?: ServiceDefinition;
}

/** Renders `error` in the protocol the request speaks (see the module comment). Never reads the body. */
export function earlyErrorResponse(init: EarlyErrorInit): Response {
  const { request, url, service } = init;
  const protocol = service
    ? detectProtocol(service.model, request.headers, url, init.isForm)
    : protocolOfRequest(request.headers, url, init.isForm);
  const model = service?.model ?? anonymousModel(protocol);
  const codec = renderingCodec(protocol, model);
  const incoming = createIncoming({ request, url, model, protocol: codec.protocol, requestId: init.requestId, maxBodyBytes: 0, wire: service?.wire });
  return codec.serializeError(incoming, undefined, init.error);
}
