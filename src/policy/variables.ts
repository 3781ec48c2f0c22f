/**
 * Policy variables in Resource and Condition values (Version 2012-10-17 only):
 * `${aws:username}`, `${aws:PrincipalTag/team}`, any request-context key, with an optional
 * default `${aws:username, 'nobody'}`; `${*}`, `${?}`, `${$}` stand for the literal characters.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
import type { ConditionContext } from "./context.ts";

/**
 * Substitutes variables in `value`; null when a variable has no value in the context and no
 * default (AWS: the resource or condition then does not match). Special characters are
 * replaced by a marker that wildcard matching must treat literally: they come back escaped as
 * `\u0000*` etc., see `literalWildcard`.
 */
export function substitute(value: string, context: ConditionContext, forMatching: boolean): string | null {
  if (!value.includes("${")) return value;
  let failed = false;
  const out = value.replace(/\$\{([^}]*)\}/g, (_m, body: string) => {
    const inner = body.trim();
    if (inner === "*" || inner === "?" || inner === "$") return forMatching ? LITERAL[inner] : inner;
    const comma = inner.indexOf(",");
    const name = (comma >= 0 ? inner.slice(0, comma) : inner).trim();
    const def = comma >= 0 ? /^\s*'([^']*)'\s*$/.exec(inner.slice(comma + 1))?.[1] : undefined;
    const v = context.get(name);
    const single = v === undefined ? undefined : Array.isArray(v) ? (v.length === 1 ? v[0] : undefined) : v;
    if (single === undefined) {
      if (def !== undefined) return def;
      failed = true;
      return "";
    }
    return forMatching ? single.replace(/[*?]/g, (c) => LITERAL[c as "*" | "?"]) : single;
  });
  return failed ? null : out;
}

/** Private-use characters standing for a literal `*`, `?`, `$` after substitution. */
export const LITERAL = { "*": "\uE000", "?": "\uE001", "$": "\uE002" } as const;

/** Turns the literal markers back into their characters (for comparing against a value). */
export function unmark(s: string): string {
  return s.replace(/\uE000/g, "*").replace(/\uE001/g, "?").replace(/\uE002/g, "$");
}
