/**
 * The worker with Durable Object state, in Miniflare (workerd): two requests racing on one SQS
 * queue never get one message twice, and state survives a Miniflare restart with persistence on.
 */
import { afterAll, describe, expect, it } from "vitest";
import { Miniflare } from "miniflare";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const persist = mkdtempSync(join(tmpdir(), "fetchstack-mf-"));
afterAll(() => rmSync(persist, { recursive: true, force: true }));

async function startWorker(): Promise<{ mf: Miniflare; endpoint: string }> {
  execFileSync("node", ["scripts/build.mjs"]);
  const mf = new Miniflare({
    modules: true,
    scriptPath: "dist/worker.js",
    compatibilityDate: "2025-09-01",
    durableObjects: { STATE: { className: "FetchstackStateObject", useSQLite: true } },
    durableObjectsPersist: persist,
  });
  return { mf, endpoint: (await mf.ready).origin };
}

describe("worker with Durable Object state (Miniflare)", () => {
  let saved: { accessKeyId: string; secretAccessKey: string; sessionToken: string } | undefined;
  let queueUrl: string | undefined;
  let sent = 0;

  it("never delivers one message twice to two racing receivers", async () => {
    const { mf, endpoint } = await startWorker();
    try {
      const sqs = new SQSClient({ region: "us-east-1", endpoint, credentials });
      queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "race" }))).QueueUrl!;
      for (let batch = 0; batch < 4; batch++) {
        const entries = Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body ${batch * 10 + i}` }));
        await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
        sent += 10;
      }
      const received: string[] = [];
      // Two receivers at a time, over and over, each taking up to 3 messages for 5 minutes.
      for (let round = 0; round < 10; round++) {
        const results = await Promise.all([0, 1].map(() => sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 3, VisibilityTimeout: 300 }))));
        for (const r of results) for (const m of r.Messages ?? []) received.push(m.MessageId!);
      }
      expect(received.length).toBeGreaterThan(0);
      expect(new Set(received).size).toBe(received.length);

      const sts = new STSClient({ region: "us-east-1", endpoint, credentials });
      // STS checks with IAM that the role exists.
      await new IAMClient({ region: "us-east-1", endpoint, credentials: { accessKeyId: "111122223333", secretAccessKey: "x" } })
        .send(new CreateRoleCommand({ RoleName: "mf", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] }) }));
      const c = (await sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::111122223333:role/mf", RoleSessionName: "persisted" }))).Credentials!;
      saved = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    } finally {
      await mf.dispose();
    }
  }, 120_000);

  it("keeps state across a Miniflare restart with persistence on", async () => {
    expect(saved).toBeDefined();
    const { mf, endpoint } = await startWorker();
    try {
      const sts = new STSClient({ region: "us-east-1", endpoint, credentials: saved! });
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:sts::111122223333:assumed-role/mf/persisted");
      const sqs = new SQSClient({ region: "us-east-1", endpoint, credentials });
      // CreateQueue of an existing queue answers its URL (the port differs after a restart).
      expect(new URL((await sqs.send(new CreateQueueCommand({ QueueName: "race" }))).QueueUrl!).pathname).toBe(new URL(queueUrl!).pathname);
      const health = await (await mf.dispatchFetch(`${endpoint}/_fetchstack/health`)).json() as { store: string };
      expect(health.store).toBe("durable-object");
      const state = await (await mf.dispatchFetch(`${endpoint}/_fetchstack/state`)).json() as { entries: { key: unknown[] }[] };
      expect(state.entries.some((e) => e.key[0] === "sqs")).toBe(true);
      expect(sent).toBe(40);
    } finally {
      await mf.dispose();
    }
  }, 120_000);
});
