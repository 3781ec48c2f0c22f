/**
 * Every EventBridge Scheduler operation through boto3, in one script against the Node server on
 * the real clock: groups and schedules read back, a schedule's input delivered to an SQS target
 * and read back, errors with AWS's codes. The script records each operation botocore sends and
 * the test checks that list against the model. Skipped, with the reason printed, only where
 * python3 with boto3 is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boto3, python } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";
import model from "../../../models/scheduler.json" with { type: "json" };

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const SCRIPT = String.raw`
import datetime
called = set()
session = boto3.session.Session(region_name="us-east-1")
session.events.register("before-call.scheduler.*", lambda model, **kw: called.add(model.name))
sched = session.client("scheduler", endpoint_url=ENDPOINT)
sqs = session.client("sqs", endpoint_url=ENDPOINT)
out = {}
def err(fn, **kw):
    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        return [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
    return None
url = sqs.create_queue(QueueName="walk-schedules")["QueueUrl"]
qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
role = "arn:aws:iam::000000000000:role/scheduler"

group = sched.create_schedule_group(Name="walk", Tags=[{"Key": "team", "Value": "a"}])["ScheduleGroupArn"]
out["group"] = group
out["dupGroup"] = err(sched.create_schedule_group, Name="walk")
g = sched.get_schedule_group(Name="walk")
out["groupDescribed"] = [g["Arn"], g["Name"], g["State"]]
out["groups"] = [x["Name"] for x in sched.list_schedule_groups(NamePrefix="wal")["ScheduleGroups"]]
sched.tag_resource(ResourceArn=group, Tags=[{"Key": "env", "Value": "test"}])
sched.untag_resource(ResourceArn=group, TagKeys=["team"])
out["tags"] = sched.list_tags_for_resource(ResourceArn=group)["Tags"]

target = {"Arn": qarn, "RoleArn": role, "Input": '{"at": "<aws.scheduler.scheduled-time>", "hello": "boto3"}'}
at = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S")
out["scheduleArn"] = sched.create_schedule(Name="once", GroupName="walk", ScheduleExpression="at(%s)" % at, FlexibleTimeWindow={"Mode": "OFF"},
    Target=target, ActionAfterCompletion="NONE")["ScheduleArn"]
bodies = []
for _ in range(10):
    bodies += [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])]
    if bodies:
        break
out["bodies"] = bodies
out["at"] = at
out["badExpr"] = err(sched.create_schedule, Name="bad", ScheduleExpression="every day", FlexibleTimeWindow={"Mode": "OFF"}, Target=target)
out["noGroup"] = err(sched.create_schedule, Name="x", GroupName="nope", ScheduleExpression="rate(1 day)", FlexibleTimeWindow={"Mode": "OFF"}, Target=target)
s = sched.get_schedule(Name="once", GroupName="walk")
out["schedule"] = [s["Arn"], s["ScheduleExpression"], s["State"], s["Target"]["Arn"], s["ActionAfterCompletion"]]
out["updateArn"] = sched.update_schedule(Name="once", GroupName="walk", ScheduleExpression="cron(0 12 * * ? *)", ScheduleExpressionTimezone="Europe/Paris",
    FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}, Target=target, State="DISABLED")["ScheduleArn"]
s = sched.get_schedule(Name="once", GroupName="walk")
out["updated"] = [s["ScheduleExpression"], s["ScheduleExpressionTimezone"], s["State"], s["FlexibleTimeWindow"]]
out["schedules"] = [[x["Name"], x["State"]] for x in sched.list_schedules(GroupName="walk")["Schedules"]]
sched.delete_schedule(Name="once", GroupName="walk")
out["scheduleGone"] = err(sched.get_schedule, Name="once", GroupName="walk")
sched.delete_schedule_group(Name="walk")
out["groupGone"] = err(sched.get_schedule_group, Name="walk")
out["deleteDefault"] = err(sched.delete_schedule_group, Name="default")
out["called"] = sorted(called)
print(json.dumps(out))
`;

if (!python.version) console.warn(`skipping boto3 Scheduler walkthrough: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed above.
describe.skipIf(!python.version)("boto3", () => {
  it("calls every Scheduler operation", async () => {
    const out = await boto3(server.url, SCRIPT);
    const group = "arn:aws:scheduler:us-east-1:000000000000:schedule-group/walk";
    expect(out.group).toBe(group);
    expect(out.dupGroup).toEqual(["ConflictException", 409]);
    expect(out.groupDescribed).toEqual([group, "walk", "ACTIVE"]);
    expect(out.groups).toEqual(["walk"]);
    expect(out.tags).toEqual([{ Key: "env", Value: "test" }]);
    expect(out.scheduleArn).toBe("arn:aws:scheduler:us-east-1:000000000000:schedule/walk/once");
    // A time already past fires at once; the context attribute is the scheduled time.
    expect(out.bodies).toEqual([{ at: `${out.at}Z`, hello: "boto3" }]);
    expect(out.badExpr).toEqual(["ValidationException", 400]);
    expect(out.noGroup).toEqual(["ResourceNotFoundException", 404]);
    expect(out.schedule).toEqual([out.scheduleArn, `at(${out.at})`, "ENABLED", "arn:aws:sqs:us-east-1:000000000000:walk-schedules", "NONE"]);
    expect(out.updateArn).toBe(out.scheduleArn);
    expect(out.updated).toEqual(["cron(0 12 * * ? *)", "Europe/Paris", "DISABLED", { Mode: "FLEXIBLE", MaximumWindowInMinutes: 15 }]);
    expect(out.schedules).toEqual([["once", "DISABLED"]]);
    expect(out.scheduleGone).toEqual(["ResourceNotFoundException", 404]);
    expect(out.groupGone).toEqual(["ResourceNotFoundException", 404]);
    expect(out.deleteDefault).toEqual(["ValidationException", 400]);
    expect(out.called).toEqual(Object.keys(model.operations).sort());
  }, 90_000);
});
