/**
 * The context keys a policy document refers to, as IAM's GetContextKeysForCustomPolicy and
 * GetContextKeysForPrincipalPolicy list them: policy variables (`${aws:username}`, with or
 * without a default) in Resource, NotResource and condition values, and every condition key,
 * statement by statement, each key once (keys are compared without regard to case), spelled as
 * first written. `${*}`, `${?}` and `${$}` are characters, not keys.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetContextKeysForCustomPolicy.html
 */
import { asList, statementsOf } from "./document.ts";
import type { PolicyDocument } from "./types.ts";

function variablesIn(value: unknown, out: string[]): void {
  if (typeof value === "string") {
    for (const m of value.matchAll(/\$\{([^}]*)\}/g)) {
      const inner = m[1].trim();
      if (inner === "*" || inner === "?" || inner === "$") continue;
      const comma = inner.indexOf(",");
      out.push((comma >= 0 ? inner.slice(0, comma) : inner).trim());
    }
  } else if (Array.isArray(value)) for (const v of value) variablesIn(v, out);
}

/** The context keys `documents` use, in order of appearance, each once. */
export function contextKeysOf(documents: PolicyDocument[]): string[] {
  const found: string[] = [];
  for (const doc of documents) {
    for (const s of statementsOf(doc)) {
      for (const r of [...asList(s.Resource), ...asList(s.NotResource)]) variablesIn(r, found);
      for (const block of Object.values(s.Condition ?? {})) {
        for (const [key, value] of Object.entries(block ?? {})) {
          found.push(key);
          variablesIn(value, found);
        }
      }
    }
  }
  const seen = new Set<string>();
  return found.filter((k) => {
    const lower = k.toLowerCase();
    if (!k || seen.has(lower)) return false;
    seen.add(lower);
    return true;
  });
}
