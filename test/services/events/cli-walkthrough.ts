/**
 * A walkthrough of every EventBridge (57) and EventBridge Scheduler (12) operation through one
 * AWS CLI session (test/helpers/cli-session.ts), asserting what AWS answers: resources read
 * back, events delivered to an SQS target and read back, errors with AWS's codes. Where the
 * installed CLI has no command for an operation (v2.9 predates UpdateEventBus), the walkthrough
 * asserts that it has none, so a newer CLI fails here and gets covered.
 */
import { expect } from "vitest";
import type { CliSession } from "../../helpers/cli-session.ts";

/** The operations each walkthrough calls, by CLI command (checked against the models' lists). */
export const EVENTBRIDGE_COMMANDS = new Set<string>();
export const SCHEDULER_COMMANDS = new Set<string>();

/** Commands the installed CLI lacks, by version: asserted absent. */
const MISSING: Record<"v1" | "v2", Set<string>> = { v1: new Set(), v2: new Set(["update-event-bus"]) };

function tracked(cli: CliSession, seen: Set<string>, service: string) {
  const note = (args: string[]) => {
    if (process.env.WALK_DEBUG) console.log(new Date().toISOString(), cli.version, args.slice(0, 2).join(" "));
    if (args[0] === service) seen.add(args[1]!);
  };
  return {
    ok(args: string[]) {
      note(args);
      return cli.ok(args);
    },
    run(args: string[]) {
      note(args);
      return cli.run(args);
    },
    /** Asserts the call fails with AWS error `code`. */
    async fails(args: string[], code: string): Promise<string> {
      note(args);
      const result = await cli.run(args);
      expect(result.code, result.stderr).not.toBe(0);
      expect(result.errorCode, result.stderr).toBe(code);
      return result.stderr;
    },
    /** Asserts this CLI has no such command (a usage error naming the invalid choice). */
    async absent(args: string[]) {
      note(args);
      const result = await cli.run(args);
      expect(result.code).toBe(cli.version === "v1" ? 2 : 252);
      expect(result.stderr).toMatch(/Invalid choice/);
    },
  };
}

async function queue(cli: CliSession, name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await cli.ok(["sqs", "create-queue", "--queue-name", name]);
  const { Attributes } = await cli.ok(["sqs", "get-queue-attributes", "--queue-url", QueueUrl, "--attribute-names", "QueueArn"]);
  return { url: QueueUrl, arn: Attributes.QueueArn };
}

