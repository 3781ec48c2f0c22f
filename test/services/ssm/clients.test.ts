/**
 * SSM beyond Parameter Store through boto3, AWS CLI v1 and AWS CLI v2 against the Node server:
 * maintenance window targets and tasks, documents (AWS-owned ones too), SendCommand's
 * InvalidInstanceId, StartSession's TargetNotConnected, OpsItems, associations, patch baselines.
 * Each suite is skipped, with the reason printed, only where that client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

if (!python.version) console.warn(`skipping boto3 SSM suite: ${python.reason}`);
// Skipped only when that client is not installed here (.ci/run installs it); the suite says which at the top.
describe.skipIf(!python.version)("boto3", () => {
  it("maintenance windows with targets and tasks, OpsItems, associations, errors", async () => {
    const out = await boto3(server.url, `
ssm = boto3.client("ssm", endpoint_url=ENDPOINT, region_name="us-east-1")
w = ssm.create_maintenance_window(Name="py-window", Schedule="rate(7 days)", Duration=2, Cutoff=1, AllowUnassociatedTargets=False)["WindowId"]
t = ssm.register_target_with_maintenance_window(WindowId=w, ResourceType="INSTANCE", Targets=[{"Key": "tag:Env", "Values": ["prod"]}])["WindowTargetId"]
task = ssm.register_task_with_maintenance_window(WindowId=w, TaskArn="AWS-RunShellScript", TaskType="RUN_COMMAND", MaxConcurrency="1", MaxErrors="0",
    Targets=[{"Key": "WindowTargetIds", "Values": [t]}], TaskInvocationParameters={"RunCommand": {"Parameters": {"commands": ["uptime"]}}})["WindowTaskId"]
tasks = [x["WindowTaskId"] for x in ssm.describe_maintenance_window_tasks(WindowId=w)["Tasks"]]
got = ssm.get_maintenance_window_task(WindowId=w, WindowTaskId=task)["TaskInvocationParameters"]["RunCommand"]["Parameters"]
try:
    ssm.send_command(DocumentName="AWS-RunShellScript", InstanceIds=["i-0123456789abcdef0"], Parameters={"commands": ["uptime"]})
    send = None
except ssm.exceptions.InvalidInstanceId as e:
    send = e.response["Error"]["Code"]
oi = ssm.create_ops_item(Title="t", Description="d", Source="py", Priority=1)["OpsItemId"]
ops = [s["OpsItemId"] for s in ssm.describe_ops_items(OpsItemFilters=[{"Key": "Source", "Values": ["py"], "Operator": "Equal"}])["OpsItemSummaries"]]
a = ssm.create_association(Name="AWS-RunShellScript", Targets=[{"Key": "tag:Env", "Values": ["prod"]}], Parameters={"commands": ["uptime"]})["AssociationDescription"]["AssociationId"]
assocs = [x["AssociationId"] for x in ssm.list_associations()["Associations"]]
baselines = [b["BaselineName"] for b in ssm.describe_patch_baselines(Filters=[{"Key": "OWNER", "Values": ["AWS"]}, {"Key": "OPERATING_SYSTEM", "Values": ["UBUNTU"]}])["BaselineIdentities"]]
print(json.dumps({"tasks": tasks == [task], "got": got, "send": send, "ops": ops == [oi], "assocs": assocs == [a], "baselines": baselines}))
`);
    expect(out).toEqual({ tasks: true, got: { commands: ["uptime"] }, send: "InvalidInstanceId", ops: true, assocs: true, baselines: ["AWS-UbuntuDefaultPatchBaseline"] });
  }, 60_000);
});

for (const [label, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${label} SSM suite: not installed`);
  // Skipped only when this AWS CLI is absent (v1: pip's `aws`; v2: Debian's /usr/bin/aws); the reason is printed.
  describe.skipIf(!cli)(label, () => {
    const aws = async (...args: string[]) => {
      const result = await run(cli!, [...args, "--endpoint-url", server.url, "--output", "json"], clientEnv());
      return { ...result, json: result.stdout.trim() ? JSON.parse(result.stdout) : undefined };
    };
    const tag = label.endsWith("v1") ? "v1" : "v2";

    it("describe-document of an AWS document, start-session, create-ops-item / get-ops-item", async () => {
      const doc = await aws("ssm", "describe-document", "--name", "AWS-RunShellScript");
      expect(doc.stderr).toBe("");
      expect(doc.json.Document).toMatchObject({ Name: "AWS-RunShellScript", Owner: "Amazon", DocumentType: "Command" });
      const session = await aws("ssm", "start-session", "--target", "i-0123456789abcdef0");
      expect(session.code).not.toBe(0);
      expect(session.stderr).toContain("TargetNotConnected");
      const created = await aws("ssm", "create-ops-item", "--title", `cli ${tag}`, "--description", "d", "--source", "cli");
      expect(created.stderr).toBe("");
      const got = await aws("ssm", "get-ops-item", "--ops-item-id", created.json.OpsItemId);
      expect(got.json.OpsItem).toMatchObject({ Title: `cli ${tag}`, Status: "Open" });
    }, 120_000);
  });
}
