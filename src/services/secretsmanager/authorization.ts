/**
 * Secrets Manager's IAM actions and resources per operation (`secretsmanager:<Operation>` on the
 * secret's ARN, found by name or ARN), and secrets' resource policies, for `enforceIam`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html
 */
import type { AuthorizationEnv, AuthorizationMap, Input } from "../../policy/authorization.ts";
import { secretKey, type SecretRecord } from "./secrets.ts";

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:([^:]+):(\d{12}):secret:(.+?)(?:-[A-Za-z0-9]{6})?$/;

/** The ARN of the secret a SecretId names (with its random suffix when the secret exists). */
async function secretArnOf(input: Input, env: AuthorizationEnv): Promise<string | undefined> {
  const id = input.SecretId;
  if (!id) return undefined;
  const text = String(id);
  if (text.startsWith("arn:")) return text;
  const record = (await env.store.get<SecretRecord>(secretKey(text))).value;
  return record?.arn ?? `arn:aws:secretsmanager:${env.region}:${env.account}:secret:${text}`;
}

export const secretsmanagerAuthorization: AuthorizationMap = {
  prefix: "secretsmanager",
  resource: secretArnOf,
  context: { "secretsmanager:SecretId": "SecretId", "secretsmanager:VersionId": "VersionId", "secretsmanager:VersionStage": "VersionStage" },
  operations: {
    CreateSecret: { resource: "arn:{partition}:secretsmanager:{region}:{account}:secret:{Name}", tags: "Tags", context: { "secretsmanager:Name": "Name", "secretsmanager:KmsKeyId": "KmsKeyId" } },
    ListSecrets: { resource: "*" },
    GetRandomPassword: { resource: "*" },
    BatchGetSecretValue: { resource: "*" },
    TagResource: { tags: "Tags" },
  },
  async resourcePolicy(arn, env) {
    const m = SECRET_ARN.exec(arn);
    if (!m) return null;
    const record = (await env.storeFor(m[2], m[1]).get<SecretRecord>(secretKey(m[3]))).value;
    if (!record) return null;
    return {
      policy: record.policy,
      source: `resource policy of ${record.arn}`,
      account: m[2],
      tags: Object.fromEntries((record.tags ?? []).map((t) => [t.Key, t.Value])),
    };
  },
};
