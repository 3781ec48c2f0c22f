/**
 * Reading the identity tokens STS exchanges for credentials: OIDC JWTs
 * (AssumeRoleWithWebIdentity) and SAML 2.0 responses (AssumeRoleWithSAML). Signatures are not
 * verified (there is no identity provider to trust locally); structure and expiry are.
 *
 * Sources: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html
 */
import { XMLParser } from "fast-xml-parser";
import { sha1 } from "@noble/hashes/legacy.js";
import { AwsError } from "../../protocol/errors.ts";
import { bytesToBase64, decodeBase64 } from "../../encoding/base64.ts";

export interface WebIdentityClaims {
  sub: string;
  aud: string;
  iss: string;
  exp?: number;
}

function base64UrlDecode(text: string): string {
  return new TextDecoder().decode(decodeBase64(text));
}

/** Claims of a JWT; throws `InvalidIdentityTokenException` / `ExpiredTokenException` as AWS does. */
export function readWebIdentityToken(token: string, nowMs: number): WebIdentityClaims {
  const parts = token.split(".");
  let payload: Record<string, unknown>;
  try {
    if (parts.length !== 3) throw new Error("not a JWT");
    JSON.parse(base64UrlDecode(parts[0]));
    payload = JSON.parse(base64UrlDecode(parts[1]));
  } catch {
    throw new AwsError("InvalidIdentityTokenException", "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)", 400);
  }
  const aud = Array.isArray(payload.aud) ? String(payload.aud[0] ?? "") : String(payload.aud ?? "");
  const iss = String(payload.iss ?? "");
  if (!payload.sub || !iss) {
    throw new AwsError("InvalidIdentityTokenException", "Missing a required claim: " + (!iss ? "iss" : "sub"), 400);
  }
  if (typeof payload.exp === "number" && payload.exp * 1000 < nowMs) {
    throw new AwsError("ExpiredTokenException", "Token expired: current date/time " + Math.floor(nowMs / 1000) + " must be before the expiration date/time " + payload.exp, 400);
  }
  // AWS reports the provider as the issuer without its scheme.
  return { sub: String(payload.sub), aud, iss: iss.replace(/^https:\/\//, ""), exp: payload.exp as number | undefined };
}

export interface SamlClaims {
  subject: string;
  subjectType: string;
  issuer: string;
  audience: string;
  roleSessionName?: string;
  sessionDuration?: number;
  notOnOrAfter?: number;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  processEntities: false,
  isArray: (name) => name === "Attribute" || name === "AttributeValue" || name === "Assertion",
});

function text(node: unknown): string | undefined {
  if (node == null) return undefined;
  if (typeof node === "object") return (node as Record<string, unknown>)["#text"] as string | undefined;
  return String(node);
}

/** Claims of a base64 SAML response; throws `InvalidIdentityTokenException` when unreadable. */
export function readSamlAssertion(encoded: string): SamlClaims {
  // Parsed XML of any SAML response (fast-xml-parser output): untyped by nature, read defensively.
  let doc: Record<string, any>;
  try {
    const xml = new TextDecoder().decode(decodeBase64(encoded));
    doc = parser.parse(xml);
  } catch {
    throw new AwsError("InvalidIdentityTokenException", "Invalid base64 SAMLResponse", 400);
  }
  const response = doc.Response ?? doc;
  const assertion = response.Assertion?.[0] ?? doc.Assertion?.[0];
  if (!assertion) throw new AwsError("InvalidIdentityTokenException", "Response does not contain an Assertion", 400);
  const nameId = assertion.Subject?.NameID;
  const attributes: Record<string, string[]> = {};
  for (const attribute of assertion.AttributeStatement?.Attribute ?? []) {
    attributes[attribute["@Name"]] = (attribute.AttributeValue ?? []).map((v: unknown) => text(v) ?? "");
  }
  const conditions = assertion.Conditions ?? {};
  const notOnOrAfter = conditions["@NotOnOrAfter"] ? Date.parse(conditions["@NotOnOrAfter"]) : undefined;
  const duration = attributes["https://aws.amazon.com/SAML/Attributes/SessionDuration"]?.[0];
  const format = typeof nameId === "object" ? String(nameId["@Format"] ?? "") : "";
  return {
    subject: text(nameId) ?? "",
    subjectType: format.includes(":") ? (format.endsWith("transient") || format.endsWith("persistent") ? format.split(":").pop()! : format) : "transient",
    issuer: text(assertion.Issuer ?? response.Issuer) ?? "",
    audience: text(conditions.AudienceRestriction?.Audience) ?? "https://signin.aws.amazon.com/saml",
    roleSessionName: attributes["https://aws.amazon.com/SAML/Attributes/RoleSessionName"]?.[0],
    sessionDuration: duration ? Number(duration) : undefined,
    notOnOrAfter: Number.isNaN(notOnOrAfter) ? undefined : notOnOrAfter,
  };
}

/** `NameQualifier`: Base64(SHA1(Issuer + AccountId + "/" + provider name)), as AWS documents it. */
export function nameQualifier(issuer: string, accountId: string, providerName: string): string {
  const digest = sha1(new TextEncoder().encode(issuer + accountId + "/" + providerName));
  return bytesToBase64(digest);
}
