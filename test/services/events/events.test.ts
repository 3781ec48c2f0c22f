/**
 * EventBridge through the JS SDK v3 in-process: buses, PutEvents, rules and targets that
 * really receive (observed through SQS), input transformation, dead-letter queues, bus-to-bus
 * and cross-account delivery, resource policies, tags and TestEventPattern.
 */
import { describe, expect, it } from "vitest";
import {
  CreateEventBusCommand, DeleteEventBusCommand, DeleteRuleCommand, DescribeEventBusCommand, DescribeRuleCommand,
  DisableRuleCommand, EnableRuleCommand, ListEventBusesCommand, ListRuleNamesByTargetCommand, ListRulesCommand,
  ListTagsForResourceCommand, ListTargetsByRuleCommand, PutEventsCommand, PutPermissionCommand, PutRuleCommand,
  PutTargetsCommand, RemovePermissionCommand, RemoveTargetsCommand, TagResourceCommand, TestEventPatternCommand,
  UntagResourceCommand, UpdateEventBusCommand, EventBridgeClient,
} from "@aws-sdk/client-eventbridge";
import { failure, setup } from "./helpers.ts";
import { STORES } from "../../helpers/clients.ts";

describe("event buses", () => {
  it("default bus exists implicitly; custom buses are created, listed, updated and deleted", async () => {
    const { events } = setup();
    const def = await events.send(new DescribeEventBusCommand({}));
    expect(def.Name).toBe("default");
    expect(def.Arn).toBe("arn:aws:events:us-east-1:000000000000:event-bus/default");

    const created = await events.send(new CreateEventBusCommand({ Name: "orders", Description: "order events", Tags: [{ Key: "team", Value: "a" }] }));
    expect(created.EventBusArn).toBe("arn:aws:events:us-east-1:000000000000:event-bus/orders");
    expect(created.Description).toBe("order events");
    const dup = await failure(events.send(new CreateEventBusCommand({ Name: "orders" })));
    expect([dup.name, dup.message]).toEqual(["ResourceAlreadyExistsException", "Event bus orders already exists."]);

    const described = await events.send(new DescribeEventBusCommand({ Name: created.EventBusArn }));
    expect(described.Name).toBe("orders");
    expect(described.CreationTime).toEqual(new Date(Date.UTC(2026, 0, 1)));
    const listed = await events.send(new ListEventBusesCommand({}));
    expect(listed.EventBuses!.map((b) => b.Name)).toEqual(["default", "orders"]);
    const prefixed = await events.send(new ListEventBusesCommand({ NamePrefix: "ord" }));
    expect(prefixed.EventBuses!.map((b) => b.Name)).toEqual(["orders"]);
    const paged = await events.send(new ListEventBusesCommand({ Limit: 1 }));
    expect(paged.EventBuses!.map((b) => b.Name)).toEqual(["default"]);
    const next = await events.send(new ListEventBusesCommand({ Limit: 1, NextToken: paged.NextToken }));
    expect(next.EventBuses!.map((b) => b.Name)).toEqual(["orders"]);
    expect(next.NextToken).toBeUndefined();

    const updated = await events.send(new UpdateEventBusCommand({ Name: "orders", Description: "changed" }));
    expect(updated.Description).toBe("changed");
    expect((await events.send(new ListTagsForResourceCommand({ ResourceARN: created.EventBusArn }))).Tags).toEqual([{ Key: "team", Value: "a" }]);

    const noDefault = await failure(events.send(new DeleteEventBusCommand({ Name: "default" })));
    expect([noDefault.name, noDefault.message]).toEqual(["ValidationException", "Cannot delete event bus default."]);
    await events.send(new DeleteEventBusCommand({ Name: "orders" }));
    const gone = await failure(events.send(new DescribeEventBusCommand({ Name: "orders" })));
    expect([gone.name, gone.message, gone.$metadata.httpStatusCode]).toEqual(["ResourceNotFoundException", "Event bus orders does not exist.", 400]);
  });

  it("resource policies: PutPermission builds statements, RemovePermission removes them", async () => {
    const { events } = setup();
    await events.send(new PutPermissionCommand({ Action: "events:PutEvents", Principal: "111122223333", StatementId: "acct" }));
    await events.send(new PutPermissionCommand({ Action: "events:PutEvents", Principal: "*", StatementId: "org", Condition: { Type: "StringEquals", Key: "aws:PrincipalOrgID", Value: "o-123" } }));
    const policy = JSON.parse((await events.send(new DescribeEventBusCommand({}))).Policy!);
    expect(policy.Statement).toEqual([
      { Sid: "acct", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "events:PutEvents", Resource: "arn:aws:events:us-east-1:000000000000:event-bus/default" },
      { Sid: "org", Effect: "Allow", Principal: "*", Action: "events:PutEvents", Resource: "arn:aws:events:us-east-1:000000000000:event-bus/default", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-123" } } },
    ]);
    const bad = await failure(events.send(new PutPermissionCommand({ Action: "events:PutEvents", Principal: "nobody", StatementId: "x" })));
    expect(bad.name).toBe("ValidationException");
    await events.send(new RemovePermissionCommand({ StatementId: "acct" }));
    expect(JSON.parse((await events.send(new DescribeEventBusCommand({}))).Policy!).Statement.map((s: any) => s.Sid)).toEqual(["org"]);
    const missing = await failure(events.send(new RemovePermissionCommand({ StatementId: "acct" })));
    expect([missing.name, missing.message]).toEqual(["ResourceNotFoundException", "Statement with the provided id does not exist."]);
    await events.send(new RemovePermissionCommand({ RemoveAllPermissions: true }));
    expect((await events.send(new DescribeEventBusCommand({}))).Policy).toBeUndefined();
  });
});

describe("PutEvents", () => {
  it("returns event ids, per-entry failures, and enforces AWS's limits", async () => {
    const { events } = setup();
    const out = await events.send(new PutEventsCommand({ Entries: [
      { Source: "my.app", DetailType: "created", Detail: '{"a":1}' },
      { Source: "my.app", DetailType: "created", Detail: "not json" },
      { Source: "my.app", DetailType: "created" },
      { DetailType: "created", Detail: "{}" },
      { Source: "aws.ec2", DetailType: "x", Detail: "{}" },
      { Source: "my.app", DetailType: "created", Detail: "{}", EventBusName: "nope" },
    ] }));
    expect(out.FailedEntryCount).toBe(5);
    expect(out.Entries![0]!.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.Entries!.slice(1).map((e) => [e.ErrorCode, e.ErrorMessage])).toEqual([
      ["MalformedDetail", "Detail is malformed."],
      ["InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."],
      ["InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."],
      ["NotAuthorizedForSourceException", "Not authorized for the source."],
      ["ResourceNotFoundException", "Event bus nope does not exist."],
    ]);
    const eleven = await failure(events.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => ({ Source: "a", DetailType: "b", Detail: "{}" })) })));
    expect(eleven.name).toBe("ValidationException");
    const big = await failure(events.send(new PutEventsCommand({ Entries: [{ Source: "a", DetailType: "b", Detail: JSON.stringify({ x: "y".repeat(256 * 1024) }) }] })));
    expect([big.name, big.message]).toEqual(["ValidationException", "Total size of the entries in the request is over the limit."]);
  });
});

