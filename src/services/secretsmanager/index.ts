/**
 * AWS Secrets Manager over awsJson 1.1 (secretsmanager.*): every operation of the model.
 * Source: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Operations.html
 *
 * Values are envelope-encrypted with real KMS keys through ctx.invoke (encryption.ts); versions
 * and staging labels follow AWS's rules (versions.ts); deletion after the recovery window is
 * applied when a secret is read (secrets.ts). RotateSecret runs the rotation Lambda's four steps
 * through ctx.invoke("lambda", "Invoke") (rotation.ts). Replication is kept as state
 * (docs/secretsmanager.md).
 */
import { defineService, type Handler, type RequestContext } from "../types.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import { AwsError } from "../../protocol/errors.ts";
import model from "../../../models/secretsmanager.json" with { type: "json" };
import { checkKey, decryptValue, encryptValue, type SecretValue } from "./encryption.ts";
import { randomPassword } from "./password.ts";
import { cancelRotation, rotateSecret } from "./rotation.ts";
import {
  DAY, dayOf, invalidParameter, invalidRequest, loadByName, markedForDeletion, nextRotationDate, notFound, resolveSecret,
  saveSecret, secretArn, secretKey, versionsToStages, type SecretRecord, type StoredVersion,
} from "./secrets.ts";
import { attachStages, removeStage, versionWithStage } from "./versions.ts";
import { secretsmanagerAuthorization } from "./authorization.ts";

const NAME = /^[A-Za-z0-9/_+=.@-]+$/;
const MAX_TAGS = 50;

function checkValue(input: { SecretString?: string; SecretBinary?: Uint8Array }): SecretValue | undefined {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
    throw invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (input.SecretString !== undefined) return { SecretString: input.SecretString };
  if (input.SecretBinary !== undefined) return { SecretBinary: input.SecretBinary };
  return undefined;
}

function checkTags(tags: { Key?: string; Value?: string }[]): void {
  for (const tag of tags) {
    if (tag.Key === undefined) throw invalidParameter("Tag key must not be null.");
    if (tag.Key.toLowerCase().startsWith("aws:")) throw invalidParameter("Invalid tag key: tag keys that start with aws: are reserved.");
  }
}

function mergeTags(existing: { Key: string; Value: string }[] = [], added: { Key: string; Value?: string }[]): { Key: string; Value: string }[] {
  const out = existing.filter((t) => !added.some((a) => a.Key === t.Key));
  for (const tag of added) out.push({ Key: tag.Key, Value: tag.Value ?? "" });
  if (out.length > MAX_TAGS) throw invalidParameter(`A secret can have at most ${MAX_TAGS} tags.`);
  return out;
}

