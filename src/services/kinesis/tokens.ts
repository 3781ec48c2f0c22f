/** Opaque pagination tokens (NextToken) for Kinesis listings. */
import { invalidArgument } from "./errors.ts";

export function encodeToken(value: unknown): string {
  return btoa(JSON.stringify({ v: value }));
}

/** Decodes a token of ours; anything else is AWS's InvalidArgumentException. */
export function decodeToken<T = string>(token: string): T {
  try {
    const parsed = JSON.parse(atob(token));
    if (parsed && typeof parsed === "object" && "v" in parsed) return parsed.v as T;
  } catch {
    // AWS's error below
  }
  throw invalidArgument("Invalid NextToken.");
}
