/**
 * IAM enforcement end to end (`createEmulator({ enforceIam: true })`) through the JS SDK, in
 * process: the static `test` key is the account's root, other keys are who the services'
 * `resolvePrincipal` hooks say, with the policies `principalPolicies` gives. Here a fixture
 * stands in for IAM's hooks (a user alice with AmazonS3ReadOnlyAccess, a role session); the
 * same requests with enforcement off all succeed.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { CreateBucketCommand, DeletePublicAccessBlockCommand, GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutBucketPolicyCommand, PutObjectCommand, PutPublicAccessBlockCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, ListQueuesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { createEmulator, type Emulator } from "../../src/emulator.ts";
import { createRequestHandler } from "../../src/runtime/sdk.ts";
import iam from "../../src/services/iam/index.ts";
import type { ServiceDefinition } from "../../src/services/types.ts";
import type { NamedPolicy, Principal, PrincipalPolicies } from "../../src/policy/types.ts";
import { TEST_CREDENTIALS } from "../helpers/clients.ts";

const ACCOUNT = "000000000000";
const S3_READ_ONLY: NamedPolicy = {
  source: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
  document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"], Resource: "*" }] },
};
const ALICE = { accessKeyId: "AKIAALICEEXAMPLE0001", secretAccessKey: "alice-secret" };
const SESSION = { accessKeyId: "ASIAROLESESSION00001", secretAccessKey: "session-secret" };
const aliceArn = `arn:aws:iam::${ACCOUNT}:user/alice`;
const roleArn = `arn:aws:iam::${ACCOUNT}:role/writer`;

const principals: Record<string, { secret: string; principal: Principal }> = {
  [ALICE.accessKeyId]: { secret: ALICE.secretAccessKey, principal: { account: ACCOUNT, arn: aliceArn, principalArn: aliceArn, userId: "AIDAALICE", kind: "user" } },
  [SESSION.accessKeyId]: {
    secret: SESSION.secretAccessKey,
    principal: { account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/writer/s1`, principalArn: roleArn, userId: "AROAWRITER:s1", kind: "assumed-role" },
  },
};
const policies: Record<string, PrincipalPolicies> = {
  [aliceArn]: { principalArn: aliceArn, identityPolicies: [S3_READ_ONLY], tags: {}, userName: "alice" },
  [roleArn]: {
    principalArn: roleArn,
    identityPolicies: [{ source: `${roleArn}#write`, document: { Version: "2012-10-17", Statement: [{ Sid: "Write", Effect: "Allow", Action: ["s3:PutObject", "sqs:SendMessage"], Resource: "*" }] } }],
    tags: {},
  },
};

/** IAM's hooks over the fixture above (IAM itself is another helper's, landing separately). */
const iamHooks: ServiceDefinition = {
  ...iam,
  resolveSecret: async (key) => principals[key]?.secret ?? null,
  resolvePrincipal: async (key) => principals[key]?.principal ?? null,
  principalPolicies: async (arn) => policies[arn] ?? null,
};

function clients(emulator: Emulator, credentials = TEST_CREDENTIALS) {
  const config = { region: "us-east-1", credentials, requestHandler: createRequestHandler(emulator) };
  return {
    s3: new S3Client({ ...config, forcePathStyle: true }),
    sqs: new SQSClient(config),
    ddb: new DynamoDBClient(config),
    sts: new STSClient(config),
  };
}

async function seed(emulator: Emulator) {
  const root = clients(emulator);
  await root.s3.send(new CreateBucketCommand({ Bucket: "bkt" }));
  await root.s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "k", Body: "hello" }));
  await root.sqs.send(new CreateQueueCommand({ QueueName: "q" }));
  await root.ddb.send(new CreateTableCommand({ TableName: "tbl", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" }));
}

const rejection = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as Error & { name: string; $metadata: { httpStatusCode?: number }; Code?: string };
  }
  throw new Error("expected a rejection");
};

const anonymousGet = (emulator: Emulator, path: string) => emulator.fetch(new Request(`http://localhost:4566${path}`));

