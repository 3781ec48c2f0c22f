/**
 * SNS to HTTP subscribers: a local server started in the test receives the signed
 * SubscriptionConfirmation, is confirmed (by token, and over HTTP by GETting SubscribeURL),
 * receives notifications with AWS's x-amz-sns-* headers, and verifies every signature against
 * the certificate served at SigningCertURL (SignatureVersion 1 and 2). Retries follow the
 * delivery policy on a manual clock.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { X509Certificate, createVerify } from "node:crypto";
import type { AddressInfo } from "node:net";
import {
  ConfirmSubscriptionCommand, CreateTopicCommand, GetSubscriptionAttributesCommand, PublishCommand, SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand, SNSClient, SubscribeCommand, UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { createEmulator, type Emulator } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { inProcess, overHttp, startTestServer } from "../../helpers/clients.ts";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A subscriber: records requests; `failNext` answers 500 that many times. */
function subscriber() {
  const received: Received[] = [];
  const waiters: (() => void)[] = [];
  const state = { failNext: 0 };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body });
      const status = state.failNext > 0 ? (state.failNext--, 500) : 200;
      res.writeHead(status).end();
      for (const w of waiters.splice(0)) w();
    });
  });
  return {
    received,
    state,
    server,
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Resolves once `n` requests have arrived (deliveries over real HTTP from a real-time emulator). */
    until: (n: number) => new Promise<void>((resolve) => {
      const check = () => (received.length >= n ? resolve() : waiters.push(check));
      check();
    }),
  };
}

/** Verifies an SNS message as AWS's documentation says a subscriber should. */
async function verify(message: Record<string, string>, fetchCert: (url: string) => Promise<string>): Promise<boolean> {
  const fields = message.Type === "Notification"
    ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  const text = fields.filter((f) => message[f] !== undefined).map((f) => `${f}\n${message[f]}\n`).join("");
  const cert = new X509Certificate(await fetchCert(message.SigningCertURL!));
  const verifier = createVerify(message.SignatureVersion === "2" ? "RSA-SHA256" : "RSA-SHA1");
  verifier.update(text);
  return verifier.verify(cert.publicKey, message.Signature!, "base64");
}

