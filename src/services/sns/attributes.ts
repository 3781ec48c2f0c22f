/**
 * Message attributes: AWS's validation on Publish/PublishBatch and their forms on delivery
 * (the JSON envelope's `{ Type, Value }`, SQS raw delivery's `{ DataType, StringValue |
 * BinaryValue }`).
 * Source: https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 */
import { parameterValueInvalid } from "./errors.ts";

export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

export type MessageAttributes = Record<string, MessageAttribute>;

/** What a stored/queued message keeps: binary as base64 so it stays JSON. */
export interface StoredAttribute {
  DataType: string;
  StringValue?: string;
  /** base64 */
  BinaryValue?: string;
}

const NAME_CHARS = /^[A-Za-z0-9_.-]$/;
const TYPE = /^(String|Number|Binary)(\..+)?$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function checkName(name: string): void {
  if (new TextEncoder().encode(name).length > 256) throw parameterValueInvalid("Length of message attribute name must be less than 256 bytes.");
  if (name.startsWith(".")) throw parameterValueInvalid("Invalid message attribute name starting with character '.' was found.");
  if (name.endsWith(".")) throw parameterValueInvalid("Invalid message attribute name ending with character '.' was found.");
  for (const ch of name) {
    if (!NAME_CHARS.test(ch)) {
      const hex = ch.codePointAt(0)!.toString(16).toUpperCase();
      throw parameterValueInvalid(`Invalid non-alphanumeric character '#x${hex}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`);
    }
  }
  if (name.includes("..")) throw parameterValueInvalid("Message attribute name can not have successive '.' character.");
}

/**
 * Validates attributes as AWS does (ParameterValueInvalid); returns their size in bytes
 * (name + type + value), which counts toward the 256 KiB message limit.
 */
export function checkAttributes(attributes: MessageAttributes | undefined): number {
  let size = 0;
  for (const [name, attr] of Object.entries(attributes ?? {})) {
    checkName(name);
    const type = attr.DataType;
    if (!TYPE.test(type)) {
      throw parameterValueInvalid(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    const binary = type.startsWith("Binary");
    if (attr.StringValue === undefined && attr.BinaryValue === undefined) {
      throw parameterValueInvalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    }
    const field = binary ? "Binary" : "String";
    const value = binary ? attr.BinaryValue : attr.StringValue;
    if (value === undefined) throw parameterValueInvalid(`The message attribute '${name}' with type '${type}' must use field '${field}'.`);
    if (value.length === 0) {
      throw parameterValueInvalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    }
    if (type.startsWith("Number") && !NUMBER.test((value as string).trim())) {
      throw parameterValueInvalid(`Could not cast message attribute '${name}' value to number.`);
    }
    if (type === "String.Array") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value as string);
      } catch {
        parsed = undefined;
      }
      if (!Array.isArray(parsed) || parsed.some((v) => v !== null && typeof v === "object")) {
        throw parameterValueInvalid(`The message attribute '${name}' with type 'String.Array' must have a value that is a JSON array of strings, numbers, booleans or null.`);
      }
    }
    const encoder = new TextEncoder();
    size += encoder.encode(name).length + encoder.encode(type).length + (binary ? (value as Uint8Array).length : encoder.encode(value as string).length);
  }
  return size;
}

export function storeAttributes(attributes: MessageAttributes | undefined): Record<string, StoredAttribute> {
  const out: Record<string, StoredAttribute> = {};
  for (const [name, a] of Object.entries(attributes ?? {})) {
    out[name] = a.BinaryValue !== undefined && a.DataType.startsWith("Binary")
      ? { DataType: a.DataType, BinaryValue: toBase64(a.BinaryValue) }
      : { DataType: a.DataType, StringValue: a.StringValue ?? "" };
  }
  return out;
}

/** The JSON envelope's and Lambda event's form: `{ Type, Value }`, binary as base64. */
export function envelopeAttributes(attributes: Record<string, StoredAttribute>): Record<string, { Type: string; Value: string }> {
  const out: Record<string, { Type: string; Value: string }> = {};
  for (const [name, a] of Object.entries(attributes)) out[name] = { Type: a.DataType, Value: a.BinaryValue ?? a.StringValue ?? "" };
  return out;
}

/** SQS SendMessage's form (raw message delivery). */
export function sqsAttributes(attributes: Record<string, StoredAttribute>): Record<string, MessageAttribute> {
  const out: Record<string, MessageAttribute> = {};
  for (const [name, a] of Object.entries(attributes)) {
    out[name] = a.BinaryValue !== undefined ? { DataType: a.DataType, BinaryValue: fromBase64(a.BinaryValue) } : { DataType: a.DataType, StringValue: a.StringValue ?? "" };
  }
  return out;
}
