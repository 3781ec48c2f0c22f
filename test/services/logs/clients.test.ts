/**
 * CloudWatch Logs through boto3, AWS CLI v1 and AWS CLI v2 against the Node server. Each suite
 * is skipped, with the reason printed, only where that client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

if (!python.version) console.warn(`skipping boto3 Logs suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3", () => {
  it("groups, streams, put, get with tokens, filter, and errors", async () => {
    const out = await boto3(server.url, `
import time
logs = boto3.client("logs", endpoint_url=ENDPOINT, region_name="us-east-1")
logs.create_log_group(logGroupName="py-group")
logs.create_log_stream(logGroupName="py-group", logStreamName="s")
now = int(time.time() * 1000)
logs.put_log_events(logGroupName="py-group", logStreamName="s", logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(["a", "ERROR b", "c"])])
got = logs.get_log_events(logGroupName="py-group", logStreamName="s", startFromHead=True, limit=2)
more = logs.get_log_events(logGroupName="py-group", logStreamName="s", nextToken=got["nextForwardToken"])
filtered = logs.filter_log_events(logGroupName="py-group", filterPattern="ERROR")
try:
    logs.create_log_group(logGroupName="py-group")
    dup = None
except logs.exceptions.ResourceAlreadyExistsException as e:
    dup = e.response["Error"]
print(json.dumps({"first": [e["message"] for e in got["events"]], "more": [e["message"] for e in more["events"]],
  "filtered": [e["message"] for e in filtered["events"]], "dup": dup}))
`);
    expect(out).toEqual({
      first: ["a", "ERROR b"], more: ["c"], filtered: ["ERROR b"],
      dup: { Code: "ResourceAlreadyExistsException", Message: "The specified log group already exists" },
    });
  }, 60_000);
});

for (const [label, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${label} Logs suite: not installed`);
  // Skipped only when this AWS CLI is absent (v1: pip's `aws`; v2: Debian's /usr/bin/aws, which .ci/run installs); the reason is printed.
  describe.skipIf(!cli)(label, () => {
    const aws = async (...args: string[]) => {
      const result = await run(cli!, ["logs", ...args, "--endpoint-url", server.url, "--output", "json"], clientEnv());
      return { ...result, json: result.stdout.trim() ? JSON.parse(result.stdout) : undefined };
    };

    it("create-log-group, create-log-stream, put-log-events, filter-log-events, describe-log-groups", async () => {
      const group = `cli-${label.endsWith("v1") ? "v1" : "v2"}`;
      expect((await aws("create-log-group", "--log-group-name", group)).code).toBe(0);
      expect((await aws("create-log-stream", "--log-group-name", group, "--log-stream-name", "s")).code).toBe(0);
      const now = Date.now();
      const put = await aws("put-log-events", "--log-group-name", group, "--log-stream-name", "s", "--log-events",
        `timestamp=${now},message=hello`, `timestamp=${now + 1},message=ERROR world`);
      expect(put.stderr).toBe("");
      const filtered = await aws("filter-log-events", "--log-group-name", group, "--filter-pattern", "ERROR");
      expect(filtered.json.events.map((e: any) => e.message)).toEqual(["ERROR world"]);
      const groups = await aws("describe-log-groups", "--log-group-name-prefix", group);
      expect(groups.json.logGroups.map((g: any) => g.logGroupName)).toEqual([group]);
      const missing = await aws("get-log-events", "--log-group-name", group, "--log-stream-name", "nope");
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain("ResourceNotFoundException");
    }, 120_000);
  });
}
