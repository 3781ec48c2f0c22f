/**
 * The worker with `FETCHSTACK_STORE=kv`: state and blobs in a Workers KV namespace (Miniflare),
 * for the services docs/persistence.md lists as safe on it; state survives a restart with KV
 * persistence on.
 */
import { afterAll, describe, expect, it } from "vitest";
import { Miniflare } from "miniflare";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const persist = mkdtempSync(join(tmpdir(), "fetchstack-mf-kv-"));
afterAll(() => rmSync(persist, { recursive: true, force: true }));

async function startWorker(): Promise<{ mf: Miniflare; endpoint: string }> {
  execFileSync("node", ["scripts/build.mjs"]);
  const mf = new Miniflare({
    modules: true,
    scriptPath: "dist/worker.js",
    compatibilityDate: "2025-09-01",
    bindings: { FETCHSTACK_STORE: "kv" },
    kvNamespaces: ["STATE_KV"],
    kvPersist: persist,
  });
  return { mf, endpoint: (await mf.ready).origin };
}

describe("worker with Workers KV state (Miniflare)", () => {
  let saved: { accessKeyId: string; secretAccessKey: string; sessionToken: string } | undefined;
  const body = new Uint8Array(1_500_000).map((_, i) => (i * 31 + 7) & 255); // two 1 MiB chunks

  it("serves STS and S3 with state in KV", async () => {
    const { mf, endpoint } = await startWorker();
    try {
      const health = (await (await mf.dispatchFetch(`${endpoint}/_fetchstack/health`)).json()) as { store: string };
      expect(health.store).toBe("workers-kv");
      const sts = new STSClient({ region: "us-east-1", endpoint, credentials });
      // STS checks with IAM that the role exists.
      await new IAMClient({ region: "us-east-1", endpoint, credentials: { accessKeyId: "111122223333", secretAccessKey: "x" } })
        .send(new CreateRoleCommand({ RoleName: "kv", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] }) }));
      const c = (await sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::111122223333:role/kv", RoleSessionName: "kv" }))).Credentials!;
      saved = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
      const s3 = new S3Client({ region: "us-east-1", endpoint, credentials, forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: "kv-fixtures" }));
      await s3.send(new PutObjectCommand({ Bucket: "kv-fixtures", Key: "data.bin", Body: body }));
    } finally {
      await mf.dispose();
    }
  }, 120_000);

  it("keeps state across a Miniflare restart with KV persistence on", async () => {
    expect(saved).toBeDefined();
    const { mf, endpoint } = await startWorker();
    try {
      const sts = new STSClient({ region: "us-east-1", endpoint, credentials: saved! });
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:sts::111122223333:assumed-role/kv/kv");
      const s3 = new S3Client({ region: "us-east-1", endpoint, credentials, forcePathStyle: true });
      const got = await s3.send(new GetObjectCommand({ Bucket: "kv-fixtures", Key: "data.bin" }));
      const bytes = await got.Body!.transformToByteArray();
      expect(bytes.length).toBe(body.length);
      expect(Buffer.from(bytes).equals(Buffer.from(body))).toBe(true);
    } finally {
      await mf.dispose();
    }
  }, 120_000);
});
