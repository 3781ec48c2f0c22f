/**
 * Shape-driven XML, shared by awsQuery responses and restXml bodies:
 *
 * - `serializeMembers` / `serializeElement`: a value -> XML text by its shape (locationName,
 *   flattened and wrapped lists and maps, xmlAttribute, xmlNamespace, timestamps, base64 blobs);
 * - `parseXml` + `decodeXml`: request XML -> element tree -> input value by its shape.
 *
 * Parsing expands no entities but the five predefined ones and character references; a DOCTYPE
 * is refused, so no entity declaration is ever honoured.
 *
 * Source: botocore `parsers.py` (BaseXMLResponseParser) and `serialize.py` (RestXMLSerializer);
 * https://smithy.io/2.0/spec/protocol-traits.html#xml-bindings
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { ProtocolId, ServiceModel, Shape, ShapeRef } from "./model.ts";
import { formatTimestamp, timestampFormatFor, type TimestampValue } from "./timestamps.ts";
import { bytesToBase64 } from "../encoding/base64.ts";
import { decodeText, ShapeTextError } from "./shape-values.ts";

// Kept for modules written before scalar decoding moved to shape-values.ts.
export { decodeText as decodeScalar, ShapeTextError as XmlValueError };

// ---------------------------------------------------------------------------------------------
// Escaping

const TEXT_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#xD;" };
const ATTR_ESCAPES: Record<string, string> = { ...TEXT_ESCAPES, "\n": "&#xA;", "\t": "&#x9;" };

function controlRef(ch: string): string {
  return `&#x${ch.charCodeAt(0).toString(16).toUpperCase()};`;
}

/** Escapes element text the way S3 does (`"` as `&quot;`, CR and control chars as references). */
const NEEDS_TEXT_ESCAPE = /[&<>"\r\x00-\x08\x0B\x0C\x0E-\x1F]/;

export function escapeXmlText(text: string): string {
  if (!NEEDS_TEXT_ESCAPE.test(text)) return text;
  return text.replace(/[&<>"\r\x00-\x08\x0B\x0C\x0E-\x1F]/g, (ch) => TEXT_ESCAPES[ch] ?? controlRef(ch));
}

/** Escapes an attribute value (also tabs and newlines, which attribute normalization would eat). */
export function escapeXmlAttr(text: string): string {
  return text.replace(/[&<>"\r\n\t\x00-\x08\x0B\x0C\x0E-\x1F]/g, (ch) => ATTR_ESCAPES[ch] ?? controlRef(ch));
}

/**
 * Decodes the five predefined entities and character references; nothing else is an entity: any
 * other `&` (an undeclared entity such as `&xxe;`, a reference to no legal character) makes the
 * document not well-formed (XmlSyntaxError, S3's MalformedXML), as in any XML parser.
 */
export function decodeXmlEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(?:(amp|lt|gt|quot|apos|#x[0-9a-fA-F]{1,8}|#[0-9]{1,10});)?/g, (_, name: string | undefined) => {
    switch (name) {
      case undefined: throw new XmlSyntaxError("an entity other than the five predefined ones, or a bare '&'");
      case "amp": return "&";
      case "lt": return "<";
      case "gt": return ">";
      case "quot": return '"';
      case "apos": return "'";
    }
    const code = name[1] === "x" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    // XML's Char production: no NUL, no surrogates, nothing beyond U+10FFFF.
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new XmlSyntaxError(`&#${code}; is not a legal character`);
    return String.fromCodePoint(code);
  });
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** One element: name as written (with any prefix), decoded attributes, child elements, text. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** Thrown for text that is not well-formed XML (codecs turn it into MalformedXML etc.). */
export class XmlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "XmlSyntaxError";
  }
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: "#cdata",
  commentPropName: "#comment",
});

type OrderedNode = Record<string, unknown> & { ":@"?: Record<string, string> };

function toElement(node: OrderedNode): XmlElement | null {
  const name = Object.keys(node).find((k) => k !== ":@");
  if (!name || name === "#text" || name === "#cdata" || name === "#comment") return null;
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(node[":@"] ?? {})) attributes[k] = decodeXmlEntities(String(v));
  const children: XmlElement[] = [];
  let text = "";
  for (const child of (node[name] as OrderedNode[]) ?? []) {
    if ("#text" in child) text += decodeXmlEntities(String(child["#text"]));
    else if ("#cdata" in child) {
      for (const part of child["#cdata"] as OrderedNode[]) text += String(part["#text"] ?? "");
    } else {
      const el = toElement(child);
      if (el) children.push(el);
    }
  }
  return { name, attributes, children, text };
}

/** Parses a document into its root element; throws XmlSyntaxError when it is not well-formed. */
export function parseXml(text: string): XmlElement {
  if (/<!DOCTYPE/i.test(text)) throw new XmlSyntaxError("DOCTYPE is not allowed");
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) throw new XmlSyntaxError(valid.err.msg);
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(text) as OrderedNode[];
  } catch (e) {
    throw new XmlSyntaxError(e instanceof Error ? e.message : String(e));
  }
  const roots = nodes.map(toElement).filter((e): e is XmlElement => e !== null);
  if (roots.length !== 1) throw new XmlSyntaxError("expected exactly one root element");
  return roots[0]!;
}

