/**
 * Hostile changes to a well-formed request: broken bodies (truncated, invalid UTF-8, random
 * bytes, deep nesting, entity declarations, oversize), absurd headers (Range, Content-Length
 * that lies, duplicates, bad aws-chunked framing, bad checksums) and bad SigV4 fields.
 */
import fc from "fast-check";
import type { ProtocolId } from "../../src/protocol/model.ts";
import type { WireRequest } from "./encode.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

/** A document nested `depth` levels deep in the request's own body language. */
export function deepBody(protocol: ProtocolId, depth: number): Uint8Array {
  switch (protocol) {
    case "json": case "rest-json":
      return utf8('{"a":'.repeat(depth) + "1" + "}".repeat(depth));
    case "rest-xml":
      return utf8("<a>".repeat(depth) + "x" + "</a>".repeat(depth));
    case "smithy-rpc-v2-cbor":
      // 0xa1 = map of one pair, key "a" (0x61 0x61), repeated; then the int 1.
      return concat(...Array.from({ length: depth }, () => new Uint8Array([0xa1, 0x61, 0x61])), new Uint8Array([0x01]));
    case "query":
      return utf8(`Action=X&${"A.".repeat(depth)}B=1`);
    default:
      return utf8("x");
  }
}

/** The billion-laughs and external-entity preludes: an XML parser that expands them is a bug. */
export const ENTITY_PRELUDES = [
  `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "${"a".repeat(1000)}"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>`,
  `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`,
  `<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd"> %p;]>`,
];

type BodyMutation = (request: WireRequest, protocol: ProtocolId) => WireRequest;

const bodyMutation: fc.Arbitrary<BodyMutation> = fc.oneof(
  { weight: 6, arbitrary: fc.constant((r: WireRequest) => r) },
  // Truncated at any byte.
  { weight: 3, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map((at): BodyMutation => (r) => r.body ? { ...r, body: r.body.slice(0, Math.floor(r.body.byteLength * at)) } : r) },
  // Invalid UTF-8 (a lone continuation byte, an overlong form, a lone lead byte) inserted anywhere.
  { weight: 2, arbitrary: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom([0xff], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0x80])).map(([at, bad]): BodyMutation => (r) => {
    const body = r.body ?? new Uint8Array();
    const i = Math.floor(body.byteLength * at);
    return { ...r, body: concat(body.slice(0, i), new Uint8Array(bad), body.slice(i)) };
  }) },
  // Random bytes.
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes): BodyMutation => (r) => ({ ...r, body: bytes })) },
  // One byte changed.
  { weight: 2, arbitrary: fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, byte]): BodyMutation => (r) => {
    if (!r.body?.byteLength) return r;
    const body = r.body.slice();
    body[at % body.byteLength] = byte;
    return { ...r, body };
  }) },
  // Deeply nested documents.
  { weight: 1, arbitrary: fc.constantFrom(64, 1000, 20_000).map((depth): BodyMutation => (r, p) => ({ ...r, body: deepBody(p, depth) })) },
  // Entity declarations before the body.
  { weight: 1, arbitrary: fc.constantFrom(...ENTITY_PRELUDES).map((prelude): BodyMutation => (r) => ({ ...r, body: concat(utf8(prelude), r.body?.byteLength ? r.body : utf8("<r>&a;&b;&c;&d;&xxe;</r>")) })) },
  // A body where none is expected, or none where one is.
  { weight: 1, arbitrary: fc.constant<BodyMutation>((r) => ({ ...r, body: r.body ? undefined : utf8("{}") })) },
  // A large body (256 KiB of one member's text).
  { weight: 1, arbitrary: fc.constant<BodyMutation>((r, p) => ({ ...r, body: p === "query" ? concat(r.body ?? new Uint8Array(), utf8("&X=" + "a".repeat(256 * 1024))) : p === "rest-xml" ? utf8(`<X>${"a".repeat(256 * 1024)}</X>`) : p === "smithy-rpc-v2-cbor" ? concat(new Uint8Array([0xa1, 0x61, 0x58, 0x5a, 0x00, 0x04, 0x00, 0x00]), new Uint8Array(256 * 1024).fill(0x61)) : utf8(JSON.stringify({ X: "a".repeat(256 * 1024) })) })) },
);

type HeaderMutation = (request: WireRequest) => WireRequest;

const withHeaders = (r: WireRequest, headers: [string, string][]): WireRequest => ({ ...r, headers });

const absurdRanges = ["bytes=", "bytes=-", "bytes=5-1", "bytes=-0", "bytes=0-0,1-1,2-2", "bytes=99999999999999999999-", "bytes=1-99999999999999999999999",
  "bytes=--1", "bytes=a-b", "items=0-1", "bytes=0-", "bytes=-99999999999999999999", "bytes=18446744073709551616-"];

const chunkedBodies = [
  "zz;chunk-signature=00\r\nabc\r\n",
  "ffffffffffffffffff\r\nabc",
  "3\r\nabcdef\r\n0\r\n\r\n",
  "3;chunk-signature=\r\nabc\r\n0;chunk-signature=\r\n",
  "0\r\nx-amz-checksum-crc32:!!!\r\n\r\n",
  "-1\r\n\r\n",
  "3\r\nab",
  "",
  // A valid chunk with no final 0-chunk; a final chunk whose trailer is not a header; a trailer
  // with the wrong checksum; chunk sizes that disagree with x-amz-decoded-content-length (3).
  "3\r\nabc\r\n",
  "3\r\nabc\r\n0\r\nnot a header\r\n\r\n",
  "3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n",
  "5\r\nabcde\r\n0\r\n\r\n",
  "1\r\na\r\n0\r\n\r\n",
  "3;chunk-signature=" + "0".repeat(64) + "\r\nabc\r\n0;chunk-signature=" + "0".repeat(64) + "\r\n\r\n",
  "0000000000000000000000003\r\nabc\r\n0\r\n\r\n",
];

