/**
 * The Node server reads bodies of 64 KiB and more from the IncomingMessage directly
 * (src/runtime/node-body.ts): byte-exact uploads of every size around the thresholds, chunked
 * bodies of unknown length, SQS bodies read whole, and a client that goes away mid-body
 * leaves no object and a working server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "node:net";
import { createHash } from "node:crypto";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { overHttp, startTestServer } from "../helpers/clients.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
let s3: S3Client;
beforeAll(async () => {
  server = await startTestServer();
  s3 = new S3Client({ ...overHttp(server.url), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "node-body" }));
});
afterAll(async () => {
  s3?.destroy();
  await server?.close();
});

function payload(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >> 8)) & 255;
  return out;
}

const md5 = (bytes: Uint8Array) => createHash("md5").update(bytes).digest("hex");

describe("Node server request bodies", () => {
  it("stores PutObject bodies byte-exact around the 64 KiB and 1 MiB thresholds", async () => {
    for (const size of [64 * 1024 - 1, 64 * 1024, 200_000, (1 << 20) + 1, 5 * (1 << 20) + 3]) {
      const body = payload(size);
      const put = await s3.send(new PutObjectCommand({ Bucket: "node-body", Key: `k${size}`, Body: body }));
      expect(put.ETag).toBe(`"${md5(body)}"`);
      const got = await s3.send(new GetObjectCommand({ Bucket: "node-body", Key: `k${size}` }));
      expect(md5(await got.Body!.transformToByteArray())).toBe(md5(body));
    }
  });

  it("streams a body of unknown length (Transfer-Encoding: chunked)", async () => {
    const body = payload(300_000);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= body.length) return controller.close();
        controller.enqueue(body.slice(sent, sent + 70_000));
        sent += 70_000;
      },
    });
    const response = await fetch(`${server.url}/node-body/chunked`, {
      method: "PUT",
      body: stream,
      duplex: "half",
      headers: { authorization: "AWS4-HMAC-SHA256 Credential=test/20261206/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    } as RequestInit);
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe(`"${md5(body)}"`);
  });

  it("reads other services' large bodies whole (SQS message of 200 KiB)", async () => {
    const sqs = new SQSClient(overHttp(server.url));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "node-body" }));
    const text = "x".repeat(200 * 1024);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: text }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(Messages?.[0]?.Body).toBe(text);
    sqs.destroy();
  });

  it("a client that goes away mid-body stores nothing, and the server keeps serving", async () => {
    const { port } = new URL(server.url);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(
          "PUT /node-body/cut HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1048576\r\n" +
            "Authorization: AWS4-HMAC-SHA256 Credential=test/20261206/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00\r\n" +
            "x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n\r\n",
        );
        socket.write(payload(300_000), () => setTimeout(() => (socket.destroy(), resolve()), 100));
      });
      socket.on("error", reject);
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(s3.send(new HeadObjectCommand({ Bucket: "node-body", Key: "cut" }))).rejects.toMatchObject({ name: "NotFound" });
    const body = payload(100_000);
    await s3.send(new PutObjectCommand({ Bucket: "node-body", Key: "after", Body: body }));
    const got = await s3.send(new GetObjectCommand({ Bucket: "node-body", Key: "after" }));
    expect(md5(await got.Body!.transformToByteArray())).toBe(md5(body));
  });
});
