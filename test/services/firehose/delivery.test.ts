/**
 * Firehose delivery: size- and interval-triggered flushes to fetchstack's S3 (object keys,
 * bodies, gzip), HTTP endpoint requests in Firehose's format, and Lambda processing, with an
 * injected clock that the tests move.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { CreateDeliveryStreamCommand, FirehoseClient, ListDeliveryStreamsCommand, PutRecordBatchCommand, PutRecordCommand } from "@aws-sdk/client-firehose";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { createEmulator } from "../../../src/emulator.ts";
import { prefixStore } from "../../../src/store/prefixed.ts";
import { listDeliveries } from "../../../src/services/firehose/index.ts";
import { inProcess, STORES } from "../../helpers/clients.ts";

const ROLE = "arn:aws:iam::000000000000:role/firehose";
const START = Date.parse("2026-11-22T13:04:05Z");
const text = (s: string) => new TextEncoder().encode(s);

for (const store of STORES) {
  describe(`Firehose delivery, ${store.name}`, () => {
    const clock = { t: START, now() { return this.t; } };
    const backing = store.make();
    const emulator = createEmulator({ store: backing, clock });
    const firehose = new FirehoseClient(inProcess(emulator));
    const s3 = new S3Client({ ...inProcess(emulator), forcePathStyle: true });
    const firehoseState = prefixStore(backing, ["firehose", "000000000000", "us-east-1"]);
    let s3Reason = "";

    beforeAll(async () => {
      try {
        await s3.send(new CreateBucketCommand({ Bucket: "lake" }));
      } catch (error: any) {
        if (error?.$metadata?.httpStatusCode === 501) s3Reason = `S3 is not implemented yet (${error.name}: ${error.message})`;
        else throw error;
      }
      if (s3Reason) console.warn(`Firehose → S3 content checks skipped: ${s3Reason}`);
    });

    async function objects(prefix: string) {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: "lake", Prefix: prefix }));
      const out: { key: string; body: Uint8Array }[] = [];
      for (const o of listed.Contents ?? []) {
        const got = await s3.send(new GetObjectCommand({ Bucket: "lake", Key: o.Key! }));
        out.push({ key: o.Key!, body: await got.Body!.transformToByteArray() });
      }
      return out;
    }

    it("flushes by size: one object once SizeInMBs is reached, keys in AWS's default layout", async () => {
      await firehose.send(new CreateDeliveryStreamCommand({
        DeliveryStreamName: "sized",
        ExtendedS3DestinationConfiguration: {
          RoleARN: ROLE, BucketARN: "arn:aws:s3:::lake", Prefix: "logs/", BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 900 },
        },
      }));
      const chunk = (c: string) => ({ Data: text(c.repeat(400 * 1024)) });
      await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: "sized", Records: [chunk("a"), chunk("b")] }));
      expect(await listDeliveries(firehoseState, "sized")).toEqual([]);
      await firehose.send(new PutRecordCommand({ DeliveryStreamName: "sized", Record: chunk("c") }));
      const deliveries = await listDeliveries(firehoseState, "sized");
      expect(deliveries).toHaveLength(1);
      const [d] = deliveries;
      expect(d).toMatchObject({ trigger: "size", RecordCount: 3, Bucket: "lake", output: "data", CompressionFormat: "UNCOMPRESSED" });
      const view = await emulator.fetch(new Request("http://127.0.0.1:4566/_fetchstack/services/firehose/deliveries?stream=sized"));
      expect(view.status).toBe(200);
      expect(await view.json()).toEqual(JSON.parse(JSON.stringify(deliveries)));
      expect(d.Key).toMatch(/^logs\/2026\/11\/22\/13\/sized-1-2026-11-22-13-04-05-[0-9a-f-]{36}$/);
      if (s3Reason) {
        expect(d.status).toBe("failed");
        return;
      }
      expect(d.error).toBeUndefined();
      expect(d.status).toBe("delivered");
      const [object] = await objects("logs/");
      expect(object.key).toBe(d.Key);
      expect(new TextDecoder().decode(object.body)).toBe("a".repeat(400 * 1024) + "b".repeat(400 * 1024) + "c".repeat(400 * 1024));
    });

    it("flushes by interval without a new record: gzip, custom prefix expressions, .gz extension", async () => {
      await firehose.send(new CreateDeliveryStreamCommand({
        DeliveryStreamName: "timed",
        ExtendedS3DestinationConfiguration: {
          RoleARN: ROLE, BucketARN: "arn:aws:s3:::lake", CompressionFormat: "GZIP",
          Prefix: "t/day=!{timestamp:yyyy-MM-dd}/!{firehose:random-string}/", ErrorOutputPrefix: "err/!{firehose:error-output-type}/",
          BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 60 },
        },
      }));
      await firehose.send(new PutRecordCommand({ DeliveryStreamName: "timed", Record: { Data: text("{\"n\":1}\n") } }));
      clock.t += 30_000;
      await firehose.send(new PutRecordCommand({ DeliveryStreamName: "timed", Record: { Data: text("{\"n\":2}\n") } }));
      clock.t += 29_000;
      await firehose.send(new ListDeliveryStreamsCommand({}));
      expect(await listDeliveries(firehoseState, "timed")).toEqual([]);
      clock.t += 1_000; // 60 s after the oldest record
      await firehose.send(new ListDeliveryStreamsCommand({})); // any Firehose request delivers what is due
      const deliveries = await listDeliveries(firehoseState, "timed");
      expect(deliveries).toHaveLength(1);
      const [d] = deliveries;
      expect(d).toMatchObject({ trigger: "interval", RecordCount: 2, CompressionFormat: "GZIP" });
      expect(d.Key).toMatch(/^t\/day=2026-11-22\/[a-z0-9]{11}\/timed-1-2026-11-22-13-04-05-[0-9a-f-]{36}\.gz$/);
      if (s3Reason) return;
      const [object] = await objects("t/");
      expect(object.key).toBe(d.Key);
      expect(object.body[0]).toBe(0x1f);
      expect(object.body[1]).toBe(0x8b);
      expect(gunzipSync(object.body).toString()).toBe("{\"n\":1}\n{\"n\":2}\n");
      clock.t = START;
    });

    it("Lambda processing: transforms through the Lambda service, or delivers untransformed and says why", async () => {
      await firehose.send(new CreateDeliveryStreamCommand({
        DeliveryStreamName: "processed",
        ExtendedS3DestinationConfiguration: {
          RoleARN: ROLE, BucketARN: "arn:aws:s3:::lake", Prefix: "p/", BufferingHints: { IntervalInSeconds: 0 },
          ProcessingConfiguration: {
            Enabled: true,
            Processors: [{ Type: "Lambda", Parameters: [{ ParameterName: "LambdaArn", ParameterValue: "arn:aws:lambda:us-east-1:000000000000:function:absent" }] }],
          },
        },
      }));
      await firehose.send(new PutRecordCommand({ DeliveryStreamName: "processed", Record: { Data: text("raw") } }));
      const deliveries = await listDeliveries(firehoseState, "processed");
      expect(deliveries).toHaveLength(1);
      const [d] = deliveries;
      if (d.output === "data") {
        // Lambda's Invoke is not implemented yet: the record goes through untransformed, with the reason.
        expect(d.notes?.join(" ")).toMatch(/Lambda transformation skipped/);
      } else {
        // With Lambda in place, a missing function fails processing: error output prefix.
        expect(d.output).toBe("error");
        expect(d.Key).toMatch(/^processing-failed\/2026\/11\/22\/13\//);
      }
    });
  });
}

function selfSignedCert(): { key: string; cert: string } | null {
  try {
    const dir = mkdtempSync(join(tmpdir(), "fh-tls-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem"),
      "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
    return { key: readFileSync(join(dir, "k.pem"), "utf8"), cert: readFileSync(join(dir, "c.pem"), "utf8") };
  } catch {
    return null;
  }
}

const tls = selfSignedCert();
if (!tls) console.warn("skipping Firehose HTTP endpoint delivery: openssl is not available to make a test certificate");
// Skipped only when openssl, needed for a local HTTPS endpoint, is absent; the reason is printed.
describe.skipIf(!tls)("Firehose HTTP endpoint delivery", () => {
  const received: { headers: IncomingMessage["headers"]; body: Buffer }[] = [];
  const server = tls ? createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (c) => parts.push(c));
    req.on("end", () => {
      const body = Buffer.concat(parts);
      received.push({ headers: req.headers, body });
      const json = JSON.parse((req.headers["content-encoding"] === "gzip" ? gunzipSync(body) : body).toString());
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ requestId: json.requestId, timestamp: Date.now() }));
    });
  }) : null;
  let url = "";
  const previousTls = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  beforeAll(async () => {
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0"; // the test endpoint's certificate is self-signed
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server!.address() as { port: number }).port}/ingest`;
  });
  afterAll(async () => {
    if (previousTls === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTls;
    await new Promise((resolve) => server!.close(resolve));
  });

  it("POSTs Firehose's JSON request with its headers, gzip-encoded when configured", async () => {
    const emulator = createEmulator();
    const firehose = new FirehoseClient(inProcess(emulator));
    const { DeliveryStreamARN } = await firehose.send(new CreateDeliveryStreamCommand({
      DeliveryStreamName: "to-http",
      HttpEndpointDestinationConfiguration: {
        EndpointConfiguration: { Url: url, Name: "collector", AccessKey: "s3cr3t" },
        BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 },
        RequestConfiguration: { ContentEncoding: "GZIP", CommonAttributes: [{ AttributeName: "env", AttributeValue: "test" }] },
        S3Configuration: { RoleARN: ROLE, BucketARN: "arn:aws:s3:::backup" },
      },
    }));
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: "to-http", Records: [{ Data: text("one") }, { Data: text("two") }] }));
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request.headers["x-amz-firehose-protocol-version"]).toBe("1.0");
    expect(request.headers["x-amz-firehose-access-key"]).toBe("s3cr3t");
    expect(request.headers["x-amz-firehose-source-arn"]).toBe(DeliveryStreamARN);
    expect(request.headers["x-amz-firehose-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(request.headers["x-amz-firehose-common-attributes"] as string)).toEqual({ commonAttributes: { env: "test" } });
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["content-encoding"]).toBe("gzip");
    const body = JSON.parse(gunzipSync(request.body).toString());
    expect(body.requestId).toBe(request.headers["x-amz-firehose-request-id"]);
    expect(typeof body.timestamp).toBe("number");
    expect(body.records.map((r: { data: string }) => Buffer.from(r.data, "base64").toString())).toEqual(["one", "two"]);
  });
});