function localName(name: string): string {
  const i = name.indexOf(":");
  return i === -1 ? name : name.slice(i + 1);
}

function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name || localName(c.name) === name);
}

function isFlattened(ref: ShapeRef | undefined, shape: Shape): boolean {
  return Boolean(ref?.flattened || shape.flattened);
}

/** Element name of a structure member, as botocore's `_member_key_name`. */
function memberElementName(model: ServiceModel, name: string, ref: ShapeRef): string {
  const shape = model.shapes[ref.shape]!;
  if (shape.type === "list" && isFlattened(ref, shape) && shape.member?.locationName) return shape.member.locationName;
  return ref.locationName ?? name;
}

/** Decodes an element by `ref`'s shape into a value keyed by model member names. */
export function decodeXml(model: ServiceModel, protocol: ProtocolId, ref: ShapeRef, el: XmlElement): unknown {
  const shape = model.shapes[ref.shape];
  if (!shape) throw new Error(`model ${model.metadata.serviceId}: no shape ${ref.shape}`);
  switch (shape.type) {
    case "structure": {
      const out: Record<string, unknown> = {};
      for (const [name, memberRef] of Object.entries(shape.members ?? {})) {
        if (memberRef.location) continue;
        const memberShape = model.shapes[memberRef.shape]!;
        if (memberRef.xmlAttribute) {
          const attrName = memberRef.locationName ?? name;
          const value = el.attributes[attrName] ?? el.attributes[localName(attrName)];
          if (value !== undefined) out[name] = decodeText(protocol, memberRef, memberShape, value);
          continue;
        }
        const elName = memberElementName(model, name, memberRef);
        const found = childrenNamed(el, elName);
        if (found.length === 0) continue;
        if ((memberShape.type === "list" || memberShape.type === "map") && isFlattened(memberRef, memberShape)) {
          out[name] = memberShape.type === "list"
            ? found.map((item) => decodeXml(model, protocol, memberShape.member!, item))
            : decodeMapEntries(model, protocol, memberShape, found);
        } else {
          out[name] = decodeXml(model, protocol, memberRef, found[0]!);
        }
      }
      return out;
    }
    case "list": {
      const itemName = shape.member!.locationName ?? "member";
      if (isFlattened(ref, shape)) return [decodeXml(model, protocol, shape.member!, el)];
      return childrenNamed(el, itemName).map((item) => decodeXml(model, protocol, shape.member!, item));
    }
    case "map":
      return decodeMapEntries(model, protocol, shape, isFlattened(ref, shape) ? [el] : childrenNamed(el, "entry"));
    default:
      return decodeText(protocol, ref, shape, el.text);
  }
}