describe("rules", () => {
  it("PutRule validates, DescribeRule/ListRules/Enable/Disable/Delete behave as AWS", async () => {
    const { events } = setup();
    const neither = await failure(events.send(new PutRuleCommand({ Name: "r" })));
    expect([neither.name, neither.message]).toEqual(["ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified."]);
    const badPattern = await failure(events.send(new PutRuleCommand({ Name: "r", EventPattern: '{"source": "x"}' })));
    expect(badPattern.name).toBe("InvalidEventPatternException");
    expect(badPattern.message).toMatch(/^Event pattern is not valid\. Reason: "source" must be an object or an array/);
    const badSchedule = await failure(events.send(new PutRuleCommand({ Name: "r", ScheduleExpression: "rate(1 minutes)" })));
    expect([badSchedule.name, badSchedule.message]).toEqual(["ValidationException", "Parameter ScheduleExpression is not valid."]);
    await events.send(new CreateEventBusCommand({ Name: "custom" }));
    const scheduleOnCustom = await failure(events.send(new PutRuleCommand({ Name: "r", ScheduleExpression: "rate(5 minutes)", EventBusName: "custom" })));
    expect(scheduleOnCustom.message).toBe("ScheduleExpression is supported only on the default event bus.");
    const noBus = await failure(events.send(new PutRuleCommand({ Name: "r", EventPattern: '{"source":["a"]}', EventBusName: "missing" })));
    expect([noBus.name, noBus.message]).toEqual(["ResourceNotFoundException", "Event bus missing does not exist."]);

    const { RuleArn } = await events.send(new PutRuleCommand({ Name: "r1", EventPattern: '{"source":["a"]}', Description: "d" }));
    expect(RuleArn).toBe("arn:aws:events:us-east-1:000000000000:rule/r1");
    const custom = await events.send(new PutRuleCommand({ Name: "c1", EventPattern: '{"source":["a"]}', EventBusName: "custom" }));
    expect(custom.RuleArn).toBe("arn:aws:events:us-east-1:000000000000:rule/custom/c1");
    for (const n of ["r2", "r3", "x1"]) await events.send(new PutRuleCommand({ Name: n, EventPattern: '{"source":["b"]}' }));
    const described = await events.send(new DescribeRuleCommand({ Name: "r1" }));
    expect(described).toMatchObject({ Name: "r1", Arn: RuleArn, EventPattern: '{"source":["a"]}', State: "ENABLED", Description: "d", EventBusName: "default", CreatedBy: "000000000000" });

    await events.send(new DisableRuleCommand({ Name: "r1" }));
    expect((await events.send(new DescribeRuleCommand({ Name: "r1" }))).State).toBe("DISABLED");
    await events.send(new EnableRuleCommand({ Name: "r1" }));
    expect((await events.send(new DescribeRuleCommand({ Name: "r1" }))).State).toBe("ENABLED");

    const page1 = await events.send(new ListRulesCommand({ NamePrefix: "r", Limit: 2 }));
    expect(page1.Rules!.map((r) => r.Name)).toEqual(["r1", "r2"]);
    const page2 = await events.send(new ListRulesCommand({ NamePrefix: "r", Limit: 2, NextToken: page1.NextToken }));
    expect(page2.Rules!.map((r) => r.Name)).toEqual(["r3"]);
    expect(page2.NextToken).toBeUndefined();
    expect((await events.send(new ListRulesCommand({ EventBusName: "custom" }))).Rules!.map((r) => r.Name)).toEqual(["c1"]);

    await events.send(new PutTargetsCommand({ Rule: "r1", Targets: [{ Id: "t1", Arn: "arn:aws:sqs:us-east-1:000000000000:q" }] }));
    await events.send(new PutTargetsCommand({ Rule: "r2", Targets: [{ Id: "t1", Arn: "arn:aws:sqs:us-east-1:000000000000:q" }] }));
    expect((await events.send(new ListRuleNamesByTargetCommand({ TargetArn: "arn:aws:sqs:us-east-1:000000000000:q" }))).RuleNames).toEqual(["r1", "r2"]);
    const hasTargets = await failure(events.send(new DeleteRuleCommand({ Name: "r1" })));
    expect([hasTargets.name, hasTargets.message]).toEqual(["ValidationException", "Rule can't be deleted since it has targets."]);
    await events.send(new RemoveTargetsCommand({ Rule: "r1", Ids: ["t1"] }));
    await events.send(new DeleteRuleCommand({ Name: "r1" }));
    const gone = await failure(events.send(new DescribeRuleCommand({ Name: "r1" })));
    expect([gone.name, gone.message]).toEqual(["ResourceNotFoundException", "Rule r1 does not exist on EventBus default."]);
  });

  it("PutTargets checks targets: input kinds, FIFO group id, the five-target limit", async () => {
    const { events } = setup();
    await events.send(new PutRuleCommand({ Name: "r", EventPattern: '{"source":["a"]}' }));
    const both = await failure(events.send(new PutTargetsCommand({ Rule: "r", Targets: [{ Id: "t", Arn: "arn:aws:sqs:us-east-1:000000000000:q", Input: "{}", InputPath: "$.detail" }] })));
    expect([both.name, both.message]).toEqual(["ValidationException", "Only one of Input, InputPath, or InputTransformer must be provided."]);
    const fifo = await failure(events.send(new PutTargetsCommand({ Rule: "r", Targets: [{ Id: "t", Arn: "arn:aws:sqs:us-east-1:000000000000:q.fifo" }] })));
    expect(fifo.message).toBe("Parameter(s) SqsParameters must be specified for target: t.");
    const targets = Array.from({ length: 6 }, (_, i) => ({ Id: `t${i}`, Arn: `arn:aws:sqs:us-east-1:000000000000:q${i}` }));
    const tooMany = await failure(events.send(new PutTargetsCommand({ Rule: "r", Targets: targets })));
    expect(tooMany.name).toBe("LimitExceededException");
    await events.send(new PutTargetsCommand({ Rule: "r", Targets: targets.slice(0, 5) }));
    const page = await events.send(new ListTargetsByRuleCommand({ Rule: "r", Limit: 3 }));
    expect(page.Targets!.map((t) => t.Id)).toEqual(["t0", "t1", "t2"]);
    const rest = await events.send(new ListTargetsByRuleCommand({ Rule: "r", NextToken: page.NextToken }));
    expect(rest.Targets!.map((t) => t.Id)).toEqual(["t3", "t4"]);
    const missing = await failure(events.send(new PutTargetsCommand({ Rule: "nope", Targets: targets.slice(0, 1) })));
    expect([missing.name, missing.message]).toEqual(["ResourceNotFoundException", "Rule nope does not exist on EventBus default."]);
  });

  it("tags on rules", async () => {
    const { events } = setup();
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: "r", EventPattern: '{"source":["a"]}', Tags: [{ Key: "a", Value: "1" }] }));
    await events.send(new TagResourceCommand({ ResourceARN: RuleArn, Tags: [{ Key: "b", Value: "2" }, { Key: "a", Value: "3" }] }));
    await events.send(new UntagResourceCommand({ ResourceARN: RuleArn, TagKeys: ["b"] }));
    expect((await events.send(new ListTagsForResourceCommand({ ResourceARN: RuleArn }))).Tags).toEqual([{ Key: "a", Value: "3" }]);
    const missing = await failure(events.send(new ListTagsForResourceCommand({ ResourceARN: "arn:aws:events:us-east-1:000000000000:rule/none" })));
    expect([missing.name, missing.message]).toEqual(["ResourceNotFoundException", "Rule none does not exist on EventBus default."]);
  });
});