async function sameValue(ctx: RequestContext, secret: SecretRecord, version: StoredVersion, value: SecretValue | undefined): Promise<boolean> {
  if (!value) return true;
  const stored = await decryptValue(ctx, secret, version);
  if (value.SecretString !== undefined) return stored.SecretString === value.SecretString;
  const a = stored.SecretBinary, b = value.SecretBinary!;
  return !!a && a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Adds a version with `value` and `stages` (idempotent on `token`: the same token and value is a
 * no-op, a different value fails as AWS's ResourceExistsException).
 */
async function addVersion(ctx: RequestContext, secret: SecretRecord, token: string | undefined, value: SecretValue, stages: string[]): Promise<{ secret: SecretRecord; versionId: string; created: boolean }> {
  const versionId = token ?? crypto.randomUUID();
  const existing = secret.versions.find((v) => v.versionId === versionId);
  if (existing) {
    if (await sameValue(ctx, secret, existing, value)) return { secret, versionId, created: false };
    throw new AwsError("ResourceExistsException", "You can't modify an existing version, you can only create a new version.", 400);
  }
  const now = ctx.clock.now();
  const encrypted = await encryptValue(ctx, secret, versionId, value);
  const version: StoredVersion = { versionId, createdAt: now, stages: [], ...encrypted };
  const versions = attachStages([...secret.versions, version], versionId, stages);
  return { secret: { ...secret, versions, lastChangedAt: now }, versionId, created: true };
}

function entryOf(secret: SecretRecord, now: number): Record<string, unknown> {
  const next = nextRotationDate(secret);
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.type ? { Type: secret.type } : {}),
    ...(secret.description !== undefined ? { Description: secret.description } : {}),
    ...(secret.kmsKeyId ? { KmsKeyId: secret.kmsKeyId } : {}),
    RotationEnabled: secret.rotation?.enabled ?? false,
    ...(secret.rotation?.lambdaArn ? { RotationLambdaARN: secret.rotation.lambdaArn } : {}),
    ...(secret.rotation?.rules ? { RotationRules: secret.rotation.rules } : {}),
    ...(secret.rotation?.lastRotatedAt ? { LastRotatedDate: new Date(secret.rotation.lastRotatedAt) } : {}),
    LastChangedDate: new Date(secret.lastChangedAt),
    ...(secret.lastAccessedAt ? { LastAccessedDate: new Date(secret.lastAccessedAt) } : {}),
    ...(secret.deletedAt ? { DeletedDate: new Date(secret.deletedAt) } : {}),
    ...(next !== undefined ? { NextRotationDate: new Date(next) } : {}),
    ...(secret.tags ? { Tags: secret.tags } : {}),
    CreatedDate: new Date(secret.createdAt),
    ...(secret.replicas?.length ? { PrimaryRegion: secret.arn.split(":")[3] } : {}),
  };
}

function replicationStatus(secret: SecretRecord): Record<string, unknown>[] | undefined {
  return secret.replicas?.map((r) => ({ Region: r.Region, KmsKeyId: r.KmsKeyId, Status: r.Status, StatusMessage: r.StatusMessage ?? "Replication succeeded" }));
}

async function liveSecret(ctx: RequestContext, id: string): Promise<SecretRecord> {
  const secret = await resolveSecret(ctx, id);
  if (secret.deletedAt !== undefined) throw markedForDeletion();
  return secret;
}

/** The version GetSecretValue asks for: by VersionId and/or VersionStage (default AWSCURRENT). */
function pickVersion(secret: SecretRecord, versionId?: string, stage?: string): StoredVersion {
  if (versionId) {
    const version = secret.versions.find((v) => v.versionId === versionId);
    if (!version) throw new AwsError("ResourceNotFoundException", `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`, 400);
    if (stage && !version.stages.includes(stage)) {
      throw invalidParameter(`You provided a VersionStage that is not associated to the provided VersionId.`);
    }
    return version;
  }
  const label = stage ?? "AWSCURRENT";
  const version = versionWithStage(secret, label);
  if (!version) throw new AwsError("ResourceNotFoundException", `Secrets Manager can't find the specified secret value for staging label: ${label}`, 400);
  return version;
}

async function readValue(ctx: RequestContext, secret: SecretRecord, version: StoredVersion): Promise<Record<string, unknown>> {
  const value = await decryptValue(ctx, secret, version);
  const today = dayOf(ctx.clock.now());
  if (secret.lastAccessedAt !== today) {
    // LastAccessedDate is day-rounded, so one write per secret per day.
    const fresh = await loadByName(ctx, secret.name);
    if (fresh) await saveSecret(ctx, { ...fresh, lastAccessedAt: today });
  }
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.versionId,
    ...value,
    VersionStages: version.stages,
    CreatedDate: new Date(version.createdAt),
  };
}

function paginate<T>(items: T[], max: number, token: string | undefined): { page: T[]; NextToken?: string } {
  let start = 0;
  if (token !== undefined) {
    const parsed = Number.parseInt(atob(token.replace(/[^A-Za-z0-9+/=]/g, "") || "x") || "x", 10);
    if (!Number.isInteger(parsed) || parsed < 0 || parsed > items.length) throw new AwsError("InvalidNextTokenException", "The NextToken value is invalid.", 400);
    start = parsed;
  }
  const page = items.slice(start, start + max);
  return { page, ...(start + max < items.length ? { NextToken: btoa(String(start + max)) } : {}) };
}