describe("HTTP subscriber, in-process emulator on a manual clock", () => {
  const sub = subscriber();
  let clock: ManualClock;
  let emulator: Emulator;
  let sns: SNSClient;
  const certFromEmulator = async (url: string) => {
    const res = await emulator.fetch(new Request(url));
    expect(res.status).toBe(200);
    return res.text();
  };

  beforeAll(() => new Promise<void>((resolve) => sub.server.listen(0, "127.0.0.1", resolve)));
  afterAll(() => new Promise<void>((resolve) => sub.server.close(() => resolve())));
  beforeEach(() => {
    sub.received.length = 0;
    clock = createManualClock(Date.UTC(2026, 11, 5));
    emulator = createEmulator({ clock });
    sns = new SNSClient(inProcess(emulator));
  });

  it("confirms with the token, then receives signed notifications (SignatureVersion 1 and 2)", async () => {
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: "web" }))).TopicArn!;
    const pending = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "http", Endpoint: `${sub.url()}/hook` }));
    expect(pending.SubscriptionArn).toBe("pending confirmation");
    await emulator.settled();
    expect(sub.received).toHaveLength(1);
    const [conf] = sub.received;
    expect(conf!.path).toBe("/hook");
    expect(conf!.headers["x-amz-sns-message-type"]).toBe("SubscriptionConfirmation");
    expect(conf!.headers["x-amz-sns-topic-arn"]).toBe(topicArn);
    expect(conf!.headers["content-type"]).toBe("text/plain; charset=UTF-8");
    expect(conf!.headers["user-agent"]).toBe("Amazon Simple Notification Service Agent");
    const confirmation = JSON.parse(conf!.body);
    expect(confirmation).toMatchObject({ Type: "SubscriptionConfirmation", TopicArn: topicArn, SignatureVersion: "1" });
    expect(confirmation.SubscribeURL).toContain("Action=ConfirmSubscription");
    expect(conf!.headers["x-amz-sns-message-id"]).toBe(confirmation.MessageId);
    expect(await verify(confirmation, certFromEmulator)).toBe(true);

    // Subscribing the pending endpoint again resends the confirmation (a new token).
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "http", Endpoint: `${sub.url()}/hook` }));
    await emulator.settled();
    expect(sub.received).toHaveLength(2);
    const again = JSON.parse(sub.received.pop()!.body);
    expect(again.Type).toBe("SubscriptionConfirmation");
    expect(again.Token).not.toBe(confirmation.Token);

    // Nothing is delivered while pending.
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "too early" }));
    await emulator.settled();
    expect(sub.received).toHaveLength(1);

    const { SubscriptionArn } = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: confirmation.Token }));
    expect((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!.PendingConfirmation).toBe("false");

    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "hello web", Subject: "s", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } }));
    await emulator.settled();
    const note = sub.received[1]!;
    expect(note.headers).toMatchObject({ "x-amz-sns-message-type": "Notification", "x-amz-sns-message-id": MessageId, "x-amz-sns-topic-arn": topicArn, "x-amz-sns-subscription-arn": SubscriptionArn });
    const body = JSON.parse(note.body);
    expect(body).toMatchObject({ Type: "Notification", MessageId, Message: "hello web", Subject: "s", MessageAttributes: { k: { Type: "String", Value: "v" } } });
    expect(await verify(body, certFromEmulator)).toBe(true);
    // A tampered message does not verify.
    expect(await verify({ ...body, Message: "hello wet" }, certFromEmulator)).toBe(false);

    await sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: "SignatureVersion", AttributeValue: "2" }));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "v2" }));
    await emulator.settled();
    const v2 = JSON.parse(sub.received[2]!.body);
    expect(v2.SignatureVersion).toBe("2");
    expect(await verify(v2, certFromEmulator)).toBe(true);

    // Raw delivery: the bare message and x-amz-sns-rawdelivery.
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "RawMessageDelivery", AttributeValue: "true" }));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "raw" }));
    await emulator.settled();
    expect(sub.received[3]!.body).toBe("raw");
    expect(sub.received[3]!.headers["x-amz-sns-rawdelivery"]).toBe("true");

    // Unsubscribing tells the endpoint; the token restores the subscription.
    await sns.send(new UnsubscribeCommand({ SubscriptionArn }));
    await emulator.settled();
    const bye = sub.received[4]!;
    expect(bye.headers["x-amz-sns-message-type"]).toBe("UnsubscribeConfirmation");
    const byeDoc = JSON.parse(bye.body);
    expect(byeDoc).toMatchObject({ Type: "UnsubscribeConfirmation", TopicArn: topicArn, Message: `You have chosen to deactivate subscription ${SubscriptionArn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.` });
    expect(await verify(byeDoc, certFromEmulator)).toBe(true);
    expect((await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: byeDoc.Token }))).SubscriptionArn).toBe(SubscriptionArn);
    expect((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!.RawMessageDelivery).toBe("true");
  });

  it("retries failed deliveries per the delivery policy, on emulator time", async () => {
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: "retry" }))).TopicArn!;
    const SubscriptionArn = (await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "http", Endpoint: `${sub.url()}/r`, ReturnSubscriptionArn: true }))).SubscriptionArn!;
    await emulator.settled();
    await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: JSON.parse(sub.received[0]!.body).Token }));
    await sns.send(new SetSubscriptionAttributesCommand({
      SubscriptionArn, AttributeName: "DeliveryPolicy",
      AttributeValue: JSON.stringify({ healthyRetryPolicy: { numRetries: 3, minDelayTarget: 5, maxDelayTarget: 5, backoffFunction: "linear" } }),
    }));
    sub.state.failNext = 2;
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "eventually" }));
    await emulator.settled();
    expect(sub.received).toHaveLength(2); // confirmation + first attempt
    await clock.advance(4_999);
    expect(sub.received).toHaveLength(2);
    await clock.advance(1);
    expect(sub.received).toHaveLength(3);
    await clock.advance(5_000);
    expect(sub.received).toHaveLength(4);
    expect(JSON.parse(sub.received[3]!.body).Message).toBe("eventually");
    const view = await (await emulator.fetch(new Request(`http://localhost/_fetchstack/services/sns/messages?messageId=${MessageId}`))).json();
    expect(view.messages.map((m: any) => [m.status, m.attempts])).toEqual([["delivered", 3]]);
  });
});

describe("HTTP subscriber against the Node server", () => {
  const sub = subscriber();
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    await new Promise<void>((resolve) => sub.server.listen(0, "127.0.0.1", resolve));
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
    await new Promise<void>((resolve) => sub.server.close(() => resolve()));
  });

  it("the endpoint confirms by GETting SubscribeURL and verifies signatures with the served certificate", async () => {
    const sns = new SNSClient(overHttp(server.url));
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: "over-http" }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "http", Endpoint: `${sub.url()}/in` }));
    await sub.until(1);
    const confirmation = JSON.parse(sub.received[0]!.body);
    expect(confirmation.SigningCertURL.startsWith(server.url)).toBe(true);
    const fetchCert = async (url: string) => (await fetch(url)).text();
    expect(await verify(confirmation, fetchCert)).toBe(true);
    const confirmed = await fetch(confirmation.SubscribeURL);
    expect(confirmed.status).toBe(200);
    const xml = await confirmed.text();
    expect(xml).toContain("<ConfirmSubscriptionResult><SubscriptionArn>");
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "over the wire" }));
    await sub.until(2);
    const note = JSON.parse(sub.received[1]!.body);
    expect(note.Message).toBe("over the wire");
    expect(await verify(note, fetchCert)).toBe(true);
    const unsub = await fetch(note.UnsubscribeURL);
    expect(unsub.status).toBe(200);
  });
});