for (const store of STORES) {
  describe(`deliveries to SQS (${store.name})`, () => {
    it("matching events reach the queue as AWS's event; non-matching and disabled rules send nothing", async () => {
      const { events, emulator, queue, bodies } = setup({ store: store.make() });
      const q = await queue("deliveries");
      await events.send(new PutRuleCommand({ Name: "orders", EventPattern: JSON.stringify({ source: ["shop"], detail: { total: [{ numeric: [">", 100] }] } }) }));
      await events.send(new PutTargetsCommand({ Rule: "orders", Targets: [{ Id: "q", Arn: q.arn }] }));
      await events.send(new PutRuleCommand({ Name: "off", EventPattern: '{"source":["shop"]}', State: "DISABLED" }));
      await events.send(new PutTargetsCommand({ Rule: "off", Targets: [{ Id: "q", Arn: q.arn }] }));
      const put = await events.send(new PutEventsCommand({ Entries: [
        { Source: "shop", DetailType: "Order Placed", Detail: '{"total": 150, "id": "o-1"}', Resources: ["arn:x"] },
        { Source: "shop", DetailType: "Order Placed", Detail: '{"total": 50}' },
        { Source: "other", DetailType: "Order Placed", Detail: '{"total": 500}' },
      ] }));
      await emulator.settled();
      const got = await bodies(q.url);
      expect(got).toEqual([{
        version: "0", id: put.Entries![0]!.EventId, "detail-type": "Order Placed", source: "shop", account: "000000000000",
        time: "2026-01-01T00:00:00Z", region: "us-east-1", resources: ["arn:x"], detail: { total: 150, id: "o-1" },
      }]);
    });
  });
}

