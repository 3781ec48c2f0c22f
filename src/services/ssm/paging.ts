/**
 * Shared helpers of the SSM handlers beyond Parameter Store: pages with opaque NextTokens,
 * AWS-style ids, and the common SSM errors.
 */
import { AwsError } from "../../protocol/errors.ts";
import { decodePageToken, encodePageToken } from "../../encoding/page-token.ts";

/** One page of `items` from an opaque token; `InvalidNextToken` for a token we did not make. */
export function pageOf<T>(items: T[], max: number, token: string | undefined): { page: T[]; NextToken?: string } {
  let start = 0;
  if (token !== undefined) {
    const offset = decodePageToken(token)?.offset;
    if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) throw new AwsError("InvalidNextToken", "The specified token isn't valid.", 400);
    start = offset;
  }
  const page = items.slice(start, start + max);
  return { page, ...(start + max < items.length ? { NextToken: encodePageToken({ offset: start + max }) } : {}) };
}

export function validation(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

export function doesNotExist(message: string): AwsError {
  return new AwsError("DoesNotExistException", message, 400);
}

/** `len` lowercase hex digits. */
export function hexId(len: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(Math.ceil(len / 2))), (b) => b.toString(16).padStart(2, "0")).join("").slice(0, len);
}

/** Drops undefined members (so a record's absent fields are absent in the answer). */
export function defined<T extends object>(obj: T): T {
  const out = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}

export interface Tag {
  Key: string;
  Value: string;
}
