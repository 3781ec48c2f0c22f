/**
 * `@deno/kv` is optional: where it cannot load, the CLI serves from memory and only
 * `--data-dir` fails, with a clear error. The CLI runs with a Node `--import` hook that makes
 * the package unresolvable (test/runtime/no-deno-kv.mjs).
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { DenoKvUnavailableError, loadOpenKv } from "../../src/runtime/deno-kv-addon.ts";
import { spawnUntil } from "../helpers/process.ts";
import { run } from "../helpers/external.ts";

const HOOK = ["--import", "./test/runtime/no-deno-kv.mjs"];

describe("optional @deno/kv", () => {
  it("loadOpenKv names the package and the way out when the import fails", async () => {
    const error = await loadOpenKv(() => Promise.reject(new Error("Cannot find package '@deno/kv'"))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DenoKvUnavailableError);
    expect((error as Error).message).toBe(
      "--data-dir needs the optional package @deno/kv (a native addon), which could not be loaded here: Cannot find package '@deno/kv'. " +
        "Install it (npm install @deno/kv) on a platform it supports, or run without --data-dir to keep state in memory.",
    );
  });

  it("--data-dir fails with that error and creates nothing", async () => {
    const parent = mkdtempSync(join(tmpdir(), "fetchstack-nokv-"));
    try {
      const dataDir = join(parent, "state");
      const result = await run("node", [...HOOK, "bin/fetchstack.js", "--port", "0", "--data-dir", dataDir], process.env);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("fetchstack: cannot start: --data-dir needs the optional package @deno/kv (a native addon), which could not be loaded here: Cannot find package '@deno/kv'");
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }, 60_000);

  it("the memory store serves without it", async () => {
    const server = await spawnUntil("node", [...HOOK, "bin/fetchstack.js", "--port", "0"], /fetchstack on Node[^\n]*http:\/\/127\.0\.0\.1:(\d+)/, { timeoutMs: 60_000 });
    try {
      const sts = new STSClient({ region: "us-east-1", endpoint: `http://127.0.0.1:${server.match[1]}`, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
      expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe("000000000000");
    } finally {
      await server.stop();
    }
  }, 60_000);
});
