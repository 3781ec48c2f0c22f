/**
 * Enforcement with IAM itself: users, keys and policies made through IAM's API (JS SDK), and the
 * denials of each service in its own protocol and words. Policy changes apply at once (the
 * authorizer's caches are dropped when IAM changes).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, ListQueuesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, DetachUserPolicyCommand, IAMClient, ListUsersCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateTopicCommand, ListTopicsCommand, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { CreateKeyCommand, EncryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { AttachRolePolicyCommand, CreateRoleCommand } from "@aws-sdk/client-iam";
import { CreateStreamCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { createEmulator, type Emulator } from "../../src/emulator.ts";
import { createRequestHandler } from "../../src/runtime/sdk.ts";
import { TEST_CREDENTIALS } from "../helpers/clients.ts";

type Creds = { accessKeyId: string; secretAccessKey: string };
const ACCOUNT = "000000000000";

function clients(emulator: Emulator, credentials: Creds = TEST_CREDENTIALS) {
  const config = { region: "us-east-1", credentials, requestHandler: createRequestHandler(emulator) };
  return {
    s3: new S3Client({ ...config, forcePathStyle: true }),
    sqs: new SQSClient(config),
    iam: new IAMClient(config),
    sns: new SNSClient(config),
    kms: new KMSClient(config),
    secrets: new SecretsManagerClient(config),
    ssm: new SSMClient(config),
    lambda: new LambdaClient(config),
    sts: new STSClient(config),
    kinesis: new KinesisClient(config),
    logs: new CloudWatchLogsClient(config),
  };
}

const rejection = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as Error & { name: string; $metadata: { httpStatusCode?: number } };
  }
  throw new Error("expected a rejection");
};

async function newUser(emulator: Emulator, name: string, ...policyArns: string[]): Promise<Creds> {
  const { iam } = clients(emulator);
  await iam.send(new CreateUserCommand({ UserName: name }));
  for (const arn of policyArns) await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

const S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
const SQS_FULL = "arn:aws:iam::aws:policy/AmazonSQSFullAccess";

describe("enforceIam with IAM users", () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = createEmulator({ enforceIam: true });
    const root = clients(emulator);
    await root.s3.send(new CreateBucketCommand({ Bucket: "data" }));
    await root.s3.send(new PutObjectCommand({ Bucket: "data", Key: "a.txt", Body: "A" }));
  });

  it("a user with only AmazonS3ReadOnlyAccess reads S3 and is denied a put and every other service", async () => {
    const bob = clients(emulator, await newUser(emulator, "bob", S3_READ));
    const arn = `arn:aws:iam::${ACCOUNT}:user/bob`;
    await bob.sts.send(new GetCallerIdentityCommand({}));
    expect((await bob.s3.send(new ListObjectsV2Command({ Bucket: "data" }))).KeyCount).toBe(1);
    expect(await (await bob.s3.send(new GetObjectCommand({ Bucket: "data", Key: "a.txt" }))).Body?.transformToString()).toBe("A");

    const put = await rejection(bob.s3.send(new PutObjectCommand({ Bucket: "data", Key: "b.txt", Body: "B" })));
    expect([put.name, put.$metadata.httpStatusCode]).toEqual(["AccessDenied", 403]);
    expect(put.message).toBe(`User: ${arn} is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::data/b.txt because no identity-based policy allows the s3:PutObject action`);

    const sqs = await rejection(bob.sqs.send(new ListQueuesCommand({})));
    expect([sqs.name, sqs.$metadata.httpStatusCode]).toEqual(["AccessDenied", 403]);
    const iam = await rejection(bob.iam.send(new ListUsersCommand({})));
    expect([iam.name, iam.$metadata.httpStatusCode]).toEqual(["AccessDenied", 403]);
    expect(iam.message).toBe(`User: ${arn} is not authorized to perform: iam:ListUsers because no identity-based policy allows the iam:ListUsers action`);
    const sns = await rejection(bob.sns.send(new ListTopicsCommand({})));
    expect([sns.name, sns.$metadata.httpStatusCode]).toEqual(["AuthorizationErrorException", 403]);
    expect(sns.message).toBe(`User: ${arn} is not authorized to perform: SNS:ListTopics because no identity-based policy allows the SNS:ListTopics action`);
    const kms = await rejection(bob.kms.send(new CreateKeyCommand({})));
    expect([kms.name, kms.$metadata.httpStatusCode]).toEqual(["AccessDeniedException", 400]);
    const secret = await rejection(bob.secrets.send(new GetSecretValueCommand({ SecretId: "s" })));
    expect(secret.name).toBe("AccessDeniedException");
    const ssm = await rejection(bob.ssm.send(new GetParameterCommand({ Name: "/app/p" })));
    expect(ssm.name).toBe("AccessDeniedException");
    expect(ssm.message).toContain(`ssm:GetParameter on resource: arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/app/p`);
    const lambda = await rejection(bob.lambda.send(new ListFunctionsCommand({})));
    expect([lambda.name, lambda.$metadata.httpStatusCode]).toEqual(["AccessDeniedException", 403]);
  });

  it("attaching and detaching a policy takes effect on the next request", async () => {
    const creds = await newUser(emulator, "carol");
    const carol = clients(emulator, creds);
    const root = clients(emulator);
    const { QueueUrl } = await root.sqs.send(new CreateQueueCommand({ QueueName: "jobs" }));
    expect((await rejection(carol.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })))).name).toBe("AccessDenied");
    await root.iam.send(new AttachUserPolicyCommand({ UserName: "carol", PolicyArn: SQS_FULL }));
    await carol.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" }));
    await root.iam.send(new DetachUserPolicyCommand({ UserName: "carol", PolicyArn: SQS_FULL }));
    expect((await rejection(carol.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })))).name).toBe("AccessDenied");
  });

  it("inline policies with conditions and variables: each user their own prefix", async () => {
    const root = clients(emulator);
    const dave = clients(emulator, await newUser(emulator, "dave"));
    await root.iam.send(new PutUserPolicyCommand({
      UserName: "dave",
      PolicyName: "home",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::data", Condition: { StringLike: { "s3:prefix": ["home/${aws:username}/*"] } } },
          { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: "arn:aws:s3:::data/home/${aws:username}/*" },
          { Sid: "NoPublicAcl", Effect: "Deny", Action: "s3:PutObject", Resource: "*", Condition: { StringEquals: { "s3:x-amz-acl": "public-read" } } },
        ],
      }),
    }));
    await dave.s3.send(new PutObjectCommand({ Bucket: "data", Key: "home/dave/f", Body: "mine" }));
    await dave.s3.send(new ListObjectsV2Command({ Bucket: "data", Prefix: "home/dave/" }));
    expect((await rejection(dave.s3.send(new ListObjectsV2Command({ Bucket: "data", Prefix: "home/erin/" })))).name).toBe("AccessDenied");
    expect((await rejection(dave.s3.send(new PutObjectCommand({ Bucket: "data", Key: "home/erin/f", Body: "x" })))).name).toBe("AccessDenied");
    const acl = await rejection(dave.s3.send(new PutObjectCommand({ Bucket: "data", Key: "home/dave/g", Body: "x", ACL: "public-read" })));
    expect(acl.message).toBe(`User: arn:aws:iam::${ACCOUNT}:user/dave is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::data/home/dave/g with an explicit deny in an identity-based policy`);
  });

  it("identity policies reach SNS, KMS (through the default key policy's delegation to the account) and SSM", async () => {
    const root = clients(emulator);
    const { TopicArn } = await root.sns.send(new CreateTopicCommand({ Name: "events" }));
    const erin = clients(emulator, await newUser(emulator, "erin", "arn:aws:iam::aws:policy/AmazonSNSFullAccess"));
    await erin.sns.send(new PublishCommand({ TopicArn, Message: "hi" }));
    const { KeyMetadata } = await root.kms.send(new CreateKeyCommand({}));
    const frank = clients(emulator, await newUser(emulator, "frank", "arn:aws:iam::aws:policy/AdministratorAccess"));
    // The default key policy delegates to the account's IAM policies.
    await frank.kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: new TextEncoder().encode("x") }));
    await root.secrets.send(new CreateSecretCommand({ Name: "db", SecretString: "pw" }));
    await root.ssm.send(new PutParameterCommand({ Name: "/app/p", Value: "v", Type: "String" }));
    expect((await frank.ssm.send(new GetParameterCommand({ Name: "/app/p" }))).Parameter?.Value).toBe("v");
  });

  it("Kinesis and CloudWatch Logs check their stream and log group ARNs", async () => {
    const root = clients(emulator);
    await root.kinesis.send(new CreateStreamCommand({ StreamName: "clicks", ShardCount: 1 }));
    await root.kinesis.send(new CreateStreamCommand({ StreamName: "other", ShardCount: 1 }));
    await root.logs.send(new CreateLogGroupCommand({ logGroupName: "app" }));
    await root.logs.send(new CreateLogStreamCommand({ logGroupName: "app", logStreamName: "s" }));
    const writer = clients(emulator, await newUser(emulator, "writer"));
    await root.iam.send(new PutUserPolicyCommand({
      UserName: "writer", PolicyName: "w",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [
        { Effect: "Allow", Action: "kinesis:PutRecord", Resource: `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/clicks` },
        { Effect: "Allow", Action: "logs:PutLogEvents", Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:app:*` },
      ] }),
    }));
    await writer.kinesis.send(new PutRecordCommand({ StreamName: "clicks", PartitionKey: "p", Data: new Uint8Array([1]) }));
    const other = await rejection(writer.kinesis.send(new PutRecordCommand({ StreamName: "other", PartitionKey: "p", Data: new Uint8Array([1]) })));
    expect(other.name).toBe("AccessDeniedException");
    expect(other.message).toContain(`kinesis:PutRecord on resource: arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/other`);
    await writer.logs.send(new PutLogEventsCommand({ logGroupName: "app", logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: "m" }] }));
  });

  it("a role assumed through its trust policy gets exactly its policies", async () => {
    const root = clients(emulator);
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/reader`;
    await root.iam.send(new CreateRoleCommand({
      RoleName: "reader",
      AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/gina` }, Action: "sts:AssumeRole" }] }),
    }));
    await root.iam.send(new AttachRolePolicyCommand({ RoleName: "reader", PolicyArn: S3_READ }));
    // gina has no policy of her own: the trust policy naming her is enough in the same account.
    const gina = clients(emulator, await newUser(emulator, "gina"));
    const hank = clients(emulator, await newUser(emulator, "hank", "arn:aws:iam::aws:policy/AdministratorAccess"));
    const { Credentials } = await gina.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "s1" }));
    // hank may call sts:AssumeRole, but the trust policy does not name him: the role's account owns the decision.
    const denied = await rejection(hank.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "s2" })));
    expect(denied.name).toBe("AccessDenied");
    expect(denied.$metadata.httpStatusCode).toBe(403);
    const session = clients(emulator, { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! } as Creds);
    expect(await (await session.s3.send(new GetObjectCommand({ Bucket: "data", Key: "a.txt" }))).Body?.transformToString()).toBe("A");
    const put = await rejection(session.s3.send(new PutObjectCommand({ Bucket: "data", Key: "x", Body: "x" })));
    expect(put.message).toBe(`User: arn:aws:sts::${ACCOUNT}:assumed-role/reader/s1 is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::data/x because no identity-based policy allows the s3:PutObject action`);
    expect((await rejection(session.sqs.send(new ListQueuesCommand({})))).name).toBe("AccessDenied");
  });
});