/** Receives at least `count` messages' bodies, parsed, within a few long polls (hidden for an hour, so read once). */
async function receive(cli: CliSession, url: string, count: number): Promise<any[]> {
  const bodies: any[] = [];
  for (let i = 0; i < 10 && bodies.length < count; i++) {
    const got = await cli.ok(["sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10", "--wait-time-seconds", "2", "--visibility-timeout", "3600"]);
    bodies.push(...(got?.Messages ?? []).map((m: { Body: string }) => JSON.parse(m.Body)));
  }
  return bodies;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** An operation's CLI command name (PutEvents → put-events). */
export const kebab = (op: string) => op.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

/** Part one: buses, permissions, tags, rules, targets, PutEvents into SQS, patterns, archives and replays. */
export async function walkEventBridgeCore(cli: CliSession): Promise<void> {
  const aws = tracked(cli, EVENTBRIDGE_COMMANDS, "events");
  const ev = (...args: string[]) => ["events", ...args];

  // Buses, permissions, tags.
  const { EventBusArn: bus } = await aws.ok(ev("create-event-bus", "--name", "walk", "--tags", "Key=team,Value=a"));
  expect(bus).toBe("arn:aws:events:us-east-1:000000000000:event-bus/walk");
  await aws.fails(ev("create-event-bus", "--name", "walk"), "ResourceAlreadyExistsException");
  if (MISSING[cli.version].has("update-event-bus")) await aws.absent(ev("update-event-bus", "--name", "walk", "--description", "d"));
  else expect(await aws.ok(ev("update-event-bus", "--name", "walk", "--description", "walk bus"))).toMatchObject({ Arn: bus, Name: "walk", Description: "walk bus" });
  expect(await aws.ok(ev("describe-event-bus", "--name", "walk"))).toMatchObject({ Arn: bus, Name: "walk" });
  expect((await aws.ok(ev("list-event-buses", "--name-prefix", "wal"))).EventBuses.map((b: { Name: string }) => b.Name)).toEqual(["walk"]);
  await aws.ok(ev("put-permission", "--event-bus-name", "walk", "--action", "events:PutEvents", "--principal", "111122223333", "--statement-id", "acct"));
  const policy = JSON.parse((await aws.ok(ev("describe-event-bus", "--name", "walk"))).Policy);
  expect(policy.Statement).toEqual([{ Sid: "acct", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "events:PutEvents", Resource: bus }]);
  await aws.ok(ev("remove-permission", "--event-bus-name", "walk", "--statement-id", "acct"));
  expect((await aws.ok(ev("describe-event-bus", "--name", "walk"))).Policy).toBeUndefined();
  await aws.fails(ev("remove-permission", "--event-bus-name", "walk", "--statement-id", "acct"), "ResourceNotFoundException");
  await aws.ok(ev("tag-resource", "--resource-arn", bus, "--tags", "Key=env,Value=test"));
  await aws.ok(ev("untag-resource", "--resource-arn", bus, "--tag-keys", "team"));
  expect((await aws.ok(ev("list-tags-for-resource", "--resource-arn", bus))).Tags).toEqual([{ Key: "env", Value: "test" }]);

  // Rules and targets: an event put on the bus reaches the SQS target.
  const q = await queue(cli, `walk-${cli.version}`);
  const pattern = JSON.stringify({ source: ["walk.app"], detail: { n: [{ numeric: [">", 0] }] } });
  const { RuleArn } = await aws.ok(ev("put-rule", "--name", "to-queue", "--event-bus-name", "walk", "--event-pattern", pattern, "--description", "walk"));
  expect(RuleArn).toBe("arn:aws:events:us-east-1:000000000000:rule/walk/to-queue");
  await aws.fails(ev("put-rule", "--name", "bad", "--event-pattern", '{"source": []}'), "InvalidEventPatternException");
  expect(await aws.ok(ev("describe-rule", "--name", "to-queue", "--event-bus-name", "walk"))).toMatchObject({ Name: "to-queue", Arn: RuleArn, EventPattern: pattern, State: "ENABLED", EventBusName: "walk" });
  await aws.fails(ev("describe-rule", "--name", "nope"), "ResourceNotFoundException");
  await aws.ok(ev("disable-rule", "--name", "to-queue", "--event-bus-name", "walk"));
  expect((await aws.ok(ev("list-rules", "--event-bus-name", "walk"))).Rules.map((r: { Name: string; State: string }) => [r.Name, r.State])).toEqual([["to-queue", "DISABLED"]]);
  await aws.ok(ev("enable-rule", "--name", "to-queue", "--event-bus-name", "walk"));
  const targets = JSON.stringify([{ Id: "q", Arn: q.arn }]);
  expect(await aws.ok(ev("put-targets", "--rule", "to-queue", "--event-bus-name", "walk", "--targets", targets))).toMatchObject({ FailedEntryCount: 0 });
  expect((await aws.ok(ev("list-targets-by-rule", "--rule", "to-queue", "--event-bus-name", "walk"))).Targets).toEqual([{ Id: "q", Arn: q.arn }]);
  expect((await aws.ok(ev("list-rule-names-by-target", "--target-arn", q.arn, "--event-bus-name", "walk"))).RuleNames).toEqual(["to-queue"]);
  const entries = JSON.stringify([
    { Source: "walk.app", DetailType: "step", Detail: '{"n": 1}', EventBusName: "walk" },
    { Source: "walk.app", DetailType: "step", Detail: '{"n": 0}', EventBusName: "walk" },
    { Source: "walk.app", DetailType: "step", Detail: "not json", EventBusName: "walk" },
  ]);
  const put = await aws.ok(ev("put-events", "--entries", entries));
  expect(put.FailedEntryCount).toBe(1);
  expect(put.Entries[2]).toMatchObject({ ErrorCode: "MalformedDetail" });
  const delivered = await receive(cli, q.url, 1);
  expect(delivered).toEqual([expect.objectContaining({ id: put.Entries[0].EventId, source: "walk.app", "detail-type": "step", account: "000000000000", detail: { n: 1 } })]);
  const event = JSON.stringify({ id: "1", account: "000000000000", source: "walk.app", time: "2026-01-01T00:00:00Z", region: "us-east-1", resources: [], "detail-type": "step", detail: { n: 5 } });
  expect((await aws.ok(ev("test-event-pattern", "--event-pattern", pattern, "--event", event))).Result).toBe(true);
  expect((await aws.ok(ev("test-event-pattern", "--event-pattern", '{"source": [{"prefix": "other"}]}', "--event", event))).Result).toBe(false);

  // Archives and replays: an archived event is re-sent with replay-name.
  const { ArchiveArn } = await aws.ok(ev("create-archive", "--archive-name", "walk-archive", "--event-source-arn", bus, "--event-pattern", '{"source": ["walk.app"]}', "--retention-days", "1"));
  expect(await aws.ok(ev("describe-archive", "--archive-name", "walk-archive"))).toMatchObject({ ArchiveArn, EventSourceArn: bus, RetentionDays: 1, State: "ENABLED" });
  expect((await aws.ok(ev("list-archives", "--event-source-arn", bus))).Archives.map((a: { ArchiveName: string }) => a.ArchiveName)).toEqual(["walk-archive"]);
  expect(await aws.ok(ev("update-archive", "--archive-name", "walk-archive", "--description", "kept"))).toMatchObject({ ArchiveArn, State: "ENABLED" });
  const before = Date.now() - 1000;
  const archived = await aws.ok(ev("put-events", "--entries", JSON.stringify([{ Source: "walk.app", DetailType: "archived", Detail: '{"n": 2}', EventBusName: "walk" }])));
  expect(await receive(cli, q.url, 1)).toHaveLength(1);
  await new Promise((r) => setTimeout(r, 1100)); // EventEndTime must lie in the past
  const replay = await aws.ok(ev("start-replay", "--replay-name", "walk-replay", "--event-source-arn", ArchiveArn, "--destination", JSON.stringify({ Arn: bus }),
    "--event-start-time", iso(before), "--event-end-time", iso(Date.now())));
  expect(replay.ReplayArn).toBe("arn:aws:events:us-east-1:000000000000:replay/walk-replay");
  const replayed = await receive(cli, q.url, 1);
  expect(replayed).toEqual([expect.objectContaining({ id: archived.Entries[0].EventId, "replay-name": "walk-replay", detail: { n: 2 } })]);
  expect(await aws.ok(ev("describe-replay", "--replay-name", "walk-replay"))).toMatchObject({ ReplayName: "walk-replay", EventSourceArn: ArchiveArn, State: "COMPLETED" });
  expect((await aws.ok(ev("list-replays", "--name-prefix", "walk"))).Replays.map((r: { ReplayName: string }) => r.ReplayName)).toEqual(["walk-replay"]);
  await aws.fails(ev("cancel-replay", "--replay-name", "walk-replay"), "IllegalStatusException");
  await aws.ok(ev("delete-archive", "--archive-name", "walk-archive"));
  await aws.fails(ev("describe-archive", "--archive-name", "walk-archive"), "ResourceNotFoundException");

  // Tear down.
  expect(await aws.ok(ev("remove-targets", "--rule", "to-queue", "--event-bus-name", "walk", "--ids", "q"))).toMatchObject({ FailedEntryCount: 0 });
  await aws.ok(ev("delete-rule", "--name", "to-queue", "--event-bus-name", "walk"));
  await aws.ok(ev("delete-event-bus", "--name", "walk"));
  await aws.fails(ev("describe-event-bus", "--name", "walk"), "ResourceNotFoundException");
}

/** Part two: connections, API destinations, global endpoints, partner event sources and a partner bus. */
export async function walkEventBridgeIntegrations(cli: CliSession): Promise<void> {
  const aws = tracked(cli, EVENTBRIDGE_COMMANDS, "events");
  const ev = (...args: string[]) => ["events", ...args];
  const bus = "arn:aws:events:us-east-1:000000000000:event-bus/default";
  const q = await queue(cli, `walk-partner-${cli.version}`);
  const targets = JSON.stringify([{ Id: "q", Arn: q.arn }]);

  // Connections and API destinations.
  const auth = JSON.stringify({ ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: "secret" } });
  const connection = await aws.ok(ev("create-connection", "--name", "walk-conn", "--authorization-type", "API_KEY", "--auth-parameters", auth));
  expect(connection.ConnectionState).toBe("AUTHORIZED");
  expect(await aws.ok(ev("describe-connection", "--name", "walk-conn"))).toMatchObject({
    ConnectionArn: connection.ConnectionArn, AuthorizationType: "API_KEY", AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key" } },
  });
  await aws.fails(ev("create-connection", "--name", "bad-conn", "--authorization-type", "BASIC", "--auth-parameters", auth), "ValidationException");
  await aws.ok(ev("update-connection", "--name", "walk-conn", "--description", "walk"));
  expect((await aws.ok(ev("list-connections", "--name-prefix", "walk"))).Connections.map((c: { Name: string }) => c.Name)).toEqual(["walk-conn"]);
  // As JSON input: CLI v1 would fetch an https:// parameter value as a URL (cli_follow_urlparam).
  const destination = await aws.ok(ev("create-api-destination", "--cli-input-json", JSON.stringify({
    Name: "walk-dest", ConnectionArn: connection.ConnectionArn, InvocationEndpoint: "https://example.com/hook", HttpMethod: "POST", InvocationRateLimitPerSecond: 10,
  })));
  expect(destination.ApiDestinationState).toBe("ACTIVE");
  expect(await aws.ok(ev("describe-api-destination", "--name", "walk-dest"))).toMatchObject({ ConnectionArn: connection.ConnectionArn, InvocationEndpoint: "https://example.com/hook", HttpMethod: "POST" });
  await aws.ok(ev("update-api-destination", "--name", "walk-dest", "--http-method", "PUT"));
  expect((await aws.ok(ev("list-api-destinations", "--name-prefix", "walk"))).ApiDestinations.map((d: { Name: string; HttpMethod: string }) => [d.Name, d.HttpMethod])).toEqual([["walk-dest", "PUT"]]);
  await aws.ok(ev("delete-api-destination", "--name", "walk-dest"));
  await aws.fails(ev("describe-api-destination", "--name", "walk-dest"), "ResourceNotFoundException");
  expect((await aws.ok(ev("deauthorize-connection", "--name", "walk-conn"))).ConnectionState).toBe("DEAUTHORIZING");
  await aws.ok(ev("delete-connection", "--name", "walk-conn"));
  await aws.fails(ev("describe-connection", "--name", "walk-conn"), "ResourceNotFoundException");

  // Global endpoints (state).
  const buses = JSON.stringify([{ EventBusArn: bus }, { EventBusArn: "arn:aws:events:us-west-2:000000000000:event-bus/walk" }]);
  const routing = JSON.stringify({ FailoverConfig: { Primary: { HealthCheck: "arn:aws:route53:::healthcheck/abc" }, Secondary: { Route: "us-west-2" } } });
  const endpoint = await aws.ok(ev("create-endpoint", "--name", "walk-ep", "--routing-config", routing, "--event-buses", buses));
  expect([endpoint.Arn, endpoint.State]).toEqual(["arn:aws:events:us-east-1:000000000000:endpoint/walk-ep", "ACTIVE"]);
  await aws.ok(ev("update-endpoint", "--name", "walk-ep", "--description", "walk", "--replication-config", "State=DISABLED"));
  expect(await aws.ok(ev("describe-endpoint", "--name", "walk-ep"))).toMatchObject({ Description: "walk", ReplicationConfig: { State: "DISABLED" } });
  expect((await aws.ok(ev("list-endpoints", "--name-prefix", "walk"))).Endpoints.map((e: { Name: string }) => e.Name)).toEqual(["walk-ep"]);
  await aws.ok(ev("delete-endpoint", "--name", "walk-ep"));
  await aws.fails(ev("describe-endpoint", "--name", "walk-ep"), "ResourceNotFoundException");

  // Partner event sources (this account as partner and customer) and a partner bus.
  const source = "aws.partner/walk.example/orders";
  const { EventSourceArn } = await aws.ok(ev("create-partner-event-source", "--name", source, "--account", "000000000000"));
  expect(EventSourceArn).toBe(`arn:aws:events:us-east-1::event-source/${source}`);
  expect(await aws.ok(ev("describe-partner-event-source", "--name", source))).toMatchObject({ Arn: EventSourceArn, Name: source });
  expect((await aws.ok(ev("list-partner-event-sources", "--name-prefix", "aws.partner/walk.example/"))).PartnerEventSources.map((s: { Name: string }) => s.Name)).toEqual([source]);
  expect((await aws.ok(ev("describe-event-source", "--name", source))).State).toBe("PENDING");
  expect((await aws.ok(ev("list-event-sources", "--name-prefix", "aws.partner/walk"))).EventSources.map((s: { Name: string }) => s.Name)).toEqual([source]);
  await aws.ok(ev("create-event-bus", "--name", source, "--event-source-name", source));
  await aws.ok(ev("deactivate-event-source", "--name", source));
  expect((await aws.ok(ev("describe-event-source", "--name", source))).State).toBe("PENDING");
  await aws.ok(ev("activate-event-source", "--name", source));
  expect((await aws.ok(ev("list-partner-event-source-accounts", "--event-source-name", source))).PartnerEventSourceAccounts.map((a: { Account: string; State: string }) => [a.Account, a.State]))
    .toEqual([["000000000000", "ACTIVE"]]);
  await aws.ok(ev("put-rule", "--name", "partner", "--event-bus-name", source, "--event-pattern", JSON.stringify({ source: [source] })));
  await aws.ok(ev("put-targets", "--rule", "partner", "--event-bus-name", source, "--targets", targets));
  const partnerPut = await aws.ok(ev("put-partner-events", "--entries", JSON.stringify([{ Source: source, DetailType: "Order", Detail: '{"id": "o-1"}' }])));
  expect(partnerPut.FailedEntryCount).toBe(0);
  expect(await receive(cli, q.url, 1)).toEqual([expect.objectContaining({ id: partnerPut.Entries[0].EventId, source, detail: { id: "o-1" } })]);
  await aws.ok(ev("delete-partner-event-source", "--name", source, "--account", "000000000000"));
  expect((await aws.ok(ev("describe-event-source", "--name", source))).State).toBe("DELETED");

  await aws.ok(ev("delete-event-bus", "--name", source));
}

