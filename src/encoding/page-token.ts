/**
 * Opaque pagination tokens (`NextToken`, `ContinuationToken`, `Marker` values a service invents):
 * a JSON object, UTF-8, URL-safe base64 without padding, so a token survives query strings and
 * any key text (S3 keys are arbitrary Unicode). Services decide what goes in and how a bad token
 * is answered: `decodePageToken` only says "not one of ours" (undefined).
 */
import { base64urlnopad } from "@scure/base";
import { decodeBase64 } from "./base64.ts";

/** The token for `state` (a JSON-serializable object). */
export function encodePageToken(state: Record<string, unknown>): string {
  return base64urlnopad.encode(new TextEncoder().encode(JSON.stringify(state)));
}

/** The state a token carries, or undefined for text that is not a token this module made. */
export function decodePageToken(token: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(decodeBase64(token)));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The string member `field` of a token's state, or undefined (bad token, or no such string). */
export function pageTokenField(token: string, field: string): string | undefined {
  const value = decodePageToken(token)?.[field];
  return typeof value === "string" ? value : undefined;
}