describe("rule states", () => {
  it("ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS delivers like ENABLED; one PutEvents reaches each bus once", async () => {
    const { events, emulator, queue, bodies } = setup();
    const q = await queue("states");
    await events.send(new CreateEventBusCommand({ Name: "b2" }));
    await events.send(new PutRuleCommand({ Name: "ct", EventPattern: '{"source":["s"]}', State: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" }));
    await events.send(new PutTargetsCommand({ Rule: "ct", Targets: [{ Id: "q", Arn: q.arn, InputPath: "$.detail.n" }] }));
    await events.send(new PutRuleCommand({ Name: "b2", EventBusName: "b2", EventPattern: '{"source":["s"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "b2", EventBusName: "b2", Targets: [{ Id: "q", Arn: q.arn, InputPath: "$.detail.n" }] }));
    await events.send(new PutEventsCommand({ Entries: [
      { Source: "s", DetailType: "x", Detail: '{"n":1}' },
      { Source: "s", DetailType: "x", Detail: '{"n":2}', EventBusName: "b2" },
      { Source: "s", DetailType: "x", Detail: '{"n":3}' },
    ] }));
    await emulator.settled();
    expect((await bodies(q.url)).sort()).toEqual([1, 2, 3]);
  });
});

describe("target input", () => {
  it("Input, InputPath and InputTransformer (JSON and string templates, aws.events variables)", async () => {
    const { events, emulator, queue, drain } = setup();
    const q = await queue("inputs");
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: "ec2", EventPattern: '{"source":["my.ec2"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "ec2", Targets: [
      { Id: "a-constant", Arn: q.arn, Input: '{"fixed": true}' },
      { Id: "b-path", Arn: q.arn, InputPath: "$.detail.instance" },
      { Id: "c-json", Arn: q.arn, InputTransformer: {
        InputPathsMap: { instance: "$.detail.instance", state: "$.detail.state", tags: "$.detail.tags", missing: "$.detail.none" },
        InputTemplate: '{"instance": <instance>, "state": <state>, "tags": <tags>, "none": <missing>, "msg": "<instance> is <state>", "rule": "<aws.events.rule-name>", "arn": <aws.events.rule-arn>, "at": "<aws.events.event.ingestion-time>"}',
      } },
      { Id: "d-string", Arn: q.arn, InputTransformer: { InputPathsMap: { instance: "$.detail.instance" }, InputTemplate: '"Instance <instance> changed"' } },
      { Id: "e-event", Arn: q.arn, InputTransformer: { InputTemplate: '{"whole": <aws.events.event.json>}' } },
    ] }));
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: "my.ec2", DetailType: "state", Detail: '{"instance": "i-1", "state": "running", "tags": ["a", "b"]}' }] }));
    await emulator.settled();
    const got = (await drain(q.url)).map((m) => m.Body!);
    expect(got).toHaveLength(5);
    expect(got).toContain('{"fixed": true}');
    expect(got).toContain('"i-1"');
    expect(got).toContain('"Instance i-1 changed"');
    const json = got.map((b) => JSON.parse(b)).find((b) => b && b.instance);
    expect(json).toEqual({ instance: "i-1", state: "running", tags: ["a", "b"], none: null, msg: "i-1 is running", rule: "ec2", arn: RuleArn, at: "2026-01-01T00:00:00Z" });
    const whole = got.map((b) => JSON.parse(b)).find((b) => b && b.whole);
    expect(whole.whole.id).toBe(put.Entries![0]!.EventId);
    expect(whole.whole.detail.state).toBe("running");
  });
});

