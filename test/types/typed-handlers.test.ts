/**
 * Typed handlers: `defineService<Operations>()` with the generated model types turns a
 * misspelt operation, a missing required output member or a wrong member type into a compile
 * error. `tsc --noEmit` (part of `npm test`) checks this file: each `@ts-expect-error` below
 * fails the typecheck if the error it marks stopped being one. The runtime half checks the
 * definitions stay plain values the dispatcher can call.
 */
import { describe, expect, it } from "vitest";
import { defineService, type Handlers, type RequestContext } from "../../src/services/types.ts";
import type { ServiceModel } from "../../src/protocol/model.ts";
import type * as sqs from "../../src/generated/sqs.ts";
import type * as sts from "../../src/generated/sts.ts";
import type * as s3 from "../../src/generated/s3.ts";
import { HTTP_STATUS } from "../../src/protocol/codec.ts";

const model = { metadata: {}, operations: {}, shapes: {} } as unknown as ServiceModel;

describe("typed handlers", () => {
  it("accepts well-typed handlers and rejects wrong ones at compile time", async () => {
    const service = defineService<sqs.Operations>({
      name: "typed-sqs",
      model,
      handlers: {
        GetQueueUrl: (input) => ({ QueueUrl: `http://localhost/000000000000/${input.QueueName}` }),
        // No output shape: nothing or {} is fine.
        DeleteQueue: async () => {},
        // @ts-expect-error wrong member type (QueueUrl is a string)
        CreateQueue: () => ({ QueueUrl: 42 }),
        // Inputs are typed: QueueName is a string, Attributes a string map.
        ListQueues: (input) => ({ QueueUrls: [String(input.QueueNamePrefix?.length ?? 0)] }),
      },
    });
    expect(Object.keys(service.handlers).sort()).toEqual(["CreateQueue", "DeleteQueue", "GetQueueUrl", "ListQueues"]);
    const misspelt = defineService<sqs.Operations>({
      name: "typed-sqs",
      model,
      handlers: {
        // @ts-expect-error misspelt operation name
        GetQueueURL: () => ({ QueueUrl: "x" }),
      },
    });
    expect(Object.keys(misspelt.handlers)).toEqual(["GetQueueURL"]);
    const out = await service.handlers.GetQueueUrl!({ QueueName: "q1" }, {} as RequestContext);
    expect(out).toEqual({ QueueUrl: "http://localhost/000000000000/q1" });
  });

  it("checks required output members, enums and leaf types", () => {
    const handlers: Handlers<sts.Operations> = {
      // @ts-expect-error missing required output member (Credentials needs Expiration)
      GetSessionToken: () => ({ Credentials: { AccessKeyId: "a", SecretAccessKey: "s", SessionToken: "t" } }),
      // Timestamps may be returned as Date, epoch milliseconds or ISO text.
      GetFederationToken: () => ({ Credentials: { AccessKeyId: "a", SecretAccessKey: "s", SessionToken: "t", Expiration: 0 } }),
      GetCallerIdentity: () => ({ Account: "000000000000", Arn: "arn:aws:iam::000000000000:root", UserId: "000000000000" }),
    };
    const s3Handlers: Handlers<s3.Operations> = {
      // Streaming input bodies arrive as a stream or bytes; timestamps as Date.
      PutObject: (input) => ({ ETag: input.Body instanceof Uint8Array ? "bytes" : "stream", [HTTP_STATUS]: 200 }),
      // @ts-expect-error not a member of the enum (Status is "Enabled" | "Suspended")
      GetBucketVersioning: () => ({ Status: "On" }),
      HeadObject: (input) => ({ LastModified: input.IfModifiedSince ?? new Date(0), ContentLength: 1 }),
    };
    expect(Object.keys(handlers)).toHaveLength(3);
    expect(Object.keys(s3Handlers)).toHaveLength(3);
  });

  it("keeps untyped definitions working (no type argument)", () => {
    const service = defineService({ name: "untyped", model, handlers: { Anything: (input) => ({ echo: input.whatever }) } });
    expect(typeof service.handlers.Anything).toBe("function");
  });
});
