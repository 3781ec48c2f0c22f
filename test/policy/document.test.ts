/** Policy document validation: IAM's MalformedPolicyDocument messages per kind of document. */
import { describe, expect, it } from "vitest";
import { parsePolicyDocument, policyDocumentError, policySize, type PolicyKind } from "../../src/policy/document.ts";
import { AwsError } from "../../src/protocol/errors.ts";

const doc = (statement: unknown, extra: Record<string, unknown> = { Version: "2012-10-17" }) => JSON.stringify({ ...extra, Statement: statement });
const allow = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };
const trust = { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" };

const cases: [string, string, PolicyKind, string | null, { requireCurrentVersion?: boolean }?][] = [
  ["valid identity policy", doc([allow]), "identity", null],
  ["single statement object", doc(allow), "identity", null],
  ["not JSON", "{nope", "identity", "Syntax errors in policy."],
  ["JSON array", "[]", "identity", "Syntax errors in policy."],
  ["unknown top-level key", doc([allow], { Version: "2012-10-17", Foo: 1 }), "identity", "Syntax errors in policy."],
  ["bad version", doc([allow], { Version: "2020-01-01" }), "identity", "Syntax errors in policy."],
  ["no Statement", JSON.stringify({ Version: "2012-10-17" }), "identity", "Syntax errors in policy."],
  ["empty Statement", doc([]), "identity", "Syntax errors in policy."],
  ["missing Effect", doc([{ Action: "s3:*", Resource: "*" }]), "identity", "Syntax errors in policy."],
  ["unknown statement key", doc([{ ...allow, Foo: "x" }]), "identity", "Syntax errors in policy."],
  ["Action and NotAction", doc([{ ...allow, NotAction: "s3:*" }]), "identity", "Syntax errors in policy."],
  ["Action not a string", doc([{ ...allow, Action: 5 }]), "identity", "Syntax errors in policy."],
  ["lower-case effect", doc([{ ...allow, Effect: "allow" }]), "identity", "The policy failed legacy parsing"],
  ["unknown condition operator", doc([{ ...allow, Condition: { StringFoo: { "aws:username": "a" } } }]), "identity", "The policy failed legacy parsing"],
  ["duplicate Sid", doc([{ ...allow, Sid: "A" }, { ...allow, Sid: "A" }]), "identity", "Statement IDs (SID) in a single policy must be unique."],
  ["non-alphanumeric Sid", doc([{ ...allow, Sid: "a-b" }]), "identity", "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"],
  ["principal in identity policy", doc([{ ...allow, Principal: "*" }]), "identity", "Policy document should not specify a principal."],
  ["no Action", doc([{ Effect: "Allow", Resource: "*" }]), "identity", "Policy statement must contain actions."],
  ["no Resource", doc([{ Effect: "Allow", Action: "s3:*" }]), "identity", "Policy statement must contain resources."],
  ["empty Resource list", doc([{ Effect: "Allow", Action: "s3:*", Resource: [] }]), "identity", "Policy statement must contain resources."],
  ["action without vendor", doc([{ ...allow, Action: "GetObject" }]), "identity", "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."],
  ["action with two colons", doc([{ ...allow, Action: "s3:a:b" }]), "identity", "Actions/Condition can contain only one colon."],
  ["resource not ARN", doc([{ ...allow, Resource: "bucket" }]), "identity", 'Resource bucket must be in ARN format or "*".'],
  ["bad partition", doc([{ ...allow, Resource: "arn:foo:s3:::b" }]), "identity", 'Partition "foo" is not valid for resource "arn:foo:s3:*:*:b".'],
  ["iam resource with region", doc([{ ...allow, Resource: "arn:aws:iam:us-east-1:123456789012:user/a" }]), "identity", "IAM resource arn:aws:iam:us-east-1:123456789012:user/a cannot contain region information."],
  ["managed policy without Version", JSON.stringify({ Statement: [allow] }), "identity", "Policy document must be version 2012-10-17 or greater.", { requireCurrentVersion: true }],
  ["inline policy without Version", JSON.stringify({ Statement: [allow] }), "identity", null],
  ["condition with bool and number values", doc([{ ...allow, Condition: { Bool: { "aws:SecureTransport": false }, NumericLessThan: { "s3:max-keys": 10 } } }]), "identity", null],
  ["ForAnyValue IfExists operator", doc([{ ...allow, Condition: { "ForAnyValue:StringLikeIfExists": { "aws:TagKeys": ["a*"] } } }]), "identity", null],
  ["valid trust policy", doc([trust]), "trust", null],
  ["trust policy with Resource", doc([{ ...trust, Resource: "*" }]), "trust", "Has prohibited field Resource"],
  ["trust policy without Principal", doc([{ Effect: "Allow", Action: "sts:AssumeRole" }]), "trust", "Missing required field Principal"],
  ["trust policy with other action", doc([{ ...trust, Action: "s3:GetObject" }]), "trust", "AssumeRole policy may only specify STS AssumeRole actions."],
  ["trust policy with bad principal type", doc([{ ...trust, Principal: { Foo: "bar" } }]), "trust", 'Invalid principal in policy: "Foo":"bar"'],
  ["trust policy with bad AWS principal", doc([{ ...trust, Principal: { AWS: "alice" } }]), "trust", 'Invalid principal in policy: "AWS":"alice"'],
  ["trust policy with account principal", doc([{ ...trust, Principal: { AWS: ["123456789012", "arn:aws:iam::123456789012:root"] } }]), "trust", null],
  ["resource policy", doc([{ ...allow, Principal: "*", Resource: "arn:aws:s3:::b/*" }]), "resource", null],
  ["resource policy without Principal", doc([allow]), "resource", "Missing required field Principal"],
  ["session policy with Principal", doc([{ ...allow, Principal: "*" }]), "session", "Policy document should not specify a principal."],
];

describe("parsePolicyDocument", () => {
  it.each(cases)("%s", (_name, text, kind, expected, options) => {
    expect(policyDocumentError(text, kind, options)).toBe(expected);
  });

  it("throws AwsError MalformedPolicyDocument with status 400, or the code asked for", () => {
    const e = (() => { try { parsePolicyDocument("x", "identity"); } catch (err) { return err; } })();
    expect(e).toBeInstanceOf(AwsError);
    expect((e as AwsError).code).toBe("MalformedPolicyDocument");
    expect((e as AwsError).status).toBe(400);
    expect(() => parsePolicyDocument("x", "resource", { errorCode: "MalformedPolicy" })).toThrow(expect.objectContaining({ code: "MalformedPolicy" }));
  });

  it("returns the parsed document", () => {
    expect(parsePolicyDocument(doc(allow), "identity").Statement).toEqual(allow);
  });
});

describe("policySize", () => {
  it("does not count whitespace outside strings", () => {
    expect(policySize('{ "a" : "b c" }')).toBe('{"a":"b c"}'.length);
  });
});