describe("FIFO, dead-letter queues and targets whose service is missing", () => {
  it("FIFO queue targets get the MessageGroupId and the event id as deduplication id", async () => {
    const { events, emulator, queue, drain } = setup();
    const q = await queue("events.fifo", { FifoQueue: "true" });
    await events.send(new PutRuleCommand({ Name: "fifo", EventPattern: '{"source":["s"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "fifo", Targets: [{ Id: "q", Arn: q.arn, SqsParameters: { MessageGroupId: "group-1" } }] }));
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: "s", DetailType: "x", Detail: '{"n":1}' }, { Source: "s", DetailType: "x", Detail: '{"n":2}' }] }));
    await emulator.settled();
    const got = await drain(q.url);
    expect(got.map((m) => JSON.parse(m.Body!).detail.n)).toEqual([1, 2]);
    expect(got.map((m) => m.Attributes!.MessageGroupId)).toEqual(["group-1", "group-1"]);
    expect(got.map((m) => m.Attributes!.MessageDeduplicationId)).toEqual(put.Entries!.map((e) => e.EventId));
  });

  it("a target that cannot receive (missing queue; a service this emulator does not serve) goes to the DLQ with AWS's attributes, without retries", async () => {
    const { events, emulator, queue, drain } = setup({ services: ["events", "sqs"] });
    const dlq = await queue("dlq");
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: "r", EventPattern: '{"source":["s"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "r", Targets: [
      { Id: "gone", Arn: "arn:aws:sqs:us-east-1:000000000000:no-such-queue", DeadLetterConfig: { Arn: dlq.arn } },
      { Id: "fn", Arn: "arn:aws:lambda:us-east-1:000000000000:function:f", DeadLetterConfig: { Arn: dlq.arn }, RetryPolicy: { MaximumRetryAttempts: 3 } },
    ] }));
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: "s", DetailType: "x", Detail: "{}" }] }));
    await emulator.settled();
    const dead = await drain(dlq.url);
    expect(dead).toHaveLength(2);
    for (const m of dead) {
      expect(JSON.parse(m.Body!).id).toBe(put.Entries![0]!.EventId);
      expect(m.MessageAttributes!.RULE_ARN!.StringValue).toBe(RuleArn);
      expect(m.MessageAttributes!.RETRY_ATTEMPTS!.StringValue).toBe("0");
    }
    const byTarget = Object.fromEntries(dead.map((m) => [m.MessageAttributes!.TARGET_ARN!.StringValue, m.MessageAttributes!.ERROR_CODE!.StringValue]));
    expect(byTarget).toEqual({
      "arn:aws:sqs:us-east-1:000000000000:no-such-queue": "QueueDoesNotExist",
      "arn:aws:lambda:us-east-1:000000000000:function:f": "NotImplemented",
    });
    const view = await emulator.fetch(new Request("http://localhost/_fetchstack/services/events/invocations"));
    const records = await view.json() as any[];
    expect(records.map((r) => [r.targetId, r.status, r.attempts]).sort()).toEqual([["fn", "dead-lettered", 1], ["gone", "dead-lettered", 1]]);
  });
});

