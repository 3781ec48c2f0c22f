/**
 * Configuration documents that do not validate against S3's schema get MalformedXML (400), as
 * S3 answers: a wrong root element, a missing required element, XML that does not parse.
 * Raw requests: SDKs always write the right root.
 */
import { describe, expect, it } from "vitest";
import { createEmulator } from "../../../src/emulator.ts";

const headers = { authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0" };

describe("S3 MalformedXML for configuration documents", () => {
  it.each([
    ["tagging", "<Wrong><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Wrong>"],
    ["tagging", "<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet>"],
    ["notification", "<Junk/>"],
    ["publicAccessBlock", "<Wrong><BlockPublicAcls>true</BlockPublicAcls></Wrong>"],
    ["logging", "<Wrong/>"],
    ["lifecycle", "<Nope/>"],
    ["lifecycle", "<LifecycleConfiguration><Rule><ID>x</ID></Rule></LifecycleConfiguration>"],
    ["versioning", "<VersioningConfiguration><Status>Bogus</Status></VersioningConfiguration>"],
    ["cors", "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>"],
    ["encryption", "<ServerSideEncryptionConfiguration></ServerSideEncryptionConfiguration>"],
    ["website", "<WebsiteConfiguration></WebsiteConfiguration>"],
  ])("PUT ?%s with %s", async (subresource, body) => {
    const aws = createEmulator();
    expect((await aws.fetch(new Request("http://localhost/malformed-bucket", { method: "PUT", headers }))).status).toBe(200);
    const res = await aws.fetch(new Request(`http://localhost/malformed-bucket?${subresource}`, { method: "PUT", headers, body }));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>MalformedXML</Code>");
  });

  it("a namespaced root in the right name is accepted", async () => {
    const aws = createEmulator();
    await aws.fetch(new Request("http://localhost/malformed-bucket", { method: "PUT", headers }));
    const body = `<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`;
    const res = await aws.fetch(new Request("http://localhost/malformed-bucket?tagging", { method: "PUT", headers, body }));
    expect(res.ok).toBe(true);
  });
});
