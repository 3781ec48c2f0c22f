/**
 * CRC-32 (IEEE) of a response body, for DynamoDB's `x-amz-crc32` header. Uses the runtime's
 * native `zlib.crc32` where Node compatibility offers it (found by feature detection through
 * `process.getBuiltinModule`, not imported: workerd without `nodejs_compat` has none), else
 * @aws-crypto/crc32. The native one is several times faster on large Query pages.
 */
import { crc32 as portableCrc32 } from "@aws-crypto/crc32";

type Crc32 = (data: Uint8Array) => number;

let impl: Crc32 | undefined;

function pick(): Crc32 {
  try {
    const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
    const zlib = typeof get === "function" ? (get("node:zlib") as { crc32?: (data: Uint8Array) => number } | undefined) : undefined;
    if (typeof zlib?.crc32 === "function") {
      const native = zlib.crc32;
      return (data) => native(data) >>> 0;
    }
  } catch {
    // fall through to the portable implementation
  }
  return (data) => portableCrc32(data) >>> 0;
}

/** Forces the portable implementation (tests check both give the same answers). */
export function usePortableCrc32(portable: boolean): void {
  impl = portable ? (data) => portableCrc32(data) >>> 0 : undefined;
}

/** CRC-32 of `data` as an unsigned 32-bit integer. */
export function crc32(data: Uint8Array): number {
  impl ??= pick();
  return impl(data);
}
