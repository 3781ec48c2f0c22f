/**
 * Sequence numbers, 56 decimal digits like AWS's: `49`, the stream's creation time (13 digits,
 * ms), the shard's index (6 digits) and a counter shared by the whole stream (35 digits). Within
 * a shard they increase with every record; a child shard's are above its parents'.
 */
import { invalidArgument } from "./errors.ts";

export interface SequenceParts {
  epoch: number;
  shardIndex: number;
  counter: number;
}

export function formatSequence(parts: SequenceParts): string {
  return `49${String(parts.epoch).padStart(13, "0")}${String(parts.shardIndex).padStart(6, "0")}${String(parts.counter).padStart(35, "0")}`;
}

/** Decodes a sequence number of ours; anything else is AWS's InvalidArgumentException. */
export function parseSequence(text: string, member = "StartingSequenceNumber"): SequenceParts {
  const m = /^49(\d{13})(\d{6})(\d{35})$/.exec(text);
  if (!m) throw invalidArgument(`Invalid ${member}. It encodes an unexpected value: ${text}`);
  return { epoch: Number(m[1]), shardIndex: Number(m[2]), counter: Number(m[3]) };
}

export function shardIdOf(index: number): string {
  return `shardId-${String(index).padStart(12, "0")}`;
}
