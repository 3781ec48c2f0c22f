/**
 * Values by shape, independent of any wire text: the walk that turns a decoded document tree
 * (JSON today, CBOR later) into a handler's input, and a handler's output into a tree ready for
 * `JSON.stringify` (or a CBOR encoder). The tree's leaf representation differs per protocol
 * (blobs as base64 text or raw bytes, timestamps as epoch numbers or tagged dates), so leaves go
 * through a small `LeafCodec` strategy.
 *
 * Decoding throws `ShapeTypeError` (what was expected, what was found); the protocol codec turns
 * it into its own SerializationException text.
 *
 * Source: Smithy awsJson1_0/1_1 and rpcv2Cbor shape serialization rules
 * (https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html#shape-serialization).
 */
import type { ProtocolId, ServiceModel, Shape, ShapeRef, ShapeType, TimestampFormat } from "./model.ts";
import { formatTimestamp, parseTimestamp, timestampFormatFor, type TimestampValue } from "./timestamps.ts";
import { base64ToBytes, bytesToBase64 } from "../encoding/base64.ts";

/** What a tree node is, in document terms. */
export type NodeKind = "string" | "number" | "boolean" | "list" | "map" | "blob" | "timestamp";

/** A value whose document type does not fit its member's shape. */
export class ShapeTypeError extends Error {
  constructor(
    /** The shape type the member needs (`structure` for unions and structures). */
    readonly expected: ShapeType,
    readonly found: NodeKind,
    readonly value: unknown,
    /** Detail for values of the right kind that still do not decode (bad base64, bad date). */
    readonly detail?: string,
  ) {
    super(`${found} where ${expected} expected${detail ? `: ${detail}` : ""}`);
    this.name = "ShapeTypeError";
  }
}

/** How leaves look in one protocol's document tree. */
export interface LeafCodec {
  protocol: ProtocolId;
  /** Tree node -> bytes; returns null when the node cannot be a blob (bad base64). */
  decodeBlob(node: unknown): Uint8Array | string | null;
  encodeBlob(bytes: Uint8Array): unknown;
  encodeTimestamp(value: TimestampValue, format: TimestampFormat): unknown;
}

function kindOf(node: unknown): NodeKind {
  if (typeof node === "string") return "string";
  if (typeof node === "number" || typeof node === "bigint") return "number";
  if (typeof node === "boolean") return "boolean";
  if (Array.isArray(node)) return "list";
  if (node instanceof Uint8Array) return "blob";
  if (node instanceof Date) return "timestamp";
  return "map";
}

function isPlainObject(node: unknown): node is Record<string, unknown> {
  return typeof node === "object" && node !== null && !Array.isArray(node) && !(node instanceof Uint8Array) && !(node instanceof Date);
}

const INTEGER_TYPES = new Set<ShapeType>(["integer", "long", "short", "byte", "biginteger"]);

/** Wire (member) name of a structure member: `locationName` if the model sets one, as botocore does. */
function wireName(name: string, ref: ShapeRef): string {
  return ref.locationName ?? name;
}

/**
 * Decodes a document tree node into a handler value by `ref`'s shape: structures keep only
 * modelled members (by member name), blobs become Uint8Array, timestamps Date, numbers stay
 * numbers (integers truncated, as Coral does). Null members are absent; null list or map
 * entries are kept as null.
 */
export function decodeValue(model: ServiceModel, ref: ShapeRef, node: unknown, leaves: LeafCodec): unknown {
  try {
    return decodeRef(model, ref, node, leaves);
  } catch (error) {
    // A document nested deeper than the stack allows (recursive shapes: DynamoDB's
    // AttributeValue) is the client's error, as Coral's parser's depth limit makes it.
    if (error instanceof RangeError) throw new ShapeTypeError(model.shapes[ref.shape]?.type ?? "structure", kindOf(node), node, "document nested too deeply");
    throw error;
  }
}

function decodeRef(model: ServiceModel, ref: ShapeRef, node: unknown, leaves: LeafCodec): unknown {
  const shape = model.shapes[ref.shape];
  if (!shape) throw new Error(`model ${model.metadata.serviceId}: no shape ${ref.shape}`);
  return decodeShape(model, ref, shape, node, leaves);
}