type Filter = { Key: string; Values?: string[] };

function matchesFilters(secret: SecretRecord, filters: Filter[]): boolean {
  return filters.every((filter) => {
    const values = filter.Values ?? [];
    const fields = (key: string): string[] => {
      switch (key) {
        case "name": return [secret.name];
        case "description": return secret.description !== undefined ? [secret.description] : [];
        case "tag-key": return (secret.tags ?? []).map((t) => t.Key);
        case "tag-value": return (secret.tags ?? []).map((t) => t.Value);
        case "primary-region": return [secret.arn.split(":")[3]];
        case "owning-service": return [];
        default: return [secret.name, secret.description ?? "", ...(secret.tags ?? []).flatMap((t) => [t.Key, t.Value])];
      }
    };
    const candidates = fields(filter.Key);
    // Values are prefixes; "!" negates one. Several values: any may match.
    const positive = values.filter((v) => !v.startsWith("!"));
    const negative = values.filter((v) => v.startsWith("!")).map((v) => v.slice(1));
    const caseless = filter.Key === "all";
    const hit = (value: string) => candidates.some((c) => (caseless ? c.toLowerCase().startsWith(value.toLowerCase()) : c.startsWith(value)));
    if (negative.some(hit)) return false;
    return positive.length === 0 || positive.some(hit);
  });
}

function checkFilters(filters: Filter[]): void {
  for (const filter of filters) {
    for (const value of filter.Values ?? []) {
      if (!/^!?[a-zA-Z0-9 :_@/+=.\-]*$/.test(value)) throw invalidParameter(`Invalid filter value: ${value}`);
    }
  }
}

async function allSecrets(ctx: RequestContext): Promise<SecretRecord[]> {
  const out: SecretRecord[] = [];
  for await (const entry of ctx.store.list<SecretRecord>({ prefix: ["secret"] })) {
    const secret = await loadByName(ctx, entry.value.name);
    if (secret) out.push(secret);
  }
  return out;
}

function checkPolicyJson(policy: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    throw new AwsError("MalformedPolicyDocumentException", "This resource policy contains an unsupported principal.", 400);
  }
  if (!parsed || typeof parsed !== "object" || !("Statement" in parsed)) {
    throw new AwsError("MalformedPolicyDocumentException", "This resource policy contains a syntax error.", 400);
  }
  return parsed as Record<string, unknown>;
}

/** A statement of a resource policy as parsed from the caller's JSON: nothing in it checked yet. */
interface ParsedStatement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Condition?: unknown;
  Principal?: unknown;
}

/** The policy's `Statement`, one or many, each as the caller wrote it. */
function statementsOf(policy: Record<string, unknown>): unknown[] {
  return Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
}

/** A statement's members, or undefined for one that is not an object. */
function asStatement(value: unknown): ParsedStatement | undefined {
  return value && typeof value === "object" ? (value as ParsedStatement) : undefined;
}

function isPublic(policy: Record<string, unknown>): boolean {
  return statementsOf(policy).some((value) => {
    const s = asStatement(value);
    const aws = (s?.Principal as { AWS?: unknown } | null | undefined)?.AWS;
    return s?.Effect === "Allow" && !s.Condition && (s.Principal === "*" || aws === "*" || (Array.isArray(aws) && aws.includes("*")));
  });
}

