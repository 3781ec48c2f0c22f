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

  it("transformers, account policies, anomaly detectors, lookup tables, scheduled queries and live tail", async () => {
    const out = await boto3(server.url, `
import time
from botocore.config import Config
# Live tail's operations carry AWS's "stream-" host prefix, which a local endpoint cannot take.
logs = boto3.client("logs", endpoint_url=ENDPOINT, region_name="us-east-1", config=Config(inject_host_prefix=False))
logs.create_log_group(logGroupName="py-new")
logs.create_log_stream(logGroupName="py-new", logStreamName="s")
test = logs.test_transformer(transformerConfig=[{"parseJSON": {}}, {"addKeys": {"entries": [{"key": "k", "value": "v"}]}}], logEventMessages=['{"a":1}'])
logs.put_transformer(logGroupIdentifier="py-new", transformerConfig=[{"parseKeyValue": {"fieldDelimiter": " "}}])
policy = logs.put_account_policy(policyName="dp", policyType="DATA_PROTECTION_POLICY", policyDocument='{"Name":"dp","Version":"2021-06-01","Statement":[]}')
arn = logs.create_log_anomaly_detector(logGroupArnList=["arn:aws:logs:us-east-1:000000000000:log-group:py-new"])["anomalyDetectorArn"]
table = logs.create_lookup_table(lookupTableName="py_table", tableBody="a,b\\n1,2\\n")
sq = logs.create_scheduled_query(name="py-sq", queryLanguage="CWLI", queryString="fields @message", logGroupIdentifiers=["py-new"], scheduleExpression="rate(1 hour)", executionRoleArn="arn:aws:iam::000000000000:role/r")
tail = logs.start_live_tail(logGroupIdentifiers=["arn:aws:logs:us-east-1:000000000000:log-group:py-new"])
stream = tail["responseStream"]
start = next(iter(stream))
logs.put_log_events(logGroupName="py-new", logStreamName="s", logEvents=[{"timestamp": int(time.time() * 1000), "message": "user=ann status=200"}])
update = None
for event in stream:
    results = event.get("sessionUpdate", {}).get("sessionResults", [])
    if results:
        update = [r["message"] for r in results]
        break
stream.close()
try:
    logs.test_transformer(transformerConfig=[{"deleteKeys": {"withKeys": ["a"]}}], logEventMessages=["x"])
    bad = None
except botocore.exceptions.ClientError as e:
    bad = e.response["Error"]["Code"]
print(json.dumps({"test": json.loads(test["transformedLogs"][0]["transformedEventMessage"]), "policy": policy["accountPolicy"]["policyType"],
  "detector": logs.get_log_anomaly_detector(anomalyDetectorArn=arn)["anomalyDetectorStatus"], "table": table["lookupTableArn"],
  "sq": sq["state"], "start": "sessionStart" in start, "update": update, "bad": bad}))
`);
    expect(out).toEqual({
      test: { a: 1, k: "v" }, policy: "DATA_PROTECTION_POLICY", detector: "ANALYZING", table: "arn:aws:logs:us-east-1:000000000000:lookup-table:py_table",
      sq: "ENABLED", start: true, update: [JSON.stringify({ user: "ann", status: "200" })], bad: "InvalidParameterException",
    });
  }, 60_000);
});

if (!awsCli.v1) console.warn("skipping AWS CLI v1 Logs transformer check: not installed");
// AWS CLI v2 2.9 predates the transformer operations; v1 follows current botocore.
// Skipped only when that client is not installed here (.ci/run installs it); the suite says which at the top.
describe.skipIf(!awsCli.v1)("AWS CLI v1, newer operations", () => {
  it("test-transformer and describe-account-policies", async () => {
    const result = await run(awsCli.v1!, ["logs", "test-transformer", "--transformer-config", JSON.stringify([{ csv: { columns: ["x", "y"] } }]),
      "--log-event-messages", "1,2", "--endpoint-url", server.url, "--output", "json"], clientEnv());
    expect(result.stderr).toBe("");
    expect(JSON.parse(JSON.parse(result.stdout).transformedLogs[0].transformedEventMessage)).toEqual({ x: "1", y: "2" });
    const policies = await run(awsCli.v1!, ["logs", "describe-account-policies", "--policy-type", "FIELD_INDEX_POLICY", "--endpoint-url", server.url, "--output", "json"], clientEnv());
    expect(JSON.parse(policies.stdout)).toEqual({ accountPolicies: [] });
  }, 120_000);
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
