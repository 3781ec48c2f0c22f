/**
 * IAM through real clients against the Node server: boto3 (which URL-decodes policy documents
 * and reads IAM's wire error codes) and the AWS CLI v1 and v2 (awsQuery, `--endpoint-url`).
 * Suites skip, with the reason printed, only where a client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

if (!python.version) console.warn(`skipping boto3 IAM suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3", () => {
  it("users, policies (documents decoded by botocore), wire error codes, a created key as credentials", async () => {
    const out = await boto3(server.url, `
iam = boto3.client("iam", endpoint_url=ENDPOINT, region_name="us-east-1")
doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}
iam.create_user(UserName="bo", Path="/py/")
iam.put_user_policy(UserName="bo", PolicyName="q", PolicyDocument=json.dumps(doc))
got = iam.get_user_policy(UserName="bo", PolicyName="q")["PolicyDocument"]
arn = iam.create_policy(PolicyName="qp", PolicyDocument=json.dumps(doc))["Policy"]["Arn"]
version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["Document"]
errors = []
try:
    iam.get_user(UserName="nobody")
except botocore.exceptions.ClientError as e:
    errors.append([e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]])
try:
    iam.create_policy(PolicyName="bad", PolicyDocument="{}")
except botocore.exceptions.ClientError as e:
    errors.append([e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]])
key = iam.create_access_key(UserName="bo")["AccessKey"]
sts = boto3.client("sts", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
me = sts.get_caller_identity()
sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
url = sqs.create_queue(QueueName="bo-queue")["QueueUrl"]
print(json.dumps({"got": got, "version": version, "errors": errors, "arn": me["Arn"], "url": url}))
`);
    const doc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:*", Resource: "*" }] };
    expect(out.got).toEqual(doc);
    expect(out.version).toEqual(doc);
    expect(out.errors).toEqual([
      ["NoSuchEntity", "The user with name nobody cannot be found.", 404],
      ["MalformedPolicyDocument", 400],
    ]);
    expect(out.arn).toBe("arn:aws:iam::000000000000:user/py/bo");
    expect(out.url).toContain("/000000000000/bo-queue");
  }, 60_000);
});

// Skipped only when that client is not installed here (.ci/run installs it); the suite says which at the top.
describe.skipIf(!python.version)("boto3: MFA, context keys, organizations", () => {
  it("a virtual MFA device enabled with TOTP codes computed in Python; context keys; OrganizationNotFound", async () => {
    const out = await boto3(server.url, `
import base64, hmac, hashlib, struct, time
iam = boto3.client("iam", endpoint_url=ENDPOINT, region_name="us-east-1")
iam.create_user(UserName="mfa-py")
dev = iam.create_virtual_mfa_device(VirtualMFADeviceName="mfa-py-phone")["VirtualMFADevice"]
seed = dev["Base32StringSeed"].decode()
def code(step):
    mac = hmac.new(base64.b32decode(seed), struct.pack(">Q", step), hashlib.sha1).digest()
    o = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7fffffff) % 1000000)
step = int(time.time()) // 30
iam.enable_mfa_device(UserName="mfa-py", SerialNumber=dev["SerialNumber"], AuthenticationCode1=code(step - 1), AuthenticationCode2=code(step))
devices = [d["SerialNumber"] for d in iam.list_mfa_devices(UserName="mfa-py")["MFADevices"]]
keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/\${aws:username}/*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]})])["ContextKeyNames"]
errors = []
try:
    iam.list_organizations_features()
except botocore.exceptions.ClientError as e:
    errors.append([e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]])
try:
    iam.enable_mfa_device(UserName="mfa-py", SerialNumber=dev["SerialNumber"], AuthenticationCode1="000000", AuthenticationCode2="000000")
except botocore.exceptions.ClientError as e:
    errors.append([e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]])
print(json.dumps({"serial": dev["SerialNumber"], "png": dev["QRCodePNG"][:8].hex(), "devices": devices, "keys": keys, "errors": errors}))
`);
    expect(out.serial).toBe("arn:aws:iam::000000000000:mfa/mfa-py-phone");
    expect(out.png).toBe("89504e470d0a1a0a");
    expect(out.devices).toEqual([out.serial]);
    expect(out.keys).toEqual(["aws:username", "aws:SourceIp"]);
    expect(out.errors).toEqual([["OrganizationNotFoundException", 400], ["EntityAlreadyExists", 409]]);
  }, 60_000);
});

for (const [label, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${label} IAM suite: not installed`);
  // Skipped only when this AWS CLI is absent; the reason is printed.
  describe.skipIf(!cli)(label, () => {
    const aws = async (...args: string[]) => {
      const result = await run(cli!, ["iam", ...args, "--endpoint-url", server.url, "--output", "json"], clientEnv());
      return result;
    };
    it("create-role, get-role, list-attached-role-policies, an error", async () => {
      const name = `cli-${label.endsWith("v1") ? "one" : "two"}`;
      const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
      const created = await aws("create-role", "--role-name", name, "--assume-role-policy-document", trust);
      expect(created.code, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout).Role.Arn).toBe(`arn:aws:iam::000000000000:role/${name}`);
      const attached = await aws("attach-role-policy", "--role-name", name, "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
      expect(attached.code, attached.stderr).toBe(0);
      const listed = JSON.parse((await aws("list-attached-role-policies", "--role-name", name)).stdout);
      expect(listed.AttachedPolicies).toEqual([{ PolicyName: "AWSLambdaBasicExecutionRole", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" }]);
      const role = JSON.parse((await aws("get-role", "--role-name", name)).stdout).Role;
      // Both CLIs decode the URL-encoded trust policy into a JSON object.
      expect(role.AssumeRolePolicyDocument).toEqual(JSON.parse(trust));
      const missing = await aws("get-role", "--role-name", "nope");
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain("(NoSuchEntity)");
      expect(missing.stderr).toContain("The role with name nope cannot be found.");
    }, 120_000);
    it("create-virtual-mfa-device writes the QR code PNG to a file; generate-service-last-accessed-details", async () => {
      const name = `cli-mfa-${label.endsWith("v1") ? "one" : "two"}`;
      const file = join(mkdtempSync(join(tmpdir(), "iam-cli-")), "qr.png");
      const created = await aws("create-virtual-mfa-device", "--virtual-mfa-device-name", name, "--outfile", file, "--bootstrap-method", "QRCodePNG");
      expect(created.code, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout).VirtualMFADevice.SerialNumber).toBe(`arn:aws:iam::000000000000:mfa/${name}`);
      expect([...readFileSync(file).subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
      const job = await aws("generate-service-last-accessed-details", "--arn", "arn:aws:iam::aws:policy/AmazonSQSFullAccess");
      expect(job.code, job.stderr).toBe(0);
      const report = JSON.parse((await aws("get-service-last-accessed-details", "--job-id", JSON.parse(job.stdout).JobId)).stdout);
      expect(report.JobStatus).toBe("COMPLETED");
      expect(report.ServicesLastAccessed.map((s: { ServiceNamespace: string }) => s.ServiceNamespace)).toEqual(["sqs"]);
    }, 120_000);
  });
}
