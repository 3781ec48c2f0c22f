/**
 * Hostile input, measured (issue 22): every operation of every service, over every protocol
 * its clients speak, with model-built inputs (wrong-typed members included) broken in hostile
 * ways, sent in-process. No 500, no uncaught exception, every error in the protocol's shape.
 *
 * `npm test` runs a fixed seed with a few runs per operation; `npm run fuzz` runs many more
 * with a fresh seed (FUZZ_RUNS, FUZZ_SEED, FUZZ_SERVICES to choose).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICES } from "../../src/services/registry.ts";
import { fuzzService, sent, type Failure } from "./harness.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 3);
const SEED = Number(process.env.FUZZ_SEED ?? 22);
const ONLY = process.env.FUZZ_SERVICES?.split(",");

// The fuzz never reaches a network: a delivery to a fuzzed URL is refused here, not sent.
const realFetch = globalThis.fetch;
// Exceptions nothing caught (a rejected promise no handler awaited, a throw in a timer) fail the run.
const escaped: string[] = [];
const onEscape = (error: unknown) => { escaped.push(error instanceof Error ? error.stack ?? error.message : String(error)); };
beforeAll(() => {
  globalThis.fetch = (async () => { throw new TypeError("network disabled in the fuzz suite"); }) as typeof fetch;
  process.on("unhandledRejection", onEscape);
  process.on("uncaughtException", onEscape);
});
afterAll(() => {
  globalThis.fetch = realFetch;
  process.off("unhandledRejection", onEscape);
  process.off("uncaughtException", onEscape);
  console.log(`fuzz: ${sent.count} requests sent (${sent.signed} signed for real, ${sent.signatureRejected} of those refused at the signature check)`);
});

function report(failures: Failure[]): string {
  return failures.slice(0, 8).map((f) => `${f.service}.${f.operation} (${f.protocol}): ${f.problem}\n${f.request}`).join("\n\n---\n\n");
}

describe(`fuzz (seed ${SEED}, ${RUNS} runs per operation and protocol)`, () => {
  for (const service of SERVICES) {
    if (ONLY && !ONLY.includes(service.name)) continue;
    it(service.name, async () => {
      const failures = await fuzzService(service, { runs: RUNS, seed: SEED });
      expect(failures.length, report(failures)).toBe(0);
      expect(escaped, escaped.join("\n\n")).toEqual([]);
    }, 300_000);
  }
});