function decodeMapEntries(model: ServiceModel, protocol: ProtocolId, shape: Shape, entries: XmlElement[]): Record<string, unknown> {
  const keyName = shape.key!.locationName ?? "key";
  const valueName = shape.value!.locationName ?? "value";
  const out: Record<string, unknown> = {};
  for (const entry of entries) {
    const key = childrenNamed(entry, keyName)[0];
    const value = childrenNamed(entry, valueName)[0];
    if (!key) continue;
    out[key.text] = value ? decodeXml(model, protocol, shape.value!, value) : "";
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Serialization

function namespaceAttr(ns: ShapeRef["xmlNamespace"]): string {
  if (!ns) return "";
  if (typeof ns === "string") return ` xmlns="${escapeXmlAttr(ns)}"`;
  return ns.prefix ? ` xmlns:${ns.prefix}="${escapeXmlAttr(ns.uri)}"` : ` xmlns="${escapeXmlAttr(ns.uri)}"`;
}

/** A scalar value as XML text (also used for query strings, headers' non-timestamp values). */
export function scalarText(protocol: ProtocolId, ref: ShapeRef, shape: Shape, value: unknown, place: "body" | "header" | "querystring" | "uri" = "body"): string {
  switch (shape.type) {
    case "boolean":
      return typeof value === "boolean" ? String(value) : String(value === "true" || value === true);
    case "integer":
    case "long":
    case "short":
    case "byte":
    case "biginteger":
    case "float":
    case "double":
    case "bigdecimal": {
      if (typeof value === "bigint") return value.toString();
      const n = typeof value === "number" ? value : Number(value);
      if (Number.isNaN(n)) return "NaN";
      if (n === Number.POSITIVE_INFINITY) return "Infinity";
      if (n === Number.NEGATIVE_INFINITY) return "-Infinity";
      return String(shape.type === "float" || shape.type === "double" || shape.type === "bigdecimal" ? n : Math.trunc(n));
    }
    case "blob":
      return bytesToBase64(toBytes(value));
    case "timestamp":
      return String(formatTimestamp(value as TimestampValue, timestampFormatFor(protocol, place, ref, shape)));
    default:
      return String(value);
  }
}

/** Bytes of a blob value as handlers return it (Uint8Array, ArrayBuffer(View) or string). */
export function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return new TextEncoder().encode(String(value));
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/**
 * The member elements of a structure value (no wrapping element), in model order. Members with
 * an HTTP `location` are skipped (they travel in headers, query or status); so are attributes.
 */
interface XmlMembers {
  /** Members serialized as child elements: [member name, element name, ref]. */
  elements: [string, string, ShapeRef][];
  /** Members serialized as attributes. */
  attributes: [string, string, ShapeRef][];
}

/** Per structure shape, its element and attribute members, resolved once. */
const XML_MEMBERS = new WeakMap<Shape, XmlMembers>();

function xmlMembers(shape: Shape): XmlMembers {
  let members = XML_MEMBERS.get(shape);
  if (!members) {
    members = { elements: [], attributes: [] };
    for (const [name, ref] of Object.entries(shape.members ?? {})) {
      if (ref.location) continue;
      (ref.xmlAttribute ? members.attributes : members.elements).push([name, ref.locationName ?? name, ref]);
    }
    XML_MEMBERS.set(shape, members);
  }
  return members;
}

export function serializeMembers(model: ServiceModel, protocol: ProtocolId, shape: Shape, value: Record<string, unknown>): string {
  let out = "";
  for (const [name, element, memberRef] of xmlMembers(shape).elements) {
    const v = value[name];
    if (!isPresent(v)) continue;
    out += serializeElement(model, protocol, element, memberRef, v);
  }
  return out;
}

function attributesOf(model: ServiceModel, protocol: ProtocolId, shape: Shape, value: Record<string, unknown>): string {
  let out = "";
  for (const [name, attribute, memberRef] of xmlMembers(shape).attributes) {
    const v = value[name];
    if (!isPresent(v)) continue;
    out += ` ${attribute}="${escapeXmlAttr(scalarText(protocol, memberRef, model.shapes[memberRef.shape]!, v))}"`;
  }
  return out;
}

/**
 * One member as XML: `<name>…</name>` for structures, scalars and wrapped collections, or the
 * repeated elements of a flattened list or map.
 */
export function serializeElement(model: ServiceModel, protocol: ProtocolId, name: string, ref: ShapeRef, value: unknown): string {
  const shape = model.shapes[ref.shape];
  if (!shape) throw new Error(`model ${model.metadata.serviceId}: no shape ${ref.shape}`);
  const ns = namespaceAttr(ref.xmlNamespace ?? shape.xmlNamespace);
  switch (shape.type) {
    case "structure": {
      const v = value as Record<string, unknown>;
      return `<${name}${ns}${attributesOf(model, protocol, shape, v)}>${serializeMembers(model, protocol, shape, v)}</${name}>`;
    }
    case "list": {
      const items = (value instanceof Set ? [...value] : (value as unknown[])).filter(isPresent);
      const memberRef = shape.member!;
      if (isFlattened(ref, shape)) {
        const itemName = memberRef.locationName ?? name;
        return items.map((item) => serializeElement(model, protocol, itemName, memberRef, item)).join("");
      }
      const itemName = memberRef.locationName ?? "member";
      return `<${name}${ns}>${items.map((item) => serializeElement(model, protocol, itemName, memberRef, item)).join("")}</${name}>`;
    }
    case "map": {
      const entries = (value instanceof Map ? [...value.entries()] : Object.entries(value as Record<string, unknown>)).filter(([, v]) => isPresent(v));
      const keyName = shape.key!.locationName ?? "key";
      const valueName = shape.value!.locationName ?? "value";
      const body = (k: unknown, v: unknown) =>
        serializeElement(model, protocol, keyName, shape.key!, k) + serializeElement(model, protocol, valueName, shape.value!, v);
      if (isFlattened(ref, shape)) return entries.map(([k, v]) => `<${name}>${body(k, v)}</${name}>`).join("");
      return `<${name}${ns}>${entries.map(([k, v]) => `<entry>${body(k, v)}</entry>`).join("")}</${name}>`;
    }
    default:
      return `<${name}${ns}>${escapeXmlText(scalarText(protocol, ref, shape, value))}</${name}>`;
  }
}

/** A whole document: the structure `value` as root element `root`, with an optional namespace. */
export function serializeRoot(
  model: ServiceModel,
  protocol: ProtocolId,
  root: string,
  shape: Shape,
  value: Record<string, unknown>,
  namespace?: ShapeRef["xmlNamespace"],
): string {
  const ns = namespaceAttr(namespace ?? shape.xmlNamespace);
  return `<${root}${ns}${attributesOf(model, protocol, shape, value)}>${serializeMembers(model, protocol, shape, value)}</${root}>`;
}
