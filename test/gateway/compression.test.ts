/**
 * Compressed bodies, in the gateway for every protocol: request bodies a client gzips for an
 * operation with `requestcompression` (CloudWatch PutMetricData: the JS SDK compresses above
 * its minimum size; a query form body is inflated before routing reads its Action), and
 * DynamoDB's gzip responses for clients that send `Accept-Encoding: gzip`.
 */
import { describe, expect, it } from "vitest";
import { CloudWatchClient, ListMetricsCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { createEmulator } from "../../src/emulator.ts";
import { gunzip, gzip } from "../../src/encoding/gzip.ts";
import { crc32 } from "../../src/protocol/crc32.ts";
import { inProcess } from "../helpers/clients.ts";

const auth = (service: string) => `AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;
const utf8 = new TextEncoder();

describe("gzip request bodies", () => {
  it("the JS SDK's compressed PutMetricData is inflated (requestcompression)", async () => {
    const aws = createEmulator();
    const sent: string[] = [];
    const cw = new CloudWatchClient({ ...inProcess(aws), requestMinCompressionSizeBytes: 0 });
    cw.middlewareStack.add((next) => async (args) => {
      const headers = (args.request as { headers: Record<string, string> }).headers;
      sent.push(headers["content-encoding"] ?? "");
      return next(args);
    }, { step: "finalizeRequest", priority: "low", name: "recordEncoding" });
    await cw.send(new PutMetricDataCommand({ Namespace: "App", MetricData: [{ MetricName: "Latency", Value: 12, Unit: "Milliseconds" }] }));
    expect(sent).toEqual(["gzip"]);
    const listed = await cw.send(new ListMetricsCommand({ Namespace: "App" }));
    expect(listed.Metrics?.map((m) => m.MetricName)).toEqual(["Latency"]);
  });

  it("a gzip query form body is routed by its Action; bytes that are not gzip get SerializationException", async () => {
    const aws = createEmulator();
    const form = "Action=PutMetricData&Version=2010-08-01&Namespace=Q&MetricData.member.1.MetricName=Depth&MetricData.member.1.Value=3";
    const put = await aws.fetch(new Request("http://localhost/", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "content-encoding": "gzip", authorization: auth("monitoring") },
      body: gzip(utf8.encode(form)) as BodyInit,
    }));
    expect(put.status).toBe(200);
    const list = await aws.fetch(new Request("http://localhost/?Action=ListMetrics&Version=2010-08-01&Namespace=Q", { headers: { authorization: auth("monitoring") } }));
    expect(await list.text()).toContain("<MetricName>Depth</MetricName>");
    const bad = await aws.fetch(new Request("http://localhost/", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "content-encoding": "gzip", authorization: auth("monitoring") },
      body: form,
    }));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("SerializationException");
  });

  it("leaves Content-Encoding alone where it describes the data (S3 objects)", async () => {
    const aws = createEmulator();
    const h = { authorization: auth("s3") };
    expect((await aws.fetch(new Request("http://localhost/bucket", { method: "PUT", headers: h }))).status).toBe(200);
    const body = gzip(utf8.encode("hello"));
    const put = await aws.fetch(new Request("http://localhost/bucket/k.gz", { method: "PUT", headers: { ...h, "content-encoding": "gzip" }, body: body as BodyInit }));
    expect(put.status).toBe(200);
    const got = await aws.fetch(new Request("http://localhost/bucket/k.gz", { headers: h }));
    expect(got.headers.get("content-encoding")).toBe("gzip");
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(body);
  });
});

describe("DynamoDB gzip responses", () => {
  const listTables = (headers: Record<string, string>) => new Request("http://localhost/", {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.ListTables", authorization: auth("dynamodb"), ...headers },
    body: "{}",
  });

  it("compresses for Accept-Encoding: gzip, with x-amz-crc32 over the compressed bytes", async () => {
    const aws = createEmulator();
    const res = await aws.fetch(listTables({ "accept-encoding": "gzip, deflate" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    const sent = new Uint8Array(await res.arrayBuffer());
    expect(res.headers.get("x-amz-crc32")).toBe(String(crc32(sent)));
    expect(JSON.parse(new TextDecoder().decode(gunzip(sent)))).toEqual({ TableNames: [] });
  });

  it("answers plain JSON otherwise (no header, identity, gzip;q=0)", async () => {
    const aws = createEmulator();
    for (const headers of [{}, { "accept-encoding": "identity" }, { "accept-encoding": "gzip;q=0" }] as Record<string, string>[]) {
      const res = await aws.fetch(listTables(headers));
      expect(res.headers.get("content-encoding")).toBeNull();
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ TableNames: [] });
      expect(res.headers.get("x-amz-crc32")).toBe(String(crc32(utf8.encode(text))));
    }
  });
});
