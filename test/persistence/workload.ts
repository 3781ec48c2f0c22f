/**
 * The crash test's client: writes continuously to every service that answers (STS AssumeRole,
 * SQS SendMessage, DynamoDB PutItem, S3 PutObject), records each write that got a 2xx, and
 * after a restart checks that every recorded write is there and that nothing visible is
 * half-written (each stored thing has exactly the content its write sent).
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const ROLE = "arn:aws:iam::111122223333:role/crash";
const QUEUE = "crash-queue";
const TABLE = "crash-table";
const BUCKET = "crash-bucket";

export type ServiceName = "sts" | "sqs" | "dynamodb" | "s3";

export interface Acknowledged {
  sts: { session: string; accessKeyId: string; secretAccessKey: string; sessionToken: string }[];
  sqs: { id: string; body: string }[];
  dynamodb: number[];
  s3: number[];
}

export interface Verification {
  /** Acknowledged writes per service. */
  acknowledged: Record<string, number>;
  /** Acknowledged writes missing after the restart, per service. */
  lost: Record<string, number>;
  /** Things present after the restart whose content is not what a write sent. */
  corrupt: string[];
}

function clients(endpoint: string) {
  const config = { region: "us-east-1", endpoint, credentials, maxAttempts: 1 };
  return {
    sts: new STSClient(config),
    sqs: new SQSClient(config),
    dynamodb: new DynamoDBClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
  };
}

/** Object i's bytes: sizes vary, every fifth is past Deno KV's 64 KiB value limit. */
export function objectBody(i: number): Uint8Array {
  const size = i % 5 === 0 ? 100_000 + (i % 7) * 1000 : 200 + (i % 13) * 50;
  const out = new Uint8Array(size);
  for (let j = 0; j < size; j++) out[j] = (i * 31 + j * 7) & 255;
  return out;
}

const messageBody = (i: number) => `message ${i} ${"x".repeat(i % 50)}`;

/** Creates the queue, table and bucket; returns the services that answered (STS always). */
export async function setUp(endpoint: string): Promise<{ services: ServiceName[]; skipped: Record<string, string>; queueUrl?: string }> {
  const c = clients(endpoint);
  const services: ServiceName[] = ["sts"];
  const skipped: Record<string, string> = {};
  let queueUrl: string | undefined;
  await c.sts.send(new GetCallerIdentityCommand({}));
  // STS checks with IAM that the role exists (created once; a restarted run finds it).
  const iam = new IAMClient({ region: "us-east-1", endpoint, credentials: { accessKeyId: "111122223333", secretAccessKey: "x" }, maxAttempts: 1 });
  await iam.send(new CreateRoleCommand({ RoleName: "crash", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] }) }))
    .catch((e: Error) => { if (e.name !== "EntityAlreadyExistsException") throw e; });
  try {
    queueUrl = (await c.sqs.send(new CreateQueueCommand({ QueueName: QUEUE }))).QueueUrl;
    services.push("sqs");
  } catch (e) {
    skipped.sqs = `${(e as Error).name}: ${(e as Error).message}`;
  }
  try {
    await c.dynamodb.send(new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
    }));
    for (let i = 0; i < 50; i++) {
      if ((await c.dynamodb.send(new DescribeTableCommand({ TableName: TABLE }))).Table?.TableStatus === "ACTIVE") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    services.push("dynamodb");
  } catch (e) {
    skipped.dynamodb = `${(e as Error).name}: ${(e as Error).message}`;
  }
  try {
    await c.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    services.push("s3");
  } catch (e) {
    skipped.s3 = `${(e as Error).name}: ${(e as Error).message}`;
  }
  return { services, skipped, queueUrl };
}

/**
 * Writes with `concurrency` loops until `signal` aborts (the server is killed); a write counts
 * only once its 2xx response has arrived.
 */
