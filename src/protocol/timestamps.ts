/**
 * Timestamp formats of the AWS protocols. Defaults (Smithy `timestampFormat` trait):
 * awsQuery, restXml and ec2Query bodies use `iso8601` (`2026-11-22T00:32:26.000Z` on output);
 * awsJson and restJson1 bodies use `unixTimestamp` (epoch seconds, fractional);
 * HTTP headers use `rfc822` (IMF-fixdate); query strings use `iso8601`.
 * A member or shape `timestampFormat` overrides the default.
 *
 * Source: https://smithy.io/2.0/spec/protocol-traits.html#timestampformat-trait
 */
import type { ProtocolId, Shape, ShapeRef, TimestampFormat } from "./model.ts";

export type TimestampPlace = "body" | "header" | "querystring" | "uri";

/** Format a member uses: member trait, then shape trait, then the protocol's default for its place. */
export function timestampFormatFor(
  protocol: ProtocolId,
  place: TimestampPlace,
  ref?: ShapeRef,
  shape?: Shape,
): TimestampFormat {
  const explicit = ref?.timestampFormat ?? shape?.timestampFormat;
  if (explicit) return explicit;
  if (place === "header") return "rfc822";
  if (place === "querystring" || place === "uri") return "iso8601";
  return protocol === "json" || protocol === "rest-json" || protocol === "smithy-rpc-v2-cbor" ? "unixTimestamp" : "iso8601";
}

/** A timestamp value as handlers may return it: Date, epoch milliseconds, or an ISO string. */
export type TimestampValue = Date | number | string;

export function toDate(value: TimestampValue): Date {
  if (value instanceof Date) return value;
  if (typeof value === "number") return new Date(value);
  return new Date(value);
}

/**
 * Formats for the wire. `unixTimestamp` gives a number (epoch seconds, with a fraction only if
 * needed); the others give strings. ISO 8601 output keeps milliseconds like AWS
 * (`2026-11-22T00:32:26.123Z`).
 */
export function formatTimestamp(value: TimestampValue, format: TimestampFormat): string | number {
  const date = toDate(value);
  switch (format) {
    case "unixTimestamp":
      return date.getTime() / 1000;
    case "rfc822":
      return date.toUTCString();
    case "iso8601":
    default:
      return date.toISOString();
  }
}

/**
 * Parses a wire timestamp; returns null when it is not a valid timestamp in `format`
 * (codecs turn that into the protocol's serialization/validation error). Lenient the way AWS
 * is: ISO 8601 with or without fractional seconds and with offsets; epoch seconds as number or
 * numeric string; RFC 822/1123 dates.
 */
export function parseTimestamp(value: unknown, format: TimestampFormat): Date | null {
  if (value instanceof Date) return value;
  if (typeof value === "number") return Number.isFinite(value) ? new Date(value * 1000) : null;
  if (typeof value !== "string" || value.trim() === "") return null;
  const text = value.trim();
  if (format === "unixTimestamp" || /^-?\d+(\.\d+)?$/.test(text)) {
    const seconds = Number(text);
    if (Number.isFinite(seconds) && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) return new Date(seconds * 1000);
    if (format === "unixTimestamp") return null;
  }
  if (format === "iso8601") {
    if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(text)) return null;
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms);
}
