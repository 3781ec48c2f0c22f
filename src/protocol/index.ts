/**
 * The codec of each AWS wire protocol. `ec2` has no codec yet: asking
 * for one throws a 501 AwsError, which the emulator renders as a plain error.
 */
import type { Codec } from "./codec.ts";
import type { ProtocolId } from "./model.ts";
import { AwsError } from "./errors.ts";
import { cborCodec } from "./cbor.ts";
import { jsonCodec } from "./json.ts";
import { queryCodec } from "./query.ts";
import { restJsonCodec } from "./rest-json.ts";
import { restXmlCodec } from "./rest-xml.ts";

const codecs: Partial<Record<ProtocolId, Codec>> = {
  query: queryCodec,
  json: jsonCodec,
  "rest-xml": restXmlCodec,
  "rest-json": restJsonCodec,
  "smithy-rpc-v2-cbor": cborCodec,
};

export function codecFor(protocol: ProtocolId): Codec {
  const codec = codecs[protocol];
  if (!codec) throw new AwsError("NotImplemented", `The ${protocol} protocol is not supported yet.`, 501, { fault: "Receiver" });
  return codec;
}