export async function writeUntilKilled(endpoint: string, services: ServiceName[], queueUrl: string | undefined, signal: AbortSignal, concurrency = 4): Promise<Acknowledged> {
  const c = clients(endpoint);
  const acked: Acknowledged = { sts: [], sqs: [], dynamodb: [], s3: [] };
  let next = 0;
  const one = async (i: number): Promise<void> => {
    const service = services[i % services.length]!;
    switch (service) {
      case "sts": {
        const session = `s${i}`;
        const out = await c.sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: session }));
        const k = out.Credentials!;
        acked.sts.push({ session, accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey!, sessionToken: k.SessionToken! });
        return;
      }
      case "sqs": {
        const body = messageBody(i);
        const out = await c.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
        acked.sqs.push({ id: out.MessageId!, body });
        return;
      }
      case "dynamodb":
        await c.dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: `k${i}` }, v: { S: `v${i}` }, n: { N: String(i) }, pad: { S: "p".repeat(i % 300) } } }));
        acked.dynamodb.push(i);
        return;
      case "s3":
        await c.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `o${i}`, Body: objectBody(i) }));
        acked.s3.push(i);
        return;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (!signal.aborted) {
      try {
        await one(next++);
      } catch {
        if (signal.aborted) return; // the server died mid-request: not acknowledged
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }));
  return acked;
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

/** Checks every acknowledged write against the restarted server. */
export async function verify(endpoint: string, services: ServiceName[], queueUrl: string | undefined, acked: Acknowledged): Promise<Verification> {
  const c = clients(endpoint);
  const lost: Record<string, number> = {};
  const corrupt: string[] = [];

  if (services.includes("sts")) {
    lost.sts = 0;
    await pool(acked.sts, 8, async (k) => {
      const sts = new STSClient({ region: "us-east-1", endpoint, maxAttempts: 1, credentials: { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey, sessionToken: k.sessionToken } });
      try {
        const arn = (await sts.send(new GetCallerIdentityCommand({}))).Arn;
        if (arn !== `arn:aws:sts::111122223333:assumed-role/crash/${k.session}`) corrupt.push(`sts ${k.session}: ${arn}`);
      } catch {
        lost.sts!++;
      }
    });
  }

  if (services.includes("sqs")) {
    const seen = new Map<string, string>();
    for (let empty = 0; empty < 2; ) {
      const out = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600, WaitTimeSeconds: 0 }));
      const messages = out.Messages ?? [];
      if (messages.length === 0) empty++;
      for (const m of messages) seen.set(m.MessageId!, m.Body!);
    }
    lost.sqs = acked.sqs.filter((m) => !seen.has(m.id)).length;
    for (const [id, body] of seen) {
      const i = Number(/^message (\d+) /.exec(body)?.[1]);
      if (!(i >= 0) || body !== messageBody(i)) corrupt.push(`sqs ${id}: ${body.slice(0, 40)}`);
    }
  }

  if (services.includes("dynamodb")) {
    const items = new Map<string, Record<string, AttributeValue>>();
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await c.dynamodb.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
      for (const item of out.Items ?? []) items.set(item.pk!.S!, item);
      start = out.LastEvaluatedKey;
    } while (start);
    lost.dynamodb = acked.dynamodb.filter((i) => !items.has(`k${i}`)).length;
    for (const [pk, item] of items) {
      const i = Number(pk.slice(1));
      if (item.v?.S !== `v${i}` || item.n?.N !== String(i) || item.pad?.S !== "p".repeat(i % 300)) corrupt.push(`dynamodb ${pk}`);
    }
  }

  if (services.includes("s3")) {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await c.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
      for (const o of out.Contents ?? []) keys.push(o.Key!);
      token = out.NextContinuationToken;
    } while (token);
    const present = new Set(keys);
    lost.s3 = acked.s3.filter((i) => !present.has(`o${i}`)).length;
    await pool(keys, 8, async (key) => {
      const body = await (await c.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray();
      const want = objectBody(Number(key.slice(1)));
      if (body.length !== want.length || body.some((b, j) => b !== want[j])) corrupt.push(`s3 ${key}: ${body.length} bytes`);
    });
  }

  const acknowledged = Object.fromEntries(services.map((s) => [s, acked[s].length]));
  return { acknowledged, lost, corrupt };
}
