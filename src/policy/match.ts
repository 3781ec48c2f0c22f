/**
 * Wildcard matching as IAM does it: `*` any run of characters, `?` one character; actions
 * compare case-insensitively, resources and strings case-sensitively. ARNs (`ArnLike`,
 * Principal ARNs) match segment by segment, so `*` in one segment never spans a colon of the
 * first five.
 */
import { unmark } from "./variables.ts";

const globCache = new Map<string, RegExp>();

/** A glob as an anchored RegExp (cached: policies repeat a few patterns many times). */
export function globRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const cacheKey = (ignoreCase ? "i:" : "s:") + pattern;
  let re = globCache.get(cacheKey);
  if (!re) {
    let src = "";
    for (const ch of pattern) {
      if (ch === "*") src += "[\\s\\S]*";
      else if (ch === "?") src += "[\\s\\S]";
      else if (ch === "\uE000") src += "\\*";
      else if (ch === "\uE001") src += "\\?";
      else if (ch === "\uE002") src += "\\$";
      else src += ch.replace(/[.+^${}()|[\]\\/-]/g, "\\$&");
    }
    re = new RegExp(`^${src}$`, ignoreCase ? "i" : "");
    if (globCache.size > 10_000) globCache.clear();
    globCache.set(cacheKey, re);
  }
  return re;
}

/** Whether `value` matches `pattern` (`*`, `?` wildcards). */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === "*") return true;
  if (!pattern.includes("*") && !pattern.includes("?")) {
    if (/[\uE000-\uE002]/.test(pattern)) pattern = unmark(pattern);
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  return globRegExp(pattern, ignoreCase).test(value);
}

/** Whether an action (`s3:GetObject`) matches a policy's action pattern (`s3:Get*`, `*`). */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(pattern, action, true);
}

/** Splits an ARN into its six parts (`arn`, partition, service, region, account, resource); null when not an ARN. */
export function splitArn(arn: string): string[] | null {
  const parts = arn.split(":");
  if (parts.length < 6) return null;
  return [...parts.slice(0, 5), parts.slice(5).join(":")];
}

/** `ArnLike`/`ArnEquals` and resource matching: segment-wise glob, case-sensitive. */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === "*") return true;
  const p = splitArn(pattern);
  const a = splitArn(arn);
  if (!p || !a) return !p && !a ? globMatch(pattern, arn) : false;
  for (let i = 0; i < 6; i++) if (!globMatch(p[i], a[i])) return false;
  return true;
}

/** Whether a policy's Resource pattern matches a request's resource (an ARN, or `*` for actions without one). */
export function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === "*") return true;
  if (resource === "*") return false;
  // A Resource with fewer than six segments (`arn:aws:sns:*`) globs over the whole ARN.
  return splitArn(pattern) ? arnMatches(pattern, resource) : globMatch(pattern, resource);
}

/** A compiled matcher of one pattern: exact (case-folded when asked), `*`, or a glob RegExp. */
export function compileGlob(pattern: string, ignoreCase: boolean): (value: string) => boolean {
  if (pattern === "*") return () => true;
  if (!pattern.includes("*") && !pattern.includes("?")) {
    const exact = /[\uE000-\uE002]/.test(pattern) ? unmark(pattern) : pattern;
    if (!ignoreCase) return (v) => v === exact;
    const folded = exact.toLowerCase();
    return (v) => v.length === folded.length && v.toLowerCase() === folded;
  }
  const re = globRegExp(pattern, ignoreCase);
  return (v) => re.test(v);
}

/**
 * A compiled Resource pattern (no policy variables in it): `resourceMatches` with the pattern's
 * segments prepared once. `parts` is `splitArn(resource)`, computed once per request.
 */
export function compileResource(pattern: string): (resource: string, parts: string[] | null) => boolean {
  if (pattern === "*") return () => true;
  const p = splitArn(pattern);
  if (!p) {
    const whole = compileGlob(pattern, false);
    return (resource) => resource !== "*" && whole(resource);
  }
  const segments = p.map((seg) => compileGlob(seg, false));
  return (resource, parts) => {
    if (resource === "*" || !parts) return false;
    for (let i = 0; i < 6; i++) if (!segments[i](parts[i])) return false;
    return true;
  };
}
