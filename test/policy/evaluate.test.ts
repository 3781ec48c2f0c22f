/**
 * The evaluation table: AWS's policy evaluation logic case by case (allow, explicit deny,
 * NotAction/NotResource, wildcards, variables, every condition operator family, boundaries,
 * session policies, resource policies same-account and cross-account, root, anonymous).
 */
import { describe, expect, it } from "vitest";
import { denialMessage, evaluate, type AuthorizationRequest, type Decision, type PolicySet } from "../../src/policy/evaluate.ts";
import { requestContext } from "../../src/policy/request-context.ts";
import type { NamedPolicy, PolicyStatement, Principal } from "../../src/policy/types.ts";
import { ipInCidr } from "../../src/policy/ip.ts";

const A = "111111111111";
const B = "222222222222";
const alice: Principal = { account: A, arn: `arn:aws:iam::${A}:user/alice`, principalArn: `arn:aws:iam::${A}:user/alice`, userId: "AIDAALICE", kind: "user" };
const bob: Principal = { account: B, arn: `arn:aws:iam::${B}:user/bob`, principalArn: `arn:aws:iam::${B}:user/bob`, userId: "AIDABOB", kind: "user" };
const rootA: Principal = { account: A, arn: `arn:aws:iam::${A}:root`, userId: A, kind: "root" };
const roleSession: Principal = { account: A, arn: `arn:aws:sts::${A}:assumed-role/R/s1`, principalArn: `arn:aws:iam::${A}:role/R`, userId: "AROAR:s1", kind: "assumed-role", sessionTags: { team: "blue" } };

const pol = (source: string, ...Statement: PolicyStatement[]): NamedPolicy => ({ source, document: { Version: "2012-10-17", Statement } });
const allowS = (Action: string | string[], Resource: string | string[] = "*", extra: Partial<PolicyStatement> = {}): PolicyStatement => ({ Effect: "Allow", Action, Resource, ...extra });
const denyS = (Action: string | string[], Resource: string | string[] = "*", extra: Partial<PolicyStatement> = {}): PolicyStatement => ({ Effect: "Deny", Action, Resource, ...extra });
const cond = (Condition: PolicyStatement["Condition"], Action = "s3:GetObject"): PolicySet => ({ identityPolicies: [pol("p", allowS(Action, "*", { Condition }))] });

interface Case {
  name: string;
  principal?: Principal | null;
  action?: string;
  resource?: string;
  resourceAccount?: string;
  policies: PolicySet;
  extra?: Record<string, string | string[]>;
  sourceIp?: string;
  secure?: boolean;
  now?: number;
  expect: Decision["decision"];
  reason?: string;
  sid?: string;
}

const NOW = Date.parse("2026-06-15T12:00:00Z");
const obj = "arn:aws:s3:::b/k";
const ids = (...ps: NamedPolicy[]): PolicySet => ({ identityPolicies: ps });

