/**
 * S3 CORS: OPTIONS preflight answered from the bucket's CORS configuration (PutBucketCors via
 * the JS SDK) and Access-Control-* headers on actual requests, with plain fetch over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateBucketCommand, PutBucketCorsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { overHttp, startTestServer } from "../../helpers/clients.ts";

describe("S3 CORS over HTTP", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let s3: S3Client;
  const Bucket = "cors-bucket";
  let base: string;

  beforeAll(async () => {
    server = await startTestServer();
    base = `${server.url}/${Bucket}`;
    s3 = new S3Client({ ...overHttp(server.url), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new CreateBucketCommand({ Bucket: "cors-none" }));
    await s3.send(new PutObjectCommand({ Bucket, Key: "page.txt", Body: "hello" }));
    await s3.send(new PutBucketCorsCommand({
      Bucket,
      CORSConfiguration: {
        CORSRules: [
          { AllowedOrigins: ["https://app.example.com"], AllowedMethods: ["GET", "PUT"], AllowedHeaders: ["content-type", "x-amz-*"], ExposeHeaders: ["ETag"], MaxAgeSeconds: 3000 },
          { AllowedOrigins: ["*"], AllowedMethods: ["GET"] },
        ],
      },
    }));
  });
  afterAll(() => server.close());

  const preflight = (path: string, headers: Record<string, string>) => fetch(`${server.url}${path}`, { method: "OPTIONS", headers });

  it("answers a matching preflight with the rule's headers", async () => {
    const res = await preflight(`/${Bucket}/page.txt`, {
      Origin: "https://app.example.com",
      "Access-Control-Request-Method": "PUT",
      "Access-Control-Request-Headers": "Content-Type, X-Amz-Date",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, PUT");
    expect(res.headers.get("access-control-allow-headers")).toBe("content-type, x-amz-date");
    expect(res.headers.get("access-control-expose-headers")).toBe("ETag");
    expect(res.headers.get("access-control-max-age")).toBe("3000");
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
    expect(res.headers.get("vary")).toContain("Origin");
  });

  it("falls through to a wildcard-origin rule", async () => {
    const res = await preflight(`/${Bucket}/page.txt`, { Origin: "https://other.example.org", "Access-Control-Request-Method": "GET" });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("rejects a preflight no rule allows with 403 AccessForbidden", async () => {
    const res = await preflight(`/${Bucket}/page.txt`, { Origin: "https://other.example.org", "Access-Control-Request-Method": "DELETE" });
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toContain("<Code>AccessForbidden</Code>");
    expect(text).toContain("CORSResponse: This CORS request is not allowed.");
    expect(text).toContain("<Method>DELETE</Method>");
    expect(text).toContain("<ResourceType>OBJECT</ResourceType>");
    const headerDenied = await preflight(`/${Bucket}/page.txt`, { Origin: "https://app.example.com", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization-x" });
    expect(headerDenied.status).toBe(403);
  });

  it("403 without CORS configuration; 400 without Origin or method", async () => {
    const none = await preflight("/cors-none/k", { Origin: "https://app.example.com", "Access-Control-Request-Method": "GET" });
    expect(none.status).toBe(403);
    expect(await none.text()).toContain("CORSResponse: CORS is not enabled for this bucket.");
    const noOrigin = await preflight(`/${Bucket}/page.txt`, { "Access-Control-Request-Method": "GET" });
    expect(noOrigin.status).toBe(400);
    expect(await noOrigin.text()).toContain("Insufficient information. Origin request header needed.");
    const noMethod = await preflight(`/${Bucket}/page.txt`, { Origin: "https://app.example.com" });
    expect(noMethod.status).toBe(400);
  });

  it("adds CORS headers to actual requests with an allowed Origin", async () => {
    const res = await fetch(`${base}/page.txt`, { headers: { Origin: "https://app.example.com" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hello");
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(res.headers.get("access-control-expose-headers")).toBe("ETag");
    const plain = await fetch(`${base}/page.txt`);
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
    const denied = await fetch(`${base}/page.txt`, { method: "DELETE", headers: { Origin: "https://evil.example" } });
    expect(denied.headers.get("access-control-allow-origin")).toBeNull();
  });
});
