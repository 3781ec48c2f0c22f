/**
 * Partner event sources (partner and customer accounts), global endpoints as state, and
 * bus-to-bus delivery across regions.
 */
import { describe, expect, it } from "vitest";
import {
  ActivateEventSourceCommand, CreateEndpointCommand, CreateEventBusCommand, CreatePartnerEventSourceCommand, DeactivateEventSourceCommand,
  DeleteEndpointCommand, DeletePartnerEventSourceCommand, DescribeEndpointCommand, DescribeEventSourceCommand, DescribePartnerEventSourceCommand,
  EventBridgeClient, ListEndpointsCommand, ListEventSourcesCommand, ListPartnerEventSourceAccountsCommand, ListPartnerEventSourcesCommand,
  PutEventsCommand, PutPartnerEventsCommand, PutPermissionCommand, PutRuleCommand, PutTargetsCommand, UpdateEndpointCommand,
} from "@aws-sdk/client-eventbridge";
import { failure, setup } from "./helpers.ts";

describe("partner event sources", () => {
  it("a partner creates a source in a customer account; the customer's partner bus receives PutPartnerEvents", async () => {
    const customer = setup({ accessKeyId: "111111111111" });
    const partner = new EventBridgeClient(customer.config("us-east-1", "999999999999"));
    const name = "aws.partner/example.com/orders";
    const bad = await failure(partner.send(new CreatePartnerEventSourceCommand({ Name: "example/orders", Account: "111111111111" })));
    expect(bad.name).toBe("ValidationException");
    const { EventSourceArn } = await partner.send(new CreatePartnerEventSourceCommand({ Name: name, Account: "111111111111" }));
    expect(EventSourceArn).toBe(`arn:aws:events:us-east-1::event-source/${name}`);
    expect(await partner.send(new DescribePartnerEventSourceCommand({ Name: name }))).toMatchObject({ Arn: EventSourceArn, Name: name });
    expect((await partner.send(new ListPartnerEventSourcesCommand({ NamePrefix: "aws.partner/example.com/" }))).PartnerEventSources!.map((s) => s.Name)).toEqual([name]);

    const { events, emulator, queue, bodies } = customer;
    const source = await events.send(new DescribeEventSourceCommand({ Name: name }));
    expect([source.State, source.CreatedBy]).toEqual(["PENDING", "999999999999"]);
    expect((await events.send(new ListEventSourcesCommand({ NamePrefix: "aws.partner/" }))).EventSources!.map((s) => s.Name)).toEqual([name]);
    const noSource = await failure(events.send(new CreateEventBusCommand({ Name: "aws.partner/other/x", EventSourceName: "aws.partner/other/x" })));
    expect(noSource.name).toBe("ResourceNotFoundException");
    await events.send(new CreateEventBusCommand({ Name: name, EventSourceName: name }));
    expect((await events.send(new DescribeEventSourceCommand({ Name: name }))).State).toBe("ACTIVE");
    await events.send(new DeactivateEventSourceCommand({ Name: name }));
    expect((await events.send(new DescribeEventSourceCommand({ Name: name }))).State).toBe("PENDING");
    await events.send(new ActivateEventSourceCommand({ Name: name }));

    const q = await queue("partner-events");
    await events.send(new PutRuleCommand({ Name: "orders", EventBusName: name, EventPattern: JSON.stringify({ source: [name] }) }));
    await events.send(new PutTargetsCommand({ Rule: "orders", EventBusName: name, Targets: [{ Id: "q", Arn: q.arn }] }));
    const put = await partner.send(new PutPartnerEventsCommand({ Entries: [
      { Source: name, DetailType: "Order", Detail: '{"id":"o-1"}' },
      { Source: "aws.partner/example.com/unknown", DetailType: "Order", Detail: "{}" },
    ] }));
    expect(put.FailedEntryCount).toBe(1);
    expect(put.Entries![1]!.ErrorCode).toBe("InvalidArgument");
    await emulator.settled();
    const got = await bodies(q.url);
    expect(got.map((e) => [e.id, e.source, e.account, e.detail])).toEqual([[put.Entries![0]!.EventId, name, "111111111111", { id: "o-1" }]]);

    const accounts = await partner.send(new ListPartnerEventSourceAccountsCommand({ EventSourceName: name }));
    expect(accounts.PartnerEventSourceAccounts!.map((a) => [a.Account, a.State])).toEqual([["111111111111", "ACTIVE"]]);
    await partner.send(new DeletePartnerEventSourceCommand({ Name: name, Account: "111111111111" }));
    expect((await events.send(new DescribeEventSourceCommand({ Name: name }))).State).toBe("DELETED");
  });
});

