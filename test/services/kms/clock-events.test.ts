/**
 * KMS events the clock causes, on the default EventBridge bus (rule → SQS): automatic rotations,
 * imported key material expiring and the end of a deletion window fire at their due times,
 * once each, with the state change they report; a restarted emulator over the same store
 * re-arms them and catches up with the clock without any request.
 */
import { describe, expect, it } from "vitest";
import { constants, createPublicKey, publicEncrypt, randomBytes } from "node:crypto";
import {
  CreateKeyCommand, DescribeKeyCommand, EnableKeyRotationCommand, GetParametersForImportCommand, ImportKeyMaterialCommand, KMSClient, ListKeyRotationsCommand,
  ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import type { Store } from "../../../src/store/types.ts";
import { inProcess } from "../../helpers/clients.ts";

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);

interface KmsEvent {
  "detail-type": string;
  source: string;
  time: string;
  resources: string[];
  detail: Record<string, string>;
}

function start(store: Store, clock: ManualClock) {
  const emulator = createEmulator({ clock, store });
  const kms = new KMSClient(inProcess(emulator));
  const events = new EventBridgeClient(inProcess(emulator));
  const sqs = new SQSClient(inProcess(emulator));
  return { emulator, kms, events, sqs };
}

/** A queue receiving every aws.kms event of the default bus. */
async function subscribe(events: EventBridgeClient, sqs: SQSClient): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "kms-events" }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  await events.send(new PutRuleCommand({ Name: "kms", EventPattern: JSON.stringify({ source: ["aws.kms"] }) }));
  await events.send(new PutTargetsCommand({ Rule: "kms", Targets: [{ Id: "q", Arn: Attributes!.QueueArn }] }));
  return QueueUrl!;
}

