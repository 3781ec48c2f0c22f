/**
 * Parameter policies on the clock (issue 18): Expiration deletes the parameter,
 * ExpirationNotification and NoChangeNotification notify, each as AWS's "Parameter Store Policy
 * Action" event on the default bus, read here through a rule → SQS queue after `clock.advance`;
 * timers are re-armed by a restarted emulator over the same store and catch up with the clock.
 */
import { describe, expect, it } from "vitest";
import * as S from "@aws-sdk/client-ssm";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createEmulator, type Emulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

const T0 = Date.UTC(2026, 2, 1, 0, 0);
const HOUR = 3_600_000;

interface PolicyEvent {
  "detail-type": string;
  source: string;
  resources: string[];
  time: string;
  detail: Record<string, string>;
}

async function setup(emulator: Emulator) {
  const sqs = new SQSClient(inProcess(emulator));
  const events = new EventBridgeClient(inProcess(emulator));
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "policy-actions" }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  await events.send(new PutRuleCommand({ Name: "policies", EventPattern: JSON.stringify({ source: ["aws.ssm"], "detail-type": ["Parameter Store Policy Action"] }) }));
  await events.send(new PutTargetsCommand({ Rule: "policies", Targets: [{ Id: "q", Arn: arn }] }));
  return queueUrl;
}

async function received(emulator: Emulator, queueUrl: string): Promise<PolicyEvent[]> {
  await emulator.settled();
  const sqs = new SQSClient(inProcess(emulator));
  const out: PolicyEvent[] = [];
  for (;;) {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    if (!got.Messages?.length) return out;
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: got.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    out.push(...got.Messages.map((m) => JSON.parse(m.Body!) as PolicyEvent));
  }
}

const policies = (expires: number, notifyDays: number, noChangeHours: number) => JSON.stringify([
  { Type: "Expiration", Version: "1.0", Attributes: { Timestamp: new Date(expires).toISOString() } },
  { Type: "ExpirationNotification", Version: "1.0", Attributes: { Before: String(notifyDays), Unit: "Days" } },
  { Type: "NoChangeNotification", Version: "1.0", Attributes: { After: String(noChangeHours), Unit: "Hours" } },
]);

