/**
 * KMS keys in the store: one record per key under ["key", keyId] (material included, never
 * logged), aliases under ["alias", name]. Key ids, key ARNs, alias names and alias ARNs all
 * resolve here, in the caller's account or, by ARN, another's. Time-driven changes (the end of
 * a deletion window, expiry of imported material, automatic rotations) are applied when a key is
 * read and by the timers armed at their due times (timers.ts), from stored dates.
 * Source: https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";
import type { AtomicOperation, Entry, Store } from "../../store/types.ts";
import { generateMaterial, randomBytes, type Material } from "./crypto.ts";
import { algorithmsFor, type KeyUsage } from "./specs.ts";
import { partitionOf as partition } from "../../util/partition.ts";
import { keyStoreState } from "./key-store-state.ts";

const DAY = 86_400_000;

export interface KeyVersion {
  /** 64 hex characters, as KMS's KeyMaterialId. */
  id: string;
  material: Material;
  createdAt: number;
}

export interface RotationRecord {
  date: number;
  type: "AUTOMATIC" | "ON_DEMAND";
  materialId: string;
}

export interface KeyRecord {
  keyId: string;
  arn: string;
  accountId: string;
  region: string;
  createdAt: number;
  description: string;
  keyUsage: KeyUsage;
  keySpec: string;
  origin: string;
  keyManager: "CUSTOMER" | "AWS";
  /**
   * Stored state. "Unavailable" is never stored: a key whose custom key store is not connected
   * reads as Unavailable (loadKey), holding its stored state in `availableState`.
   */
  state: "Enabled" | "Disabled" | "PendingDeletion" | "PendingImport" | "Unavailable";
  availableState?: "Enabled" | "Disabled" | "PendingDeletion" | "PendingImport";
  /** Keys in a custom key store: the store, its CloudHSM cluster, the external key's id. */
  customKeyStoreId?: string;
  cloudHsmClusterId?: string;
  xksKeyId?: string;
  /** State to return to on CancelKeyDeletion is always Disabled (as AWS). */
  deletionDate?: number;
  pendingWindowDays?: number;
  multiRegion: boolean;
  multiRegionConfiguration?: Record<string, unknown>;
  policy: string;
  tags: { TagKey: string; TagValue: string }[];
  rotation: { enabled: boolean; periodDays: number; nextAt?: number; onDemandStartedAt?: number };
  rotations: RotationRecord[];
  /** Oldest first; the last one is current. Empty while PendingImport. */
  versions: KeyVersion[];
  validTo?: number;
  expirationModel?: string;
  /** Origin EXTERNAL: the pending GetParametersForImport wrapping key and token. */
  importParameters?: { wrapping: Material; token: string; validTo: number; algorithm: string };
  /** Origin EXTERNAL: SHA-256 (base64) of the imported material; re-imports must match. */
  importedDigest?: string;
}

export interface AliasRecord {
  AliasName: string;
  TargetKeyId: string;
  CreationDate: number;
  LastUpdatedDate: number;
}

export const keyKey = (keyId: string) => ["key", keyId] as const;
export const aliasKey = (name: string) => ["alias", name] as const;

export { partitionOf as partition } from "../../util/partition.ts";

export function keyArn(accountId: string, region: string, keyId: string): string {
  return `arn:${partition(region)}:kms:${region}:${accountId}:key/${keyId}`;
}

export function aliasArn(accountId: string, region: string, name: string): string {
  return `arn:${partition(region)}:kms:${region}:${accountId}:${name}`;
}

