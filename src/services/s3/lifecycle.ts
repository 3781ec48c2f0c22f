/**
 * The `x-amz-expiration` header: which lifecycle rule will expire an object and when, as S3
 * reports it on PUT, GET, HEAD and CopyObject (`expiry-date="<http-date>", rule-id="<id>"`).
 * Expiration after Days is counted from the object's creation, rounded up to the next midnight
 * UTC, as S3 does. Objects are not removed by fetchstack (S3 itself expires them lazily, within
 * a day or two); the header tells clients what AWS would do.
 *
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html
 */
import type { BucketRecord } from "./bucket-store.ts";
import type { ObjectVersion } from "./object-store.ts";

interface Rule {
  ID?: string;
  Status?: string;
  Prefix?: string;
  Filter?: {
    Prefix?: string;
    Tag?: { Key: string; Value: string };
    ObjectSizeGreaterThan?: number;
    ObjectSizeLessThan?: number;
    And?: { Prefix?: string; Tags?: { Key: string; Value: string }[]; ObjectSizeGreaterThan?: number; ObjectSizeLessThan?: number };
  };
  Expiration?: { Days?: number; Date?: string | Date };
}

const DAY = 86_400_000;

function applies(rule: Rule, version: Pick<ObjectVersion, "key" | "size" | "tags">): boolean {
  const f = rule.Filter ?? {};
  const and = f.And ?? {};
  const prefix = f.Prefix ?? and.Prefix ?? rule.Prefix ?? "";
  if (!version.key.startsWith(prefix)) return false;
  const tags = [...(f.Tag ? [f.Tag] : []), ...(and.Tags ?? [])];
  if (!tags.every((t) => version.tags?.some((o) => o.Key === t.Key && o.Value === t.Value))) return false;
  const gt = f.ObjectSizeGreaterThan ?? and.ObjectSizeGreaterThan;
  const lt = f.ObjectSizeLessThan ?? and.ObjectSizeLessThan;
  if (gt !== undefined && !(version.size > gt)) return false;
  if (lt !== undefined && !(version.size < lt)) return false;
  return true;
}

/** The header value for a current version, or undefined when no enabled rule expires it. */
export function expirationHeader(bucket: BucketRecord, version: Pick<ObjectVersion, "key" | "size" | "tags" | "lastModified">): string | undefined {
  const rules = (bucket.config.lifecycle as { Rules?: Rule[] } | undefined)?.Rules ?? [];
  let best: { at: number; id: string } | undefined;
  for (const rule of rules) {
    if (rule.Status !== "Enabled" || !rule.Expiration || !applies(rule, version)) continue;
    let at: number | undefined;
    if (rule.Expiration.Days !== undefined) at = Math.ceil((version.lastModified + rule.Expiration.Days * DAY) / DAY) * DAY;
    else if (rule.Expiration.Date !== undefined) at = new Date(rule.Expiration.Date).getTime();
    if (at === undefined || Number.isNaN(at)) continue;
    if (!best || at < best.at) best = { at, id: rule.ID ?? "" };
  }
  return best && `expiry-date="${new Date(best.at).toUTCString()}", rule-id="${best.id}"`;
}
