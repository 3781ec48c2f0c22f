/**
 * Path traversal in S3 keys (issue 22): `../`, `./`, `%2e%2e`, encoded slashes stay keys, in
 * process and over HTTP, with signatures verified, and a `--data-dir` store writes nothing but
 * its database file. The Fetch API's URL parser drops dot segments, so adapters pass the raw
 * path along (src/gateway/raw-path.ts); before that, `../x` was routed as `PUT /` (CreateBucket)
 * and `./w` was stored as `w`.
 */
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createEmulator, inProcess, overHttp } from "../helpers/clients.ts";
import { startServer, type RunningServer } from "../../src/runtime/node.ts";
import { BLOB_DIR, DATA_FILE } from "../../src/runtime/persistence.ts";
import { denoKvSkipReason } from "../helpers/deno-kv-store.ts";

const KEYS = ["../x", "a/../../y", "./w", "a/./b", "..", ".", "%2e%2e/z", "a%2Fb", "..%2f..%2fetc%2fpasswd", "a//b", "../../../../../../tmp/fetchstack-escape"];

async function roundTrip(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const [i, key] of KEYS.entries()) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body ${i}` }));
  }
  for (const [i, key] of KEYS.entries()) {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await got.Body!.transformToString(), key).toBe(`body ${i}`);
  }
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  expect(listed.Contents?.map((c) => c.Key).sort()).toEqual([...KEYS].sort());
}

function serverOptions(dataDir?: string, verifySignatures = true) {
  return {
    port: 0, host: "127.0.0.1", region: "us-east-1", accountId: "000000000000", servicePorts: {},
    verifySignatures, enforceIam: false, credentials: { test: "test" }, help: false, dataDir,
  };
}

const servers: RunningServer[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("path traversal in S3 keys", () => {
  it("keys with dot segments and encoded slashes stay keys in process (signatures verified)", async () => {
    const s3 = new S3Client({ ...inProcess(createEmulator({ verifySignatures: true, credentials: { test: "test" } })), forcePathStyle: true });
    await roundTrip(s3, "traversal");
  });

  it("over HTTP too, and a raw `..` in the request line names a key, never a parent", async () => {
    const server = await startServer(serverOptions(undefined, false));
    servers.push(server);
    const url = `http://127.0.0.1:${server.ports.main}`;
    await roundTrip(new S3Client({ ...overHttp(url), forcePathStyle: true }), "traversal");
    // A raw request line (as curl --path-as-is sends it) names the key "../x", not /x.
    const body = await new Promise<string>((resolve, reject) => {
      httpRequest({ host: "127.0.0.1", port: server.ports.main, path: "/traversal/../x", method: "GET" }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => { text += c.toString(); }).on("end", () => resolve(text));
      }).on("error", reject).end();
    });
    expect(body).toBe("body 0");
  });

  it("a --data-dir store writes only its database and blob files inside its directory, whatever the keys", async (context) => {
    const reason = await denoKvSkipReason();
    // Skips where the optional native addon @deno/kv cannot load (it backs --data-dir under Node).
    if (reason) return context.skip(reason);
    const parent = mkdtempSync(join(tmpdir(), "fetchstack-traversal-"));
    dirs.push(parent);
    const dataDir = join(parent, "data");
    const server = await startServer(serverOptions(dataDir));
    servers.push(server);
    await roundTrip(new S3Client({ ...overHttp(`http://127.0.0.1:${server.ports.main}`), forcePathStyle: true }), "traversal");
    // Nothing beside the data directory; in it only the database and the blob directory, whose
    // files are flat (blob names are encoded keys: no `/`, never `.` or `..`).
    expect(readdirSync(parent)).toEqual(["data"]);
    expect(readdirSync(dataDir).filter((name) => !name.startsWith(DATA_FILE) && name !== BLOB_DIR)).toEqual([]);
    const blobs = join(dataDir, BLOB_DIR);
    if (existsSync(blobs)) {
      for (const entry of readdirSync(blobs, { withFileTypes: true })) expect(entry.isFile(), entry.name).toBe(true);
    }
    expect(existsSync(join(tmpdir(), "fetchstack-escape"))).toBe(false);
  });
});
