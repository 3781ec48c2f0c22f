/**
 * The gateway: service, region and account from every request shape real clients send, and
 * AWS's errors for requests that are wrong.
 */
import { describe, expect, it } from "vitest";
import { createEmulator } from "../../src/emulator.ts";
import sns from "../../src/services/sns/index.ts";
import { accountFor, accountFromAccessKeyId, newAccessKeyId } from "../../src/gateway/accounts.ts";

const emulator = createEmulator();

function auth(service: string, region = "us-east-1", key = "test") {
  return `AWS4-HMAC-SHA256 Credential=${key}/20261122/${region}/${service}/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${"0".repeat(64)}`;
}

function form(body: string, headers: Record<string, string> = {}) {
  return new Request("http://127.0.0.1:4566/", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8", ...headers },
    body,
  });
}

describe("access keys and accounts", () => {
  it("encodes and decodes the account in AWS-style key ids", () => {
    // AWS's documented example: ASIAY34FZKBOKMUTVV7A belongs to account 609629065308.
    expect(accountFromAccessKeyId("ASIAY34FZKBOKMUTVV7A")).toBe("609629065308");
    const key = newAccessKeyId("ASIA", "123456789012");
    expect(key).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(accountFromAccessKeyId(key)).toBe("123456789012");
    expect(accountFor("123456789012", "000000000000")).toBe("123456789012");
    expect(accountFor("test", "000000000000")).toBe("000000000000");
    expect(accountFor(null, "000000000000")).toBe("000000000000");
  });
});

describe("routing", () => {
  it("routes a signed query request by credential scope", async () => {
    const res = await emulator.fetch(form("Action=GetCallerIdentity&Version=2011-06-15", { authorization: auth("sts", "eu-west-1", "222233334444") }));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("<Account>222233334444</Account>");
    expect(text).toContain('xmlns="https://sts.amazonaws.com/doc/2011-06-15/"');
  });

  it("routes an unsigned query request by Action and Version", async () => {
    const res = await emulator.fetch(form("Action=GetCallerIdentity&Version=2011-06-15"));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<Arn>arn:aws:iam::000000000000:root</Arn>");
  });

  it("routes a presigned GET by X-Amz-Credential", async () => {
    const url = "http://127.0.0.1:4566/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256" +
      "&X-Amz-Credential=333344445555%2F20261122%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20261122T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00";
    const res = await emulator.fetch(new Request(url));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<Account>333344445555</Account>");
  });

  it("routes by service host name", async () => {
    const res = await emulator.fetch(new Request("http://sts.localhost:4566/", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    }));
    expect(res.status).toBe(200);
  });

  it("answers 501 naming an unknown service", async () => {
    const res = await emulator.fetch(form("Action=DescribeInstances&Version=2016-11-15", { authorization: auth("ec2") }));
    expect(res.status).toBe(501);
    expect(await res.text()).toContain("'ec2'");
    const target = await emulator.fetch(new Request("http://127.0.0.1:4566/", {
      method: "POST", headers: { "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters", "content-type": "application/x-amz-json-1.1" }, body: "{}",
    }));
    expect(target.status).toBe(501);
    expect(await target.text()).toContain("AmazonEC2ContainerServiceV20141113");
  });

  it("answers 501 for a service left out with --services", async () => {
    const only = createEmulator({ services: ["sts"] });
    const res = await only.fetch(new Request("http://127.0.0.1:4566/", {
      method: "POST", headers: { "x-amz-target": "DynamoDB_20120810.ListTables", "content-type": "application/x-amz-json-1.0", authorization: auth("dynamodb") }, body: "{}",
    }));
    expect(res.status).toBe(501);
    expect(await res.text()).toContain("dynamodb");
  });

  it("answers 501 NotImplemented for a known but unimplemented operation", async () => {
    // A service routed by its model with no handler for an operation: never a fake success.
    // (Every built-in query service implements its operations by now, so the test declares one.)
    const stub = createEmulator({ services: [{ ...sns, handlers: {} }] });
    const res = await stub.fetch(form("Action=ListTopics&Version=2010-03-31", { authorization: auth("sns") }));
    expect(res.status).toBe(501);
    const text = await res.text();
    expect(text).toContain("<Code>NotImplemented</Code>");
    expect(text).toContain("ListTopics");
  });
});

