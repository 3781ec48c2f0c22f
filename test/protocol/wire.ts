/**
 * The wire options a model's service declares (`ServiceDefinition.wire`), as the gateway hands
 * them to the codec: codec tests build IncomingRequests from raw models and need the same.
 */
import type { WireOptions } from "../../src/protocol/codec.ts";
import type { ServiceModel } from "../../src/protocol/model.ts";
import { SERVICES } from "../../src/services/registry.ts";

export function wireOf(model: ServiceModel): WireOptions {
  return SERVICES.find((s) => s.model.metadata.serviceId === model.metadata.serviceId)?.wire ?? {};
}