async function drain(sqs: SQSClient, url: string): Promise<KmsEvent[]> {
  const out: KmsEvent[] = [];
  for (;;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    if (!Messages?.length) return out.sort((a, b) => a.time.localeCompare(b.time));
    out.push(...Messages.map((m) => JSON.parse(m.Body!) as KmsEvent));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
}

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

describe("KMS events on the clock", () => {
  it("automatic rotation fires KMS CMK Rotation at each due time, once, matching ListKeyRotations", async () => {
    const clock = createManualClock(START);
    const { emulator, kms, events, sqs } = start(createMemoryStore(), clock);
    const url = await subscribe(events, sqs);
    const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({}));
    await kms.send(new EnableKeyRotationCommand({ KeyId: key!.KeyId, RotationPeriodInDays: 90 }));

    await clock.advance(90 * DAY - 1);
    expect(await drain(sqs, url)).toEqual([]);
    await clock.advance(1);
    await emulator.settled();
    const first = await drain(sqs, url);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      source: "aws.kms", "detail-type": "KMS CMK Rotation", time: iso(START + 90 * DAY), resources: [key!.Arn],
      detail: { "key-id": key!.KeyId, "key-origin": "AWS_KMS", "rotation-type": "AUTOMATIC", "previous-key-material-id": key!.CurrentKeyMaterialId },
    });

    // Drained after each period: SQS keeps a message 4 days by default.
    await clock.advance(90 * DAY);
    const later = await drain(sqs, url);
    await clock.advance(90 * DAY);
    later.push(...await drain(sqs, url));
    expect(later.map((e) => e.time)).toEqual([iso(START + 180 * DAY), iso(START + 270 * DAY)]);
    const { Rotations } = await kms.send(new ListKeyRotationsCommand({ KeyId: key!.KeyId }));
    // The events and the key's rotations agree, material for material.
    expect(Rotations!.map((r) => [r.RotationType, r.KeyMaterialId])).toEqual(
      [...first, ...later].map((e) => ["AUTOMATIC", e.detail["current-key-material-id"]]),
    );
    expect(later[0].detail["previous-key-material-id"]).toBe(first[0].detail["current-key-material-id"]);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key!.KeyId }))).KeyMetadata!.CurrentKeyMaterialId).toBe(later[1].detail["current-key-material-id"]);
    await clock.advance(DAY);
    expect(await drain(sqs, url)).toEqual([]);
  });

  it("imported key material expiring at ValidTo sends KMS Imported Key Material Expiration and leaves the key PendingImport", async () => {
    const clock = createManualClock(START);
    const { emulator, kms, events, sqs } = start(createMemoryStore(), clock);
    const url = await subscribe(events, sqs);
    const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
    const params = await kms.send(new GetParametersForImportCommand({ KeyId: key!.KeyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }));
    const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: "der", type: "spki" });
    const wrapped = publicEncrypt({ key: publicKey, oaepHash: "sha256", padding: constants.RSA_PKCS1_OAEP_PADDING }, randomBytes(32));
    const { KeyMaterialId } = await kms.send(new ImportKeyMaterialCommand({
      KeyId: key!.KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: "KEY_MATERIAL_EXPIRES", ValidTo: new Date(START + 2 * DAY),
    }));
    await clock.advance(2 * DAY - 1000);
    expect(await drain(sqs, url)).toEqual([]);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key!.KeyId }))).KeyMetadata!.KeyState).toBe("Enabled");
    await clock.advance(1000);
    await emulator.settled();
    const got = await drain(sqs, url);
    expect(got).toEqual([expect.objectContaining({
      source: "aws.kms", "detail-type": "KMS Imported Key Material Expiration", time: iso(START + 2 * DAY), resources: [key!.Arn],
      detail: { "key-id": key!.KeyId, "key-material-id": KeyMaterialId },
    })]);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key!.KeyId }))).KeyMetadata!.KeyState).toBe("PendingImport");
    await clock.advance(30 * DAY);
    expect(await drain(sqs, url)).toEqual([]);
  });

  it("a restarted emulator re-arms deletions and rotations from the store and fires each once", async () => {
    const store = createMemoryStore();
    const first = start(store, createManualClock(START));
    const url = await subscribe(first.events, first.sqs);
    const { KeyMetadata: doomed } = await first.kms.send(new CreateKeyCommand({ Description: "doomed" }));
    const { KeyMetadata: rotating } = await first.kms.send(new CreateKeyCommand({ Description: "rotating" }));
    await first.kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed!.KeyId, PendingWindowInDays: 7 }));
    await first.kms.send(new EnableKeyRotationCommand({ KeyId: rotating!.KeyId, RotationPeriodInDays: 90 }));

    // Restart inside the deletion window: no request to KMS, only the clock moves.
    const secondClock = createManualClock(START + 3 * DAY);
    const second = start(store, secondClock);
    await second.emulator.settled();
    expect(await drain(second.sqs, url)).toEqual([]);
    await secondClock.advance(4 * DAY);
    const deleted = await drain(second.sqs, url);
    expect(deleted).toEqual([expect.objectContaining({ "detail-type": "KMS CMK Deletion", time: iso(START + 7 * DAY), detail: { "key-id": doomed!.KeyId } })]);
    await expect(second.kms.send(new DescribeKeyCommand({ KeyId: doomed!.KeyId }))).rejects.toMatchObject({ name: "NotFoundException" });

    // Down past the rotation date: the next start catches up at once, with the due time.
    const thirdClock = createManualClock(START + 100 * DAY);
    const third = start(store, thirdClock);
    await third.emulator.settled();
    const rotated = await drain(third.sqs, url);
    expect(rotated).toEqual([expect.objectContaining({ "detail-type": "KMS CMK Rotation", time: iso(START + 90 * DAY), detail: expect.objectContaining({ "key-id": rotating!.KeyId, "rotation-type": "AUTOMATIC" }) })]);
    expect((await third.kms.send(new ListKeyRotationsCommand({ KeyId: rotating!.KeyId }))).Rotations).toHaveLength(1);
    await thirdClock.advance(79 * DAY);
    expect(await drain(third.sqs, url)).toEqual([]);
    await thirdClock.advance(DAY);
    expect((await drain(third.sqs, url)).map((e) => e.time)).toEqual([iso(START + 180 * DAY)]);
  });
});