const cases: Case[] = [
  // Basics.
  { name: "no policy: implicit deny", policies: ids(), expect: "implicitDeny", reason: "because no identity-based policy allows the s3:GetObject action" },
  { name: "allow exact action", policies: ids(pol("p", allowS("s3:GetObject", obj))), expect: "allowed" },
  { name: "action case-insensitive", policies: ids(pol("p", allowS("S3:getobject", obj))), expect: "allowed" },
  { name: "action wildcard *", policies: ids(pol("p", allowS("s3:Get*"))), expect: "allowed" },
  { name: "action wildcard ?", policies: ids(pol("p", allowS("s3:GetObjec?"))), expect: "allowed" },
  { name: "action wildcard not matching", policies: ids(pol("p", allowS("s3:Put*"))), expect: "implicitDeny" },
  { name: "full wildcard", policies: ids(pol("p", allowS("*"))), expect: "allowed" },
  { name: "resource is case-sensitive", policies: ids(pol("p", allowS("s3:GetObject", "arn:aws:s3:::B/k"))), expect: "implicitDeny" },
  { name: "resource wildcard", policies: ids(pol("p", allowS("s3:GetObject", "arn:aws:s3:::b/*"))), expect: "allowed" },
  { name: "resource wildcard other bucket", policies: ids(pol("p", allowS("s3:GetObject", "arn:aws:s3:::c/*"))), expect: "implicitDeny" },
  { name: "resource list", policies: ids(pol("p", allowS("s3:GetObject", ["arn:aws:s3:::c/*", "arn:aws:s3:::b/*"]))), expect: "allowed" },
  { name: "explicit deny wins", policies: ids(pol("p", allowS("s3:*")), pol("q", { ...denyS("s3:GetObject"), Sid: "NoGet" })), expect: "explicitDeny", reason: "with an explicit deny in an identity-based policy", sid: "NoGet" },
  { name: "deny other action does not apply", policies: ids(pol("p", allowS("s3:*"), denyS("s3:PutObject"))), expect: "allowed" },
  { name: "NotAction allow", policies: ids(pol("p", { Effect: "Allow", NotAction: "iam:*", Resource: "*" })), expect: "allowed" },
  { name: "NotAction allow excludes", action: "iam:CreateUser", policies: ids(pol("p", { Effect: "Allow", NotAction: "iam:*", Resource: "*" })), expect: "implicitDeny" },
  { name: "NotAction deny", policies: ids(pol("p", allowS("*"), { Effect: "Deny", NotAction: "s3:*", Resource: "*" })), expect: "allowed" },
  { name: "NotAction deny hits others", action: "sqs:SendMessage", resource: `arn:aws:sqs:us-east-1:${A}:q`, policies: ids(pol("p", allowS("*"), { Effect: "Deny", NotAction: "s3:*", Resource: "*" })), expect: "explicitDeny" },
  { name: "NotResource allow", policies: ids(pol("p", { Effect: "Allow", Action: "s3:*", NotResource: "arn:aws:s3:::secret/*" })), expect: "allowed" },
  { name: "NotResource excludes", resource: "arn:aws:s3:::secret/x", policies: ids(pol("p", { Effect: "Allow", Action: "s3:*", NotResource: "arn:aws:s3:::secret/*" })), expect: "implicitDeny" },
  { name: "action without resource needs Resource *", action: "s3:ListAllMyBuckets", resource: "*", policies: ids(pol("p", allowS("s3:*", "arn:aws:s3:::*"))), expect: "implicitDeny" },
  { name: "ARN segment wildcard in region", action: "sqs:SendMessage", resource: `arn:aws:sqs:eu-west-1:${A}:q`, policies: ids(pol("p", allowS("sqs:*", `arn:aws:sqs:*:${A}:q`))), expect: "allowed" },
  // Policy variables.
  { name: "${aws:username} in resource", resource: "arn:aws:s3:::home/alice/f", policies: ids(pol("p", allowS("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))), expect: "allowed" },
  { name: "${aws:username} other user's folder", resource: "arn:aws:s3:::home/bob/f", policies: ids(pol("p", allowS("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))), expect: "implicitDeny" },
  { name: "variable missing: no match", principal: roleSession, resource: "arn:aws:s3:::home/s1/f", policies: ids(pol("p", allowS("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))), expect: "implicitDeny" },
  { name: "variable default value", principal: roleSession, resource: "arn:aws:s3:::home/anon/f", policies: ids(pol("p", allowS("s3:GetObject", "arn:aws:s3:::home/${aws:username, 'anon'}/*"))), expect: "allowed" },
  { name: "${aws:PrincipalTag/team}", principal: roleSession, resource: "arn:aws:s3:::blue/f", policies: ids(pol("p", allowS("s3:GetObject", "arn:aws:s3:::${aws:PrincipalTag/team}/*"))), expect: "allowed" },
  { name: "${*} is a literal star", resource: "arn:aws:s3:::b/*", policies: ids(pol("p", allowS("s3:GetObject", "arn:aws:s3:::b/${*}"))), expect: "allowed" },
  { name: "${*} does not act as wildcard", resource: "arn:aws:s3:::b/x", policies: ids(pol("p", allowS("s3:GetObject", "arn:aws:s3:::b/${*}"))), expect: "implicitDeny" },
  { name: "${?} and ${$} literals", resource: "arn:aws:s3:::b/a?$", policies: ids(pol("p", allowS("s3:GetObject", "arn:aws:s3:::b/a${?}${$}"))), expect: "allowed" },
  { name: "variables literal in 2008-10-17", resource: "arn:aws:s3:::home/alice/f", policies: ids({ source: "old", document: { Version: "2008-10-17", Statement: [allowS("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")] } }), expect: "implicitDeny" },
  { name: "variable in condition value", extra: { "s3:prefix": "alice/" }, policies: cond({ StringEquals: { "s3:prefix": "${aws:username}/" } }), expect: "allowed" },
  // String operators.
  { name: "StringEquals match", extra: { "s3:x-amz-acl": "private" }, policies: cond({ StringEquals: { "s3:x-amz-acl": "private" } }), expect: "allowed" },
  { name: "StringEquals case-sensitive", extra: { "s3:x-amz-acl": "Private" }, policies: cond({ StringEquals: { "s3:x-amz-acl": "private" } }), expect: "implicitDeny" },
  { name: "StringEquals key name case-insensitive", extra: { "S3:X-Amz-Acl": "private" }, policies: cond({ StringEquals: { "s3:x-amz-acl": "private" } }), expect: "allowed" },
  { name: "StringEquals any of values", extra: { "s3:x-amz-acl": "b" }, policies: cond({ StringEquals: { "s3:x-amz-acl": ["a", "b"] } }), expect: "allowed" },
  { name: "StringEquals missing key", policies: cond({ StringEquals: { "s3:x-amz-acl": "private" } }), expect: "implicitDeny" },
  { name: "StringNotEquals match", extra: { "s3:x-amz-acl": "public-read" }, policies: cond({ StringNotEquals: { "s3:x-amz-acl": "private" } }), expect: "allowed" },
  { name: "StringNotEquals equal", extra: { "s3:x-amz-acl": "private" }, policies: cond({ StringNotEquals: { "s3:x-amz-acl": ["private", "x"] } }), expect: "implicitDeny" },
  { name: "StringNotEquals missing key is true", policies: cond({ StringNotEquals: { "s3:x-amz-acl": "private" } }), expect: "allowed" },
  { name: "StringEqualsIgnoreCase", extra: { "aws:RequestTag/env": "PROD" }, policies: cond({ StringEqualsIgnoreCase: { "aws:RequestTag/env": "prod" } }), expect: "allowed" },
  { name: "StringNotEqualsIgnoreCase", extra: { "aws:RequestTag/env": "PROD" }, policies: cond({ StringNotEqualsIgnoreCase: { "aws:RequestTag/env": "prod" } }), expect: "implicitDeny" },
  { name: "StringLike wildcard", extra: { "s3:prefix": "home/alice/docs" }, policies: cond({ StringLike: { "s3:prefix": "home/*" } }), expect: "allowed" },
  { name: "StringLike ?", extra: { "s3:prefix": "ab" }, policies: cond({ StringLike: { "s3:prefix": "a?" } }), expect: "allowed" },
  { name: "StringNotLike", extra: { "s3:prefix": "home/x" }, policies: cond({ StringNotLike: { "s3:prefix": "home/*" } }), expect: "implicitDeny" },
  { name: "StringEqualsIfExists missing", policies: cond({ StringEqualsIfExists: { "s3:x-amz-acl": "private" } }), expect: "allowed" },
  { name: "StringEqualsIfExists present wrong", extra: { "s3:x-amz-acl": "public-read" }, policies: cond({ StringEqualsIfExists: { "s3:x-amz-acl": "private" } }), expect: "implicitDeny" },
  // Numeric.
  { name: "NumericLessThan", extra: { "s3:max-keys": "5" }, policies: cond({ NumericLessThan: { "s3:max-keys": "10" } }), expect: "allowed" },
  { name: "NumericLessThan fails", extra: { "s3:max-keys": "10" }, policies: cond({ NumericLessThan: { "s3:max-keys": 10 } }), expect: "implicitDeny" },
  { name: "NumericLessThanEquals", extra: { "s3:max-keys": "10" }, policies: cond({ NumericLessThanEquals: { "s3:max-keys": 10 } }), expect: "allowed" },
  { name: "NumericGreaterThan", extra: { "s3:max-keys": "11" }, policies: cond({ NumericGreaterThan: { "s3:max-keys": "10" } }), expect: "allowed" },
  { name: "NumericGreaterThanEquals fails", extra: { "s3:max-keys": "9" }, policies: cond({ NumericGreaterThanEquals: { "s3:max-keys": "10" } }), expect: "implicitDeny" },
  { name: "NumericEquals", extra: { "s3:max-keys": "10.0" }, policies: cond({ NumericEquals: { "s3:max-keys": "10" } }), expect: "allowed" },
  { name: "NumericNotEquals", extra: { "s3:max-keys": "10" }, policies: cond({ NumericNotEquals: { "s3:max-keys": "10" } }), expect: "implicitDeny" },
  { name: "Numeric not a number", extra: { "s3:max-keys": "abc" }, policies: cond({ NumericLessThan: { "s3:max-keys": "10" } }), expect: "implicitDeny" },
  // Dates.
  { name: "DateLessThan on aws:CurrentTime", policies: cond({ DateLessThan: { "aws:CurrentTime": "2027-01-01T00:00:00Z" } }), expect: "allowed" },
  { name: "DateGreaterThan on aws:CurrentTime fails", policies: cond({ DateGreaterThan: { "aws:CurrentTime": "2027-01-01T00:00:00Z" } }), expect: "implicitDeny" },
  { name: "DateGreaterThanEquals epoch seconds", policies: cond({ DateGreaterThanEquals: { "aws:EpochTime": String(NOW / 1000) } }), expect: "allowed" },
  { name: "DateEquals date only vs time", policies: cond({ DateEquals: { "aws:CurrentTime": "2026-06-15T12:00:00Z" } }), expect: "allowed" },
  { name: "DateNotEquals", policies: cond({ DateNotEquals: { "aws:CurrentTime": "2026-06-15T12:00:00Z" } }), expect: "implicitDeny" },
  { name: "DateLessThanEquals", policies: cond({ DateLessThanEquals: { "aws:CurrentTime": "2026-06-15" } }), expect: "implicitDeny" },
  // Bool, Binary, Null.
  { name: "Bool SecureTransport false denies", secure: false, policies: ids(pol("p", allowS("s3:*"), denyS("s3:*", "*", { Condition: { Bool: { "aws:SecureTransport": "false" } } }))), expect: "explicitDeny" },
  { name: "Bool SecureTransport true", secure: true, policies: ids(pol("p", allowS("s3:*"), denyS("s3:*", "*", { Condition: { Bool: { "aws:SecureTransport": false } } }))), expect: "allowed" },
  { name: "BinaryEquals", extra: { "x:bin": "QmluYXJ5" }, policies: cond({ BinaryEquals: { "x:bin": "QmluYXJ5" } }), expect: "allowed" },
  { name: "BinaryEquals mismatch", extra: { "x:bin": "QmluYXJ6" }, policies: cond({ BinaryEquals: { "x:bin": "QmluYXJ5" } }), expect: "implicitDeny" },
  { name: "Null true when absent", policies: cond({ Null: { "aws:RequestTag/env": "true" } }), expect: "allowed" },
  { name: "Null true when present", extra: { "aws:RequestTag/env": "x" }, policies: cond({ Null: { "aws:RequestTag/env": "true" } }), expect: "implicitDeny" },
  { name: "Null false when present", extra: { "aws:RequestTag/env": "x" }, policies: cond({ Null: { "aws:RequestTag/env": "false" } }), expect: "allowed" },
  // IP addresses.
  { name: "IpAddress v4 in CIDR", sourceIp: "203.0.113.7", policies: cond({ IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }), expect: "allowed" },
  { name: "IpAddress v4 outside", sourceIp: "203.0.114.7", policies: cond({ IpAddress: { "aws:SourceIp": ["203.0.113.0/24", "10.0.0.0/8"] } }), expect: "implicitDeny" },
  { name: "IpAddress v6 in CIDR", sourceIp: "2001:db8::1", policies: cond({ IpAddress: { "aws:SourceIp": "2001:DB8::/32" } }), expect: "allowed" },
  { name: "IpAddress v6 outside", sourceIp: "2001:db9::1", policies: cond({ IpAddress: { "aws:SourceIp": "2001:db8::/32" } }), expect: "implicitDeny" },
  { name: "NotIpAddress deny from outside", sourceIp: "198.51.100.1", policies: ids(pol("p", allowS("*"), denyS("*", "*", { Condition: { NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" } } }))), expect: "explicitDeny" },
  { name: "NotIpAddress inside", sourceIp: "203.0.113.9", policies: ids(pol("p", allowS("*"), denyS("*", "*", { Condition: { NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" } } }))), expect: "allowed" },
  // ARN operators.
  { name: "ArnLike PrincipalArn", policies: cond({ ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${A}:user/al*` } }), expect: "allowed" },
  { name: "ArnEquals PrincipalArn mismatch", policies: cond({ ArnEquals: { "aws:PrincipalArn": `arn:aws:iam::${A}:user/bob` } }), expect: "implicitDeny" },
  { name: "ArnNotLike", policies: cond({ ArnNotLike: { "aws:PrincipalArn": `arn:aws:iam::*:user/alice` } }), expect: "implicitDeny" },
  { name: "ArnNotEquals", policies: cond({ ArnNotEquals: { "aws:PrincipalArn": `arn:aws:iam::${A}:user/bob` } }), expect: "allowed" },
  { name: "ArnLike wildcard does not span segments", extra: { "aws:SourceArn": `arn:aws:sns:us-east-1:${A}:t` }, policies: cond({ ArnLike: { "aws:SourceArn": "arn:aws:sns:*" } }), expect: "implicitDeny" },
  // Sets.
  { name: "ForAllValues all in set", extra: { "aws:TagKeys": ["env", "team"] }, policies: cond({ "ForAllValues:StringEquals": { "aws:TagKeys": ["env", "team", "cost"] } }), expect: "allowed" },
  { name: "ForAllValues one outside", extra: { "aws:TagKeys": ["env", "owner"] }, policies: cond({ "ForAllValues:StringEquals": { "aws:TagKeys": ["env", "team"] } }), expect: "implicitDeny" },
  { name: "ForAllValues missing key is true", policies: cond({ "ForAllValues:StringEquals": { "aws:TagKeys": ["env"] } }), expect: "allowed" },
  { name: "ForAnyValue one in set", extra: { "aws:TagKeys": ["x", "env"] }, policies: cond({ "ForAnyValue:StringEquals": { "aws:TagKeys": "env" } }), expect: "allowed" },
  { name: "ForAnyValue none", extra: { "aws:TagKeys": ["x"] }, policies: cond({ "ForAnyValue:StringEquals": { "aws:TagKeys": "env" } }), expect: "implicitDeny" },
  { name: "ForAnyValue missing key is false", policies: cond({ "ForAnyValue:StringLike": { "aws:TagKeys": "*" } }), expect: "implicitDeny" },
  { name: "ForAllValues:StringNotEquals", extra: { "aws:TagKeys": ["a", "b"] }, policies: cond({ "ForAllValues:StringNotEquals": { "aws:TagKeys": "c" } }), expect: "allowed" },
  { name: "ForAnyValue:StringNotLike", extra: { "aws:TagKeys": ["a", "b"] }, policies: cond({ "ForAnyValue:StringNotLike": { "aws:TagKeys": ["a", "b"] } }), expect: "implicitDeny" },
  { name: "several operators AND", extra: { "s3:prefix": "x", "s3:max-keys": "5" }, policies: cond({ StringEquals: { "s3:prefix": "x" }, NumericGreaterThan: { "s3:max-keys": "6" } }), expect: "implicitDeny" },
  { name: "global keys: RequestedRegion", policies: cond({ StringEquals: { "aws:RequestedRegion": "us-east-1" } }), expect: "allowed" },
  { name: "global keys: PrincipalAccount", policies: cond({ StringEquals: { "aws:PrincipalAccount": A, "aws:PrincipalType": "User", "aws:userid": "AIDAALICE", "aws:username": "alice" } }), expect: "allowed" },
  { name: "global keys: PrincipalTag from session", principal: roleSession, policies: cond({ StringEquals: { "aws:PrincipalTag/team": "blue" } }), expect: "allowed" },
  { name: "global keys: ResourceTag", extra: { "aws:ResourceTag/env": "dev" }, policies: cond({ StringEquals: { "aws:ResourceTag/env": "prod" } }), expect: "implicitDeny" },
  // Permissions boundaries and session policies.
  { name: "boundary allows", policies: { identityPolicies: [pol("p", allowS("s3:*"))], permissionsBoundary: pol("b", allowS("s3:GetObject")) }, expect: "allowed" },
  { name: "boundary does not allow", action: "s3:PutObject", policies: { identityPolicies: [pol("p", allowS("s3:*"))], permissionsBoundary: pol("b", allowS("s3:GetObject")) }, expect: "implicitDeny", reason: "because no permissions boundary allows the s3:PutObject action" },
  { name: "boundary alone grants nothing", policies: { identityPolicies: [], permissionsBoundary: pol("b", allowS("*")) }, expect: "implicitDeny", reason: "because no identity-based policy allows the s3:GetObject action" },
  { name: "boundary deny", policies: { identityPolicies: [pol("p", allowS("*"))], permissionsBoundary: pol("b", allowS("*"), denyS("s3:GetObject")) }, expect: "explicitDeny", reason: "with an explicit deny in a permissions boundary" },
  { name: "session policy caps", principal: roleSession, action: "s3:PutObject", policies: { identityPolicies: [pol("p", allowS("s3:*"))], sessionPolicies: [pol("session policy", allowS("s3:GetObject"))] }, expect: "implicitDeny", reason: "because no session policy allows the s3:PutObject action" },
  { name: "session policy allows within", principal: roleSession, policies: { identityPolicies: [pol("p", allowS("s3:*"))], sessionPolicies: [pol("session policy", allowS("s3:Get*"))] }, expect: "allowed" },
  { name: "session policy deny", principal: roleSession, policies: { identityPolicies: [pol("p", allowS("s3:*"))], sessionPolicies: [pol("session policy", allowS("*"), denyS("s3:GetObject"))] }, expect: "explicitDeny", reason: "with an explicit deny in a session policy" },
  // Root.
  { name: "root allowed everything in its account", principal: rootA, policies: ids(), expect: "allowed" },
  { name: "root denied by a resource policy deny", principal: rootA, policies: { identityPolicies: [], resourcePolicy: pol("bucket", { ...denyS("s3:*", "arn:aws:s3:::b/*"), Principal: "*" }) }, expect: "explicitDeny", reason: "with an explicit deny in a resource-based policy" },
  { name: "root cross-account needs the resource policy", principal: rootA, resourceAccount: B, policies: ids(), expect: "implicitDeny", reason: "because no resource-based policy allows the s3:GetObject action" },
  { name: "root cross-account allowed by resource policy naming the account", principal: rootA, resourceAccount: B, policies: { identityPolicies: [], resourcePolicy: pol("bucket", { ...allowS("s3:GetObject", obj), Principal: { AWS: A } }) }, expect: "allowed" },
  // Resource-based policies, same account.
  { name: "same account: resource policy naming the user suffices", policies: { identityPolicies: [], resourcePolicy: pol("bucket", { ...allowS("s3:GetObject", obj), Principal: { AWS: alice.arn } }) }, expect: "allowed" },
  { name: "same account: resource policy naming the user ignores boundary", policies: { identityPolicies: [], permissionsBoundary: pol("b", allowS("sqs:*")), resourcePolicy: pol("bucket", { ...allowS("s3:GetObject", obj), Principal: { AWS: alice.arn } }) }, expect: "allowed" },
  { name: "same account: resource policy naming the account delegates", policies: { identityPolicies: [], resourcePolicy: pol("bucket", { ...allowS("s3:GetObject", obj), Principal: { AWS: `arn:aws:iam::${A}:root` } }) }, expect: "implicitDeny", reason: "because no identity-based policy allows the s3:GetObject action" },
  { name: "same account: resource policy naming someone else", policies: { identityPolicies: [], resourcePolicy: pol("bucket", { ...allowS("s3:GetObject", obj), Principal: { AWS: `arn:aws:iam::${A}:user/carol` } }) }, expect: "implicitDeny" },
  { name: "same account: resource policy naming the session", principal: roleSession, policies: { identityPolicies: [], sessionPolicies: [pol("s", allowS("sqs:*"))], resourcePolicy: pol("bucket", { ...allowS("s3:GetObject", obj), Principal: { AWS: roleSession.arn } }) }, expect: "allowed" },
  { name: "same account: resource policy naming the role is capped by session policy", principal: roleSession, policies: { identityPolicies: [], sessionPolicies: [pol("s", allowS("sqs:*"))], resourcePolicy: pol("bucket", { ...allowS("s3:GetObject", obj), Principal: { AWS: roleSession.principalArn! } }) }, expect: "implicitDeny", reason: "because no session policy allows the s3:GetObject action" },
  { name: "same account: resource policy naming the role", principal: roleSession, policies: { identityPolicies: [], resourcePolicy: pol("bucket", { ...allowS("s3:GetObject", obj), Principal: { AWS: roleSession.principalArn! } }) }, expect: "allowed" },
  { name: "NotPrincipal deny denies everyone else", policies: { identityPolicies: [pol("p", allowS("*"))], resourcePolicy: pol("bucket", { ...denyS("s3:*", "*"), NotPrincipal: { AWS: `arn:aws:iam::${A}:user/carol` } }) }, expect: "explicitDeny" },
  { name: "NotPrincipal deny spares the named", policies: { identityPolicies: [pol("p", allowS("*"))], resourcePolicy: pol("bucket", { ...denyS("s3:*", "*"), NotPrincipal: { AWS: alice.arn } }) }, expect: "allowed" },
  { name: "resource policy condition", policies: { identityPolicies: [], resourcePolicy: pol("bucket", { ...allowS("s3:GetObject", obj), Principal: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }) }, sourceIp: "192.168.0.1", expect: "implicitDeny" },
  // Cross-account.
  { name: "cross-account: identity allow only", principal: bob, resourceAccount: A, policies: ids(pol("p", allowS("s3:*"))), expect: "implicitDeny", reason: "because no resource-based policy allows the s3:GetObject action" },
  { name: "cross-account: resource allow only", principal: bob, resourceAccount: A, policies: { identityPolicies: [], resourcePolicy: pol("bucket", { ...allowS("s3:GetObject", obj), Principal: { AWS: bob.arn } }) }, expect: "implicitDeny", reason: "because no identity-based policy allows the s3:GetObject action" },
  { name: "cross-account: both allow", principal: bob, resourceAccount: A, policies: { identityPolicies: [pol("p", allowS("s3:*"))], resourcePolicy: pol("bucket", { ...allowS("s3:GetObject", obj), Principal: { AWS: B } }) }, expect: "allowed" },
  { name: "cross-account: resource policy for another account", principal: bob, resourceAccount: A, policies: { identityPolicies: [pol("p", allowS("s3:*"))], resourcePolicy: pol("bucket", { ...allowS("s3:GetObject", obj), Principal: { AWS: "333333333333" } }) }, expect: "implicitDeny" },
  // Anonymous.
  { name: "anonymous: nothing public", principal: null, policies: ids(), expect: "implicitDeny", reason: "because no resource-based policy allows the s3:GetObject action" },
  { name: "anonymous: public bucket policy", principal: null, policies: { identityPolicies: [], resourcePolicy: pol("bucket", { ...allowS("s3:GetObject", "arn:aws:s3:::b/*"), Principal: "*" }) }, expect: "allowed" },
  { name: "anonymous: AWS * principal", principal: null, policies: { identityPolicies: [], resourcePolicy: pol("bucket", { ...allowS("s3:GetObject", "arn:aws:s3:::b/*"), Principal: { AWS: "*" } }) }, expect: "allowed" },
  { name: "anonymous: policy for an account does not reach", principal: null, policies: { identityPolicies: [], resourcePolicy: pol("bucket", { ...allowS("s3:GetObject", "arn:aws:s3:::b/*"), Principal: { AWS: A } }) }, expect: "implicitDeny" },
  // KMS-style key policies.
  { name: "key policy required: identity alone is not enough", action: "kms:Decrypt", resource: `arn:aws:kms:us-east-1:${A}:key/k`, policies: { identityPolicies: [pol("p", allowS("kms:*"))], resourcePolicy: pol("key", { ...allowS("kms:*", "*"), Principal: { AWS: `arn:aws:iam::${A}:user/carol` } }), resourcePolicyRequired: true }, expect: "implicitDeny", reason: "because no resource-based policy allows the kms:Decrypt action" },
  { name: "key policy delegating to the account + identity allow", action: "kms:Decrypt", resource: `arn:aws:kms:us-east-1:${A}:key/k`, policies: { identityPolicies: [pol("p", allowS("kms:*"))], resourcePolicy: pol("key", { ...allowS("kms:*", "*"), Principal: { AWS: `arn:aws:iam::${A}:root` } }), resourcePolicyRequired: true }, expect: "allowed" },
  { name: "key policy required applies to root too", principal: rootA, action: "kms:Decrypt", resource: `arn:aws:kms:us-east-1:${A}:key/k`, policies: { identityPolicies: [], resourcePolicy: pol("key", { ...allowS("kms:*", "*"), Principal: { AWS: alice.arn } }), resourcePolicyRequired: true }, expect: "implicitDeny" },
];

function run(c: Case): { decision: Decision; req: AuthorizationRequest } {
  const principal = c.principal === undefined ? alice : c.principal;
  const req: AuthorizationRequest = {
    principal,
    action: c.action ?? "s3:GetObject",
    resource: c.resource ?? obj,
    ...(c.resourceAccount ? { resourceAccount: c.resourceAccount } : {}),
    context: requestContext({ principal, now: c.now ?? NOW, sourceIp: c.sourceIp ?? "127.0.0.1", secureTransport: c.secure ?? false, region: "us-east-1", extra: c.extra }),
  };
  return { decision: evaluate(req, c.policies), req };
}

describe("policy evaluation table", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const { decision } = run(c);
    expect(decision.decision).toBe(c.expect);
    expect(decision.allowed).toBe(c.expect === "allowed");
    if (c.reason) expect(decision.reason).toBe(c.reason);
    if (c.sid) expect(decision.statement?.sid).toBe(c.sid);
    if (c.expect === "explicitDeny") expect(decision.statement?.effect).toBe("Deny");
  });

  it("names the deciding statement and builds AWS's message", () => {
    const { decision, req } = run({ name: "", action: "s3:PutObject", policies: ids(pol("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", allowS(["s3:Get*", "s3:List*"]))), expect: "implicitDeny" });
    expect(denialMessage(req, decision)).toBe(`User: arn:aws:iam::${A}:user/alice is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:PutObject action`);
    const allowed = run({ name: "", policies: ids(pol("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", { ...allowS(["s3:Get*", "s3:List*"]), Sid: "Read" })), expect: "allowed" }).decision;
    expect(allowed.statement).toEqual({ source: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", policyType: "identity-based", index: 0, sid: "Read", effect: "Allow" });
  });
});

describe("CIDR matching", () => {
  it.each([
    ["10.1.2.3", "10.0.0.0/8", true],
    ["10.1.2.3", "10.1.2.3", true],
    ["10.1.2.3", "10.1.2.4/32", false],
    ["0.0.0.1", "0.0.0.0/0", true],
    ["::1", "::1/128", true],
    ["::ffff:10.0.0.1", "10.0.0.0/8", true],
    ["2001:db8:0:0:0:0:0:1", "2001:db8::/64", true],
    ["2001:db8:1::1", "2001:db8::/48", false],
    ["10.0.0.1", "2001:db8::/32", false],
    ["not-an-ip", "10.0.0.0/8", false],
  ] as const)("%s in %s: %s", (ip, cidr, expected) => {
    expect(ipInCidr(ip, cidr)).toBe(expected);
  });
});
