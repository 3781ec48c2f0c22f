/**
 * CloudWatch's offset pagination: `NextToken` is an opaque page token holding the offset of the
 * next item; a token that is not one of ours is AWS's `InvalidNextToken`.
 */
import { AwsError } from "../../protocol/errors.ts";
import { decodePageToken, encodePageToken } from "../../encoding/page-token.ts";

function decodeToken(token: string | undefined): number {
  if (token === undefined) return 0;
  const o = decodePageToken(token)?.o;
  if (typeof o === "number" && Number.isInteger(o) && o >= 0) return o;
  throw new AwsError("InvalidNextToken", "The service returned an invalid NextToken.", 400);
}

/** The page of `items` a request's `NextToken` and page size select, and the next token. */
export function pageOf<T>(items: T[], token: string | undefined, size: number): { page: T[]; NextToken?: string } {
  const offset = decodeToken(token);
  const page = items.slice(offset, offset + size);
  return { page, ...(offset + size < items.length ? { NextToken: encodePageToken({ o: offset + size }) } : {}) };
}