/** `tag` keeps names apart when both CLIs walk one server. */
export async function walkScheduler(cli: CliSession, tag: string): Promise<void> {
  const aws = tracked(cli, SCHEDULER_COMMANDS, "scheduler");
  const sc = (...args: string[]) => ["scheduler", ...args];
  const q = await queue(cli, `walk-schedules-${cli.version}`);
  const role = "arn:aws:iam::000000000000:role/scheduler";
  const groupName = `walk-${tag}`;

  const { ScheduleGroupArn: group } = await aws.ok(sc("create-schedule-group", "--name", groupName, "--tags", "Key=team,Value=a"));
  expect(group).toBe(`arn:aws:scheduler:us-east-1:000000000000:schedule-group/${groupName}`);
  await aws.fails(sc("create-schedule-group", "--name", groupName), "ConflictException");
  expect(await aws.ok(sc("get-schedule-group", "--name", groupName))).toMatchObject({ Arn: group, Name: groupName, State: "ACTIVE" });
  expect((await aws.ok(sc("list-schedule-groups", "--name-prefix", groupName))).ScheduleGroups.map((g: { Name: string }) => g.Name)).toEqual([groupName]);
  await aws.ok(sc("tag-resource", "--resource-arn", group, "--tags", "Key=env,Value=test"));
  await aws.ok(sc("untag-resource", "--resource-arn", group, "--tag-keys", "team"));
  expect((await aws.ok(sc("list-tags-for-resource", "--resource-arn", group))).Tags).toEqual([{ Key: "env", Value: "test" }]);

  // A rate schedule without a start date fires at once: its input reaches the queue.
  const target = JSON.stringify({ Arn: q.arn, RoleArn: role, Input: '{"hello": "scheduler"}' });
  const { ScheduleArn } = await aws.ok(sc("create-schedule", "--name", "tick", "--group-name", groupName, "--schedule-expression", "rate(1 day)",
    "--flexible-time-window", "Mode=OFF", "--target", target));
  expect(ScheduleArn).toBe(`arn:aws:scheduler:us-east-1:000000000000:schedule/${groupName}/tick`);
  expect(await receive(cli, q.url, 1)).toEqual([{ hello: "scheduler" }]);
  await aws.fails(sc("create-schedule", "--name", "bad", "--schedule-expression", "every day", "--flexible-time-window", "Mode=OFF", "--target", target), "ValidationException");
  expect(await aws.ok(sc("get-schedule", "--name", "tick", "--group-name", groupName))).toMatchObject({
    Arn: ScheduleArn, GroupName: groupName, ScheduleExpression: "rate(1 day)", State: "ENABLED", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: q.arn, RoleArn: role },
  });
  await aws.ok(sc("update-schedule", "--name", "tick", "--group-name", groupName, "--schedule-expression", "cron(0 12 * * ? *)", "--schedule-expression-timezone", "Europe/Paris",
    "--flexible-time-window", "Mode=FLEXIBLE,MaximumWindowInMinutes=15", "--target", target, "--state", "DISABLED"));
  expect(await aws.ok(sc("get-schedule", "--name", "tick", "--group-name", groupName))).toMatchObject({
    ScheduleExpression: "cron(0 12 * * ? *)", ScheduleExpressionTimezone: "Europe/Paris", State: "DISABLED", FlexibleTimeWindow: { Mode: "FLEXIBLE", MaximumWindowInMinutes: 15 },
  });
  expect((await aws.ok(sc("list-schedules", "--group-name", groupName))).Schedules.map((s: { Name: string; State: string }) => [s.Name, s.State])).toEqual([["tick", "DISABLED"]]);
  await aws.ok(sc("delete-schedule", "--name", "tick", "--group-name", groupName));
  await aws.fails(sc("get-schedule", "--name", "tick", "--group-name", groupName), "ResourceNotFoundException");
  await aws.ok(sc("delete-schedule-group", "--name", groupName));
  await aws.fails(sc("get-schedule-group", "--name", groupName), "ResourceNotFoundException");
  await aws.fails(sc("delete-schedule-group", "--name", "default"), "ValidationException");
}

/** The EventBridge operations part two calls; part one calls every other one. */
export const INTEGRATION_OPERATIONS = [
  "ActivateEventSource", "CreateApiDestination", "CreateConnection", "CreateEndpoint", "CreatePartnerEventSource", "DeactivateEventSource",
  "DeauthorizeConnection", "DeleteApiDestination", "DeleteConnection", "DeleteEndpoint", "DeletePartnerEventSource", "DescribeApiDestination",
  "DescribeConnection", "DescribeEndpoint", "DescribeEventSource", "DescribePartnerEventSource", "ListApiDestinations", "ListConnections",
  "ListEndpoints", "ListEventSources", "ListPartnerEventSourceAccounts", "ListPartnerEventSources", "PutPartnerEvents", "UpdateApiDestination",
  "UpdateConnection", "UpdateEndpoint",
];