const handlers: Record<string, Handler> = {
  async CreateSecret(input, ctx) {
    const name: string = input.Name;
    if (!NAME.test(name)) throw invalidParameter("Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!");
    const value = checkValue(input);
    const tags = input.Tags ?? [];
    checkTags(tags);
    const existing = await loadByName(ctx, name);
    if (existing) {
      if (existing.deletedAt !== undefined) throw invalidRequest("You can't create this secret because a secret with this name is already scheduled for deletion.");
      // A retry with the same ClientRequestToken and value returns the same version.
      const same = input.ClientRequestToken && existing.versions.find((v) => v.versionId === input.ClientRequestToken);
      if (same && (await sameValue(ctx, existing, same, value))) {
        return { ARN: existing.arn, Name: existing.name, VersionId: same.versionId };
      }
      throw new AwsError("ResourceExistsException", `The operation failed because the secret ${name} already exists.`, 400);
    }
    const now = ctx.clock.now();
    let secret: SecretRecord = {
      name,
      arn: secretArn(ctx, name),
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.KmsKeyId ? { kmsKeyId: input.KmsKeyId } : {}),
      ...(input.Type ? { type: input.Type } : {}),
      createdAt: now,
      lastChangedAt: now,
      ...(tags.length ? { tags: mergeTags([], tags) } : {}),
      versions: [],
    };
    let versionId: string | undefined;
    if (value) {
      ({ secret, versionId } = await addVersion(ctx, secret, input.ClientRequestToken, value, ["AWSCURRENT"]));
    } else if (input.KmsKeyId) {
      await checkKey(ctx, input.KmsKeyId);
    }
    if (input.AddReplicaRegions?.length) secret = { ...secret, replicas: replicasFor(ctx, secret, input.AddReplicaRegions) };
    const result = await ctx.store.atomic().check({ key: secretKey(name), versionstamp: null }).set(secretKey(name), secret).commit();
    if (!result.ok) throw new AwsError("ResourceExistsException", `The operation failed because the secret ${name} already exists.`, 400);
    return { ARN: secret.arn, Name: name, ...(versionId ? { VersionId: versionId } : {}), ...(secret.replicas ? { ReplicationStatus: replicationStatus(secret) } : {}) };
  },

  async DescribeSecret(input, ctx) {
    const secret = await resolveSecret(ctx, input.SecretId);
    return {
      ...entryOf(secret, ctx.clock.now()),
      VersionIdsToStages: versionsToStages(secret),
      ...(secret.replicas?.length ? { ReplicationStatus: replicationStatus(secret) } : {}),
    };
  },

  async GetSecretValue(input, ctx) {
    const secret = await liveSecret(ctx, input.SecretId);
    return readValue(ctx, secret, pickVersion(secret, input.VersionId, input.VersionStage));
  },

  async BatchGetSecretValue(input, ctx) {
    if (input.SecretIdList && input.Filters) throw invalidParameter("Either 'SecretIdList' or 'Filters' must be provided, but not both.");
    if (!input.SecretIdList && !input.Filters) throw invalidParameter("Either 'SecretIdList' or 'Filters' must be provided.");
    const values: Record<string, unknown>[] = [];
    const errors: Record<string, unknown>[] = [];
    if (input.SecretIdList) {
      if (input.MaxResults !== undefined) throw invalidParameter("'MaxResults' is only valid with 'Filters'.");
      for (const id of input.SecretIdList as string[]) {
        try {
          const secret = await liveSecret(ctx, id);
          values.push(await readValue(ctx, secret, pickVersion(secret)));
        } catch (error) {
          if (!(error instanceof AwsError)) throw error;
          errors.push({ SecretId: id, ErrorCode: error.code, Message: error.message });
        }
      }
      return { SecretValues: values, Errors: errors };
    }
    checkFilters(input.Filters);
    const matching = (await allSecrets(ctx)).filter((s) => s.deletedAt === undefined && matchesFilters(s, input.Filters));
    const { page, NextToken } = paginate(matching, input.MaxResults ?? 20, input.NextToken);
    for (const secret of page) {
      const version = versionWithStage(secret, "AWSCURRENT");
      if (!version) continue;
      try {
        values.push(await readValue(ctx, secret, version));
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
        errors.push({ SecretId: secret.arn, ErrorCode: error.code, Message: error.message });
      }
    }
    return { SecretValues: values, Errors: errors, ...(NextToken ? { NextToken } : {}) };
  },

  async PutSecretValue(input, ctx) {
    const value = checkValue(input);
    if (!value) throw invalidParameter("You must provide either SecretString or SecretBinary.");
    const secret = await liveSecret(ctx, input.SecretId);
    const stages: string[] = input.VersionStages ?? ["AWSCURRENT"];
    const result = await addVersion(ctx, secret, input.ClientRequestToken, value, stages);
    if (result.created) await saveSecret(ctx, result.secret);
    const version = result.secret.versions.find((v) => v.versionId === result.versionId)!;
    return { ARN: secret.arn, Name: secret.name, VersionId: result.versionId, VersionStages: version.stages };
  },

  async UpdateSecret(input, ctx) {
    const value = checkValue(input);
    let secret = await liveSecret(ctx, input.SecretId);
    const now = ctx.clock.now();
    if (input.KmsKeyId !== undefined && !value) await checkKey(ctx, input.KmsKeyId);
    secret = {
      ...secret,
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.KmsKeyId !== undefined ? { kmsKeyId: input.KmsKeyId } : {}),
      ...(input.Type !== undefined ? { type: input.Type } : {}),
      lastChangedAt: now,
    };
    let versionId: string | undefined;
    if (value) {
      if (versionWithStage(secret, "AWSPENDING") && !input.ClientRequestToken) {
        // AWS refuses a new value while a rotation is in progress.
        throw invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");
      }
      ({ secret, versionId } = await addVersion(ctx, secret, input.ClientRequestToken, value, ["AWSCURRENT"]));
    }
    await saveSecret(ctx, secret);
    return { ARN: secret.arn, Name: secret.name, ...(versionId ? { VersionId: versionId } : {}) };
  },

  async UpdateSecretVersionStage(input, ctx) {
    const secret = await liveSecret(ctx, input.SecretId);
    const stage: string = input.VersionStage;
    const holder = versionWithStage(secret, stage);
    if (input.RemoveFromVersionId) {
      if (!secret.versions.some((v) => v.versionId === input.RemoveFromVersionId)) throw notFoundVersion(input.RemoveFromVersionId);
      if (holder?.versionId !== input.RemoveFromVersionId) {
        throw invalidParameter(`The staging label ${stage} is currently not attached to version ${input.RemoveFromVersionId}.`);
      }
    }
    let versions = secret.versions;
    if (input.MoveToVersionId) {
      if (!versions.some((v) => v.versionId === input.MoveToVersionId)) throw notFoundVersion(input.MoveToVersionId);
      if (holder && holder.versionId !== input.MoveToVersionId && holder.versionId !== input.RemoveFromVersionId) {
        throw invalidParameter(`The staging label ${stage} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`);
      }
      versions = attachStages(versions, input.MoveToVersionId, [stage]);
    } else if (input.RemoveFromVersionId) {
      if (stage === "AWSCURRENT") throw invalidParameter("You can't remove the staging label AWSCURRENT without moving it to another version (MoveToVersionId).");
      versions = removeStage(versions, input.RemoveFromVersionId, stage);
    }
    const now = ctx.clock.now();
    const rotated = stage === "AWSCURRENT" && input.MoveToVersionId && holder?.versionId !== input.MoveToVersionId;
    await saveSecret(ctx, {
      ...secret,
      versions,
      lastChangedAt: now,
      ...(rotated && secret.rotation?.enabled ? { rotation: { ...secret.rotation, lastRotatedAt: now } } : {}),
    });
    return { ARN: secret.arn, Name: secret.name };
  },

  async ListSecretVersionIds(input, ctx) {
    const secret = await resolveSecret(ctx, input.SecretId);
    const versions = secret.versions.filter((v) => input.IncludeDeprecated || v.stages.length > 0).reverse();
    const { page, NextToken } = paginate(versions, input.MaxResults ?? 100, input.NextToken);
    return {
      Versions: page.map((v) => ({
        VersionId: v.versionId,
        VersionStages: v.stages,
        ...(v.lastAccessedAt ? { LastAccessedDate: new Date(v.lastAccessedAt) } : {}),
        CreatedDate: new Date(v.createdAt),
        KmsKeyIds: [secret.kmsKeyId ?? "DefaultEncryptionKey"],
      })),
      ARN: secret.arn,
      Name: secret.name,
      ...(NextToken ? { NextToken } : {}),
    };
  },

  async ListSecrets(input, ctx) {
    const filters: Filter[] = input.Filters ?? [];
    checkFilters(filters);
    const sortBy: string = input.SortBy ?? "created-date";
    const order = input.SortOrder === "asc" ? 1 : -1;
    const now = ctx.clock.now();
    const secrets = (await allSecrets(ctx))
      .filter((s) => (input.IncludePlannedDeletion || s.deletedAt === undefined) && matchesFilters(s, filters))
      .sort((a, b) => {
        const key = (s: SecretRecord): number | string =>
          sortBy === "name" ? s.name : sortBy === "last-accessed-date" ? s.lastAccessedAt ?? 0 : sortBy === "last-changed-date" ? s.lastChangedAt : s.createdAt;
        const ka = key(a), kb = key(b);
        return (ka < kb ? -1 : ka > kb ? 1 : a.name < b.name ? -1 : 1) * order;
      });
    const { page, NextToken } = paginate(secrets, input.MaxResults ?? 100, input.NextToken);
    return {
      SecretList: page.map((s) => ({ ...entryOf(s, now), SecretVersionsToStages: versionsToStages(s) })),
      ...(NextToken ? { NextToken } : {}),
    };
  },

  async DeleteSecret(input, ctx) {
    const secret = await resolveSecret(ctx, input.SecretId);
    if (input.ForceDeleteWithoutRecovery && input.RecoveryWindowInDays !== undefined) {
      throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    const days: number = input.RecoveryWindowInDays ?? 30;
    if (!input.ForceDeleteWithoutRecovery && (days < 7 || days > 30)) {
      throw invalidParameter("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
    }
    if (secret.replicas?.length) throw invalidRequest("You can't delete secret " + secret.name + " that still has replica regions [" + secret.replicas.map((r) => r.Region).join(", ") + "]");
    const now = ctx.clock.now();
    if (input.ForceDeleteWithoutRecovery) {
      await ctx.store.delete(secretKey(secret.name));
      return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date(now) };
    }
    if (secret.deletedAt !== undefined) throw markedForDeletion();
    const deletionAt = now + days * DAY;
    await saveSecret(ctx, { ...secret, deletedAt: now, deletionAt });
    return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date(deletionAt) };
  },

  async RestoreSecret(input, ctx) {
    const secret = await resolveSecret(ctx, input.SecretId);
    const { deletedAt: _d, deletionAt: _a, ...rest } = secret;
    await saveSecret(ctx, { ...rest, lastChangedAt: ctx.clock.now() });
    return { ARN: secret.arn, Name: secret.name };
  },

  async TagResource(input, ctx) {
    checkTags(input.Tags);
    const secret = await liveSecret(ctx, input.SecretId);
    await saveSecret(ctx, { ...secret, tags: mergeTags(secret.tags, input.Tags), lastChangedAt: ctx.clock.now() });
    return {};
  },

  async UntagResource(input, ctx) {
    const secret = await liveSecret(ctx, input.SecretId);
    await saveSecret(ctx, { ...secret, tags: (secret.tags ?? []).filter((t) => !input.TagKeys.includes(t.Key)), lastChangedAt: ctx.clock.now() });
    return {};
  },

  async PutResourcePolicy(input, ctx) {
    const policy = checkPolicyJson(input.ResourcePolicy);
    const secret = await liveSecret(ctx, input.SecretId);
    if (input.BlockPublicPolicy && isPublic(policy)) {
      throw new AwsError("PublicPolicyException", "You can't attach a resource-based policy that allows broad access to the secret.", 400);
    }
    await saveSecret(ctx, { ...secret, policy: input.ResourcePolicy });
    return { ARN: secret.arn, Name: secret.name };
  },

  async GetResourcePolicy(input, ctx) {
    const secret = await resolveSecret(ctx, input.SecretId);
    return { ARN: secret.arn, Name: secret.name, ...(secret.policy ? { ResourcePolicy: secret.policy } : {}) };
  },

  async DeleteResourcePolicy(input, ctx) {
    const secret = await liveSecret(ctx, input.SecretId);
    const { policy: _p, ...rest } = secret;
    await saveSecret(ctx, rest);
    return { ARN: secret.arn, Name: secret.name };
  },

  async ValidateResourcePolicy(input, ctx) {
    if (input.SecretId) await resolveSecret(ctx, input.SecretId);
    const policy = checkPolicyJson(input.ResourcePolicy);
    const errors: { CheckName: string; ErrorMessage: string }[] = [];
    for (const value of statementsOf(policy)) {
      const statement = asStatement(value);
      if (!statement) errors.push({ CheckName: "SYNTAX_CHECK", ErrorMessage: "A statement must be an object." });
      else if (statement.Effect !== "Allow" && statement.Effect !== "Deny") errors.push({ CheckName: "SYNTAX_CHECK", ErrorMessage: "Effect must be Allow or Deny." });
      else if (!statement.Action && !statement.NotAction) errors.push({ CheckName: "SYNTAX_CHECK", ErrorMessage: "A statement must have an Action." });
    }
    if (isPublic(policy)) errors.push({ CheckName: "PUBLIC_POLICY_CHECK", ErrorMessage: "The policy allows broad access to the secret." });
    return { PolicyValidationPassed: errors.length === 0, ValidationErrors: errors };
  },

  async GetRandomPassword(input) {
    return { RandomPassword: randomPassword(input) };
  },

  async RotateSecret(input, ctx) {
    return rotateSecret(input, ctx, await liveSecret(ctx, input.SecretId));
  },

  async CancelRotateSecret(input, ctx) {
    return cancelRotation(ctx, await liveSecret(ctx, input.SecretId));
  },

  async ReplicateSecretToRegions(input, ctx) {
    const secret = await liveSecret(ctx, input.SecretId);
    const replicas = replicasFor(ctx, secret, input.AddReplicaRegions, input.ForceOverwriteReplicaSecret);
    const updated = { ...secret, replicas };
    await saveSecret(ctx, updated);
    return { ARN: secret.arn, ReplicationStatus: replicationStatus(updated) };
  },

  async RemoveRegionsFromReplication(input, ctx) {
    const secret = await liveSecret(ctx, input.SecretId);
    const replicas = (secret.replicas ?? []).filter((r) => !input.RemoveReplicaRegions.includes(r.Region));
    const updated = { ...secret, replicas };
    await saveSecret(ctx, updated);
    return { ARN: secret.arn, ReplicationStatus: replicationStatus(updated) ?? [] };
  },

  async StopReplicationToReplica(input, ctx) {
    await resolveSecret(ctx, input.SecretId);
    // Replicas exist here only as their primary's replication status, so the named secret is a primary.
    throw invalidRequest("StopReplicationToReplica must be called on a replica secret; this secret is a primary secret.");
  },
};

function notFoundVersion(versionId: string): AwsError {
  return new AwsError("ResourceNotFoundException", `Secrets Manager can't find the specified secret version: ${versionId}`, 400);
}

function replicasFor(ctx: RequestContext, secret: SecretRecord, add: { Region: string; KmsKeyId?: string }[], force = false): NonNullable<SecretRecord["replicas"]> {
  const replicas = [...(secret.replicas ?? [])];
  for (const region of add) {
    if (region.Region === ctx.region) throw invalidParameter("Invalid replica region: the replica region can't be the primary region.");
    if (replicas.some((r) => r.Region === region.Region) && !force) {
      throw invalidRequest(`The secret is already replicated to region ${region.Region}.`);
    }
    const index = replicas.findIndex((r) => r.Region === region.Region);
    const entry = { Region: region.Region, KmsKeyId: region.KmsKeyId ?? "alias/aws/secretsmanager", Status: "InSync" };
    if (index >= 0) replicas[index] = entry;
    else replicas.push(entry);
  }
  return replicas;
}

export default defineService({
  name: "secretsmanager",
  authorization: secretsmanagerAuthorization,
  model: model as unknown as ServiceModel,
  handlers,
});

export { notFound };
