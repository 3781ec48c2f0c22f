/**
 * Tag sets of objects and buckets: the `x-amz-tagging` header (URL-encoded query form) and
 * S3's limits (10 tags per object, 50 per bucket; keys ≤ 128, values ≤ 256 characters; unique keys).
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html
 */
import { AwsError } from "../../protocol/errors.ts";

export interface Tag {
  Key: string;
  Value: string;
}

function invalidTag(message: string): AwsError {
  return new AwsError("InvalidTag", message, 400);
}

const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** Validates a tag set; `limit` is 10 for objects, 50 for buckets. */
export function checkTags(tags: Tag[], limit: number): Tag[] {
  if (tags.length > limit) {
    throw limit === 10
      ? new AwsError("BadRequest", "Object tags cannot be greater than 10", 400)
      : invalidTag("Bucket tag count cannot be greater than 50");
  }
  const seen = new Set<string>();
  for (const tag of tags) {
    const key = tag.Key ?? "";
    const value = tag.Value ?? "";
    if (key.length === 0 || !TAG_CHARS.test(key)) throw invalidTag("The TagKey you have provided is invalid");
    if (key.length > 128) throw invalidTag("The TagKey you have provided is too long, max 128");
    if (value.length > 256) throw invalidTag("The TagValue you have provided is too long, max 256");
    if (!TAG_CHARS.test(value)) throw invalidTag("The TagValue you have provided is invalid");
    if (seen.has(key)) throw invalidTag("Cannot provide multiple Tags with the same key");
    seen.add(key);
  }
  return tags.map((t) => ({ Key: t.Key, Value: t.Value ?? "" }));
}

/** Parses `x-amz-tagging: k1=v1&k2=v2`. */
export function parseTaggingHeader(header: string | undefined): Tag[] | undefined {
  if (header === undefined) return undefined;
  if (header === "") return [];
  const tags: Tag[] = [];
  for (const part of header.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, " "));
      } catch {
        throw invalidTag("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.");
      }
    };
    tags.push({ Key: decode(eq === -1 ? part : part.slice(0, eq)), Value: decode(eq === -1 ? "" : part.slice(eq + 1)) });
  }
  return checkTags(tags, 10);
}