describe("bus to bus", () => {
  it("a rule on the default bus forwards to a custom bus whose rule delivers", async () => {
    const { events, emulator, queue, bodies } = setup();
    const q = await queue("forwarded");
    const { EventBusArn } = await events.send(new CreateEventBusCommand({ Name: "inner" }));
    await events.send(new PutRuleCommand({ Name: "fwd", EventPattern: '{"source":["s"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "fwd", Targets: [{ Id: "bus", Arn: EventBusArn }] }));
    await events.send(new PutRuleCommand({ Name: "in", EventPattern: '{"detail-type":["x"]}', EventBusName: "inner" }));
    await events.send(new PutTargetsCommand({ Rule: "in", EventBusName: "inner", Targets: [{ Id: "q", Arn: q.arn }] }));
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: "s", DetailType: "x", Detail: '{"k":"v"}' }] }));
    await emulator.settled();
    const got = await bodies(q.url);
    expect(got.map((e) => [e.id, e.detail])).toEqual([[put.Entries![0]!.EventId, { k: "v" }]]);
  });

  it("cross-account PutEvents needs the bus policy to allow the sender", async () => {
    const { events, emulator, queue, bodies, config } = setup({ accessKeyId: "111111111111" });
    const q = await queue("cross");
    await events.send(new PutRuleCommand({ Name: "r", EventPattern: '{"source":["partner.app"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "r", Targets: [{ Id: "q", Arn: q.arn }] }));
    const other = new EventBridgeClient(config("us-east-1", "222222222222"));
    const busArn = "arn:aws:events:us-east-1:111111111111:event-bus/default";
    const denied = await other.send(new PutEventsCommand({ Entries: [{ Source: "partner.app", DetailType: "x", Detail: "{}", EventBusName: busArn }] }));
    expect(denied.Entries![0]!.ErrorCode).toBe("AccessDeniedException");
    await events.send(new PutPermissionCommand({ Action: "events:PutEvents", Principal: "222222222222", StatementId: "other" }));
    const ok = await other.send(new PutEventsCommand({ Entries: [{ Source: "partner.app", DetailType: "x", Detail: '{"n":1}', EventBusName: busArn }] }));
    expect(ok.FailedEntryCount).toBe(0);
    await emulator.settled();
    const got = await bodies(q.url);
    expect(got.map((e) => [e.account, e.detail.n])).toEqual([["222222222222", 1]]);
  });
});

describe("TestEventPattern", () => {
  it("uses the rule matcher and AWS's errors", async () => {
    const { events } = setup();
    const event = JSON.stringify({ id: "1", account: "123456789012", source: "s", time: "2026-01-01T00:00:00Z", region: "us-east-1", resources: [], "detail-type": "t", detail: { n: 5 } });
    expect((await events.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"n":[{"numeric":[">",4]}]}}', Event: event }))).Result).toBe(true);
    expect((await events.send(new TestEventPatternCommand({ EventPattern: '{"detail":{"n":[{"numeric":[">",5]}]}}', Event: event }))).Result).toBe(false);
    const bad = await failure(events.send(new TestEventPatternCommand({ EventPattern: '{"detail":[]}', Event: event })));
    expect([bad.name, bad.message]).toEqual(["InvalidEventPatternException", 'Event pattern is not valid. Reason: Empty arrays are not allowed\n at [Source: (String)"{"detail":[]}"; line: 1, column: 13]']);
    const badEvent = await failure(events.send(new TestEventPatternCommand({ EventPattern: '{"source":["s"]}', Event: '{"source":"s"}' })));
    expect(badEvent.name).toBe("ValidationException");
  });
});