describe("enforceIam", () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = createEmulator({ enforceIam: true, services: [iamHooks, "s3", "sqs", "dynamodb", "sts"] });
    await seed(emulator);
  });

  it("the static test key is the account root: allowed everything", async () => {
    const root = clients(emulator);
    await root.s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "k2", Body: "x" }));
    expect((await root.sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${ACCOUNT}:root`);
  });

  it("a user with only AmazonS3ReadOnlyAccess lists and reads S3", async () => {
    const alice = clients(emulator, ALICE);
    expect((await alice.s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(["bkt"]);
    expect((await alice.s3.send(new ListObjectsV2Command({ Bucket: "bkt" }))).Contents?.map((o) => o.Key)).toEqual(["k"]);
    expect(await (await alice.s3.send(new GetObjectCommand({ Bucket: "bkt", Key: "k" }))).Body?.transformToString()).toBe("hello");
  });

  it("the same user gets AWS's AccessDenied on a put", async () => {
    const alice = clients(emulator, ALICE);
    const e = await rejection(alice.s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "new", Body: "x" })));
    expect(e.name).toBe("AccessDenied");
    expect(e.$metadata.httpStatusCode).toBe(403);
    expect(e.message).toBe(`User: ${aliceArn} is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::bkt/new because no identity-based policy allows the s3:PutObject action`);
  });

  it("the same user is denied on SQS (lower-case action, as SQS writes it) and DynamoDB", async () => {
    const alice = clients(emulator, ALICE);
    const sqs = await rejection(alice.sqs.send(new ListQueuesCommand({})));
    expect(sqs.name).toBe("AccessDenied");
    expect(sqs.$metadata.httpStatusCode).toBe(403);
    expect(sqs.message).toBe(`User: ${aliceArn} is not authorized to perform: sqs:listqueues because no identity-based policy allows the sqs:listqueues action`);
    const ddb = await rejection(alice.ddb.send(new GetItemCommand({ TableName: "tbl", Key: { pk: { S: "a" } } })));
    expect(ddb.name).toBe("AccessDeniedException");
    expect(ddb.$metadata.httpStatusCode).toBe(400);
    expect(ddb.message).toBe(`User: ${aliceArn} is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/tbl because no identity-based policy allows the dynamodb:GetItem action`);
  });

  it("GetCallerIdentity needs no permission", async () => {
    const alice = clients(emulator, ALICE);
    await alice.sts.send(new GetCallerIdentityCommand({}));
  });

  it("an assumed role's session gets exactly its role's policies", async () => {
    const session = clients(emulator, SESSION);
    await session.s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "w", Body: "x" }));
    const { QueueUrl } = await clients(emulator).sqs.send(new CreateQueueCommand({ QueueName: "q" }));
    await session.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "m" }));
    const get = await rejection(session.s3.send(new GetObjectCommand({ Bucket: "bkt", Key: "k" })));
    expect(get.name).toBe("AccessDenied");
    expect(get.message).toContain(`User: arn:aws:sts::${ACCOUNT}:assumed-role/writer/s1 is not authorized to perform: s3:GetObject`);
    const put = await rejection(session.ddb.send(new PutItemCommand({ TableName: "tbl", Item: { pk: { S: "a" } } })));
    expect(put.name).toBe("AccessDeniedException");
  });

  it("an unknown key is not a caller", async () => {
    const stranger = clients(emulator, { accessKeyId: "AKIANOBODYEXAMPLE001", secretAccessKey: "x" });
    const e = await rejection(stranger.sqs.send(new ListQueuesCommand({})));
    expect(e.message).toBe("The security token included in the request is invalid.");
  });

  it("anonymous S3 reads reach only what a bucket policy makes public", async () => {
    const denied = await anonymousGet(emulator, "/bkt/k");
    expect(denied.status).toBe(403);
    expect(await denied.text()).toContain("<Code>AccessDenied</Code><Message>Access Denied</Message>");
    const root = clients(emulator);
    // New buckets block public policies (as on AWS since April 2023): lift that first.
    await root.s3.send(new DeletePublicAccessBlockCommand({ Bucket: "bkt" }));
    await root.s3.send(new PutBucketPolicyCommand({
      Bucket: "bkt",
      Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Public", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::bkt/*" }] }),
    }));
    const allowed = await anonymousGet(emulator, "/bkt/k");
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toBe("hello");
    // Listing is not public: only GetObject was granted.
    expect((await anonymousGet(emulator, "/bkt?list-type=2")).status).toBe(403);
    // Non-S3 services do not take anonymous callers at all.
    const sqs = await emulator.fetch(new Request("http://localhost:4566/", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=ListQueues&Version=2012-11-05" }));
    expect(sqs.status).toBe(403);
    expect(await sqs.text()).toContain("MissingAuthenticationToken");
  });

  it("RestrictPublicBuckets keeps a public policy from granting anyone outside the account", async () => {
    const root = clients(emulator);
    // New buckets block public policies (as on AWS since April 2023): lift that first.
    await root.s3.send(new DeletePublicAccessBlockCommand({ Bucket: "bkt" }));
    await root.s3.send(new PutBucketPolicyCommand({
      Bucket: "bkt",
      Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::bkt/*" }] }),
    }));
    await root.s3.send(new PutPublicAccessBlockCommand({ Bucket: "bkt", PublicAccessBlockConfiguration: { RestrictPublicBuckets: true } }));
    expect((await anonymousGet(emulator, "/bkt/k")).status).toBe(403);
  });

  it("logs every decision with its deciding statement", async () => {
    const session = clients(emulator, SESSION);
    await session.s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "w", Body: "x" }));
    await rejection(clients(emulator, ALICE).s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "w", Body: "x" })));
    const view = await (await emulator.fetch(new Request("http://localhost:4566/_fetchstack/services/iam/decisions"))).json() as { enforcing: boolean; decisions: Record<string, unknown>[] };
    expect(view.enforcing).toBe(true);
    const last = view.decisions.slice(-2);
    expect(last[0]).toMatchObject({
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/writer/s1`, action: "s3:PutObject", resource: "arn:aws:s3:::bkt/w", decision: "allowed",
      statement: { source: `${roleArn}#write`, sid: "Write", index: 0, policyType: "identity-based", effect: "Allow" },
    });
    expect(last[1]).toMatchObject({ principal: aliceArn, action: "s3:PutObject", decision: "implicitDeny", statement: null, reason: "because no identity-based policy allows the s3:PutObject action" });
  });
});

describe("enforcement off", () => {
  it("the same requests all succeed", async () => {
    const emulator = createEmulator({ services: [iamHooks, "s3", "sqs", "dynamodb", "sts"] });
    await seed(emulator);
    const alice = clients(emulator, ALICE);
    await alice.s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "new", Body: "x" }));
    await alice.sqs.send(new ListQueuesCommand({}));
    await alice.ddb.send(new GetItemCommand({ TableName: "tbl", Key: { pk: { S: "a" } } }));
    expect((await anonymousGet(emulator, "/bkt/k")).status).toBe(200);
    const view = await (await emulator.fetch(new Request("http://localhost:4566/_fetchstack/services/iam/decisions"))).json() as { enforcing: boolean; decisions: unknown[] };
    expect(view).toEqual({ enforcing: false, decisions: [] });
  });
});