describe("global endpoints", () => {
  it("CreateEndpoint/Describe/Update/List/Delete as state, with AWS's checks", async () => {
    const { events } = setup();
    const buses = [{ EventBusArn: "arn:aws:events:us-east-1:000000000000:event-bus/b" }, { EventBusArn: "arn:aws:events:us-west-2:000000000000:event-bus/b" }];
    const routing = { FailoverConfig: { Primary: { HealthCheck: "arn:aws:route53:::healthcheck/abc" }, Secondary: { Route: "us-west-2" } } };
    const sameRegion = await failure(events.send(new CreateEndpointCommand({ Name: "e", RoutingConfig: routing, EventBuses: [buses[0]!, buses[0]!] })));
    expect(sameRegion.name).toBe("ValidationException");
    const created = await events.send(new CreateEndpointCommand({ Name: "e", RoutingConfig: routing, EventBuses: buses }));
    expect([created.Arn, created.State]).toEqual(["arn:aws:events:us-east-1:000000000000:endpoint/e", "ACTIVE"]);
    const described = await events.send(new DescribeEndpointCommand({ Name: "e" }));
    expect(described.EndpointUrl).toBe(`https://${described.EndpointId}.endpoint.events.amazonaws.com`);
    expect(described.ReplicationConfig).toEqual({ State: "ENABLED" });
    await events.send(new UpdateEndpointCommand({ Name: "e", Description: "d", ReplicationConfig: { State: "DISABLED" } }));
    expect((await events.send(new DescribeEndpointCommand({ Name: "e" })))).toMatchObject({ Description: "d", ReplicationConfig: { State: "DISABLED" } });
    expect((await events.send(new ListEndpointsCommand({}))).Endpoints!.map((e) => e.Name)).toEqual(["e"]);
    const dup = await failure(events.send(new CreateEndpointCommand({ Name: "e", RoutingConfig: routing, EventBuses: buses })));
    expect(dup.name).toBe("ResourceAlreadyExistsException");
    await events.send(new DeleteEndpointCommand({ Name: "e" }));
    expect((await failure(events.send(new DescribeEndpointCommand({ Name: "e" })))).name).toBe("ResourceNotFoundException");
  });
});

describe("bus to bus across regions", () => {
  it("us-east-1 → a bus in eu-west-1 (its rules, its store) → back to a us-east-1 bus whose rule delivers", async () => {
    const { events, emulator, config, queue, bodies } = setup();
    const eu = new EventBridgeClient(config("eu-west-1"));
    const q = await queue("round-trip");
    const { EventBusArn: euBus } = await eu.send(new CreateEventBusCommand({ Name: "eu-bus" }));
    const { EventBusArn: backBus } = await events.send(new CreateEventBusCommand({ Name: "back" }));
    await eu.send(new PutRuleCommand({ Name: "eu-rule", EventBusName: "eu-bus", EventPattern: '{"source":["x"]}' }));
    await eu.send(new PutTargetsCommand({ Rule: "eu-rule", EventBusName: "eu-bus", Targets: [{ Id: "back", Arn: backBus }] }));
    await events.send(new PutRuleCommand({ Name: "back-rule", EventBusName: "back", EventPattern: '{"source":["x"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "back-rule", EventBusName: "back", Targets: [{ Id: "q", Arn: q.arn }] }));
    await events.send(new PutRuleCommand({ Name: "fwd", EventPattern: '{"source":["x"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "fwd", Targets: [{ Id: "eu", Arn: euBus }] }));
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: "x", DetailType: "t", Detail: "{}" }] }));
    await emulator.settled();
    expect((await bodies(q.url)).map((e) => [e.id, e.region])).toEqual([[put.Entries![0]!.EventId, "us-east-1"]]);
    const euRecords = await (await emulator.fetch(new Request("http://localhost/_fetchstack/services/events/invocations?region=eu-west-1"))).json() as any[];
    expect(euRecords.map((r) => [r.ruleArn, r.status])).toEqual([["arn:aws:events:eu-west-1:000000000000:rule/eu-bus/eu-rule", "delivered"]]);
    void PutPermissionCommand;
  });
});
