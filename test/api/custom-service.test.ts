/**
 * The embedder's API (src/mod.ts): an app defines its own service with `defineService`, a model
 * and typed handlers, and serves it next to built-in ones through `createEmulator({ services })`.
 * The tiny "Greeter" service here speaks awsJson 1.0; its state is in `ctx.store` (so it
 * snapshots and restores with everything else) and it calls SQS through `ctx.invoke`.
 */
import { describe, expect, it } from "vitest";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import {
  AwsError, createEmulator, createManualClock, defineService, SERVICE_NAMES,
  type Emulator, type ServiceModel, type StateSnapshot, type sqs,
} from "../../src/mod.ts";
import { inProcess } from "../helpers/clients.ts";

const model: ServiceModel = {
  metadata: {
    apiVersion: "2026-01-01", endpointPrefix: "greeter", signingName: "greeter", protocol: "json", jsonVersion: "1.0",
    targetPrefix: "Greeter_20260101", serviceId: "Greeter",
  },
  operations: {
    Greet: { name: "Greet", http: { method: "POST", requestUri: "/" }, input: { shape: "GreetInput" }, output: { shape: "GreetOutput" }, errors: [{ shape: "NameBlocked" }] },
    CountGreetings: { name: "CountGreetings", http: { method: "POST", requestUri: "/" }, input: { shape: "CountInput" }, output: { shape: "CountOutput" } },
    Forget: { name: "Forget", http: { method: "POST", requestUri: "/" }, input: { shape: "CountInput" } },
  },
  shapes: {
    GreetInput: { type: "structure", required: ["Name"], members: { Name: { shape: "Name" }, NotifyQueueUrl: { shape: "Text" } } },
    GreetOutput: { type: "structure", required: ["Message", "GreetedAt", "Count"], members: { Message: { shape: "Text" }, GreetedAt: { shape: "When" }, Count: { shape: "Count" } } },
    CountInput: { type: "structure", required: ["Name"], members: { Name: { shape: "Name" } } },
    CountOutput: { type: "structure", members: { Count: { shape: "Count" } } },
    NameBlocked: { type: "structure", members: { message: { shape: "Text" } }, exception: true, error: { httpStatusCode: 400, senderFault: true } },
    Name: { type: "string", min: 1, max: 16 },
    Text: { type: "string" },
    When: { type: "timestamp" },
    Count: { type: "integer" },
  },
};

/** What `npm run gen-models` would write for this model. */
interface GreeterOperations {
  Greet: { input: { Name: string; NotifyQueueUrl?: string }; output: { Message: string; GreetedAt: Date; Count: number } };
  CountGreetings: { input: { Name: string }; output: { Count?: number } };
  Forget: { input: { Name: string }; output: void };
}

const greeter = defineService<GreeterOperations>({
  name: "greeter",
  model,
  handlers: {
    async Greet(input, ctx) {
      if (input.Name === "Voldemort") throw new AwsError("NameBlocked", "That name is not said here.", 400);
      const count = ((await ctx.store.get<number>(["greetings", input.Name])).value ?? 0) + 1;
      await ctx.store.set(["greetings", input.Name], count);
      const message = `Hello, ${input.Name}!`;
      if (input.NotifyQueueUrl) {
        const send: sqs.SendMessageRequest = { QueueUrl: input.NotifyQueueUrl, MessageBody: message };
        await ctx.invoke("sqs", "SendMessage", { ...send });
      }
      // Timestamps may be returned as epoch milliseconds (Outgoing<Date>).
      return { Message: message, GreetedAt: ctx.clock.now(), Count: count };
    },
    async CountGreetings(input, ctx) {
      return { Count: (await ctx.store.get<number>(["greetings", input.Name])).value ?? 0 };
    },
  },
});

