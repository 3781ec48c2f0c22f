/**
 * S3 ACL grants under enforcement: with Object Ownership other than BucketOwnerEnforced, canned
 * and explicit grants to AllUsers, AuthenticatedUsers and the owner's canonical id allow requests
 * as a resource-based grant; BucketOwnerEnforced and Block Public Access IgnorePublicAcls turn
 * them off.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  CreateBucketCommand, DeletePublicAccessBlockCommand, GetObjectCommand, PutBucketAclCommand, PutBucketOwnershipControlsCommand, PutObjectAclCommand,
  PutObjectCommand, PutPublicAccessBlockCommand, S3Client,
} from "@aws-sdk/client-s3";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { createEmulator, type Emulator } from "../../src/emulator.ts";
import { createRequestHandler } from "../../src/runtime/sdk.ts";
import { TEST_CREDENTIALS } from "../helpers/clients.ts";

const s3For = (emulator: Emulator, credentials = TEST_CREDENTIALS) =>
  new S3Client({ region: "us-east-1", credentials, forcePathStyle: true, requestHandler: createRequestHandler(emulator) });
const anonymous = (emulator: Emulator, path: string, method = "GET", body?: string) =>
  emulator.fetch(new Request(`http://localhost:4566${path}`, { method, body }));

describe("S3 ACLs under enforceIam", () => {
  let emulator: Emulator;
  let root: S3Client;
  beforeEach(async () => {
    emulator = createEmulator({ enforceIam: true });
    root = s3For(emulator);
    await root.send(new CreateBucketCommand({ Bucket: "acl" }));
    await root.send(new DeletePublicAccessBlockCommand({ Bucket: "acl" }));
    await root.send(new PutBucketOwnershipControlsCommand({ Bucket: "acl", OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerPreferred" }] } }));
    await root.send(new PutObjectCommand({ Bucket: "acl", Key: "public.txt", Body: "P", ACL: "public-read" }));
    await root.send(new PutObjectCommand({ Bucket: "acl", Key: "private.txt", Body: "S" }));
    await root.send(new PutObjectCommand({ Bucket: "acl", Key: "members.txt", Body: "M", ACL: "authenticated-read" }));
  });

  it("object ACLs: public-read to anyone, authenticated-read to signed callers only, private to nobody else", async () => {
    const pub = await anonymous(emulator, "/acl/public.txt");
    expect(pub.status).toBe(200);
    expect(await pub.text()).toBe("P");
    expect((await anonymous(emulator, "/acl/private.txt")).status).toBe(403);
    expect((await anonymous(emulator, "/acl/members.txt")).status).toBe(403);

    // A user with no policy at all: only the ACLs can let them in.
    const iam = new IAMClient({ region: "us-east-1", credentials: TEST_CREDENTIALS, requestHandler: createRequestHandler(emulator) });
    await iam.send(new CreateUserCommand({ UserName: "nobody" }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "nobody" }))).AccessKey!;
    const user = s3For(emulator, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    expect(await (await user.send(new GetObjectCommand({ Bucket: "acl", Key: "members.txt" }))).Body!.transformToString()).toBe("M");
    await expect(user.send(new GetObjectCommand({ Bucket: "acl", Key: "private.txt" }))).rejects.toMatchObject({ name: "AccessDenied" });

    // An explicit grant changes it; IgnorePublicAcls turns public grants off.
    await root.send(new PutObjectAclCommand({ Bucket: "acl", Key: "private.txt", GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' }));
    expect((await anonymous(emulator, "/acl/private.txt")).status).toBe(200);
    await root.send(new PutPublicAccessBlockCommand({ Bucket: "acl", PublicAccessBlockConfiguration: { IgnorePublicAcls: true } }));
    expect((await anonymous(emulator, "/acl/public.txt")).status).toBe(403);
  });

  it("bucket ACLs: public-read lists, public-read-write lets anyone put; BucketOwnerEnforced disables ACLs", async () => {
    expect((await anonymous(emulator, "/acl?list-type=2")).status).toBe(403);
    await root.send(new PutBucketAclCommand({ Bucket: "acl", ACL: "public-read" }));
    expect((await anonymous(emulator, "/acl?list-type=2")).status).toBe(200);
    expect((await anonymous(emulator, "/acl/new.txt", "PUT", "N")).status).toBe(403);
    await root.send(new PutBucketAclCommand({ Bucket: "acl", ACL: "public-read-write" }));
    expect((await anonymous(emulator, "/acl/new.txt", "PUT", "N")).status).toBe(200);

    await root.send(new PutBucketOwnershipControlsCommand({ Bucket: "acl", OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } }));
    expect((await anonymous(emulator, "/acl?list-type=2")).status).toBe(403);
    expect((await anonymous(emulator, "/acl/public.txt")).status).toBe(403);
  });
});