function decodeShape(model: ServiceModel, ref: ShapeRef, shape: Shape, node: unknown, leaves: LeafCodec): unknown {
  if (node === null || node === undefined) return undefined;
  if (shape.document) return node;
  switch (shape.type) {
    case "structure": {
      if (!isPlainObject(node)) throw new ShapeTypeError("structure", kindOf(node), node);
      const out: Record<string, unknown> = {};
      const members = shape.members ?? {};
      for (const name in members) {
        const memberRef = members[name]!;
        const raw = node[wireName(name, memberRef)];
        if (raw === null || raw === undefined) continue;
        const value = decodeRef(model, memberRef, raw, leaves);
        if (value !== undefined) out[name] = value;
      }
      return out;
    }
    case "list": {
      if (!Array.isArray(node)) throw new ShapeTypeError("list", kindOf(node), node);
      const memberRef = shape.member!;
      return node.map((item) => (item === null ? null : decodeRef(model, memberRef, item, leaves)));
    }
    case "map": {
      if (!isPlainObject(node)) throw new ShapeTypeError("map", kindOf(node), node);
      const out: Record<string, unknown> = {};
      const valueRef = shape.value!;
      for (const key of Object.keys(node)) {
        const raw = node[key];
        out[key] = raw === null ? null : decodeRef(model, valueRef, raw, leaves);
      }
      return out;
    }
    case "string":
    case "char":
      if (typeof node !== "string") throw new ShapeTypeError(shape.type, kindOf(node), node);
      return node;
    case "boolean":
      if (typeof node !== "boolean") throw new ShapeTypeError("boolean", kindOf(node), node);
      return node;
    case "integer":
    case "long":
    case "short":
    case "byte":
    case "biginteger":
      if (typeof node === "bigint") return node;
      if (typeof node !== "number") throw new ShapeTypeError(shape.type, kindOf(node), node);
      return Math.trunc(node);
    case "float":
    case "double":
    case "bigdecimal": {
      if (typeof node === "number") return node;
      const special = typeof node === "string" ? specialFloat(node) : undefined;
      if (special !== undefined) return special;
      throw new ShapeTypeError(shape.type, kindOf(node), node);
    }
    case "blob": {
      if (node instanceof Uint8Array) return node;
      if (typeof node !== "string") throw new ShapeTypeError("blob", kindOf(node), node);
      const bytes = leaves.decodeBlob(node);
      if (bytes === null || typeof bytes === "string") throw new ShapeTypeError("blob", "string", node, bytes ?? "not base64");
      return bytes;
    }
    case "timestamp": {
      if (typeof node !== "number" && typeof node !== "string" && !(node instanceof Date)) {
        throw new ShapeTypeError("timestamp", kindOf(node), node);
      }
      const date = decodeTimestamp(leaves.protocol, "body", ref, shape, node);
      if (!date) throw new ShapeTypeError("timestamp", kindOf(node), node, "invalid timestamp");
      return date;
    }
    default:
      return node;
  }
}

// ---------------------------------------------------------------------------------------------
// Scalars from text (query parameters, XML text, URI labels, query strings, headers)

/** A text value that does not decode as its member's type (bad number, date, base64). */
export class ShapeTextError extends Error {
  constructor(readonly shapeType: string, readonly value: string) {
    super(`'${value}' is not a valid ${shapeType}`);
    this.name = "ShapeTextError";
  }
}

/** Where a scalar travels, for its timestamp format. */
export type ValuePlace = "body" | "header" | "querystring" | "uri";

/** `NaN`, `Infinity` and `-Infinity`, the float values every protocol writes as text. */
function specialFloat(text: string): number | undefined {
  if (text === "NaN") return Number.NaN;
  if (text === "Infinity") return Number.POSITIVE_INFINITY;
  if (text === "-Infinity") return Number.NEGATIVE_INFINITY;
  return undefined;
}

/**
 * A timestamp by its member's format at `place`; a number is epoch seconds whatever the format
 * (as AWS's JSON parsers accept). Null when it does not parse.
 */
function decodeTimestamp(protocol: ProtocolId, place: ValuePlace, ref: ShapeRef, shape: Shape, value: number | string | Date): Date | null {
  return parseTimestamp(value, typeof value === "number" ? "unixTimestamp" : timestampFormatFor(protocol, place, ref, shape));
}

/**
 * A scalar member's text as its handler value, by shape type: booleans `true`/`false`,
 * integers and floats (with `NaN`/`Infinity`), base64 blobs (white space ignored), timestamps in
 * the member's format at `place`. Throws `ShapeTextError`.
 */
