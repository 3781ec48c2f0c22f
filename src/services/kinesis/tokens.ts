/** Opaque pagination tokens (NextToken) for Kinesis listings. */
import { invalidArgument } from "./errors.ts";
import { decodePageToken, encodePageToken } from "../../encoding/page-token.ts";

export function encodeToken(value: unknown): string {
  return encodePageToken({ v: value });
}

/** Decodes a token of ours; anything else is AWS's InvalidArgumentException. */
export function decodeToken<T = string>(token: string): T {
  const state = decodePageToken(token);
  if (state && "v" in state) return state.v as T;
  throw invalidArgument("Invalid NextToken.");
}
