/** List pagination: AWS's page size for ListTopics / ListSubscriptions(ByTopic) and opaque tokens. */
import { invalidParameter } from "./errors.ts";
import { encodePageToken as encodeToken, pageTokenField } from "../../encoding/page-token.ts";

export const PAGE_SIZE = 100;

export function encodePageToken(after: string): string {
  return encodeToken({ after });
}

/** The key a token continues after; InvalidParameter "NextToken" for a token we did not issue. */
export function decodePageToken(token: string): string {
  const after = pageTokenField(token, "after");
  if (after !== undefined) return after;
  throw invalidParameter("NextToken");
}
