/**
 * MemoryDB access strings: Redis ACL rules (`on ~* &* +@all`).
 * Source: https://docs.aws.amazon.com/memorydb/latest/devguide/clusters.acls.html#access-string,
 * https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/
 */
const CATEGORIES = new Set([
  "all", "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo", "stream",
  "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
]);

const KEYWORDS = new Set([
  "on", "off", "allkeys", "resetkeys", "allchannels", "resetchannels", "allcommands", "nocommands", "reset", "nopass",
]);

/** Null when valid; otherwise the offending rule. */
export function invalidAccessRule(accessString: string): string | null {
  const rules = accessString.trim().split(/\s+/);
  for (const rule of rules) {
    const lower = rule.toLowerCase();
    if (KEYWORDS.has(lower)) continue;
    if (/^(~|%R~|%W~|%RW~)\S+$/i.test(rule)) continue;
    if (/^&\S+$/.test(rule)) continue;
    const category = /^[+-]@(\S+)$/.exec(lower);
    if (category) {
      if (!CATEGORIES.has(category[1])) return rule;
      continue;
    }
    if (/^[+-][a-z][a-z0-9_.-]*(\|[a-z0-9_.-]+)?$/.test(lower)) continue;
    return rule;
  }
  return null;
}
