/**
 * The 128-bit hash key space: a partition key's MD5 as an unsigned big-endian integer picks the
 * shard whose HashKeyRange holds it; an ExplicitHashKey overrides it.
 * Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecord.html
 */
import { md5 } from "@noble/hashes/legacy.js";
import { invalidArgument } from "./errors.ts";

export const MAX_HASH_KEY = (1n << 128n) - 1n;

/** MD5 of the UTF-8 partition key, as an integer in [0, 2^128). */
export function hashPartitionKey(partitionKey: string): bigint {
  let value = 0n;
  for (const byte of md5(new TextEncoder().encode(partitionKey))) value = (value << 8n) | BigInt(byte);
  return value;
}

/** Parses an ExplicitHashKey (decimal), or throws AWS's InvalidArgumentException. */
export function parseExplicitHashKey(text: string): bigint {
  const value = /^\d{1,39}$/.test(text) ? BigInt(text) : -1n;
  if (value < 0n || value > MAX_HASH_KEY) {
    throw invalidArgument(`Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${text}`);
  }
  return value;
}

/** `count` even ranges over the key space, as CreateStream and UNIFORM_SCALING lay them out. */
export function uniformRanges(count: number, start = 0n, end = MAX_HASH_KEY): { start: bigint; end: bigint }[] {
  const span = end - start + 1n;
  const ranges: { start: bigint; end: bigint }[] = [];
  for (let i = 0n; i < BigInt(count); i++) {
    ranges.push({ start: start + (span * i) / BigInt(count), end: start + (span * (i + 1n)) / BigInt(count) - 1n });
  }
  return ranges;
}
