/**
 * Every EventBridge operation through boto3, in one script against the Node server on the real
 * clock: resources read back, events delivered to an SQS target and read back (also after a
 * replay and from a partner source), errors with AWS's codes. The script records each operation
 * botocore sends, and the test checks that list against the model. Skipped, with the reason
 * printed, only where python3 with boto3 is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boto3, python } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";
import model from "../../../models/events.json" with { type: "json" };

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const SCRIPT = String.raw`
import time, datetime
called = set()
session = boto3.session.Session(region_name="us-east-1")
session.events.register("before-call.*.*", lambda model, **kw: called.add(model.name))
events = session.client("events", endpoint_url=ENDPOINT)
sqs = session.client("sqs", endpoint_url=ENDPOINT)
out = {}
def err(fn, **kw):
    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        return [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
    return None
def receive(url, count):
    bodies = []
    for _ in range(10):
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=3600).get("Messages", [])
        bodies += [json.loads(m["Body"]) for m in got]
        if len(bodies) >= count:
            break
    return bodies

# Buses, permissions, tags.
bus = events.create_event_bus(Name="walk", Tags=[{"Key": "team", "Value": "a"}])["EventBusArn"]
out["dupBus"] = err(events.create_event_bus, Name="walk")
out["updated"] = {k: v for k, v in events.update_event_bus(Name="walk", Description="walk bus").items() if k in ("Arn", "Name", "Description")}
out["described"] = {k: v for k, v in events.describe_event_bus(Name="walk").items() if k in ("Arn", "Name", "Description")}
out["buses"] = [b["Name"] for b in events.list_event_buses(NamePrefix="wal")["EventBuses"]]
events.put_permission(EventBusName="walk", Action="events:PutEvents", Principal="111122223333", StatementId="acct")
out["policy"] = json.loads(events.describe_event_bus(Name="walk")["Policy"])["Statement"]
events.remove_permission(EventBusName="walk", StatementId="acct")
out["policyAfter"] = events.describe_event_bus(Name="walk").get("Policy")
events.tag_resource(ResourceARN=bus, Tags=[{"Key": "env", "Value": "test"}])
events.untag_resource(ResourceARN=bus, TagKeys=["team"])
out["tags"] = events.list_tags_for_resource(ResourceARN=bus)["Tags"]

# Rules, targets, PutEvents into SQS.
url = sqs.create_queue(QueueName="walk-boto3")["QueueUrl"]
qarn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
pattern = json.dumps({"source": ["walk.app"], "detail": {"n": [{"numeric": [">", 0]}]}})
out["ruleArn"] = events.put_rule(Name="to-queue", EventBusName="walk", EventPattern=pattern)["RuleArn"]
out["badPattern"] = err(events.put_rule, Name="bad", EventPattern='{"source": []}')
rule = events.describe_rule(Name="to-queue", EventBusName="walk")
out["rule"] = [rule["EventPattern"] == pattern, rule["State"], rule["EventBusName"]]
out["missingRule"] = err(events.describe_rule, Name="nope")
events.disable_rule(Name="to-queue", EventBusName="walk")
out["disabled"] = [[r["Name"], r["State"]] for r in events.list_rules(EventBusName="walk")["Rules"]]
events.enable_rule(Name="to-queue", EventBusName="walk")
out["putTargets"] = events.put_targets(Rule="to-queue", EventBusName="walk", Targets=[{"Id": "q", "Arn": qarn}])["FailedEntryCount"]
out["targets"] = events.list_targets_by_rule(Rule="to-queue", EventBusName="walk")["Targets"]
out["ruleNames"] = events.list_rule_names_by_target(TargetArn=qarn, EventBusName="walk")["RuleNames"]
put = events.put_events(Entries=[
    {"Source": "walk.app", "DetailType": "step", "Detail": '{"n": 1}', "EventBusName": "walk"},
    {"Source": "walk.app", "DetailType": "step", "Detail": '{"n": 0}', "EventBusName": "walk"},
    {"Source": "walk.app", "DetailType": "step", "Detail": "not json", "EventBusName": "walk"},
])
out["put"] = [put["FailedEntryCount"], put["Entries"][2].get("ErrorCode")]
got = receive(url, 1)
out["delivered"] = [[b["id"] == put["Entries"][0]["EventId"], b["source"], b["detail"]] for b in got]
event = json.dumps({"id": "1", "account": "000000000000", "source": "walk.app", "time": "2026-01-01T00:00:00Z", "region": "us-east-1", "resources": [], "detail-type": "step", "detail": {"n": 5}})
out["test"] = [events.test_event_pattern(EventPattern=pattern, Event=event)["Result"], events.test_event_pattern(EventPattern='{"source": [{"prefix": "x"}]}', Event=event)["Result"]]

# Archive and replay.
archive = events.create_archive(ArchiveName="walk-archive", EventSourceArn=bus, EventPattern='{"source": ["walk.app"]}', RetentionDays=1)["ArchiveArn"]
d = events.describe_archive(ArchiveName="walk-archive")
out["archive"] = [d["ArchiveArn"] == archive, d["EventSourceArn"] == bus, d["RetentionDays"], d["State"]]
out["archives"] = [a["ArchiveName"] for a in events.list_archives(EventSourceArn=bus)["Archives"]]
out["updateArchive"] = events.update_archive(ArchiveName="walk-archive", Description="kept")["State"]
start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=1)
archived = events.put_events(Entries=[{"Source": "walk.app", "DetailType": "archived", "Detail": '{"n": 2}', "EventBusName": "walk"}])["Entries"][0]["EventId"]
receive(url, 1)
time.sleep(1.1)
replay = events.start_replay(ReplayName="walk-replay", EventSourceArn=archive, Destination={"Arn": bus},
    EventStartTime=start, EventEndTime=datetime.datetime.now(datetime.timezone.utc))
out["replayArn"] = replay["ReplayArn"]
out["replayed"] = [[b["id"] == archived, b.get("replay-name"), b["detail"]] for b in receive(url, 1)]
out["replay"] = events.describe_replay(ReplayName="walk-replay")["State"]
out["replays"] = [r["ReplayName"] for r in events.list_replays(NamePrefix="walk")["Replays"]]
out["cancel"] = err(events.cancel_replay, ReplayName="walk-replay")
events.delete_archive(ArchiveName="walk-archive")
out["archiveGone"] = err(events.describe_archive, ArchiveName="walk-archive")

# Connections and API destinations.
auth = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "secret"}}
conn = events.create_connection(Name="walk-conn", AuthorizationType="API_KEY", AuthParameters=auth)
out["conn"] = conn["ConnectionState"]
dc = events.describe_connection(Name="walk-conn")
out["connDescribed"] = [dc["ConnectionArn"] == conn["ConnectionArn"], dc["AuthorizationType"], dc["AuthParameters"]["ApiKeyAuthParameters"]["ApiKeyName"]]
out["badConn"] = err(events.create_connection, Name="bad", AuthorizationType="BASIC", AuthParameters=auth)
events.update_connection(Name="walk-conn", Description="walk")
out["conns"] = [c["Name"] for c in events.list_connections(NamePrefix="walk")["Connections"]]
dest = events.create_api_destination(Name="walk-dest", ConnectionArn=conn["ConnectionArn"], InvocationEndpoint="https://example.com/hook", HttpMethod="POST")
out["dest"] = dest["ApiDestinationState"]
dd = events.describe_api_destination(Name="walk-dest")
out["destDescribed"] = [dd["InvocationEndpoint"], dd["HttpMethod"]]
events.update_api_destination(Name="walk-dest", HttpMethod="PUT")
out["dests"] = [[x["Name"], x["HttpMethod"]] for x in events.list_api_destinations(NamePrefix="walk")["ApiDestinations"]]
events.delete_api_destination(Name="walk-dest")
out["destGone"] = err(events.describe_api_destination, Name="walk-dest")
out["deauth"] = events.deauthorize_connection(Name="walk-conn")["ConnectionState"]
events.delete_connection(Name="walk-conn")
out["connGone"] = err(events.describe_connection, Name="walk-conn")

# Global endpoints.
buses = [{"EventBusArn": bus}, {"EventBusArn": "arn:aws:events:us-west-2:000000000000:event-bus/walk"}]
routing = {"FailoverConfig": {"Primary": {"HealthCheck": "arn:aws:route53:::healthcheck/abc"}, "Secondary": {"Route": "us-west-2"}}}
ep = events.create_endpoint(Name="walk-ep", RoutingConfig=routing, EventBuses=buses)
out["endpoint"] = [ep["Arn"], ep["State"]]
events.update_endpoint(Name="walk-ep", Description="walk", ReplicationConfig={"State": "DISABLED"})
de = events.describe_endpoint(Name="walk-ep")
out["endpointDescribed"] = [de["Description"], de["ReplicationConfig"]["State"]]
out["endpoints"] = [e["Name"] for e in events.list_endpoints(NamePrefix="walk")["Endpoints"]]
events.delete_endpoint(Name="walk-ep")
out["endpointGone"] = err(events.describe_endpoint, Name="walk-ep")

# Partner event sources and a partner bus.
source = "aws.partner/walk.example/orders"
out["sourceArn"] = events.create_partner_event_source(Name=source, Account="000000000000")["EventSourceArn"]
out["partnerSource"] = events.describe_partner_event_source(Name=source)["Name"]
out["partnerSources"] = [s["Name"] for s in events.list_partner_event_sources(NamePrefix="aws.partner/walk.example/")["PartnerEventSources"]]
out["sourceState"] = [events.describe_event_source(Name=source)["State"]]
out["sources"] = [s["Name"] for s in events.list_event_sources(NamePrefix="aws.partner/walk")["EventSources"]]
events.create_event_bus(Name=source, EventSourceName=source)
events.deactivate_event_source(Name=source)
out["sourceState"].append(events.describe_event_source(Name=source)["State"])
events.activate_event_source(Name=source)
out["accounts"] = [[a["Account"], a["State"]] for a in events.list_partner_event_source_accounts(EventSourceName=source)["PartnerEventSourceAccounts"]]
events.put_rule(Name="partner", EventBusName=source, EventPattern=json.dumps({"source": [source]}))
events.put_targets(Rule="partner", EventBusName=source, Targets=[{"Id": "q", "Arn": qarn}])
pp = events.put_partner_events(Entries=[{"Source": source, "DetailType": "Order", "Detail": '{"id": "o-1"}'}])
out["partnerDelivered"] = [[b["id"] == pp["Entries"][0]["EventId"], b["source"], b["detail"]] for b in receive(url, 1)]
events.delete_partner_event_source(Name=source, Account="000000000000")
out["sourceState"].append(events.describe_event_source(Name=source)["State"])

# Tear down.
out["removed"] = events.remove_targets(Rule="to-queue", EventBusName="walk", Ids=["q"])["FailedEntryCount"]
events.delete_rule(Name="to-queue", EventBusName="walk")
events.delete_event_bus(Name="walk")
out["busGone"] = err(events.describe_event_bus, Name="walk")
out["called"] = sorted(called)
print(json.dumps(out))
`;

if (!python.version) console.warn(`skipping boto3 EventBridge walkthrough: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed above.
describe.skipIf(!python.version)("boto3", () => {
  it("calls every EventBridge operation", async () => {
    const out = await boto3(server.url, SCRIPT);
    const bus = "arn:aws:events:us-east-1:000000000000:event-bus/walk";
    expect(out.dupBus).toEqual(["ResourceAlreadyExistsException", 400]);
    expect(out.updated).toEqual({ Arn: bus, Name: "walk", Description: "walk bus" });
    expect(out.described).toEqual({ Arn: bus, Name: "walk", Description: "walk bus" });
    expect(out.buses).toEqual(["walk"]);
    expect(out.policy).toEqual([{ Sid: "acct", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "events:PutEvents", Resource: bus }]);
    expect(out.policyAfter).toBeNull();
    expect(out.tags).toEqual([{ Key: "env", Value: "test" }]);
    expect(out.ruleArn).toBe("arn:aws:events:us-east-1:000000000000:rule/walk/to-queue");
    expect(out.badPattern).toEqual(["InvalidEventPatternException", 400]);
    expect(out.rule).toEqual([true, "ENABLED", "walk"]);
    expect(out.missingRule).toEqual(["ResourceNotFoundException", 400]);
    expect(out.disabled).toEqual([["to-queue", "DISABLED"]]);
    expect(out.putTargets).toBe(0);
    expect(out.targets).toEqual([{ Id: "q", Arn: "arn:aws:sqs:us-east-1:000000000000:walk-boto3" }]);
    expect(out.ruleNames).toEqual(["to-queue"]);
    expect(out.put).toEqual([1, "MalformedDetail"]);
    expect(out.delivered).toEqual([[true, "walk.app", { n: 1 }]]);
    expect(out.test).toEqual([true, false]);
    expect(out.archive).toEqual([true, true, 1, "ENABLED"]);
    expect(out.archives).toEqual(["walk-archive"]);
    expect(out.updateArchive).toBe("ENABLED");
    expect(out.replayArn).toBe("arn:aws:events:us-east-1:000000000000:replay/walk-replay");
    expect(out.replayed).toEqual([[true, "walk-replay", { n: 2 }]]);
    expect(out.replay).toBe("COMPLETED");
    expect(out.replays).toEqual(["walk-replay"]);
    expect(out.cancel).toEqual(["IllegalStatusException", 400]);
    expect(out.archiveGone).toEqual(["ResourceNotFoundException", 400]);
    expect(out.conn).toBe("AUTHORIZED");
    expect(out.connDescribed).toEqual([true, "API_KEY", "x-api-key"]);
    expect(out.badConn).toEqual(["ValidationException", 400]);
    expect(out.conns).toEqual(["walk-conn"]);
    expect(out.dest).toBe("ACTIVE");
    expect(out.destDescribed).toEqual(["https://example.com/hook", "POST"]);
    expect(out.dests).toEqual([["walk-dest", "PUT"]]);
    expect(out.destGone).toEqual(["ResourceNotFoundException", 400]);
    expect(out.deauth).toBe("DEAUTHORIZING");
    expect(out.connGone).toEqual(["ResourceNotFoundException", 400]);
    expect(out.endpoint).toEqual(["arn:aws:events:us-east-1:000000000000:endpoint/walk-ep", "ACTIVE"]);
    expect(out.endpointDescribed).toEqual(["walk", "DISABLED"]);
    expect(out.endpoints).toEqual(["walk-ep"]);
    expect(out.endpointGone).toEqual(["ResourceNotFoundException", 400]);
    const source = "aws.partner/walk.example/orders";
    expect(out.sourceArn).toBe(`arn:aws:events:us-east-1::event-source/${source}`);
    expect(out.partnerSource).toBe(source);
    expect(out.partnerSources).toEqual([source]);
    expect(out.sources).toEqual([source]);
    expect(out.sourceState).toEqual(["PENDING", "PENDING", "DELETED"]);
    expect(out.accounts).toEqual([["000000000000", "ACTIVE"]]);
    expect(out.partnerDelivered).toEqual([[true, source, { id: "o-1" }]]);
    expect(out.removed).toBe(0);
    expect(out.busGone).toEqual(["ResourceNotFoundException", 400]);
    const events = out.called.filter((op: string) => op in model.operations);
    expect(events).toEqual(Object.keys(model.operations).sort());
  }, 120_000);
});