export function defaultPolicy(accountId: string, region: string): string {
  return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:${partition(region)}:iam::${accountId}:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`;
}

export const hexId = (bytes: number) => Array.from(randomBytes(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

export async function newVersion(spec: string, now: number): Promise<KeyVersion> {
  return { id: hexId(32), material: await generateMaterial(spec), createdAt: now };
}

export function notFoundKey(arn: string): AwsError {
  return new AwsError("NotFoundException", `Key '${arn}' does not exist`, 400);
}

/** KeyMetadata as DescribeKey, CreateKey and ReplicateKey return it. */
export function keyMetadata(key: KeyRecord): Record<string, unknown> {
  const symmetric = key.keySpec === "SYMMETRIC_DEFAULT";
  return {
    AWSAccountId: key.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: new Date(key.createdAt),
    Enabled: key.state === "Enabled",
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.state,
    ...(key.deletionDate !== undefined ? { DeletionDate: new Date(key.deletionDate) } : {}),
    ...(key.validTo !== undefined ? { ValidTo: new Date(key.validTo) } : {}),
    Origin: key.origin,
    ...(key.customKeyStoreId ? { CustomKeyStoreId: key.customKeyStoreId } : {}),
    ...(key.cloudHsmClusterId ? { CloudHsmClusterId: key.cloudHsmClusterId } : {}),
    ...(key.xksKeyId ? { XksKeyConfiguration: { Id: key.xksKeyId } } : {}),
    ...(key.origin === "EXTERNAL" ? { ExpirationModel: key.expirationModel ?? "KEY_MATERIAL_DOES_NOT_EXPIRE" } : {}),
    KeyManager: key.keyManager,
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    ...algorithmsFor(key.keySpec, key.keyUsage),
    MultiRegion: key.multiRegion,
    ...(key.multiRegionConfiguration ? { MultiRegionConfiguration: key.multiRegionConfiguration } : {}),
    ...(key.state === "PendingDeletion" && key.pendingWindowDays ? { PendingDeletionWindowInDays: key.pendingWindowDays } : {}),
    ...(symmetric && key.versions.length && key.state !== "PendingImport" ? { CurrentKeyMaterialId: key.versions[key.versions.length - 1].id } : {}),
  };
}

/**
 * A KMS event waiting to be sent (["outbox", time, keyId, n]): written in the same commit as
 * the change it reports, so the state and the event agree; timers.ts sends and deletes it.
 */
export interface PendingEvent {
  detailType: "KMS CMK Rotation" | "KMS CMK Deletion" | "KMS Imported Key Material Expiration";
  detail: Record<string, unknown>;
  resources: string[];
  /** Epoch ms: the due time of the change. */
  time: number;
}

export const outboxKey = (time: number, keyId: string, n: number) => ["outbox", time, keyId, n] as const;

/**
 * Applies what the clock decided since the key was written, in one versioned commit with the
 * events that report it: deletion at the end of its window (returns null, the key and its
 * aliases and grants are gone), expiry of imported material, automatic rotations due. A commit
 * that loses to a concurrent one reads the key again, so each due time is applied once.
 */
async function catchUp(store: Store, entry: Entry<KeyRecord>, now: number): Promise<KeyRecord | null> {
  for (let current = entry; ;) {
    const key = current.value;
    const op = store.atomic().check(current);
    let result: KeyRecord | null = key;
    if (key.state === "PendingDeletion" && key.deletionDate !== undefined && key.deletionDate <= now) {
      await deleteKeyNow(store, op, key.keyId);
      op.set(outboxKey(key.deletionDate, key.keyId, 0), event("KMS CMK Deletion", key, { "key-id": key.keyId }, key.deletionDate));
      result = null;
    } else if (key.origin === "EXTERNAL" && key.validTo !== undefined && key.validTo <= now && key.state !== "PendingDeletion") {
      // Imported material past its ValidTo date is deleted; the key waits for a new import.
      const { validTo: _v, ...rest } = key;
      result = { ...rest, state: "PendingImport" };
      op.set(keyKey(key.keyId), result);
      const detail = { "key-id": key.keyId, ...(key.versions[0] ? { "key-material-id": key.versions[0].id } : {}) };
      op.set(outboxKey(key.validTo, key.keyId, 0), event("KMS Imported Key Material Expiration", key, detail, key.validTo));
    } else if (key.rotation.enabled && key.rotation.nextAt !== undefined && key.rotation.nextAt <= now && key.state !== "PendingDeletion") {
      let next = key.rotation.nextAt;
      const versions = [...key.versions];
      const rotations = [...key.rotations];
      for (let n = 0; next <= now; n++) {
        const previous = versions[versions.length - 1];
        const version = await newVersion(key.keySpec, next);
        versions.push(version);
        rotations.push({ date: next, type: "AUTOMATIC", materialId: version.id });
        const detail = {
          "key-id": key.keyId, "key-origin": key.origin, "rotation-type": "AUTOMATIC",
          "previous-key-material-id": previous?.id, "current-key-material-id": version.id,
        };
        op.set(outboxKey(next, key.keyId, n), event("KMS CMK Rotation", key, detail, next));
        next += key.rotation.periodDays * DAY;
      }
      result = { ...key, versions, rotations, rotation: { ...key.rotation, nextAt: next } };
      op.set(keyKey(key.keyId), result);
    } else {
      return key;
    }
    if ((await op.commit()).ok) return result;
    const again = await store.get<KeyRecord>(keyKey(key.keyId));
    if (!again.value) return null;
    current = again as Entry<KeyRecord>;
  }
}

function event(detailType: PendingEvent["detailType"], key: KeyRecord, detail: Record<string, unknown>, time: number): PendingEvent {
  return { detailType, detail, resources: [key.arn], time };
}

async function deleteKeyNow(store: Store, op: AtomicOperation, keyId: string): Promise<void> {
  op.delete(keyKey(keyId));
  for await (const alias of store.list<AliasRecord>({ prefix: ["alias"] })) {
    if (alias.value.TargetKeyId === keyId) op.delete(alias.key);
  }
  for await (const grant of store.list({ prefix: ["grant", keyId] })) op.delete(grant.key);
  op.delete(["usage", keyId]);
}

/** Reads a key by id in `store`, with the clock applied; null when absent. */
export async function loadKey(store: Store, keyId: string, now: number): Promise<KeyRecord | null> {
  const entry = await store.get<KeyRecord>(keyKey(keyId));
  const key = entry.value ? await catchUp(store, entry as Entry<KeyRecord>, now) : null;
  if (key?.customKeyStoreId && key.state !== "PendingDeletion" && (await keyStoreState(store, key.customKeyStoreId, now)) !== "CONNECTED") {
    return { ...key, state: "Unavailable", availableState: key.state as NonNullable<KeyRecord["availableState"]> };
  }
  return key;
}

export async function saveKey(store: Store, key: KeyRecord): Promise<void> {
  if (key.state === "Unavailable") {
    const { availableState, ...rest } = key;
    await store.set(keyKey(key.keyId), { ...rest, state: availableState ?? "Enabled" });
    return;
  }
  const { availableState: _a, ...rest } = key;
  await store.set(keyKey(key.keyId), rest);
}

export interface Resolved {
  key: KeyRecord;
  store: Store;
}

const KEY_ID = /^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/;

const AWS_MANAGED_DESCRIPTIONS: Record<string, string> = {
  secretsmanager: "Default key that protects my Secrets Manager data when no other key is defined",
  ssm: "Default key that protects my SSM Parameter Store data when no other key is defined",
  s3: "Default key that protects my S3 objects when no other key is defined",
  sqs: "Default key that protects my SQS messages when no other key is defined",
};

/**
 * The key `id` names: a key id, key ARN, alias name or alias ARN. An `alias/aws/<service>` name
 * that does not exist yet gets its AWS managed key, as AWS creates one on first use.
 */
export async function resolveKey(ctx: RequestContext, id: string): Promise<Resolved> {
  let accountId = ctx.accountId;
  let region = ctx.region;
  let rest = id;
  const arn = ARN.exec(id);
  if (arn) {
    [, region, accountId, rest] = arn;
  } else if (id.startsWith("arn:")) {
    throw new AwsError("NotFoundException", `Invalid arn ${id}`, 400);
  }
  const store = accountId === ctx.accountId && region === ctx.region ? ctx.store : ctx.storeFor(accountId, region);
  const now = ctx.clock.now();
  if (rest.startsWith("alias/")) {
    const alias = (await store.get<AliasRecord>(aliasKey(rest))).value;
    if (!alias) {
      const managed = /^alias\/aws\/([a-z0-9-]+)$/.exec(rest);
      if (managed && accountId === ctx.accountId && region === ctx.region) {
        return { key: await createAwsManagedKey(ctx, rest, managed[1]), store };
      }
      throw new AwsError("NotFoundException", `Alias ${aliasArn(accountId, region, rest)} is not found.`, 400);
    }
    const key = await loadKey(store, alias.TargetKeyId, now);
    if (!key) throw notFoundKey(keyArn(accountId, region, alias.TargetKeyId));
    return { key, store };
  }
  const keyId = rest.startsWith("key/") ? rest.slice(4) : rest;
  if (!KEY_ID.test(keyId)) throw new AwsError("NotFoundException", `Invalid keyId '${id}'`, 400);
  const key = await loadKey(store, keyId, now);
  if (!key) throw notFoundKey(keyArn(accountId, region, keyId));
  return { key, store };
}

/** Set by timers.ts (which imports this file): arms the yearly rotation of a new AWS managed key. */
export interface KeyCreatedHook {
  arm?: (ctx: RequestContext, key: KeyRecord) => void;
}

function keyCreated(ctx: RequestContext, key: KeyRecord): void {
  ctx.runtime<KeyCreatedHook>("key-created", () => ({})).arm?.(ctx, key);
}

async function createAwsManagedKey(ctx: RequestContext, aliasName: string, service: string): Promise<KeyRecord> {
  const now = ctx.clock.now();
  const keyId = crypto.randomUUID();
  const key: KeyRecord = {
    ...baseKey(ctx, keyId, now, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"),
    description: AWS_MANAGED_DESCRIPTIONS[service] ?? `Default key that protects my ${service} data when no other key is defined`,
    keyManager: "AWS",
    versions: [await newVersion("SYMMETRIC_DEFAULT", now)],
    // AWS managed keys rotate every year, always.
    rotation: { enabled: true, periodDays: 365, nextAt: now + 365 * DAY },
  };
  const alias: AliasRecord = { AliasName: aliasName, TargetKeyId: keyId, CreationDate: now, LastUpdatedDate: now };
  const result = await ctx.store.atomic().check({ key: aliasKey(aliasName), versionstamp: null }).set(keyKey(keyId), key).set(aliasKey(aliasName), alias).commit();
  if (!result.ok) return (await resolveKey(ctx, aliasName)).key;
  keyCreated(ctx, key);
  return key;
}

export function baseKey(ctx: RequestContext, keyId: string, now: number, keySpec: string, keyUsage: KeyUsage): KeyRecord {
  return {
    keyId,
    arn: keyArn(ctx.accountId, ctx.region, keyId),
    accountId: ctx.accountId,
    region: ctx.region,
    createdAt: now,
    description: "",
    keyUsage,
    keySpec,
    origin: "AWS_KMS",
    keyManager: "CUSTOMER",
    state: "Enabled",
    multiRegion: false,
    policy: defaultPolicy(ctx.accountId, ctx.region),
    tags: [],
    rotation: { enabled: false, periodDays: 365 },
    rotations: [],
    versions: [],
  };
}

/** The key must be usable for cryptography: Enabled (else AWS's DisabledException / KMSInvalidStateException). */
export function requireUsable(key: KeyRecord): void {
  if (key.state === "Enabled") return;
  if (key.state === "Disabled") throw new AwsError("DisabledException", `${key.arn} is disabled.`, 400);
  if (key.state === "PendingDeletion") throw new AwsError("KMSInvalidStateException", `${key.arn} is pending deletion.`, 400);
  if (key.state === "PendingImport") throw new AwsError("KMSInvalidStateException", `${key.arn} is pending import.`, 400);
  throw new AwsError("KMSInvalidStateException", `${key.arn} is ${key.state}.`, 400);
}

/** Management operations refuse a key that is pending deletion. */
export function requireNotPendingDeletion(key: KeyRecord): void {
  if (key.state === "PendingDeletion") throw new AwsError("KMSInvalidStateException", `${key.arn} is pending deletion.`, 400);
}

export function requireUsage(key: KeyRecord, usage: KeyUsage, operation: string): void {
  if (key.keyUsage !== usage) {
    throw new AwsError("InvalidKeyUsageException", `${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`, 400);
  }
}

export function requireCustomerManaged(key: KeyRecord, operation: string): void {
  if (key.keyManager === "AWS") {
    throw new AwsError("AccessDeniedException", `You cannot perform ${operation} on an AWS managed key: ${key.arn}.`, 400);
  }
}

export function currentVersion(key: KeyRecord): KeyVersion {
  return key.versions[key.versions.length - 1];
}

export { DAY };
