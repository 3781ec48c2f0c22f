/**
 * Parameter Store → EventBridge (issue 18): creations, updates, deletions and label changes reach
 * the default bus as AWS's "Parameter Store Change" events (source aws.ssm), matched by a rule and
 * delivered to an SQS target.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DeleteParameterCommand, DeleteParametersCommand, LabelParameterVersionCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { inProcess } from "../../helpers/clients.ts";

const emulator = createEmulator({ store: createMemoryStore() });
const ssm = new SSMClient(inProcess(emulator));
const events = new EventBridgeClient(inProcess(emulator));
const sqs = new SQSClient(inProcess(emulator));
let queueUrl: string;

async function received(): Promise<any[]> {
  await emulator.settled();
  const out: any[] = [];
  for (;;) {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    if (!got.Messages?.length) return out;
    out.push(...got.Messages.map((m) => JSON.parse(m.Body!)));
  }
}

beforeAll(async () => {
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "ssm-events" }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  await events.send(new PutRuleCommand({ Name: "params", EventPattern: JSON.stringify({ source: ["aws.ssm"], "detail-type": ["Parameter Store Change"], detail: { name: [{ prefix: "/app/" }] } }) }));
  await events.send(new PutTargetsCommand({ Rule: "params", Targets: [{ Id: "q", Arn: arn }] }));
});

describe("Parameter Store Change events on the default bus", () => {
  it("Create, Update, LabelParameterVersion and Delete, with AWS's detail", async () => {
    await ssm.send(new PutParameterCommand({ Name: "/app/db", Value: "a", Type: "String", Description: "db url" }));
    await ssm.send(new PutParameterCommand({ Name: "/app/db", Value: "b", Overwrite: true }));
    await ssm.send(new LabelParameterVersionCommand({ Name: "/app/db", Labels: ["prod"] }));
    await ssm.send(new PutParameterCommand({ Name: "/other/x", Value: "a", Type: "String" }));
    await ssm.send(new DeleteParameterCommand({ Name: "/app/db" }));
    const got = await received();
    expect(got.map((e) => e.detail.operation)).toEqual(["Create", "Update", "LabelParameterVersion", "Delete"]);
    expect(got[0]).toMatchObject({
      version: "0",
      "detail-type": "Parameter Store Change",
      source: "aws.ssm",
      account: "000000000000",
      region: "us-east-1",
      resources: ["arn:aws:ssm:us-east-1:000000000000:parameter/app/db"],
      detail: { operation: "Create", name: "/app/db", type: "String", description: "db url" },
    });
  });

  it("DeleteParameters sends one Delete per deleted parameter; a failed PutParameter sends nothing", async () => {
    await ssm.send(new PutParameterCommand({ Name: "/app/a", Value: "1", Type: "SecureString" }));
    await ssm.send(new PutParameterCommand({ Name: "/app/b", Value: "2", Type: "StringList" }));
    await expect(ssm.send(new PutParameterCommand({ Name: "/app/a", Value: "x" }))).rejects.toThrow();
    await ssm.send(new DeleteParametersCommand({ Names: ["/app/a", "/app/b", "/app/none"] }));
    const got = await received();
    expect(got.map((e) => `${e.detail.operation} ${e.detail.name} ${e.detail.type}`)).toEqual([
      "Create /app/a SecureString", "Create /app/b StringList", "Delete /app/a SecureString", "Delete /app/b StringList",
    ]);
  });
});
