/**
 * The same emulator under Cloudflare's workerd: through Miniflare (the bundled worker) and
 * through `npx wrangler dev` (which compiles src/runtime/worker.ts itself).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetCallerIdentityCommand, AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { Miniflare } from "miniflare";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { spawnUntil, type Spawned } from "../helpers/process.ts";
import { runServiceSmoke } from "./service-smoke.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

describe("workerd via Miniflare", () => {
  let mf: Miniflare;
  let url: URL;
  beforeAll(async () => {
    if (!existsSync("dist/worker.js")) execFileSync("node", ["scripts/build.mjs"]);
    mf = new Miniflare({ modules: true, scriptPath: "dist/worker.js", compatibilityDate: "2025-09-01" });
    url = await mf.ready;
  }, 60_000);
  afterAll(() => mf?.dispose());

  it("answers STS to the JS SDK", async () => {
    const sts = new STSClient({ region: "us-east-1", endpoint: url.origin, credentials });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe("000000000000");
    // STS checks with IAM that the role exists.
    const iam = new IAMClient({ region: "us-east-1", endpoint: url.origin, credentials: { accessKeyId: "111122223333", secretAccessKey: "x" } });
    await iam.send(new CreateRoleCommand({ RoleName: "w", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] }) }));
    const role = await sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::111122223333:role/w", RoleSessionName: "workerd" }));
    const c = role.Credentials!;
    const asRole = new STSClient({ region: "us-east-1", endpoint: url.origin, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken } });
    expect((await asRole.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:sts::111122223333:assumed-role/w/workerd");
  });

  it("serves S3, SQS, DynamoDB, Firehose and MemoryDB", async () => {
    await runServiceSmoke(url.origin, "workerd", { http1Only: true });
  }, 60_000);

  it("answers its own errors", async () => {
    const res = await mf.dispatchFetch("http://localhost/", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0" },
      body: "Action=Nope&Version=2011-06-15",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>InvalidAction</Code>");
  });
});

describe("workerd via Miniflare, Durable Object state", () => {
  let mf: Miniflare;
  let url: URL;
  beforeAll(async () => {
    if (!existsSync("dist/worker.js")) execFileSync("node", ["scripts/build.mjs"]);
    mf = new Miniflare({
      modules: true, scriptPath: "dist/worker.js", compatibilityDate: "2025-09-01",
      durableObjects: { STATE: { className: "FetchstackStateObject", useSQLite: true } },
    });
    url = await mf.ready;
  }, 60_000);
  afterAll(() => mf?.dispose());

  it("serves S3, SQS, DynamoDB, Firehose and MemoryDB with state in Durable Objects", async () => {
    await runServiceSmoke(url.origin, "durable", { http1Only: true });
  }, 120_000);
});

describe("npx wrangler dev", () => {
  let server: Spawned & { match: RegExpMatchArray };
  beforeAll(async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    server = await spawnUntil("node_modules/.bin/wrangler", ["dev", "--ip", "127.0.0.1", "--port", String(port), "--log-level", "info"], /Ready on (http:\/\/127\.0\.0\.1:\d+)/, {
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1", CI: "1" },
      timeoutMs: 90_000,
    });
  }, 120_000);
  afterAll(() => server?.stop());

  it("answers STS GetCallerIdentity", async () => {
    const sts = new STSClient({ region: "us-east-1", endpoint: server.match[1], credentials });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe("000000000000");
  });
});
