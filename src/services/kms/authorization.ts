/**
 * KMS's IAM actions and resources per operation (`kms:<Operation>` on the key ARN; KeyId may be
 * a key id, key ARN, alias name or alias ARN), and key policies as resource-based policies that
 * must grant every use (to the caller, or to its account so IAM policies apply), for `enforceIam`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
 * https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html
 */
import type { AuthorizationEnv, AuthorizationMap, Input } from "../../policy/authorization.ts";
import { aliasKey, keyKey, type AliasRecord, type KeyRecord } from "./keys.ts";

/** The key ARN a KeyId names (aliases resolved in the request's account and region). */
async function keyArnOf(input: Input, env: AuthorizationEnv): Promise<string | undefined> {
  const id = input.KeyId ?? input.TargetKeyId ?? input.SourceKeyId;
  if (!id) return undefined;
  const text = String(id);
  if (/^arn:aws[a-z-]*:kms:[^:]+:\d{12}:key\//.test(text)) return text;
  const alias = /^(?:arn:aws[a-z-]*:kms:([^:]+):(\d{12}):)?(alias\/.+)$/.exec(text);
  if (alias) {
    const store = alias[1] ? env.storeFor(alias[2], alias[1]) : env.store;
    const record = (await store.get<AliasRecord>(aliasKey(alias[3]))).value;
    if (!record) return `arn:aws:kms:${alias[1] ?? env.region}:${alias[2] ?? env.account}:${alias[3]}`;
    return `arn:aws:kms:${alias[1] ?? env.region}:${alias[2] ?? env.account}:key/${record.TargetKeyId}`;
  }
  return `arn:aws:kms:${env.region}:${env.account}:key/${text}`;
}

const context = {
  "kms:EncryptionAlgorithm": "EncryptionAlgorithm",
  "kms:SigningAlgorithm": "SigningAlgorithm",
  "kms:GrantOperations": "Operations",
  "kms:KeySpec": "KeySpec",
  "kms:KeyUsage": "KeyUsage",
  "kms:KeyOrigin": "Origin",
  "kms:EncryptionContextKeys": (input: Input) => (input.EncryptionContext ? Object.keys(input.EncryptionContext) : undefined),
} as const;

export const kmsAuthorization: AuthorizationMap = {
  prefix: "kms",
  resource: keyArnOf,
  context,
  operations: {
    CreateKey: { resource: "*", tags: "Tags" },
    ListKeys: { resource: "*" },
    ListAliases: { resource: (input, env) => (input.KeyId ? keyArnOf(input, env) : "*") },
    GenerateRandom: { resource: "*" },
    CreateCustomKeyStore: { resource: "*" },
    DescribeCustomKeyStores: { resource: "*" },
    ListRetirableGrants: { resource: "*" },
    RetireGrant: { resource: "*" },
    CreateAlias: {
      resource: "arn:{partition}:kms:{region}:{account}:{AliasName}",
      also: [{ action: "CreateAlias", resource: keyArnOf }],
    },
    UpdateAlias: {
      resource: "arn:{partition}:kms:{region}:{account}:{AliasName}",
      also: [{ action: "UpdateAlias", resource: keyArnOf }],
    },
    DeleteAlias: { resource: "arn:{partition}:kms:{region}:{account}:{AliasName}" },
    TagResource: { tags: "Tags" },
    ReEncrypt: { action: "ReEncryptFrom", also: [{ action: "ReEncryptTo", resource: (i, env) => keyArnOf({ KeyId: i.DestinationKeyId }, env) }] },
  },
  async resourcePolicy(arn, env) {
    const m = /^arn:aws[a-z-]*:kms:([^:]+):(\d{12}):key\/(.+)$/.exec(arn);
    if (!m) return null;
    const key = (await env.storeFor(m[2], m[1]).get<KeyRecord>(keyKey(m[3]))).value;
    if (!key) return null;
    return {
      policy: key.policy,
      source: `key policy of ${arn}`,
      account: m[2],
      required: true,
      tags: Object.fromEntries(key.tags.map((t) => [t.TagKey, t.TagValue])),
    };
  },
};