const headerMutation: fc.Arbitrary<HeaderMutation> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<HeaderMutation>((r) => r) },
  { weight: 1, arbitrary: fc.constantFrom(...absurdRanges).map((range): HeaderMutation => (r) => withHeaders(r, [...r.headers, ["range", range]])) },
  // Content-Length that lies, or is not a number.
  { weight: 1, arbitrary: fc.constantFrom("0", "1", "99999999999", "-1", "abc", "1e3", "18446744073709551616", " 5").map((length): HeaderMutation => (r) => withHeaders(r, [...r.headers, ["content-length", length]])) },
  { weight: 1, arbitrary: fc.constantFrom("x-amz-decoded-content-length", "content-md5", "x-amz-checksum-crc32", "x-amz-checksum-sha256", "x-amz-checksum-crc64nvme", "x-amz-sdk-checksum-algorithm", "x-amz-content-sha256", "if-match", "if-modified-since", "x-amz-copy-source", "x-amz-copy-source-range", "x-amz-expected-bucket-owner", "expect", "content-encoding", "x-amz-trailer", "x-amz-tagging", "x-amz-meta-x").chain((name) => fc.constantFrom("", "!!!", "-1", "99999999999999999999", "AAAA", "bytes=0-0", "/", "/../..", "aws-chunked, gzip", "x-amz-checksum-nope", "Thu, 01 Jan 1970 00:00:00 GMT", "a=b&c=%zz").map((value): HeaderMutation => (r) => withHeaders(r, [...r.headers, [name, value]]))) },
  // Huge headers: one 64 KiB value, and 200 extra headers.
  { weight: 1, arbitrary: fc.constantFrom("x-amz-meta-big", "range", "content-type", "x-amz-target", "x-amz-date").map((name): HeaderMutation => (r) => withHeaders(r, [...r.headers.filter(([k]) => k !== name), [name, "a".repeat(64 * 1024)]])) },
  { weight: 1, arbitrary: fc.constant<HeaderMutation>((r) => withHeaders(r, [...r.headers, ...Array.from({ length: 200 }, (_, i): [string, string] => [`x-amz-meta-h${i}`, String(i)])])) },
  // Duplicated headers (Headers joins them with ", ").
  { weight: 1, arbitrary: fc.constant<HeaderMutation>((r) => withHeaders(r, [...r.headers, ...r.headers.filter(([k]) => k !== "authorization").map(([k, v]): [string, string] => [k, v + "x"])])) },
  // aws-chunked framing that is wrong.
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...chunkedBodies), fc.constantFrom("STREAMING-UNSIGNED-PAYLOAD-TRAILER", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")).map(([framed, sha]): HeaderMutation => (r) => ({
    ...r,
    body: utf8(framed),
    headers: [
      ...r.headers.filter(([k]) => k !== "x-amz-content-sha256"), ["content-encoding", "aws-chunked"], ["x-amz-content-sha256", sha],
      ["x-amz-decoded-content-length", "3"], ["x-amz-trailer", "x-amz-checksum-crc32"],
    ],
  })) },
  // Bad SigV4 fields.
  { weight: 2, arbitrary: fc.constantFrom(
    "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=", "AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=, Signature=",
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=zz",
    "AWS4-HMAC-SHA256 Credential=test/2024/../../../aws4_request, SignedHeaders=host, Signature=00",
    "AWS4-HMAC-SHA256 Credential=test//////, SignedHeaders=;;;, Signature=",
    "AWS4-HMAC-SHA256 Credential=AKIA%zz/20240101/nowhere-1/nope/aws4_request, SignedHeaders=host, Signature=0",
    "AWS test:sig", "AWS ", "Bearer x", "AWS4-ECDSA-P256-SHA256 Credential=x", "\u00ff\u00fe",
  ).chain((auth) => fc.constantFrom("20240101T000000Z", "garbage", "", "99999999T999999Z").map((date): HeaderMutation => (r) => withHeaders(r, [
    ...r.headers.filter(([k]) => k !== "authorization" && k !== "x-amz-date"), ["authorization", auth], ["x-amz-date", date],
  ]))) },
);

/** Presigned-URL query parameters that are wrong, appended to the path. */
const queryMutation: fc.Arbitrary<(path: string) => string> = fc.oneof(
  { weight: 10, arbitrary: fc.constant((p: string) => p) },
  { weight: 1, arbitrary: fc.constantFrom(
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F2024%2F&X-Amz-Date=x&X-Amz-Expires=-1&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test/20240101/us-east-1/s3/aws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=999999999999&X-Amz-SignedHeaders=host&X-Amz-Signature=00",
    "AWSAccessKeyId=x&Expires=abc&Signature=%zz", "Action=&Version=", "x-id=%ff%fe", "%zz=%zz", "Action=GetCallerIdentity&Action=ListQueues",
  ).map((q) => (p: string) => p + (p.includes("?") ? "&" : "?") + q) },
);

export interface Mutation {
  body: BodyMutation;
  headers: HeaderMutation;
  query: (path: string) => string;
}

export const mutation: fc.Arbitrary<Mutation> = fc.record({ body: bodyMutation, headers: headerMutation, query: queryMutation });

export function applyMutation(request: WireRequest, protocol: ProtocolId, m: Mutation): WireRequest {
  const changed = m.body(request, protocol);
  return m.headers({ ...changed, path: m.query(changed.path) });
}
