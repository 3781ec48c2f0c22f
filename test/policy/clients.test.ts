/**
 * IAM enforcement and simulation through boto3 and both AWS CLIs against the Node server started
 * with `enforceIam`: an IAM user with AmazonS3ReadOnlyAccess reads S3, is denied a put and SQS
 * with AWS's errors; anonymous reads reach only a public bucket; the simulator answers the same.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, boto3, clientEnv, python, run } from "../helpers/external.ts";
import { startTestServer } from "../helpers/clients.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
let user: { AccessKeyId: string; SecretAccessKey: string };
beforeAll(async () => {
  server = await startTestServer({ enforceIam: true });
  if (!python.version) return;
  user = await boto3(server.url, `
iam = boto3.client("iam", endpoint_url=ENDPOINT, region_name="us-east-1")
s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")
iam.create_user(UserName="reader")
iam.attach_user_policy(UserName="reader", PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
key = iam.create_access_key(UserName="reader")["AccessKey"]
s3.create_bucket(Bucket="pub-data")
s3.put_object(Bucket="pub-data", Key="a.txt", Body=b"A")
print(json.dumps({"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}))
`);
}, 120_000);
afterAll(() => server?.close());

const asUser = () => ({ AWS_ACCESS_KEY_ID: user.AccessKeyId, AWS_SECRET_ACCESS_KEY: user.SecretAccessKey });

// Skipped only when python3 with boto3 is absent; the reason is in the suite's name.
describe.skipIf(!python.version)(`boto3 (${python.reason || python.version})`, () => {
  it("the read-only user reads, is denied a put and SQS with AWS's errors", async () => {
    const out = await boto3(server.url, `
s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")
sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1")
body = s3.get_object(Bucket="pub-data", Key="a.txt")["Body"].read().decode()
keys = [o["Key"] for o in s3.list_objects_v2(Bucket="pub-data")["Contents"]]
def err(fn):
    try:
        fn()
        return None
    except botocore.exceptions.ClientError as e:
        return [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
put = err(lambda: s3.put_object(Bucket="pub-data", Key="b.txt", Body=b"B"))
queues = err(lambda: sqs.list_queues())
print(json.dumps({"body": body, "keys": keys, "put": put, "queues": queues}))
`, asUser());
    expect(out.body).toBe("A");
    expect(out.keys).toEqual(["a.txt"]);
    expect(out.put).toEqual(["AccessDenied", "User: arn:aws:iam::000000000000:user/reader is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::pub-data/b.txt because no identity-based policy allows the s3:PutObject action", 403]);
    expect(out.queues).toEqual(["AccessDenied", "User: arn:aws:iam::000000000000:user/reader is not authorized to perform: sqs:listqueues because no identity-based policy allows the sqs:listqueues action", 403]);
  }, 60_000);

  it("anonymous reads reach only what the bucket policy makes public", async () => {
    const out = await boto3(server.url, `
from botocore import UNSIGNED
from botocore.config import Config
anon = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1", config=Config(signature_version=UNSIGNED))
root = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")
def status(fn):
    try:
        fn()
        return 200
    except botocore.exceptions.ClientError as e:
        return [e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"]]
before = status(lambda: anon.get_object(Bucket="pub-data", Key="a.txt"))
root.delete_public_access_block(Bucket="pub-data")
root.put_bucket_policy(Bucket="pub-data", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pub-data/*"}]}))
after = status(lambda: anon.get_object(Bucket="pub-data", Key="a.txt"))
listing = status(lambda: anon.list_objects_v2(Bucket="pub-data"))
root.delete_bucket_policy(Bucket="pub-data")
print(json.dumps({"before": before, "after": after, "listing": listing}))
`);
    expect(out).toEqual({ before: [403, "AccessDenied"], after: 200, listing: [403, "AccessDenied"] });
  }, 60_000);

  it("SimulatePrincipalPolicy answers the same decisions", async () => {
    const out = await boto3(server.url, `
iam = boto3.client("iam", endpoint_url=ENDPOINT, region_name="us-east-1")
r = iam.simulate_principal_policy(PolicySourceArn="arn:aws:iam::000000000000:user/reader", ActionNames=["s3:GetObject", "s3:PutObject", "sqs:ListQueues"])
print(json.dumps([[x["EvalActionName"], x["EvalDecision"]] for x in r["EvaluationResults"]]))
`);
    expect(out).toEqual([["s3:GetObject", "allowed"], ["s3:PutObject", "implicitDeny"], ["sqs:ListQueues", "implicitDeny"]]);
  }, 60_000);
});

const clis = [["v1", awsCli.v1 ? ["python3", ["-m", "awscli"]] : null], ["v2", awsCli.v2 ? [awsCli.v2, []] : null]] as const;
for (const [version, cli] of clis) {
  // Skipped only when this AWS CLI (or python3 with boto3) is absent; the suite's name says which.
  describe.skipIf(!cli || !python.version)(`AWS CLI ${version}${cli ? "" : " (not installed)"}`, () => {
    const aws = (args: string[], env: Record<string, string> = {}) =>
      run(cli![0] as string, [...(cli![1] as readonly string[]), "--endpoint-url", server.url, ...args], clientEnv(env));

    it("the read-only user reads and is denied a put", async () => {
      const read = await aws(["s3api", "head-object", "--bucket", "pub-data", "--key", "a.txt"], asUser());
      expect(read.code).toBe(0);
      const put = await aws(["s3api", "put-object", "--bucket", "pub-data", "--key", "c.txt"], asUser());
      expect(put.code).not.toBe(0);
      expect(put.stderr).toContain("An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:iam::000000000000:user/reader is not authorized to perform: s3:PutObject");
    }, 90_000);

    it("simulate-custom-policy", async () => {
      const out = await aws(["iam", "simulate-custom-policy", "--action-names", "dynamodb:GetItem", "dynamodb:DeleteItem",
        "--policy-input-list", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "dynamodb:Get*", Resource: "*" }] })]);
      expect(out.code).toBe(0);
      expect(JSON.parse(out.stdout).EvaluationResults.map((r: { EvalDecision: string }) => r.EvalDecision)).toEqual(["allowed", "implicitDeny"]);
    }, 90_000);
  });
}
