/**
 * `aws kms encrypt` → `aws kms decrypt` round trips, with both AWS CLIs, against fetchstack on
 * Node (the test server), Deno (`deno task start`) and workerd (`npx wrangler dev`), started as
 * test/runtime/deno.test.ts and workerd.test.ts start them: KMS's cryptography (WebCrypto and
 * @noble) gives the same results on every runtime. A Sign on each is verified by openssl with the
 * get-public-key DER.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../../helpers/clients.ts";
import { cliSession, startCli } from "../../helpers/cli-session.ts";
import { run } from "../../helpers/external.ts";
import { spawnUntil, type Spawned } from "../../helpers/process.ts";

const versions = (["v1", "v2"] as const).filter((v) => cliSession[v]);
if (versions.length === 0) console.warn(`skipping KMS runtime round trips: ${cliSession.reason("v1")} and ${cliSession.reason("v2")}`);
const dir = mkdtempSync(join(tmpdir(), "fetchstack-kms-runtimes-"));

/** Encrypt → decrypt (with a context) and sign → openssl verify through each installed CLI. */
async function roundTrips(endpoint: string, runtime: string): Promise<void> {
  for (const version of versions) {
    const cli = startCli(version, endpoint);
    try {
      const tag = `${runtime}-${version}`;
      const plain = join(dir, `${tag}.txt`);
      writeFileSync(plain, `secret on ${runtime}`);
      const key = (await cli.ok(["kms", "create-key", "--description", tag])).KeyMetadata;
      const encrypted = await cli.ok(["kms", "encrypt", "--key-id", key.KeyId, "--plaintext", `fileb://${plain}`, "--encryption-context", `runtime=${runtime}`]);
      const blob = join(dir, `${tag}.bin`);
      writeFileSync(blob, Buffer.from(encrypted.CiphertextBlob, "base64"));
      const decrypted = await cli.ok(["kms", "decrypt", "--ciphertext-blob", `fileb://${blob}`, "--encryption-context", `runtime=${runtime}`]);
      expect([Buffer.from(decrypted.Plaintext, "base64").toString(), decrypted.KeyId]).toEqual([`secret on ${runtime}`, key.Arn]);
      const wrong = await cli.run(["kms", "decrypt", "--ciphertext-blob", `fileb://${blob}`]);
      expect(wrong.errorCode).toBe("InvalidCiphertextException");

      const signer = (await cli.ok(["kms", "create-key", "--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY"])).KeyMetadata.KeyId;
      const der = join(dir, `${tag}.der`);
      writeFileSync(der, Buffer.from((await cli.ok(["kms", "get-public-key", "--key-id", signer])).PublicKey, "base64"));
      const sig = join(dir, `${tag}.sig`);
      writeFileSync(sig, Buffer.from((await cli.ok(["kms", "sign", "--key-id", signer, "--message", `fileb://${plain}`, "--signing-algorithm", "ECDSA_SHA_256"])).Signature, "base64"));
      const verified = await run("openssl", ["dgst", "-sha256", "-verify", der, "-keyform", "DER", "-signature", sig, plain]);
      expect(verified.stdout.trim(), verified.stderr).toBe("Verified OK");
    } finally {
      await cli.close();
    }
  }
}

// Skipped only when neither AWS CLI is installed; the reason is printed above.
describe.skipIf(versions.length === 0)("aws kms encrypt → decrypt on every runtime", () => {
  describe("Node", () => {
    let server: Awaited<ReturnType<typeof startTestServer>>;
    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(() => server?.close());
    it("round trips", () => roundTrips(server.url, "node"), 180_000);
  });

  const deno = "node_modules/.bin/deno";
  if (!existsSync(deno)) console.warn("skipping the Deno KMS round trip: node_modules/.bin/deno is missing (npm ci installs it)");
  // Skipped only when the npm-installed deno is absent; the reason is printed above.
  describe.skipIf(!existsSync(deno))("Deno", () => {
    let server: Spawned & { match: RegExpMatchArray };
    beforeAll(async () => {
      server = await spawnUntil(deno, ["task", "start", "--port", "0"], /fetchstack on Deno [^:]+: http:\/\/127\.0\.0\.1:(\d+)/, {
        env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
        timeoutMs: 120_000,
      });
    }, 150_000);
    afterAll(() => server?.stop());
    it("round trips", () => roundTrips(`http://127.0.0.1:${server.match[1]}`, "deno"), 180_000);
  });

  const wrangler = "node_modules/.bin/wrangler";
  if (!existsSync(wrangler)) console.warn("skipping the workerd KMS round trip: node_modules/.bin/wrangler is missing (npm ci installs it)");
  // Skipped only when the npm-installed wrangler is absent; the reason is printed above.
  describe.skipIf(!existsSync(wrangler))("workerd (wrangler dev)", () => {
    let server: Spawned & { match: RegExpMatchArray };
    beforeAll(async () => {
      const port = 20000 + Math.floor(Math.random() * 20000);
      server = await spawnUntil(wrangler, ["dev", "--ip", "127.0.0.1", "--port", String(port), "--log-level", "info"], /Ready on (http:\/\/127\.0\.0\.1:\d+)/, {
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_COLOR: "1", CI: "1" },
        timeoutMs: 120_000,
      });
    }, 150_000);
    afterAll(() => server?.stop());
    it("round trips", () => roundTrips(server.match[1], "workerd"), 180_000);
  });
});
