/**
 * AWS Key Management Service over awsJson 1.1 (TrentService.*), with real cryptography.
 * Source: https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * Keys, their material (every version, so old ciphertexts decrypt after rotation), aliases,
 * tags, policies and grants live in the store per account and region (keys.ts). Cryptography is
 * in crypto.ts (WebCrypto and @noble, the same on Node, Deno and workerd); imported material in
 * imports.ts. Custom key stores are state (custom-key-stores.ts); GetKeyLastUsage reads what key-usage.ts records.
 */
import { defineService, type Handler, type RequestContext } from "../types.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import { AwsError } from "../../protocol/errors.ts";
import model from "../../../models/kms.json" with { type: "json" };
import { cryptographyHandlers } from "./cryptography.ts";
import { grantHandlers } from "./grants.ts";
import { IMPORTABLE_SPECS, importHandlers } from "./imports.ts";
import {
  aliasArn, aliasKey, baseKey, currentVersion, DAY, hexId, keyArn, keyKey, keyMetadata, loadKey, newVersion, requireCustomerManaged,
  requireNotPendingDeletion, requireUsable, resolveKey, saveKey, type AliasRecord, type KeyRecord,
} from "./keys.ts";
import { page } from "./paging.ts";
import { SPECS, UNSUPPORTED_SPECS, type KeyUsage } from "./specs.ts";
import { kmsAuthorization } from "./authorization.ts";
import { notifyRotation } from "./events.ts";
import { armKey, setupKeyTimers } from "./timers.ts";
import { customKeyStoreFor, customKeyStoreHandlers } from "./custom-key-stores.ts";
import { keyUsageHandlers, withUsageTracking } from "./key-usage.ts";

const MAX_TAGS = 50;
const MAX_ON_DEMAND_ROTATIONS = 10;

function validation(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

function checkPolicy(policy: string | undefined): void {
  if (policy === undefined) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    throw new AwsError("MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.", 400);
  }
  if (!parsed || typeof parsed !== "object" || !Array.isArray((parsed as { Statement?: unknown }).Statement) && typeof (parsed as { Statement?: unknown }).Statement !== "object") {
    throw new AwsError("MalformedPolicyDocumentException", "Policy contains a statement with no Statement element.", 400);
  }
}

function checkTags(tags: { TagKey: string; TagValue: string }[]): void {
  const seen = new Set<string>();
  for (const tag of tags) {
    if (tag.TagKey.toLowerCase().startsWith("aws:")) throw new AwsError("TagException", "Tags beginning with aws: are reserved.", 400);
    if (seen.has(tag.TagKey)) throw new AwsError("TagException", `Duplicate tag keys: ${tag.TagKey}`, 400);
    seen.add(tag.TagKey);
  }
}

async function update(ctx: RequestContext, id: string, fn: (key: KeyRecord) => KeyRecord): Promise<KeyRecord> {
  const { key, store } = await resolveKey(ctx, id);
  const next = fn(key);
  await saveKey(store, next);
  armKey(ctx, next);
  return next;
}

function requireSymmetricAwsKms(key: KeyRecord): void {
  if (key.keySpec !== "SYMMETRIC_DEFAULT") {
    throw new AwsError("UnsupportedOperationException", `${key.arn} key spec is ${key.keySpec}; only symmetric encryption KMS keys support automatic rotation.`, 400);
  }
  if (key.origin !== "AWS_KMS") throw new AwsError("UnsupportedOperationException", `${key.arn} origin is ${key.origin} which is not valid for this operation.`, 400);
}