async function call(emulator: Emulator, operation: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await emulator.fetch(new Request("http://localhost:4566/", {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `Greeter_20260101.${operation}` },
    body: JSON.stringify(body),
  }));
  const json = (response.headers.get("content-type") ?? "").includes("json") ? await response.json() : { text: await response.text() };
  return { status: response.status, json: json as Record<string, unknown> };
}

describe("an embedder's own service", () => {
  it("is served over its protocol next to built-in services, with model validation and errors", async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    const emulator = createEmulator({ clock, services: ["sqs", greeter] });
    expect(emulator.services).toEqual(["sqs", "greeter"]);

    const first = await call(emulator, "Greet", { Name: "Ada" });
    expect(first).toEqual({ status: 200, json: { Message: "Hello, Ada!", GreetedAt: Date.UTC(2026, 0, 1) / 1000, Count: 1 } });
    expect((await call(emulator, "Greet", { Name: "Ada" })).json.Count).toBe(2);
    expect(await call(emulator, "CountGreetings", { Name: "Ada" })).toEqual({ status: 200, json: { Count: 2 } });

    const missing = await call(emulator, "Greet", {});
    expect(missing.status).toBe(400);
    expect(missing.json.__type).toBe("com.amazon.coral.validate#ValidationException");
    expect(String(missing.json.message)).toContain("Member must not be null");
    const tooLong = await call(emulator, "Greet", { Name: "x".repeat(17) });
    expect(tooLong.status).toBe(400);
    expect(String(tooLong.json.message)).toContain("Member must have length less than or equal to 16");

    const blocked = await call(emulator, "Greet", { Name: "Voldemort" });
    expect(blocked).toEqual({ status: 400, json: { __type: "com.amazonaws.greeter#NameBlocked", message: "That name is not said here." } });

    // An operation in the model without a handler answers 501.
    expect((await call(emulator, "Forget", { Name: "Ada" })).status).toBe(501);

    // It calls a built-in service through ctx.invoke; the JS SDK sees the result.
    const sqsClient = new SQSClient(inProcess(emulator));
    const { QueueUrl } = await sqsClient.send(new CreateQueueCommand({ QueueName: "greetings" }));
    expect((await call(emulator, "Greet", { Name: "Grace", NotifyQueueUrl: QueueUrl })).status).toBe(200);
    const received = await sqsClient.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(received.Messages?.map((m) => m.Body)).toEqual(["Hello, Grace!"]);
  });

  it("keeps its state in snapshots", async () => {
    const emulator = createEmulator({ services: [greeter] });
    await call(emulator, "Greet", { Name: "Ada" });
    const snapshot: StateSnapshot = await emulator.snapshot();
    expect(snapshot.format).toBe("fetchstack-state");
    const copy = createEmulator({ services: [greeter] });
    await copy.restore(JSON.parse(JSON.stringify(snapshot)) as StateSnapshot);
    expect((await call(copy, "CountGreetings", { Name: "Ada" })).json).toEqual({ Count: 1 });
    await expect(copy.restore({ format: "other" } as unknown as StateSnapshot)).rejects.toThrow(TypeError);
  });

  it("is served by name with every built-in, and bad service lists are refused", async () => {
    const emulator = createEmulator({ services: [...SERVICE_NAMES, greeter] });
    expect(emulator.services).toEqual([...SERVICE_NAMES, "greeter"]);
    expect((await call(emulator, "Greet", { Name: "Ada" })).status).toBe(200);
    // Without it in the list, the service is unknown to the emulator.
    const plain = createEmulator({ services: ["sqs"] });
    expect((await call(plain, "Greet", { Name: "Ada" })).status).toBe(501);
    expect(() => createEmulator({ services: ["nope"] })).toThrow("unknown service: nope");
    expect(() => createEmulator({ services: [greeter, greeter] })).toThrow("service greeter given twice");
    expect(() => createEmulator({ services: [{ ...greeter, model: undefined as unknown as ServiceModel }] })).toThrow(TypeError);
  });
});
