// Run by Deno (not vitest): the emulator core, in-process, under Deno's own web APIs.
import { createEmulator } from "../../src/mod.ts";

const emulator = createEmulator();
const call = (body: string, key = "test", service = "sts") =>
  emulator.fetch(new Request("http://127.0.0.1:4566/", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `AWS4-HMAC-SHA256 Credential=${key}/20261122/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`,
    },
    body,
  }));

const who = await (await call("Action=GetCallerIdentity&Version=2011-06-15")).text();
if (!who.includes("<Account>000000000000</Account>")) throw new Error("GetCallerIdentity: " + who);
// STS checks with IAM that the role exists.
const trust = encodeURIComponent(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] }));
const created = await call(`Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=${trust}`, "111122223333", "iam");
if (created.status !== 200) throw new Error("CreateRole: " + (await created.text()));
const assumed = await (await call("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=deno")).text();
const key = /<AccessKeyId>(\w+)<\/AccessKeyId>/.exec(assumed)?.[1];
if (!key) throw new Error("AssumeRole: " + assumed);
const me = await (await call("Action=GetCallerIdentity&Version=2011-06-15", key)).text();
if (!me.includes("assumed-role/r/deno")) throw new Error("assumed identity: " + me);
const bad = await call("Action=Nope&Version=2011-06-15");
if (bad.status !== 400) throw new Error("unknown action status " + bad.status);
console.log("deno smoke ok");