const handlers: Record<string, Handler> = {
  ...withUsageTracking(cryptographyHandlers),
  ...(customKeyStoreHandlers as Record<string, Handler>),
  ...(keyUsageHandlers as Record<string, Handler>),
  ...grantHandlers,
  ...importHandlers,

  async CreateKey(input, ctx) {
    if (input.KeySpec && input.CustomerMasterKeySpec && input.KeySpec !== input.CustomerMasterKeySpec) {
      throw validation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec parameter is deprecated.");
    }
    const spec: string = input.KeySpec ?? input.CustomerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
    const usage: KeyUsage = input.KeyUsage ?? "ENCRYPT_DECRYPT";
    if (spec === "SM2") throw validation("KeySpec SM2 is only available in China Regions.");
    if (UNSUPPORTED_SPECS.has(spec)) throw new AwsError("UnsupportedOperationException", `KeySpec ${spec} is not supported by fetchstack.`, 400);
    if (!SPECS[spec].usages.includes(usage)) throw validation(`KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
    const origin: string = input.Origin ?? "AWS_KMS";
    const inStore = await customKeyStoreFor(ctx, input, origin, spec, usage);
    if (origin === "EXTERNAL" && !IMPORTABLE_SPECS.has(spec)) {
      throw new AwsError("UnsupportedOperationException", `fetchstack imports key material for symmetric and HMAC keys only, not ${spec}.`, 400);
    }
    checkPolicy(input.Policy);
    const tags = input.Tags ?? [];
    checkTags(tags);
    if (tags.length > MAX_TAGS) throw new AwsError("LimitExceededException", `Cannot have more than ${MAX_TAGS} tags.`, 400);
    const now = ctx.clock.now();
    const keyId = input.MultiRegion ? `mrk-${hexId(16)}` : crypto.randomUUID();
    const key: KeyRecord = {
      ...baseKey(ctx, keyId, now, spec, usage),
      description: input.Description ?? "",
      ...(input.Policy ? { policy: input.Policy } : {}),
      tags,
      multiRegion: input.MultiRegion === true,
      ...(input.MultiRegion ? {
        multiRegionConfiguration: { MultiRegionKeyType: "PRIMARY", PrimaryKey: { Arn: keyArn(ctx.accountId, ctx.region, keyId), Region: ctx.region }, ReplicaKeys: [] },
      } : {}),
      ...(origin === "EXTERNAL" ? { origin, state: "PendingImport" as const } : {}),
      ...(inStore ? { origin, ...inStore } : {}),
      versions: origin === "EXTERNAL" ? [] : [await newVersion(spec, now)],
    };
    await saveKey(ctx.store, key);
    return { KeyMetadata: keyMetadata(key) };
  },

  async DescribeKey(input, ctx) {
    const { key } = await resolveKey(ctx, input.KeyId);
    return { KeyMetadata: keyMetadata(key) };
  },

  async ListKeys(input, ctx) {
    const keys: { KeyId: string; KeyArn: string }[] = [];
    const now = ctx.clock.now();
    for await (const entry of ctx.store.list<KeyRecord>({ prefix: ["key"] })) {
      const key = await loadKey(ctx.store, entry.value.keyId, now);
      if (key) keys.push({ KeyId: key.keyId, KeyArn: key.arn });
    }
    const result = page(keys, (k) => k.KeyId, input.Limit ?? 100, input.Marker);
    return { Keys: result.page, Truncated: result.Truncated, ...(result.NextMarker ? { NextMarker: result.NextMarker } : {}) };
  },

  async UpdateKeyDescription(input, ctx) {
    await update(ctx, input.KeyId, (key) => {
      requireNotPendingDeletion(key);
      requireCustomerManaged(key, "UpdateKeyDescription");
      return { ...key, description: input.Description };
    });
    return {};
  },

  async EnableKey(input, ctx) {
    await update(ctx, input.KeyId, (key) => {
      requireNotPendingDeletion(key);
      requireCustomerManaged(key, "EnableKey");
      if (key.state === "PendingImport") throw new AwsError("KMSInvalidStateException", `${key.arn} is pending import.`, 400);
      return { ...key, state: "Enabled" };
    });
    return {};
  },

  async DisableKey(input, ctx) {
    await update(ctx, input.KeyId, (key) => {
      requireNotPendingDeletion(key);
      requireCustomerManaged(key, "DisableKey");
      if (key.state === "PendingImport") throw new AwsError("KMSInvalidStateException", `${key.arn} is pending import.`, 400);
      return { ...key, state: "Disabled" };
    });
    return {};
  },

  async ScheduleKeyDeletion(input, ctx) {
    const days: number = input.PendingWindowInDays ?? 30;
    if (days < 7 || days > 30) {
      throw validation(`1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value ${days < 7 ? "greater than or equal to 7" : "less than or equal to 30"}`);
    }
    const now = ctx.clock.now();
    const key = await update(ctx, input.KeyId, (key) => {
      requireNotPendingDeletion(key);
      requireCustomerManaged(key, "ScheduleKeyDeletion");
      return { ...key, state: "PendingDeletion", deletionDate: now + days * DAY, pendingWindowDays: days };
    });
    return { KeyId: key.arn, DeletionDate: new Date(key.deletionDate!), KeyState: key.state, PendingWindowInDays: days };
  },

  async CancelKeyDeletion(input, ctx) {
    const key = await update(ctx, input.KeyId, (key) => {
      if (key.state !== "PendingDeletion") throw new AwsError("KMSInvalidStateException", `${key.arn} is not pending deletion.`, 400);
      const { deletionDate: _d, pendingWindowDays: _p, ...rest } = key;
      return { ...rest, state: "Disabled" };
    });
    return { KeyId: key.arn };
  },

  // --- rotation ----------------------------------------------------------------------------

  async EnableKeyRotation(input, ctx) {
    const days: number = input.RotationPeriodInDays ?? 365;
    const now = ctx.clock.now();
    await update(ctx, input.KeyId, (key) => {
      requireUsable(key);
      requireCustomerManaged(key, "EnableKeyRotation");
      requireSymmetricAwsKms(key);
      return { ...key, rotation: { ...key.rotation, enabled: true, periodDays: days, nextAt: now + days * DAY } };
    });
    return {};
  },

  async DisableKeyRotation(input, ctx) {
    await update(ctx, input.KeyId, (key) => {
      requireUsable(key);
      requireCustomerManaged(key, "DisableKeyRotation");
      requireSymmetricAwsKms(key);
      const { nextAt: _n, ...rotation } = key.rotation;
      return { ...key, rotation: { ...rotation, enabled: false } };
    });
    return {};
  },

  async GetKeyRotationStatus(input, ctx) {
    const { key } = await resolveKey(ctx, input.KeyId);
    requireNotPendingDeletion(key);
    if (key.keySpec !== "SYMMETRIC_DEFAULT") {
      throw new AwsError("UnsupportedOperationException", `${key.arn} key spec is ${key.keySpec}; rotation status applies to symmetric encryption KMS keys.`, 400);
    }
    return {
      KeyRotationEnabled: key.rotation.enabled,
      KeyId: key.arn,
      ...(key.rotation.enabled ? { RotationPeriodInDays: key.rotation.periodDays, NextRotationDate: new Date(key.rotation.nextAt!) } : {}),
    };
  },

  async RotateKeyOnDemand(input, ctx) {
    const now = ctx.clock.now();
    const { key: found, store } = await resolveKey(ctx, input.KeyId);
    requireUsable(found);
    requireCustomerManaged(found, "RotateKeyOnDemand");
    requireSymmetricAwsKms(found);
    if (found.rotations.filter((r) => r.type === "ON_DEMAND").length >= MAX_ON_DEMAND_ROTATIONS) {
      throw new AwsError("LimitExceededException", `${found.arn} has reached the limit of ${MAX_ON_DEMAND_ROTATIONS} on-demand rotations.`, 400);
    }
    const version = await newVersion(found.keySpec, now);
    const key: KeyRecord = { ...found, versions: [...found.versions, version], rotations: [...found.rotations, { date: now, type: "ON_DEMAND", materialId: version.id }] };
    await saveKey(store, key);
    notifyRotation(ctx, key, currentVersion(found).id, version.id, "ON_DEMAND", now);
    return { KeyId: key.arn };
  },

  async ListKeyRotations(input, ctx) {
    const { key } = await resolveKey(ctx, input.KeyId);
    if (key.keySpec !== "SYMMETRIC_DEFAULT") {
      throw new AwsError("UnsupportedOperationException", `${key.arn} key spec is ${key.keySpec}; only symmetric encryption KMS keys rotate.`, 400);
    }
    const rows = key.rotations.map((r, i) => ({ id: String(i).padStart(6, "0"), r }));
    const result = page(rows, (x) => x.id, input.Limit ?? 100, input.Marker);
    return {
      Rotations: result.page.map(({ r }) => ({ KeyId: key.arn, KeyMaterialId: r.materialId, RotationDate: new Date(r.date), RotationType: r.type })),
      Truncated: result.Truncated,
      ...(result.NextMarker ? { NextMarker: result.NextMarker } : {}),
    };
  },

  // --- policies ----------------------------------------------------------------------------

  async GetKeyPolicy(input, ctx) {
    const { key } = await resolveKey(ctx, input.KeyId);
    const name = input.PolicyName ?? "default";
    if (name !== "default") throw new AwsError("NotFoundException", "No such policy exists", 400);
    return { Policy: key.policy, PolicyName: "default" };
  },

  async PutKeyPolicy(input, ctx) {
    if ((input.PolicyName ?? "default") !== "default") throw new AwsError("NotFoundException", "No such policy exists", 400);
    checkPolicy(input.Policy);
    await update(ctx, input.KeyId, (key) => {
      requireNotPendingDeletion(key);
      requireCustomerManaged(key, "PutKeyPolicy");
      return { ...key, policy: input.Policy };
    });
    return {};
  },

  async ListKeyPolicies(input, ctx) {
    await resolveKey(ctx, input.KeyId);
    return { PolicyNames: ["default"], Truncated: false };
  },

  // --- tags --------------------------------------------------------------------------------

  async TagResource(input, ctx) {
    checkTags(input.Tags);
    await update(ctx, input.KeyId, (key) => {
      requireNotPendingDeletion(key);
      requireCustomerManaged(key, "TagResource");
      const tags = key.tags.filter((t) => !input.Tags.some((n: { TagKey: string }) => n.TagKey === t.TagKey)).concat(input.Tags);
      if (tags.length > MAX_TAGS) throw new AwsError("LimitExceededException", `Cannot have more than ${MAX_TAGS} tags.`, 400);
      return { ...key, tags };
    });
    return {};
  },

  async UntagResource(input, ctx) {
    await update(ctx, input.KeyId, (key) => {
      requireNotPendingDeletion(key);
      requireCustomerManaged(key, "UntagResource");
      return { ...key, tags: key.tags.filter((t) => !input.TagKeys.includes(t.TagKey)) };
    });
    return {};
  },

  async ListResourceTags(input, ctx) {
    const { key } = await resolveKey(ctx, input.KeyId);
    const tags = [...key.tags].sort((a, b) => (a.TagKey < b.TagKey ? -1 : a.TagKey > b.TagKey ? 1 : 0));
    const result = page(tags, (t) => t.TagKey, input.Limit ?? 50, input.Marker);
    return { Tags: result.page, Truncated: result.Truncated, ...(result.NextMarker ? { NextMarker: result.NextMarker } : {}) };
  },

  // --- aliases -----------------------------------------------------------------------------

  async CreateAlias(input, ctx) {
    const name: string = input.AliasName;
    checkAliasName(name);
    const { key } = await resolveKey(ctx, input.TargetKeyId);
    if (key.accountId !== ctx.accountId || key.region !== ctx.region) throw validation("The alias and its target key must be in the same account and Region.");
    requireNotPendingDeletion(key);
    requireCustomerManaged(key, "CreateAlias");
    const now = ctx.clock.now();
    const alias: AliasRecord = { AliasName: name, TargetKeyId: key.keyId, CreationDate: now, LastUpdatedDate: now };
    const result = await ctx.store.atomic().check({ key: aliasKey(name), versionstamp: null }).set(aliasKey(name), alias).commit();
    if (!result.ok) throw new AwsError("AlreadyExistsException", `An alias with the name ${aliasArn(ctx.accountId, ctx.region, name)} already exists`, 400);
    return {};
  },

  async UpdateAlias(input, ctx) {
    const name: string = input.AliasName;
    checkAliasName(name);
    const entry = await ctx.store.get<AliasRecord>(aliasKey(name));
    if (!entry.value) throw new AwsError("NotFoundException", `Alias ${aliasArn(ctx.accountId, ctx.region, name)} is not found.`, 400);
    const { key } = await resolveKey(ctx, input.TargetKeyId);
    requireNotPendingDeletion(key);
    const current = await loadKey(ctx.store, entry.value.TargetKeyId, ctx.clock.now());
    if (current && (current.keyUsage !== key.keyUsage || (current.keySpec === "SYMMETRIC_DEFAULT") !== (key.keySpec === "SYMMETRIC_DEFAULT"))) {
      throw validation(`${key.arn} is not the same key type and key usage as the alias's current target ${current.arn}.`);
    }
    await ctx.store.set(aliasKey(name), { ...entry.value, TargetKeyId: key.keyId, LastUpdatedDate: ctx.clock.now() });
    return {};
  },

  async DeleteAlias(input, ctx) {
    const name: string = input.AliasName;
    if (name.startsWith("alias/aws/")) throw new AwsError("InvalidAliasNameException", "Cannot delete an AWS managed alias.", 400);
    const entry = await ctx.store.get<AliasRecord>(aliasKey(name));
    if (!entry.value) throw new AwsError("NotFoundException", `Alias ${aliasArn(ctx.accountId, ctx.region, name)} is not found.`, 400);
    await ctx.store.delete(aliasKey(name));
    return {};
  },

  async ListAliases(input, ctx) {
    let keyId: string | undefined;
    if (input.KeyId) keyId = (await resolveKey(ctx, input.KeyId)).key.keyId;
    const aliases: Record<string, unknown>[] = [];
    for await (const entry of ctx.store.list<AliasRecord>({ prefix: ["alias"] })) {
      const a = entry.value;
      if (keyId && a.TargetKeyId !== keyId) continue;
      aliases.push({
        AliasName: a.AliasName,
        AliasArn: aliasArn(ctx.accountId, ctx.region, a.AliasName),
        TargetKeyId: a.TargetKeyId,
        CreationDate: new Date(a.CreationDate),
        LastUpdatedDate: new Date(a.LastUpdatedDate),
      });
    }
    const result = page(aliases, (a) => a.AliasName as string, input.Limit ?? 50, input.Marker);
    return { Aliases: result.page, Truncated: result.Truncated, ...(result.NextMarker ? { NextMarker: result.NextMarker } : {}) };
  },

  // --- multi-Region keys (state) -----------------------------------------------------------

  async ReplicateKey(input, ctx) {
    const { key: primary, store } = await resolveKey(ctx, input.KeyId);
    if (!primary.multiRegion) throw new AwsError("UnsupportedOperationException", `${primary.arn} is not a multi-Region key.`, 400);
    const config = primary.multiRegionConfiguration as { MultiRegionKeyType: string; PrimaryKey: { Arn: string; Region: string }; ReplicaKeys: { Arn: string; Region: string }[] };
    if (config.MultiRegionKeyType !== "PRIMARY") throw new AwsError("UnsupportedOperationException", `${primary.arn} is not a primary key.`, 400);
    requireNotPendingDeletion(primary);
    const region: string = input.ReplicaRegion;
    if (region === primary.region || config.ReplicaKeys.some((r) => r.Region === region)) {
      throw new AwsError("AlreadyExistsException", `Multi-Region key ${primary.keyId} already exists in ${region}.`, 400);
    }
    checkPolicy(input.Policy);
    const tags = input.Tags ?? [];
    checkTags(tags);
    const replicaArn = keyArn(primary.accountId, region, primary.keyId);
    const replicaKeys = [...config.ReplicaKeys, { Arn: replicaArn, Region: region }];
    const replica: KeyRecord = {
      ...primary,
      arn: replicaArn,
      region,
      createdAt: ctx.clock.now(),
      description: input.Description ?? primary.description,
      policy: input.Policy ?? primary.policy,
      tags,
      multiRegionConfiguration: { ...config, MultiRegionKeyType: "REPLICA", ReplicaKeys: replicaKeys },
      rotation: { ...primary.rotation },
    };
    await saveKey(ctx.storeFor(primary.accountId, region), replica);
    armKey(ctx, replica);
    await saveKey(store, { ...primary, multiRegionConfiguration: { ...config, ReplicaKeys: replicaKeys } });
    return { ReplicaKeyMetadata: keyMetadata(replica), ReplicaPolicy: replica.policy, ReplicaTags: tags };
  },

  async UpdatePrimaryRegion(input, ctx) {
    const { key, store } = await resolveKey(ctx, input.KeyId);
    if (!key.multiRegion) throw new AwsError("UnsupportedOperationException", `${key.arn} is not a multi-Region key.`, 400);
    requireNotPendingDeletion(key);
    const config = key.multiRegionConfiguration as { MultiRegionKeyType: string; PrimaryKey: { Arn: string; Region: string }; ReplicaKeys: { Arn: string; Region: string }[] };
    if (config.MultiRegionKeyType !== "PRIMARY") throw new AwsError("UnsupportedOperationException", `${key.arn} is not a primary key.`, 400);
    const region: string = input.PrimaryRegion;
    const target = config.ReplicaKeys.find((r) => r.Region === region);
    if (!target) throw new AwsError("NotFoundException", `Key '${keyArn(key.accountId, region, key.keyId)}' does not exist`, 400);
    // Every copy learns the new primary; the old primary becomes a replica.
    const primary = { Arn: target.Arn, Region: region };
    const replicas = [...config.ReplicaKeys.filter((r) => r.Region !== region), { Arn: key.arn, Region: key.region }];
    for (const copy of [{ Arn: key.arn, Region: key.region }, ...config.ReplicaKeys]) {
      const copyStore = copy.Region === key.region ? store : ctx.storeFor(key.accountId, copy.Region);
      const record = await loadKey(copyStore, key.keyId, ctx.clock.now());
      if (!record) continue;
      await saveKey(copyStore, { ...record, multiRegionConfiguration: { MultiRegionKeyType: copy.Region === region ? "PRIMARY" : "REPLICA", PrimaryKey: primary, ReplicaKeys: replicas } });
    }
    return {};
  },
};

function checkAliasName(name: string): void {
  if (!name.startsWith("alias/") || name === "alias/") throw new AwsError("ValidationException", "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html", 400);
  if (name.startsWith("alias/aws/")) throw new AwsError("InvalidAliasNameException", "Alias must not begin with 'alias/aws/'.", 400);
  if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(name)) throw new AwsError("ValidationException", `1 validation error detected: Value '${name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9/_-]+$`, 400);
}

export default defineService({
  name: "kms",
  authorization: kmsAuthorization,
  model: model as unknown as ServiceModel,
  handlers,
  setup: setupKeyTimers,
});

export { keyKey };
