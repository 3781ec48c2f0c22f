/**
 * STS through boto3, AWS CLI v1 and AWS CLI v2 against the Node server. Each suite is skipped,
 * with the reason printed, only where that client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, boto3, clientEnv, python, run } from "../helpers/external.ts";
import { startTestServer } from "../helpers/clients.ts";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
  // AssumeRole needs the role to exist; a 12-digit access key id acts in that account.
  const iam = new IAMClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "111122223333", secretAccessKey: "test" } });
  const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }] });
  for (const RoleName of ["app", "cli"]) await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust, MaxSessionDuration: 43200 }));
});
afterAll(() => server?.close());

if (!python.version) console.warn(`skipping boto3 STS suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3", () => {
  it("get_caller_identity, assume_role and the assumed identity", async () => {
    const out = await boto3(server.url, `
sts = boto3.client("sts", endpoint_url=ENDPOINT, region_name="us-east-1")
me = sts.get_caller_identity()
role = sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/app", RoleSessionName="py", DurationSeconds=900)
c = role["Credentials"]
session = boto3.client("sts", endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
assumed = session.get_caller_identity()
try:
    sts.assume_role(RoleArn="arn:aws:iam::111122223333:role/app", RoleSessionName="xy", DurationSeconds=43201)
    err = None
except botocore.exceptions.ClientError as e:
    err = e.response["Error"]
print(json.dumps({"me": me["Arn"], "account": me["Account"], "assumed": assumed["Arn"], "exp": c["Expiration"].isoformat(), "err": err}))
`);
    expect(out.me).toBe("arn:aws:iam::000000000000:root");
    expect(out.account).toBe("000000000000");
    expect(out.assumed).toBe("arn:aws:sts::111122223333:assumed-role/app/py");
    expect(out.exp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00$/);
    expect(out.err).toMatchObject({ Code: "ValidationError", Type: "Sender" });
    expect(out.err.Message).toBe("1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200");
  });

  it("get_access_key_info and get_session_token", async () => {
    const out = await boto3(server.url, `
sts = boto3.client("sts", endpoint_url=ENDPOINT, region_name="us-east-1")
tok = sts.get_session_token(DurationSeconds=900)["Credentials"]
info = sts.get_access_key_info(AccessKeyId=tok["AccessKeyId"])
print(json.dumps({"account": info["Account"], "key": tok["AccessKeyId"]}))
`);
    expect(out.account).toBe("000000000000");
    expect(out.key).toMatch(/^ASIA/);
  });
});

for (const [label, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${label} STS suite: not installed`);
  // Skipped only when this AWS CLI is absent (v1: pip's `aws`; v2: Debian's /usr/bin/aws, which .ci/run installs); the reason is printed.
  describe.skipIf(!cli)(label, () => {
    it("sts get-caller-identity prints the default account", async () => {
      const result = await run(cli!, ["sts", "get-caller-identity", "--endpoint-url", server.url, "--output", "json"], clientEnv());
      expect(result.stderr).toBe("");
      expect(JSON.parse(result.stdout)).toEqual({ UserId: "000000000000", Account: "000000000000", Arn: "arn:aws:iam::000000000000:root" });
    });

    it("sts assume-role, and a bad call's error", async () => {
      const ok = await run(cli!, ["sts", "assume-role", "--role-arn", "arn:aws:iam::111122223333:role/cli", "--role-session-name", "cli", "--endpoint-url", server.url, "--output", "json"], clientEnv());
      expect(JSON.parse(ok.stdout).AssumedRoleUser.Arn).toBe("arn:aws:sts::111122223333:assumed-role/cli/cli");
      const bad = await run(cli!, ["sts", "assume-role", "--role-arn", "arn:aws:iam::111122223333:role/cli", "--role-session-name", "cli", "--policy", "{not json", "--endpoint-url", server.url], clientEnv());
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain("(MalformedPolicyDocument)");
    });
  });
}
