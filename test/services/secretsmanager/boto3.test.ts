/**
 * Every Secrets Manager operation (all 23 of botocore's model) through boto3 against the Node
 * server, in one Python script: values read back (string and binary), staging labels moved,
 * idempotent ClientRequestTokens, encryption with a real KMS key (a disabled key makes reads fail
 * with DecryptionFailure), passwords checked character by character, policies validated, deletion
 * and recovery, and RotateSecret running a real Python rotation Lambda whose four steps call back
 * through boto3. A botocore `before-call` hook records the operations run; the test asserts every
 * model operation did.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boto3, python } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";
import model from "../../../models/secretsmanager.json" with { type: "json" };
import { PY_ROTATOR } from "./rotator.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());


const SCRIPT = String.raw`
import io, string, zipfile
called = set()
sm = boto3.client("secretsmanager", endpoint_url=ENDPOINT, region_name="us-east-1")
sm.meta.events.register("before-call.secrets-manager", lambda model, **kw: called.add(model.name))
kms = boto3.client("kms", endpoint_url=ENDPOINT, region_name="us-east-1")
lam = boto3.client("lambda", endpoint_url=ENDPOINT, region_name="us-east-1")
R = {}
code = error_code

# Create with a customer key, idempotent tokens, string and binary values.
key = kms.create_key(Description="secrets")["KeyMetadata"]
token = "11111111-1111-1111-1111-111111111111"
created = sm.create_secret(Name="walk/db", SecretString='{"user":"admin"}', KmsKeyId=key["Arn"], Description="db", ClientRequestToken=token, Tags=[{"Key": "env", "Value": "dev"}])
arn = created["ARN"]
R["arn"] = arn
R["version"] = created["VersionId"]
R["sameToken"] = sm.put_secret_value(SecretId="walk/db", ClientRequestToken=token, SecretString='{"user":"admin"}')["VersionId"]
R["tokenReuse"] = code(sm.put_secret_value, SecretId="walk/db", ClientRequestToken=token, SecretString="different")
R["exists"] = code(sm.create_secret, Name="walk/db", SecretString="x")
binary = bytes(range(256))
sm.create_secret(Name="walk/bin", SecretBinary=binary)
R["binary"] = sm.get_secret_value(SecretId="walk/bin")["SecretBinary"] == binary
R["get"] = {k: v for k, v in sm.get_secret_value(SecretId=arn[:-7]).items() if k in ("Name", "SecretString", "VersionStages")}

# The value is sealed with the KMS key: while it is disabled, reads fail.
kms.disable_key(KeyId=key["KeyId"])
R["disabledKey"] = code(sm.get_secret_value, SecretId="walk/db")
kms.enable_key(KeyId=key["KeyId"])

# Versions and staging labels.
v2 = sm.put_secret_value(SecretId="walk/db", SecretString="v2", VersionStages=["AWSCURRENT", "blue"])["VersionId"]
R["previous"] = sm.get_secret_value(SecretId="walk/db", VersionStage="AWSPREVIOUS")["SecretString"]
R["blue"] = sm.get_secret_value(SecretId="walk/db", VersionStage="blue")["SecretString"]
sm.update_secret_version_stage(SecretId="walk/db", VersionStage="blue", MoveToVersionId=token, RemoveFromVersionId=v2)
R["blueMoved"] = sm.get_secret_value(SecretId="walk/db", VersionStage="blue")["VersionId"] == token
R["badMove"] = code(sm.update_secret_version_stage, SecretId="walk/db", VersionStage="blue", MoveToVersionId=v2)
updated = sm.update_secret(SecretId="walk/db", Description="db 2", SecretString="v3")
R["updated"] = [sm.get_secret_value(SecretId="walk/db")["SecretString"], sm.describe_secret(SecretId="walk/db")["Description"]]
R["versions"] = sorted(tuple(v["VersionStages"]) for v in sm.list_secret_version_ids(SecretId="walk/db")["Versions"])

# Listing: filters, paging; batch reads with errors for missing ids.
R["listed"] = sorted(s["Name"] for p in sm.get_paginator("list_secrets").paginate(PaginationConfig={"PageSize": 1}) for s in p["SecretList"])
R["filtered"] = [s["Name"] for s in sm.list_secrets(Filters=[{"Key": "tag-key", "Values": ["env"]}])["SecretList"]]
batch = sm.batch_get_secret_value(SecretIdList=["walk/db", "walk/none"])
R["batch"] = [[v["Name"], v["SecretString"]] for v in batch["SecretValues"]] + [[e["SecretId"], e["ErrorCode"]] for e in batch["Errors"]]
R["batchFilter"] = [v["Name"] for v in sm.batch_get_secret_value(Filters=[{"Key": "name", "Values": ["walk/bin"]}])["SecretValues"]]

# Tags.
sm.tag_resource(SecretId="walk/db", Tags=[{"Key": "team", "Value": "a"}])
sm.untag_resource(SecretId="walk/db", TagKeys=["env"])
R["tags"] = sm.describe_secret(SecretId="walk/db")["Tags"]

# Passwords, every option.
pw = sm.get_random_password(PasswordLength=64, ExcludeCharacters="abc", RequireEachIncludedType=True, IncludeSpace=True)["RandomPassword"]
R["password"] = [len(pw), not set("abc") & set(pw), any(c.isupper() for c in pw), any(c.isdigit() for c in pw), any(c in string.punctuation for c in pw)]
only = sm.get_random_password(PasswordLength=30, ExcludeUppercase=True, ExcludeNumbers=True, ExcludePunctuation=True)["RandomPassword"]
R["lowerOnly"] = all(c in string.ascii_lowercase for c in only)
R["badLength"] = code(sm.get_random_password, PasswordLength=4097)

# Resource policies.
public = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
scoped = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})
R["validatePublic"] = sm.validate_resource_policy(ResourcePolicy=public)["PolicyValidationPassed"]
R["validateScoped"] = sm.validate_resource_policy(SecretId="walk/db", ResourcePolicy=scoped)["PolicyValidationPassed"]
R["blockPublic"] = code(sm.put_resource_policy, SecretId="walk/db", ResourcePolicy=public, BlockPublicPolicy=True)
sm.put_resource_policy(SecretId="walk/db", ResourcePolicy=scoped)
R["policy"] = json.loads(sm.get_resource_policy(SecretId="walk/db")["ResourcePolicy"]) == json.loads(scoped)
sm.delete_resource_policy(SecretId="walk/db")
R["policyGone"] = "ResourcePolicy" in sm.get_resource_policy(SecretId="walk/db")

# Replication (state of the primary).
rep = sm.replicate_secret_to_regions(SecretId="walk/db", AddReplicaRegions=[{"Region": "us-west-2"}, {"Region": "eu-west-1"}])
R["replication"] = sorted(r["Region"] for r in rep["ReplicationStatus"])
R["removed"] = [r["Region"] for r in sm.remove_regions_from_replication(SecretId="walk/db", RemoveReplicaRegions=["eu-west-1"])["ReplicationStatus"]]
R["stopOnPrimary"] = code(sm.stop_replication_to_replica, SecretId="walk/db")

# Rotation by a real Python Lambda: four steps, AWSCURRENT moves to the new version.
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("index.py", ROTATOR)
fn = lam.create_function(FunctionName="walk-rotator", Runtime="python3.12", Role="arn:aws:iam::000000000000:role/rotator", Handler="index.handler", Code={"ZipFile": buf.getvalue()}, Timeout=120)
rotation_token = "22222222-2222-2222-2222-222222222222"
before = sm.get_secret_value(SecretId="walk/db")["VersionId"]
rotated = sm.rotate_secret(SecretId="walk/db", RotationLambdaARN=fn["FunctionArn"], ClientRequestToken=rotation_token, RotationRules={"AutomaticallyAfterDays": 30})
after = sm.get_secret_value(SecretId="walk/db")
described = sm.describe_secret(SecretId="walk/db")
R["rotated"] = [rotated["VersionId"], after["VersionId"], after["SecretString"].startswith("rotated-"), sm.get_secret_value(SecretId="walk/db", VersionStage="AWSPREVIOUS")["VersionId"] == before,
    described["RotationEnabled"], described["RotationRules"]["AutomaticallyAfterDays"], "LastRotatedDate" in described, "NextRotationDate" in described]
R["rotateMissingFn"] = code(sm.rotate_secret, SecretId="walk/bin", RotationLambdaARN="arn:aws:lambda:us-east-1:000000000000:function:none")
sm.cancel_rotate_secret(SecretId="walk/db")
R["cancelled"] = sm.describe_secret(SecretId="walk/db").get("RotationEnabled")

# Deletion with a recovery window (a primary with replicas cannot be deleted), restore, forced deletion.
R["deleteReplicated"] = code(sm.delete_secret, SecretId="walk/db", RecoveryWindowInDays=7)
sm.remove_regions_from_replication(SecretId="walk/db", RemoveReplicaRegions=["us-west-2"])
deleted = sm.delete_secret(SecretId="walk/db", RecoveryWindowInDays=7)
R["deleted"] = [deleted["Name"], "DeletionDate" in deleted, code(sm.get_secret_value, SecretId="walk/db")]
R["restored"] = sm.restore_secret(SecretId="walk/db")["Name"]
R["afterRestore"] = sm.get_secret_value(SecretId="walk/db")["VersionId"] == rotation_token
sm.delete_secret(SecretId="walk/bin", ForceDeleteWithoutRecovery=True)
R["forced"] = code(sm.describe_secret, SecretId="walk/bin")
R["bothOptions"] = code(sm.delete_secret, SecretId="walk/db", RecoveryWindowInDays=7, ForceDeleteWithoutRecovery=True)
R["called"] = sorted(called)
print(json.dumps(R))
`;

if (!python.version) console.warn(`skipping boto3 Secrets Manager walkthrough: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed above.
describe.skipIf(!python.version)("Secrets Manager through boto3, every operation", () => {
  it("walks all 23 operations, rotation by a real Python Lambda", async () => {
    const r = await boto3(server.url, `ROTATOR = ${JSON.stringify(PY_ROTATOR)}\n${SCRIPT}`);
    expect(r.arn).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:walk\/db-[A-Za-z0-9]{6}$/);
    expect(r).toMatchObject({
      version: "11111111-1111-1111-1111-111111111111", sameToken: "11111111-1111-1111-1111-111111111111",
      tokenReuse: "ResourceExistsException", exists: "ResourceExistsException", binary: true,
      get: { Name: "walk/db", SecretString: '{"user":"admin"}', VersionStages: ["AWSCURRENT"] },
      disabledKey: "DecryptionFailure",
      previous: '{"user":"admin"}', blue: "v2", blueMoved: true, badMove: "InvalidParameterException",
      updated: ["v3", "db 2"],
      listed: ["walk/bin", "walk/db"], filtered: ["walk/db"],
      batch: [["walk/db", "v3"], ["walk/none", "ResourceNotFoundException"]], batchFilter: ["walk/bin"],
      tags: [{ Key: "team", Value: "a" }],
      password: [64, true, true, true, true], lowerOnly: true, badLength: "ValidationException",
      validatePublic: false, validateScoped: true, blockPublic: "PublicPolicyException", policy: true, policyGone: false,
      replication: ["eu-west-1", "us-west-2"], removed: ["us-west-2"], stopOnPrimary: "InvalidRequestException",
      rotated: ["22222222-2222-2222-2222-222222222222", "22222222-2222-2222-2222-222222222222", true, true, true, 30, true, true],
      rotateMissingFn: "AccessDeniedException", cancelled: false,
      deleteReplicated: "InvalidRequestException", deleted: ["walk/db", true, "InvalidRequestException"], restored: "walk/db", afterRestore: true,
      forced: "ResourceNotFoundException", bothOptions: "InvalidParameterException",
    });
    // Before rotation: the first version (blue), v2 (AWSPREVIOUS), v3 (AWSCURRENT).
    expect(r.versions).toEqual([["AWSCURRENT"], ["AWSPREVIOUS"], ["blue"]].sort());
    expect(r.called).toEqual(Object.keys(model.operations).sort());
  }, 180_000);
});
