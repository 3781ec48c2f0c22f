/**
 * EventBridge and EventBridge Scheduler through boto3, AWS CLI v1 and AWS CLI v2 against the
 * Node server (real clock: deliveries are observed with SQS long polling). Each suite is
 * skipped, with the reason printed, only where that client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

if (!python.version) console.warn(`skipping boto3 EventBridge suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3", () => {
  it("EventBridge: bus, rule, SQS target with an input transformer, PutEvents, TestEventPattern, errors", async () => {
    const out = await boto3(server.url, `
events = boto3.client("events", endpoint_url=ENDPOINT, region_name="us-east-1")
sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1")
url = sqs.create_queue(QueueName="py-events")["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
bus = events.create_event_bus(Name="py-bus")["EventBusArn"]
events.put_rule(Name="py-rule", EventBusName="py-bus", EventPattern=json.dumps({"source": ["py.app"], "detail": {"n": [{"numeric": [">=", 2]}]}}))
events.put_targets(Rule="py-rule", EventBusName="py-bus", Targets=[{"Id": "q", "Arn": arn,
  "InputTransformer": {"InputPathsMap": {"n": "$.detail.n"}, "InputTemplate": '{"value": <n>, "rule": "<aws.events.rule-name>"}'}}])
put = events.put_events(Entries=[{"Source": "py.app", "DetailType": "t", "Detail": json.dumps({"n": k}), "EventBusName": bus} for k in [1, 2, 3]])
bodies = []
for _ in range(10):
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    bodies += [json.loads(m["Body"]) for m in got]
    if len(bodies) >= 2:
        break
event = json.dumps({"id": "1", "account": "000000000000", "source": "py.app", "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": [], "detail-type": "t", "detail": {"n": 5}})
test = events.test_event_pattern(EventPattern='{"detail": {"n": [{"numeric": [">", 4]}]}}', Event=event)["Result"]
def err(fn, **kw):
    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        return [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
missing = err(events.describe_rule, Name="nope")
badpattern = err(events.put_rule, Name="x", EventPattern='{"source": []}')
print(json.dumps({"failed": put["FailedEntryCount"], "ids": len([e for e in put["Entries"] if "EventId" in e]),
  "bodies": sorted(bodies, key=lambda b: b["value"]), "test": test, "missing": missing, "badpattern": badpattern}))
`);
    expect(out.failed).toBe(0);
    expect(out.ids).toBe(3);
    expect(out.bodies).toEqual([{ value: 2, rule: "py-rule" }, { value: 3, rule: "py-rule" }]);
    expect(out.test).toBe(true);
    expect(out.missing).toEqual(["ResourceNotFoundException", "Rule nope does not exist on EventBus default.", 400]);
    expect(out.badpattern.slice(0, 1)).toEqual(["InvalidEventPatternException"]);
    expect(out.badpattern[1]).toMatch(/^Event pattern is not valid\. Reason: Empty arrays are not allowed/);
  }, 60_000);

  it("Scheduler: group, schedule firing at once into SQS, get/list, errors", async () => {
    const out = await boto3(server.url, `
sched = boto3.client("scheduler", endpoint_url=ENDPOINT, region_name="us-east-1")
sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1")
url = sqs.create_queue(QueueName="py-sched")["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
group = sched.create_schedule_group(Name="py-group", Tags=[{"Key": "k", "Value": "v"}])["ScheduleGroupArn"]
s = sched.create_schedule(Name="py-s", GroupName="py-group", ScheduleExpression="rate(1 day)", FlexibleTimeWindow={"Mode": "OFF"},
  Target={"Arn": arn, "RoleArn": "arn:aws:iam::000000000000:role/r", "Input": '{"hello": "scheduler"}'})["ScheduleArn"]
got = sched.get_schedule(Name="py-s", GroupName="py-group")
listed = [x["Name"] for x in sched.list_schedules(GroupName="py-group")["Schedules"]]
tags = sched.list_tags_for_resource(ResourceArn=group)["Tags"]
bodies = []
for _ in range(5):
    bodies += [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])]
    if bodies:
        break
def err(fn, **kw):
    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        return [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps({"arn": s, "expr": got["ScheduleExpression"], "state": got["State"], "listed": listed, "tags": tags, "bodies": bodies,
  "missing": err(sched.get_schedule, Name="nope"), "conflict": err(sched.create_schedule_group, Name="py-group"),
  "invalid": err(sched.create_schedule, Name="bad", ScheduleExpression="rate(1 days)", FlexibleTimeWindow={"Mode": "OFF"}, Target={"Arn": arn, "RoleArn": "arn:aws:iam::000000000000:role/r"})}))
`);
    expect(out).toEqual({
      arn: "arn:aws:scheduler:us-east-1:000000000000:schedule/py-group/py-s", expr: "rate(1 day)", state: "ENABLED", listed: ["py-s"],
      tags: [{ Key: "k", Value: "v" }], bodies: [{ hello: "scheduler" }],
      missing: ["ResourceNotFoundException", 404], conflict: ["ConflictException", 409], invalid: ["ValidationException", 400],
    });
  }, 60_000);
});

for (const [label, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${label} EventBridge suite: not installed`);
  // Skipped only when this AWS CLI is absent (v1: pip's `aws`; v2: Debian's /usr/bin/aws); the reason is printed.
  describe.skipIf(!cli)(label, () => {
    const aws = async (...args: string[]) => {
      const result = await run(cli!, [...args, "--endpoint-url", server.url, "--output", "json"], clientEnv());
      return { ...result, json: result.stdout.trim() ? JSON.parse(result.stdout) : undefined };
    };
    const tag = label.endsWith("v1") ? "v1" : "v2";

    it("events: put-rule, list-rules, test-event-pattern, describe-event-bus, errors", async () => {
      const rule = await aws("events", "put-rule", "--name", `cli-${tag}`, "--schedule-expression", "rate(5 minutes)");
      expect(rule.json.RuleArn).toBe(`arn:aws:events:us-east-1:000000000000:rule/cli-${tag}`);
      const listed = await aws("events", "list-rules", "--name-prefix", `cli-${tag}`);
      expect(listed.json.Rules.map((r: any) => [r.Name, r.ScheduleExpression, r.State])).toEqual([[`cli-${tag}`, "rate(5 minutes)", "ENABLED"]]);
      const event = JSON.stringify({ id: "1", account: "000000000000", source: "cli", time: "2026-01-01T00:00:00Z", region: "us-east-1", resources: [], "detail-type": "t", detail: {} });
      const tested = await aws("events", "test-event-pattern", "--event-pattern", '{"source":[{"prefix":"cl"}]}', "--event", event);
      expect(tested.json).toEqual({ Result: true });
      expect((await aws("events", "describe-event-bus")).json.Name).toBe("default");
      const missing = await aws("events", "describe-rule", "--name", "nope");
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain("ResourceNotFoundException");
    }, 120_000);

    it("scheduler: create-schedule, get-schedule, list-schedule-groups, errors", async () => {
      const created = await aws("scheduler", "create-schedule", "--name", `cli-${tag}`, "--schedule-expression", "cron(0 12 * * ? *)",
        "--schedule-expression-timezone", "Europe/London", "--flexible-time-window", "Mode=OFF",
        "--target", '{"Arn": "arn:aws:sqs:us-east-1:000000000000:none", "RoleArn": "arn:aws:iam::000000000000:role/r"}');
      expect(created.json.ScheduleArn).toBe(`arn:aws:scheduler:us-east-1:000000000000:schedule/default/cli-${tag}`);
      const got = await aws("scheduler", "get-schedule", "--name", `cli-${tag}`);
      expect([got.json.ScheduleExpression, got.json.ScheduleExpressionTimezone, got.json.GroupName]).toEqual(["cron(0 12 * * ? *)", "Europe/London", "default"]);
      expect((await aws("scheduler", "list-schedule-groups")).json.ScheduleGroups.map((g: any) => g.Name)).toContain("default");
      const missing = await aws("scheduler", "get-schedule", "--name", "nope");
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain("ResourceNotFoundException");
      expect((await aws("scheduler", "delete-schedule", "--name", `cli-${tag}`)).code).toBe(0);
    }, 120_000);
  });
}
