/**
 * S3 CORS: `OPTIONS` preflight answered from the bucket's CORS configuration, and the
 * `Access-Control-*` headers S3 adds to actual requests that carry an `Origin`.
 *
 * A rule matches when one AllowedOrigin matches the Origin (at most one `*` wildcard), the
 * method is among AllowedMethods, and every requested header matches an AllowedHeader
 * (case-insensitive, `*` wildcards). The first matching rule wins. Preflight answers:
 * - 200 with Access-Control-Allow-Origin (`*` when the rule allows any origin, else the
 *   Origin), -Allow-Methods (the rule's), -Allow-Headers (those requested), -Max-Age,
 *   -Expose-Headers, -Allow-Credentials (for a specific origin) and Vary;
 * - 403 AccessForbidden "CORSResponse: This CORS request is not allowed. ..." when no rule
 *   matches, or "CORSResponse: CORS is not enabled for this bucket." without configuration;
 * - 400 BadRequest without an Origin or Access-Control-Request-Method.
 *
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { BucketRecord } from "./bucket-store.ts";

export interface CorsRule {
  ID?: string;
  AllowedHeaders?: string[];
  AllowedMethods: string[];
  AllowedOrigins: string[];
  ExposeHeaders?: string[];
  MaxAgeSeconds?: number;
}

/** The bucket's CORS rules as PutBucketCors stored them (`config.cors`), or undefined. */
export function corsRulesOf(bucket: BucketRecord): CorsRule[] | undefined {
  let value = bucket.config?.cors as Record<string, unknown> | undefined;
  if (!value) return undefined;
  if (value.CORSConfiguration) value = value.CORSConfiguration as Record<string, unknown>;
  const rules = value.CORSRules as CorsRule[] | undefined;
  return rules && rules.length ? rules : undefined;
}

/** `*`-wildcard match (S3 allows one `*` in an origin, any in headers). */
function wildcard(pattern: string, text: string, ignoreCase: boolean): boolean {
  const escaped = pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
  return new RegExp(`^${escaped}$`, ignoreCase ? "i" : "").test(text);
}

export interface CorsRequest {
  origin: string;
  method: string;
  /** Access-Control-Request-Headers, lower-cased. */
  headers: string[];
}

/** The first rule allowing the request, if any. */
export function matchCorsRule(rules: CorsRule[], request: CorsRequest): CorsRule | undefined {
  return rules.find((rule) =>
    rule.AllowedOrigins.some((o) => wildcard(o, request.origin, false)) &&
    rule.AllowedMethods.includes(request.method.toUpperCase()) &&
    request.headers.every((h) => (rule.AllowedHeaders ?? []).some((a) => wildcard(a, h, true)))
  );
}

/** The response headers a matching rule grants. */
export function corsHeaders(rule: CorsRule, request: CorsRequest, preflight: boolean): Record<string, string> {
  const anyOrigin = rule.AllowedOrigins.includes("*");
  const out: Record<string, string> = {
    "access-control-allow-origin": anyOrigin ? "*" : request.origin,
    "access-control-allow-methods": rule.AllowedMethods.join(", "),
    vary: "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
  };
  if (!anyOrigin) out["access-control-allow-credentials"] = "true";
  if (preflight && request.headers.length) out["access-control-allow-headers"] = request.headers.join(", ");
  if (rule.ExposeHeaders?.length) out["access-control-expose-headers"] = rule.ExposeHeaders.join(", ");
  if (rule.MaxAgeSeconds !== undefined) out["access-control-max-age"] = String(rule.MaxAgeSeconds);
  return out;
}

function splitHeaderList(value: string | null): string[] {
  return (value ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);
}

/**
 * Answers an OPTIONS preflight for `bucket` (null when the bucket does not exist): the
 * headers to send with a 200, or the AwsError to send.
 */
export function preflight(bucket: BucketRecord | null, headers: Headers, resourceType: "OBJECT" | "BUCKET"): Record<string, string> {
  const origin = headers.get("origin");
  if (origin === null) throw new AwsError("BadRequest", "Insufficient information. Origin request header needed.", 400);
  const method = headers.get("access-control-request-method");
  if (method === null || !/^(GET|PUT|POST|DELETE|HEAD)$/.test(method)) {
    throw new AwsError("BadRequest", `Invalid Access-Control-Request-Method: ${method}`, 400);
  }
  const rules = bucket && corsRulesOf(bucket);
  if (!rules) {
    throw new AwsError("AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.", 403, { fields: { Method: method, ResourceType: resourceType } });
  }
  const request = { origin, method, headers: splitHeaderList(headers.get("access-control-request-headers")) };
  const rule = matchCorsRule(rules, request);
  if (!rule) {
    throw new AwsError(
      "AccessForbidden",
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
      403,
      { fields: { Method: method, ResourceType: resourceType } },
    );
  }
  return corsHeaders(rule, request, true);
}

/** CORS headers for an actual (non-preflight) request with an Origin; empty when none apply. */
export function actualRequestCorsHeaders(bucket: BucketRecord | null, headers: Headers, method: string): Record<string, string> {
  const origin = headers.get("origin");
  if (origin === null || !bucket) return {};
  const rules = corsRulesOf(bucket);
  if (!rules) return {};
  const request = { origin, method, headers: [] };
  const rule = matchCorsRule(rules, request);
  return rule ? corsHeaders(rule, request, false) : {};
}