describe("Parameter Store Policy Action events", () => {
  it("NoChangeNotification, ExpirationNotification, then Expiration deletes the parameter, as the clock moves", async () => {
    const clock = createManualClock(T0);
    const emulator = createEmulator({ store: createMemoryStore(), clock });
    const ssm = new S.SSMClient(inProcess(emulator));
    const queueUrl = await setup(emulator);
    await ssm.send(new S.PutParameterCommand({ Name: "/app/token", Value: "t1", Type: "SecureString", Tier: "Advanced", Policies: policies(T0 + 72 * HOUR, 1, 12) }));

    await clock.advance(11 * HOUR);
    expect(await received(emulator, queueUrl)).toEqual([]);
    await clock.advance(HOUR);
    const [noChange, ...rest] = await received(emulator, queueUrl);
    expect(rest).toEqual([]);
    expect(noChange).toMatchObject({
      "detail-type": "Parameter Store Policy Action", source: "aws.ssm", time: "2026-03-01T12:00:00Z",
      resources: ["arn:aws:ssm:us-east-1:000000000000:parameter/app/token"],
      detail: {
        "policy-type": "NoChangeNotification", "parameter-name": "/app/token", "parameter-type": "SecureString", "action-status": "Success",
        "action-reason": "The parameter has not been changed for 12 hours. This notification was generated based on the policy created at 2026-03-01T00:00:00.000Z.",
      },
    });
    expect(JSON.parse(noChange.detail["policy-content"])).toMatchObject({ Type: "NoChangeNotification", Attributes: { After: "12", Unit: "Hours" } });
    const described = await ssm.send(new S.DescribeParametersCommand({}));
    expect(Object.fromEntries(described.Parameters![0].Policies!.map((p) => [p.PolicyType, p.PolicyStatus]))).toEqual({
      Expiration: "Pending", ExpirationNotification: "Pending", NoChangeNotification: "Finished",
    });

    // A new version re-arms NoChangeNotification from its own write time; Expiration keeps its time.
    await ssm.send(new S.PutParameterCommand({ Name: "/app/token", Value: "t2", Overwrite: true }));
    await clock.advance(36 * HOUR); // T0 + 48h: 1 day before expiry, 36h after the update
    const middle = await received(emulator, queueUrl);
    expect(middle.map((e) => e.detail["policy-type"])).toEqual(["NoChangeNotification", "ExpirationNotification"]);
    expect(middle[1].time).toBe("2026-03-03T00:00:00Z");
    expect(middle[1].detail["action-reason"]).toMatch(/expires in 1 day\./);
    expect((await ssm.send(new S.GetParameterCommand({ Name: "/app/token", WithDecryption: true }))).Parameter!.Value).toBe("t2");

    await clock.advance(24 * HOUR);
    const last = await received(emulator, queueUrl);
    expect(last.map((e) => [e.detail["policy-type"], e.time])).toEqual([["Expiration", "2026-03-04T00:00:00Z"]]);
    expect(last[0].detail["action-reason"]).toMatch(/^The parameter has expired and was deleted\./);
    expect((await error(ssm.send(new S.GetParameterCommand({ Name: "/app/token" })))).name).toBe("ParameterNotFound");
    expect((await ssm.send(new S.DescribeParametersCommand({}))).Parameters).toEqual([]);
    // Nothing fires twice.
    await clock.advance(50 * HOUR);
    expect(await received(emulator, queueUrl)).toEqual([]);
  });

  it("a deleted or rewritten parameter's old timers do nothing", async () => {
    const clock = createManualClock(T0);
    const emulator = createEmulator({ store: createMemoryStore(), clock });
    const ssm = new S.SSMClient(inProcess(emulator));
    const queueUrl = await setup(emulator);
    await ssm.send(new S.PutParameterCommand({ Name: "/gone", Value: "x", Type: "String", Tier: "Advanced", Policies: policies(T0 + 30 * HOUR, 1, 1) }));
    await ssm.send(new S.DeleteParameterCommand({ Name: "/gone" }));
    await ssm.send(new S.PutParameterCommand({ Name: "/kept", Value: "x", Type: "String", Tier: "Advanced", Policies: policies(T0 + 50 * HOUR, 1, 2) }));
    await ssm.send(new S.PutParameterCommand({ Name: "/kept", Value: "y", Type: "String", Overwrite: true, Policies: JSON.stringify([{ Type: "NoChangeNotification", Version: "1.0", Attributes: { After: "1", Unit: "Hours" } }]) }));
    // (under SQS's 4-day retention)
    await clock.advance(60 * HOUR);
    const got = await received(emulator, queueUrl);
    expect(got.map((e) => `${e.detail["parameter-name"]} ${e.detail["policy-type"]}`)).toEqual(["/kept NoChangeNotification"]);
    expect(got[0].detail["action-reason"]).toMatch(/^The parameter has not been changed for 1 hour\./);
    expect((await ssm.send(new S.GetParameterCommand({ Name: "/kept" }))).Parameter!.Value).toBe("y");
  });

  it("a restarted emulator over the same store re-arms the timers at setup and catches up with the clock", async () => {
    const store = createMemoryStore();
    const first = createEmulator({ store, clock: createManualClock(T0) });
    const queueUrl = await setup(first);
    await new S.SSMClient(inProcess(first)).send(new S.PutParameterCommand({
      Name: "/short", Value: "x", Type: "String", Tier: "Advanced",
      Policies: JSON.stringify([{ Type: "Expiration", Version: "1.0", Attributes: { Timestamp: new Date(T0 + 2 * HOUR).toISOString() } }]),
    }));
    // The "restart": a new emulator over the same state, its clock already past the expiry; no SSM request.
    const clock = createManualClock(T0 + 5 * HOUR);
    const second = createEmulator({ store, clock });
    await clock.advance(1000);
    const got = await received(second, queueUrl);
    expect(got.map((e) => [e.detail["parameter-name"], e.detail["policy-type"]])).toEqual([["/short", "Expiration"]]);
    expect((await error(new S.SSMClient(inProcess(second)).send(new S.GetParameterCommand({ Name: "/short" })))).name).toBe("ParameterNotFound");
  });
});