describe("bad input", () => {
  it("unknown Action → InvalidAction", async () => {
    const res = await emulator.fetch(form("Action=GetCallerIdentityX&Version=2011-06-15", { authorization: auth("sts") }));
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain("<Code>InvalidAction</Code>");
    expect(text).toContain("<Type>Sender</Type>");
  });

  it("missing Action → MissingAction", async () => {
    const res = await emulator.fetch(form("Version=2011-06-15", { authorization: auth("sts") }));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/<Code>(MissingAction|InvalidAction)<\/Code>/);
  });

  it("malformed form bodies get an AWS error, not a crash", async () => {
    for (const body of ["%%%", "\u0000\u0001", "a=b=c&&&", "Action=%E0%A4%A&Version=2011-06-15"]) {
      const res = await emulator.fetch(form(body, { authorization: auth("sts") }));
      expect(res.status).toBeLessThan(500);
      expect(await res.text()).toContain("<ErrorResponse");
    }
  });

  it("wrong-typed members get a validation error", async () => {
    const res = await emulator.fetch(form("Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::111122223333:role/r&RoleSessionName=abc&DurationSeconds=abc", { authorization: auth("sts") }));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/<Code>(ValidationError|MalformedQueryString|InvalidParameterValue)<\/Code>/);
  });

  it("bodies over the limit get 413", async () => {
    const small = createEmulator({ maxBodyBytes: 1024 });
    const res = await small.fetch(form("Action=GetCallerIdentity&Version=2011-06-15&Pad=" + "x".repeat(4096), { authorization: auth("sts") }));
    expect(res.status).toBe(413);
  });
});

describe("internal API", () => {
  it("health lists services", async () => {
    const res = await emulator.fetch(new Request("http://127.0.0.1:4566/_fetchstack/health"));
    expect(res.status).toBe(200);
    const body = await res.json() as { services: Record<string, string> };
    expect(body.services.sts).toBe("running");
    expect(Object.keys(body.services)).toEqual(expect.arrayContaining(["s3", "sqs", "dynamodb"]));
  });

  it("state snapshot, reset and restore round-trip", async () => {
    const local = createEmulator();
    // STS checks with IAM that the role exists.
    const trust = encodeURIComponent(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] }));
    await local.fetch(form(`Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=${trust}`, { authorization: auth("iam", "us-east-1", "111122223333") }));
    const assume = form("Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::111122223333:role/r&RoleSessionName=abc", { authorization: auth("sts") });
    const body = await (await local.fetch(assume)).text();
    const key = /<AccessKeyId>(\w+)<\/AccessKeyId>/.exec(body)![1];
    const who = () => local.fetch(form("Action=GetCallerIdentity&Version=2011-06-15", { authorization: auth("sts", "us-east-1", key) })).then((r) => r.text());
    expect(await who()).toContain("assumed-role/r/abc");

    const snapshot = await (await local.fetch(new Request("http://x/_fetchstack/state"))).json();
    const reset = await local.fetch(new Request("http://x/_fetchstack/reset?service=sts", { method: "POST" }));
    expect(reset.status).toBe(200);
    expect(await who()).not.toContain("assumed-role");

    const restored = await local.fetch(new Request("http://x/_fetchstack/state", { method: "PUT", body: JSON.stringify(snapshot) }));
    expect(restored.status).toBe(200);
    expect(await who()).toContain("assumed-role/r/abc");

    const bad = await local.fetch(new Request("http://x/_fetchstack/state", { method: "PUT", body: "{\"format\":\"nope\"}" }));
    expect(bad.status).toBe(400);
    const unknown = await local.fetch(new Request("http://x/_fetchstack/reset?service=nope", { method: "POST" }));
    expect(unknown.status).toBe(404);
  });

  it("serves under a basePath", async () => {
    const mounted = createEmulator({ basePath: "/aws" });
    const res = await mounted.fetch(new Request("http://127.0.0.1/aws/", {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", authorization: auth("sts") },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    }));
    expect(res.status).toBe(200);
    expect((await mounted.fetch(new Request("http://127.0.0.1/aws/_fetchstack/health"))).status).toBe(200);
  });
});
