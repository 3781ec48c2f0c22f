/** List pagination: AWS's page size for ListTopics / ListSubscriptions(ByTopic) and opaque tokens. */
import { invalidParameter } from "./errors.ts";

export const PAGE_SIZE = 100;

export function encodePageToken(after: string): string {
  return btoa(JSON.stringify({ after }));
}

/** The key a token continues after; InvalidParameter "NextToken" for a token we did not issue. */
export function decodePageToken(token: string): string {
  try {
    const parsed = JSON.parse(atob(token));
    if (typeof parsed?.after === "string") return parsed.after;
  } catch {
    // fall through
  }
  throw invalidParameter("NextToken");
}
