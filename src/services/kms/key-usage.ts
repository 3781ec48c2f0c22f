/**
 * GetKeyLastUsage: the last successful cryptographic operation of each key, recorded under
 * ["usage", keyId] in the key's own account and Region (each Region's copy of a multi-Region
 * key tracks its own) by the cryptographic handlers, through `withUsageTracking`. Tracking starts
 * when the key is created, so TrackingStartDate is the key's creation date.
 * Source: https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyLastUsage.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, Handlers, RequestContext } from "../types.ts";
import type { KeyLastUsageTrackingOperation, Operations } from "../../generated/kms.ts";
import { resolveKey } from "./keys.ts";

interface UsageRecord {
  Operation: KeyLastUsageTrackingOperation;
  Timestamp: number;
  KmsRequestId: string;
  CloudTrailEventId: string;
}

const usageKey = (keyId: string) => ["usage", keyId] as const;
const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;

/** The operations KMS tracks, and the output members naming the key(s) they used. */
const TRACKED: Partial<Record<KeyLastUsageTrackingOperation, string[]>> = {
  Decrypt: ["KeyId"],
  DeriveSharedSecret: ["KeyId"],
  Encrypt: ["KeyId"],
  GenerateDataKey: ["KeyId"],
  GenerateDataKeyPair: ["KeyId"],
  GenerateDataKeyPairWithoutPlaintext: ["KeyId"],
  GenerateDataKeyWithoutPlaintext: ["KeyId"],
  GenerateMac: ["KeyId"],
  // ReEncrypt uses two keys: both record it.
  ReEncrypt: ["SourceKeyId", "KeyId"],
  Sign: ["KeyId"],
  Verify: ["KeyId"],
  VerifyMac: ["KeyId"],
};

async function recordUsage(ctx: RequestContext, operation: KeyLastUsageTrackingOperation, arn: string): Promise<void> {
  const match = KEY_ARN.exec(arn);
  if (!match) return;
  const [, region, accountId, keyId] = match;
  const store = accountId === ctx.accountId && region === ctx.region ? ctx.store : ctx.storeFor(accountId, region);
  const record: UsageRecord = { Operation: operation, Timestamp: ctx.clock.now(), KmsRequestId: ctx.requestId, CloudTrailEventId: crypto.randomUUID() };
  await store.set(usageKey(keyId), record);
}

/** Wraps the cryptographic handlers so that each success records its key's last usage. */
export function withUsageTracking(table: Record<string, Handler>): Record<string, Handler> {
  return Object.fromEntries(Object.entries(table).map(([operation, handler]) => {
    const members = TRACKED[operation as KeyLastUsageTrackingOperation];
    if (!members) return [operation, handler];
    const wrapped: Handler = async (input, ctx) => {
      const output = (await handler(input, ctx)) as Record<string, unknown>;
      for (const member of members) {
        if (typeof output[member] === "string") await recordUsage(ctx, operation as KeyLastUsageTrackingOperation, output[member] as string);
      }
      return output;
    };
    return [operation, wrapped];
  }));
}

export const keyUsageHandlers: Handlers<Operations> = {
  async GetKeyLastUsage(input, ctx) {
    // Key id or key ARN only: alias names are not supported.
    if (input.KeyId.startsWith("alias/") || /^arn:[^:]+:kms:[^:]*:[^:]*:alias\//.test(input.KeyId)) {
      throw new AwsError("NotFoundException", `Invalid keyId '${input.KeyId}'`, 400);
    }
    const { key, store } = await resolveKey(ctx, input.KeyId);
    const usage = (await store.get<UsageRecord>(usageKey(key.keyId))).value;
    return {
      KeyId: key.keyId,
      ...(usage ? {
        KeyLastUsage: { Operation: usage.Operation, Timestamp: new Date(usage.Timestamp), KmsRequestId: usage.KmsRequestId, CloudTrailEventId: usage.CloudTrailEventId },
      } : {}),
      TrackingStartDate: new Date(key.createdAt),
      KeyCreationDate: new Date(key.createdAt),
    };
  },
};