export function decodeText(protocol: ProtocolId, ref: ShapeRef, shape: Shape, text: string, place: ValuePlace = "body"): unknown {
  switch (shape.type) {
    case "string":
    case "char":
      return text;
    case "boolean":
      if (text === "true") return true;
      if (text === "false") return false;
      throw new ShapeTextError("boolean", text);
    case "integer":
    case "long":
    case "short":
    case "byte":
    case "biginteger": {
      const t = text.trim();
      if (!/^[+-]?\d+$/.test(t)) throw new ShapeTextError(shape.type, text);
      return Number(t);
    }
    case "float":
    case "double":
    case "bigdecimal": {
      const t = text.trim();
      const special = specialFloat(t);
      if (special !== undefined) return special;
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw new ShapeTextError(shape.type, text);
      return Number(t);
    }
    case "blob": {
      const bytes = base64ToBytes(text.replace(/\s+/g, ""));
      if (typeof bytes === "string") throw new ShapeTextError("blob", text);
      return bytes;
    }
    case "timestamp": {
      const date = decodeTimestamp(protocol, place, ref, shape, text);
      if (!date) throw new ShapeTextError("timestamp", text);
      return date;
    }
    default:
      return text;
  }
}

/**
 * Encodes a handler value by `ref`'s shape into a document tree: only modelled members, by wire
 * name, undefined and null members omitted. Lenient about leaf types handlers commonly use
 * (numeric strings for numbers, strings for blobs, epoch milliseconds or ISO text for timestamps).
 */
export function encodeValue(model: ServiceModel, ref: ShapeRef, value: unknown, leaves: LeafCodec): unknown {
  const shape = model.shapes[ref.shape];
  if (!shape) throw new Error(`model ${model.metadata.serviceId}: no shape ${ref.shape}`);
  return encodeShape(model, ref, shape, value, leaves);
}

function encodeShape(model: ServiceModel, ref: ShapeRef, shape: Shape, value: unknown, leaves: LeafCodec): unknown {
  if (value === null || value === undefined) return undefined;
  if (shape.document) return value;
  switch (shape.type) {
    case "structure": {
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      const members = shape.members ?? {};
      for (const name in members) {
        const v = source[name];
        if (v === undefined || v === null) continue;
        const memberRef = members[name]!;
        const encoded = encodeValue(model, memberRef, v, leaves);
        if (encoded !== undefined) out[wireName(name, memberRef)] = encoded;
      }
      return out;
    }
    case "list": {
      const items = value instanceof Set ? [...value] : (value as unknown[]);
      const memberRef = shape.member!;
      return items.map((item) => (item === null || item === undefined ? null : encodeValue(model, memberRef, item, leaves)));
    }
    case "map": {
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>);
      const out: Record<string, unknown> = {};
      const valueRef = shape.value!;
      for (const [k, v] of entries) {
        if (v === undefined) continue;
        out[String(k)] = v === null ? null : encodeValue(model, valueRef, v, leaves);
      }
      return out;
    }
    case "string":
    case "char":
      return typeof value === "string" ? value : String(value);
    case "boolean":
      return typeof value === "boolean" ? value : value === "true";
    case "integer":
    case "long":
    case "short":
    case "byte":
    case "biginteger":
    case "float":
    case "double":
    case "bigdecimal": {
      const n = typeof value === "number" ? value : Number(value);
      if (Number.isNaN(n)) return "NaN";
      if (n === Number.POSITIVE_INFINITY) return "Infinity";
      if (n === Number.NEGATIVE_INFINITY) return "-Infinity";
      return INTEGER_TYPES.has(shape.type) ? Math.trunc(n) : n;
    }
    case "blob": {
      if (value instanceof Uint8Array) return leaves.encodeBlob(value);
      if (value instanceof ArrayBuffer) return leaves.encodeBlob(new Uint8Array(value));
      if (ArrayBuffer.isView(value)) return leaves.encodeBlob(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      return leaves.encodeBlob(new TextEncoder().encode(String(value)));
    }
    case "timestamp":
      return leaves.encodeTimestamp(value as TimestampValue, timestampFormatFor(leaves.protocol, "body", ref, shape));
    default:
      return value;
  }
}

// Kept here too for modules written before `src/encoding/base64.ts` existed.
export { base64ToBytes, bytesToBase64 };

/** JSON leaves: base64 blobs, timestamps as epoch seconds (or text for iso8601/rfc822 members). */
export function jsonLeaves(protocol: ProtocolId): LeafCodec {
  return {
    protocol,
    decodeBlob: (node) => (typeof node === "string" ? base64ToBytes(node) : null),
    encodeBlob: bytesToBase64,
    encodeTimestamp: (value, format) => formatTimestamp(value, format),
  };
}
