/**
 * The same emulator under Deno: `deno task start` serves STS to the JS SDK, and the core runs
 * in-process under Deno (test/runtime/deno-smoke.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { existsSync } from "node:fs";
import { spawnUntil, type Spawned } from "../helpers/process.ts";
import { run } from "../helpers/external.ts";
import { runServiceSmoke } from "./service-smoke.ts";

const deno = "node_modules/.bin/deno";
const present = existsSync(deno);
if (!present) console.warn("skipping Deno suite: node_modules/.bin/deno is missing (npm ci installs it)");

// Skipped only when the npm-installed deno (node_modules/.bin/deno) is absent; the reason is printed.
describe.skipIf(!present)("Deno", () => {
  let server: Spawned & { match: RegExpMatchArray };
  beforeAll(async () => {
    server = await spawnUntil(deno, ["task", "start", "--port", "0"], /fetchstack on Deno [^:]+: http:\/\/127\.0\.0\.1:(\d+)/, {
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      timeoutMs: 90_000,
    });
  }, 120_000);
  afterAll(() => server?.stop());

  it("deno task start answers STS GetCallerIdentity", async () => {
    const sts = new STSClient({ region: "us-east-1", endpoint: `http://127.0.0.1:${server.match[1]}`, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const out = await sts.send(new GetCallerIdentityCommand({}));
    expect(out.Account).toBe("000000000000");
  });

  it("serves S3, SQS, DynamoDB, Firehose and MemoryDB", async () => {
    await runServiceSmoke(`http://127.0.0.1:${server.match[1]}`, "deno");
  }, 60_000);

  it("runs the core in-process under Deno", async () => {
    const result = await run(deno, ["run", "--allow-read", "--allow-env", "test/runtime/deno-smoke.ts"], { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" });
    expect(result.stderr + result.stdout).toContain("deno smoke ok");
    expect(result.code).toBe(0);
  }, 90_000);
});
