/**
 * fetchstack as a user installs it: `npm pack` of the built package (the esbuild bundles and
 * the .d.ts declarations `prepare` writes), the tarball installed into an empty project with production
 * dependencies only, then there: ESM imports of every entry, a TypeScript file checked against
 * the declarations, `npx fetchstack --help` and `npx fetchstack --port 0` answering a request,
 * the examples/ apps (itty-router and Hono under Node, the README's Deno Deploy snippet under
 * the npm-installed deno on Deno KV) answering the JS SDK's S3 and SQS calls.
 *
 * The install reads the npm cache first (`--prefer-offline`): on a machine that has run
 * `npm ci` it needs no network. It is skipped, with the reason printed, when npm cannot install.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execFile } from "node:child_process";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { spawnUntil } from "../helpers/process.ts";

const root = resolve(import.meta.dirname, "../..");

/** Runs a command in `cwd` (default the repository) and collects its exit code and output. */
function exec(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(command, args, { cwd: options.cwd ?? root, env: options.env ?? process.env, timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
const work = mkdtempSync(join(tmpdir(), "fetchstack-pack-"));
const project = join(work, "app");
let installError = "";

beforeAll(async () => {
  // `prepare` is what a git dependency and `npm pack` run; its declaration half is run here,
  // and the pack itself skips scripts so that it does not rewrite the dist/ bundles other
  // test files are using (pretest built them).
  const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts as Record<string, string>;
  expect(scripts.prepare).toContain("scripts/build.mjs");
  expect(scripts.prepare).toContain("tsc -p tsconfig.build.json");
  const types = await exec("npm", ["run", "build:types", "--silent"], { timeoutMs: 480_000 });
  if (types.code !== 0) throw new Error(`declarations failed:\n${types.stdout}${types.stderr}`);
  const packed = await exec("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work, "--loglevel=error"], { timeoutMs: 300_000 });
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}\n${packed.stdout}`);
  const [{ filename, files }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as { filename: string; files: { path: string }[] }[];
  const paths = files.map((f) => f.path);
  // What the package must hold: the bundles, the declarations of each entry, the bin.
  for (const p of ["dist/mod.js", "dist/cli.js", "dist/runtime/sdk.js", "dist/runtime/node.js", "dist/worker.js", "dist/types/mod.d.ts", "dist/types/runtime/sdk.d.ts", "bin/fetchstack.js"]) {
    expect(paths, p).toContain(p);
  }
  expect(paths.some((p) => p.startsWith("src/") || p.startsWith("test/"))).toBe(false);
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  // The routers the examples/ apps embed fetchstack in, installed next to it as a user would.
  const installed = await exec("npm", ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", join(work, filename), "itty-router", "hono", "@hono/node-server"], { cwd: project });
  if (installed.code !== 0) installError = `npm install of the tarball failed (no registry or cache?):\n${installed.stderr}`;
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the npm package", () => {
  it("installs with production dependencies only and imports as ESM", async (t) => {
    // Skipped only when the tarball could not be installed (no registry or cache); the reason is the skip message.
    if (installError) return t.skip(installError);
    writeFileSync(join(project, "main.mjs"), `
      import { createEmulator, defineService, openDenoKvStore, VERSION } from "fetchstack";
      import { createRequestHandler } from "fetchstack/sdk";
      import { startServer } from "fetchstack/node";
      const aws = createEmulator({ region: "eu-west-1", accountId: "123456789012" });
      const res = await aws.fetch(new Request("http://localhost/", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "Action=GetCallerIdentity&Version=2011-06-15",
      }));
      const text = await res.text();
      console.log(JSON.stringify({ status: res.status, account: /<Account>(\\d+)<\\/Account>/.exec(text)?.[1], VERSION,
        kinds: [typeof defineService, typeof openDenoKvStore, typeof createRequestHandler(aws).handle, typeof startServer] }));
    `);
    const result = await exec("node", ["main.mjs"], { cwd: project, env: { ...process.env, NODE_NO_WARNINGS: "1" } });
    expect(result.stderr).toBe("");
    const out = JSON.parse(result.stdout.trim().split("\n").pop()!);
    expect(out).toEqual({ status: 200, account: "123456789012", VERSION: JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version, kinds: ["function", "function", "function", "function"] });
  }, 120_000);

  it("type-checks a TypeScript user against the declarations", async (t) => {
    // Skipped only when the tarball could not be installed (no registry or cache); the reason is the skip message.
    if (installError) return t.skip(installError);
    writeFileSync(join(project, "app.ts"), `
      import { createEmulator, defineService, type Emulator, type sqs } from "fetchstack";
      import { createRequestHandler } from "fetchstack/sdk";
      const aws: Emulator = createEmulator({ services: ["sqs", "s3"] });
      const handler = createRequestHandler(aws);
      const input: sqs.CreateQueueRequest = { QueueName: "q" };
      const region: string = aws.options.region;
      // @ts-expect-error createEmulator's region is a string
      createEmulator({ region: 42 });
      export { handler, input, region, defineService };
    `);
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, lib: ["ES2022", "DOM"], types: [] },
      files: ["app.ts"],
    }));
    const result = await exec(join(root, "node_modules/.bin/tsc"), ["-p", "."], { cwd: project });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.code).toBe(0);
  }, 180_000);

  it("runs its bin: npx fetchstack --help, and --port 0 answers", async (t) => {
    // Skipped only when the tarball could not be installed (no registry or cache); the reason is the skip message.
    if (installError) return t.skip(installError);
    const help = await exec("npx", ["--no-install", "fetchstack", "--help"], { cwd: project });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: fetchstack");
    const server = await spawnUntil("npx", ["--no-install", "fetchstack", "--port", "0"], /http:\/\/127\.0\.0\.1:(\d+)/, { cwd: project, timeoutMs: 60_000 });
    try {
      const health = await fetch(`http://127.0.0.1:${server.match[1]}/_fetchstack/health`);
      expect(health.status).toBe(200);
      expect((await health.json()).status).toBe("running");
    } finally {
      await server.stop();
    }
  }, 120_000);

  for (const [example, app] of [["itty-router.mjs", "itty-router"], ["hono.mjs", "hono"]] as const) {
    it(`serves behind ${app}: examples/${example} answers S3 and SQS through the router`, async (t) => {
      // Skipped only when the tarball could not be installed (no registry or cache); the reason is the skip message.
    if (installError) return t.skip(installError);
      if (app === "itty-router") expect(readFileSync(join(root, "README.md"), "utf8")).toContain("```js\n" + readFileSync(join(root, "examples", example), "utf8") + "```");
      copyFileSync(join(root, "examples", example), join(project, example));
      const server = await spawnUntil("node", [example], /AWS endpoint: (http:\/\/127\.0\.0\.1:\d+\/aws)/, { cwd: project, env: { ...process.env, PORT: "0" }, timeoutMs: 60_000 });
      try {
        const endpoint = server.match[1];
        // The app's own route is the router's, not the emulator's.
        expect(await (await fetch(new URL("/", endpoint))).json()).toEqual({ app });
        await roundTrip(endpoint, `${app}-bucket`);
      } finally {
        await server.stop();
      }
    }, 120_000);
  }

  it("runs the README's Deno Deploy snippet (examples/deno-deploy.ts) under deno on Deno KV, state kept across restarts", async (t) => {
    // Skipped only when the tarball could not be installed or the npm-installed deno is absent; the reason is the skip message.
    if (installError) return t.skip(installError);
    const deno = join(root, "node_modules/.bin/deno");
    if (!existsSync(deno)) return t.skip("node_modules/.bin/deno is missing (npm ci installs it)");
    const snippet = readFileSync(join(root, "examples/deno-deploy.ts"), "utf8");
    expect(readFileSync(join(root, "README.md"), "utf8")).toContain("```ts\n" + snippet + "```");
    copyFileSync(join(root, "examples/deno-deploy.ts"), join(project, "deno-deploy.ts"));
    // Deno.openKv() without a path keeps its database under DENO_DIR (as Deploy keeps one per
    // project); DENO_SERVE_ADDRESS picks the port Deno.serve() listens on.
    const denoDir = join(work, "deno-dir");
    const env = { ...process.env, DENO_DIR: denoDir, DENO_SERVE_ADDRESS: "tcp:127.0.0.1:0", DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
    const start = () => spawnUntil(deno, ["run", "--allow-net", "--allow-env", "--allow-read", "--allow-write", "--unstable-kv", "deno-deploy.ts"], /Listening on (http:\/\/127\.0\.0\.1:\d+)/, { cwd: project, env, timeoutMs: 90_000 });
    let server = await start();
    try {
      await roundTrip(server.match[1].replace(/\/$/, ""), "deno-bucket");
    } finally {
      await server.stop();
    }
    const kv = readdirSync(join(denoDir, "location_data"), { recursive: true, encoding: "utf8" });
    expect(kv.some((f) => f.endsWith("kv.sqlite3"))).toBe(true);
    server = await start();
    try {
      const { s3, sqs } = clients(server.match[1].replace(/\/$/, ""));
      const object = await s3.send(new GetObjectCommand({ Bucket: "deno-bucket", Key: "hello.txt" }));
      expect(await object.Body!.transformToString()).toBe("hello from deno-bucket");
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: "deno-bucket-queue" }));
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
      expect(received.Messages?.map((m) => m.Body)).toEqual(["second message"]);
    } finally {
      await server.stop();
    }
  }, 240_000);
});

function clients(endpoint: string) {
  const config = { region: "us-east-1", endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  return { s3: new S3Client({ ...config, forcePathStyle: true }), sqs: new SQSClient(config) };
}

/**
 * S3 and SQS through `endpoint` with the JS SDK: an object written and read back, a message
 * sent and received; leaves `name`/hello.txt and a second message in queue `name`-queue.
 */
async function roundTrip(endpoint: string, name: string): Promise<void> {
  const { s3, sqs } = clients(endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  await s3.send(new PutObjectCommand({ Bucket: name, Key: "hello.txt", Body: `hello from ${name}` }));
  const object = await s3.send(new GetObjectCommand({ Bucket: name, Key: "hello.txt" }));
  expect(await object.Body!.transformToString()).toBe(`hello from ${name}`);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-queue` }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "first message" }));
  const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
  expect(received.Messages?.map((m) => m.Body)).toEqual(["first message"]);
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.Messages![0].ReceiptHandle }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "second message" }));
}
