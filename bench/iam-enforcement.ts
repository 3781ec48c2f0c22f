/**
 * What IAM enforcement costs (issue 16's figure, goal: under 20% of throughput): S3 GetObject and
 * DynamoDB GetItem in-process, signed by an IAM user whose inline policy allows them, with
 * enforcement off, with signature verification only, and with `enforceIam`, in the same run.
 * Each request is signed once by the JS SDK and replayed (a SigV4 signature stays valid for 15
 * minutes), so the figures are the emulator's, not the signer's. Sequential calls, modes taking
 * turns in short slices (BENCH_ROUNDS × BENCH_SECONDS each), so a busy machine's drift falls on
 * every mode alike.
 *
 *   npx tsx bench/iam-enforcement.ts        (BENCH_SECONDS per slice, default 0.5; BENCH_ROUNDS, default 12)
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { createEmulator, type Emulator } from "../src/emulator.ts";
import { createRequestHandler } from "../src/runtime/sdk.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 0.5);
const ROOT = { accessKeyId: "test", secretAccessKey: "test" };

async function setup(emulator: Emulator) {
  const config = { region: "us-east-1", credentials: ROOT, requestHandler: createRequestHandler(emulator) };
  const iam = new IAMClient(config);
  await iam.send(new CreateUserCommand({ UserName: "bench" }));
  await iam.send(new PutUserPolicyCommand({
    UserName: "bench", PolicyName: "read",
    PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [
      { Effect: "Allow", Action: ["s3:Get*", "s3:List*"], Resource: ["arn:aws:s3:::bench", "arn:aws:s3:::bench/*"] },
      { Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:Query"], Resource: "arn:aws:dynamodb:*:*:table/bench", Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } },
    ] }),
  }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "bench" }));
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "bench" }));
  await s3.send(new PutObjectCommand({ Bucket: "bench", Key: "k", Body: "x".repeat(1024) }));
  const ddb = new DynamoDBClient(config);
  await ddb.send(new CreateTableCommand({ TableName: "bench", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" }));
  await ddb.send(new PutItemCommand({ TableName: "bench", Item: { pk: { S: "a" }, v: { S: "x".repeat(100) } } }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

/** The Request the SDK sends for one command, captured once to replay. */
async function capture(emulator: Emulator, send: (config: object) => Promise<unknown>): Promise<Request> {
  let captured: Request | undefined;
  const spy = { ...emulator, fetch: (r: Request) => { captured = r.clone(); return emulator.fetch(r); } } as Emulator;
  await send({ region: "us-east-1", requestHandler: createRequestHandler(spy) });
  return captured!;
}

async function measure(emulator: Emulator, request: Request, concurrency = 1): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const r = await emulator.fetch(request.clone());
    if (r.status !== 200) throw new Error(`${r.status} ${await r.text()}`);
  }
  let count = 0;
  const deadline = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      await (await emulator.fetch(request.clone())).arrayBuffer();
      count++;
    }
  }));
  return count / SECONDS;
}

const modes = { off: {}, "verify only": { verifySignatures: true, credentials: { test: "test" } }, enforceIam: { enforceIam: true } } as const;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const setups = [];
for (const [mode, options] of Object.entries(modes)) {
  const emulator = createEmulator(options);
  const credentials = await setup(emulator);
  const get = await capture(emulator, (c) => new S3Client({ ...c, credentials, forcePathStyle: true }).send(new GetObjectCommand({ Bucket: "bench", Key: "k" })));
  const item = await capture(emulator, (c) => new DynamoDBClient({ ...c, credentials }).send(new GetItemCommand({ TableName: "bench", Key: { pk: { S: "a" } } })));
  setups.push({ mode, emulator, cases: { "S3 GetObject": get, "DynamoDB GetItem": item } as Record<string, Request> });
}
// Modes take turns, ROUNDS times, so the machine's drift spreads over all of them alike.
const rows: Record<string, Record<string, number>> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const { mode, emulator, cases } of setups) {
    for (const [name, request] of Object.entries(cases)) {
      rows[name] ??= {};
      rows[name][mode] = (rows[name][mode] ?? 0) + (await measure(emulator, request)) / ROUNDS;
    }
  }
}
console.log(`IAM enforcement, in-process, ${ROUNDS} rounds of ${SECONDS}s per figure (req/s; cost = 1 - enforceIam/off)`);
for (const [name, r] of Object.entries(rows)) {
  const cost = 1 - r.enforceIam / r.off;
  console.log(`${name.padEnd(18)} off ${Math.round(r.off).toString().padStart(6)}  verify ${Math.round(r["verify only"]).toString().padStart(6)}  enforceIam ${Math.round(r.enforceIam).toString().padStart(6)}  cost ${(cost * 100).toFixed(1)}%`);
}
