/**
 * IAM's virtual MFA devices (TOTP codes computed here with node:crypto, QR code read back by
 * jsQR), server and signing certificates (made by openssl) and service-specific credentials,
 * through the JS SDK in-process, on a manual clock.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHmac } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { base32 } from "@scure/base";
import { unzlibSync } from "fflate";
import jsQR from "jsqr";
import {
  CreateAccountAliasCommand, CreateServiceSpecificCredentialCommand, CreateUserCommand, CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand, DeleteServerCertificateCommand, DeleteServiceSpecificCredentialCommand, DeleteSigningCertificateCommand,
  DeleteUserCommand, DeleteVirtualMFADeviceCommand, EnableMFADeviceCommand, GetAccountSummaryCommand, GetMFADeviceCommand,
  GetServerCertificateCommand, IAMClient, ListMFADevicesCommand, ListMFADeviceTagsCommand, ListServerCertificatesCommand,
  ListServerCertificateTagsCommand, ListServiceSpecificCredentialsCommand, ListSigningCertificatesCommand, ListVirtualMFADevicesCommand,
  ResetServiceSpecificCredentialCommand, ResyncMFADeviceCommand, TagMFADeviceCommand, TagServerCertificateCommand, UntagMFADeviceCommand,
  UntagServerCertificateCommand, UpdateServerCertificateCommand, UpdateServiceSpecificCredentialCommand, UpdateSigningCertificateCommand,
  UploadServerCertificateCommand, UploadSigningCertificateCommand,
} from "@aws-sdk/client-iam";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";

async function error(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

/** RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits), independently of the emulator's. */
function code(seed: string, ms: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 30_000)));
  const mac = createHmac("sha1", Buffer.from(base32.decode(seed))).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** The text of the QR code in a grayscale or RGB(A) 8-bit PNG without interlacing. */
function readQr(png: Uint8Array): string | null {
  expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let at = 8, width = 0, height = 0, colour = 0;
  const idat: Uint8Array[] = [];
  while (at < png.length) {
    const len = view.getUint32(at);
    const type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + len);
    if (type === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      colour = data[9];
    }
    if (type === "IDAT") idat.push(data);
    at += 12 + len;
  }
  const raw = unzlibSync(Buffer.concat(idat));
  const channels = colour === 0 ? 1 : colour === 2 ? 3 : 4;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * channels + 1)]).toBe(0); // filter type none
    for (let x = 0; x < width; x++) {
      const v = raw[y * (width * channels + 1) + 1 + x * channels];
      rgba.set([v, v, v, 255], (y * width + x) * 4);
    }
  }
  return jsQR(rgba, width, height)?.data ?? null;
}

const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] }).toString();

describe("IAM virtual MFA devices", () => {
  let iam: IAMClient;
  let clock: ManualClock;
  beforeEach(() => {
    clock = createManualClock(Date.UTC(2026, 5, 1, 12, 0, 10));
    iam = new IAMClient(inProcess(createEmulator({ clock })));
  });

  it("CreateVirtualMFADevice: a Base32 seed and a QR code of the otpauth URI (account alias when set)", async () => {
    const created = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "alice-phone", Path: "/eng/", Tags: [{ Key: "k", Value: "v" }] }))).VirtualMFADevice!;
    expect(created.SerialNumber).toBe("arn:aws:iam::000000000000:mfa/eng/alice-phone");
    const seed = new TextDecoder().decode(created.Base32StringSeed);
    expect(seed).toMatch(/^[A-Z2-7]{64}$/);
    expect(base32.decode(seed)).toHaveLength(40);
    expect(readQr(created.QRCodePNG!)).toBe(`otpauth://totp/alice-phone@000000000000?secret=${seed}`);
    expect(await error(iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "alice-phone" })))).toMatchObject({ name: "EntityAlreadyExistsException", status: 409 });

    await iam.send(new CreateAccountAliasCommand({ AccountAlias: "acme" }));
    const second = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "bob" }))).VirtualMFADevice!;
    expect(readQr(second.QRCodePNG!)).toBe(`otpauth://totp/bob@acme?secret=${new TextDecoder().decode(second.Base32StringSeed)}`);
  });

  it("EnableMFADevice needs two consecutive codes of the device; list, get, deactivate, delete", async () => {
    await iam.send(new CreateUserCommand({ UserName: "alice" }));
    const device = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "phone" }))).VirtualMFADevice!;
    const seed = new TextDecoder().decode(device.Base32StringSeed);
    const serial = device.SerialNumber!;
    const now = clock.now();
    expect(await error(iam.send(new EnableMFADeviceCommand({ UserName: "alice", SerialNumber: serial, AuthenticationCode1: code(seed, now), AuthenticationCode2: code(seed, now) })))).toMatchObject({
      name: "InvalidAuthenticationCodeException", message: "Authentication code for device is not valid.", status: 403,
    });
    // Codes of an hour ago are out of EnableMFADevice's window.
    expect(await error(iam.send(new EnableMFADeviceCommand({ UserName: "alice", SerialNumber: serial, AuthenticationCode1: code(seed, now - 3_600_000), AuthenticationCode2: code(seed, now - 3_570_000) })))).toMatchObject({ name: "InvalidAuthenticationCodeException" });
    expect(await error(iam.send(new EnableMFADeviceCommand({ UserName: "alice", SerialNumber: "arn:aws:iam::000000000000:mfa/nope", AuthenticationCode1: "123456", AuthenticationCode2: "654321" })))).toMatchObject({ name: "NoSuchEntityException", status: 404 });
    expect((await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Unassigned" }))).VirtualMFADevices!.map((d) => d.SerialNumber)).toEqual([serial]);

    await iam.send(new EnableMFADeviceCommand({ UserName: "alice", SerialNumber: serial, AuthenticationCode1: code(seed, now - 30_000), AuthenticationCode2: code(seed, now) }));
    const listed = (await iam.send(new ListMFADevicesCommand({ UserName: "alice" }))).MFADevices!;
    expect(listed).toEqual([{ UserName: "alice", SerialNumber: serial, EnableDate: new Date(now) }]);
    expect(await iam.send(new GetMFADeviceCommand({ UserName: "alice", SerialNumber: serial }))).toMatchObject({ UserName: "alice", SerialNumber: serial, EnableDate: new Date(now) });
    const assigned = (await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Assigned" }))).VirtualMFADevices!;
    expect(assigned).toHaveLength(1);
    expect(assigned[0]).toMatchObject({ SerialNumber: serial, User: { UserName: "alice" }, EnableDate: new Date(now) });
    expect(assigned[0].Base32StringSeed).toBeUndefined();
    expect((await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: "Unassigned" }))).VirtualMFADevices).toEqual([]);
    expect((await iam.send(new GetAccountSummaryCommand({}))).SummaryMap).toMatchObject({ MFADevices: 1, MFADevicesInUse: 1 });

    await iam.send(new CreateUserCommand({ UserName: "bob" }));
    expect(await error(iam.send(new EnableMFADeviceCommand({ UserName: "bob", SerialNumber: serial, AuthenticationCode1: code(seed, now + 30_000), AuthenticationCode2: code(seed, now + 60_000) })))).toMatchObject({ name: "EntityAlreadyExistsException" });
    expect(await error(iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })))).toMatchObject({ name: "DeleteConflictException", status: 409 });
    expect(await error(iam.send(new DeleteUserCommand({ UserName: "alice" })))).toMatchObject({ name: "DeleteConflictException", message: "Cannot delete entity, must delete MFA device first." });

    // Resync: the phone's clock runs an hour ahead; used codes are not taken again.
    expect(await error(iam.send(new ResyncMFADeviceCommand({ UserName: "alice", SerialNumber: serial, AuthenticationCode1: code(seed, now - 30_000), AuthenticationCode2: code(seed, now) })))).toMatchObject({ name: "InvalidAuthenticationCodeException" });
    await iam.send(new ResyncMFADeviceCommand({ UserName: "alice", SerialNumber: serial, AuthenticationCode1: code(seed, now + 3_600_000), AuthenticationCode2: code(seed, now + 3_630_000) }));
    expect(await error(iam.send(new ResyncMFADeviceCommand({ UserName: "bob", SerialNumber: serial, AuthenticationCode1: "111111", AuthenticationCode2: "222222" })))).toMatchObject({ name: "NoSuchEntityException" });

    await iam.send(new DeactivateMFADeviceCommand({ UserName: "alice", SerialNumber: serial }));
    expect((await iam.send(new ListMFADevicesCommand({ UserName: "alice" }))).MFADevices).toEqual([]);
    expect(await error(iam.send(new GetMFADeviceCommand({ UserName: "alice", SerialNumber: serial })))).toMatchObject({ name: "NoSuchEntityException" });
    expect(await error(iam.send(new DeactivateMFADeviceCommand({ UserName: "alice", SerialNumber: serial })))).toMatchObject({ name: "NoSuchEntityException" });
    await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
    expect((await iam.send(new ListVirtualMFADevicesCommand({}))).VirtualMFADevices).toEqual([]);
    await iam.send(new DeleteUserCommand({ UserName: "alice" }));
  });

  it("device tags", async () => {
    const serial = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "t", Tags: [{ Key: "a", Value: "1" }] }))).VirtualMFADevice!.SerialNumber!;
    await iam.send(new TagMFADeviceCommand({ SerialNumber: serial, Tags: [{ Key: "b", Value: "2" }] }));
    await iam.send(new UntagMFADeviceCommand({ SerialNumber: serial, TagKeys: ["a"] }));
    expect((await iam.send(new ListMFADeviceTagsCommand({ SerialNumber: serial }))).Tags).toEqual([{ Key: "b", Value: "2" }]);
    expect(await error(iam.send(new ListMFADeviceTagsCommand({ SerialNumber: "arn:aws:iam::000000000000:mfa/none" })))).toMatchObject({ name: "NoSuchEntityException" });
  });
});

describe("IAM certificates and service-specific credentials", () => {
  let dir: string;
  let cert: string, key: string, otherKey: string, ecCert: string, ecKey: string, rsaTraditional: string, expiry: Date;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "iam-certs-"));
    const f = (name: string) => join(dir, name);
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("key.pem"), "-out", f("cert.pem"), "-days", "30", "-subj", "/CN=example.com");
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", f("other.pem"));
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f("ec.pem"));
    openssl("req", "-x509", "-key", f("ec.pem"), "-out", f("ec-cert.pem"), "-days", "10", "-subj", "/CN=ec.example.com");
    openssl("rsa", "-in", f("key.pem"), "-traditional", "-out", f("trad.pem"));
    [cert, key, otherKey, ecCert, ecKey, rsaTraditional] = ["cert.pem", "key.pem", "other.pem", "ec-cert.pem", "ec.pem", "trad.pem"].map((n) => readFileSync(f(n), "utf8"));
    expiry = new Date(openssl("x509", "-in", f("cert.pem"), "-noout", "-enddate").trim().replace("notAfter=", ""));
  });

  let iam: IAMClient;
  beforeEach(() => {
    iam = new IAMClient(inProcess(createEmulator({ clock: createManualClock(Date.now()) })));
  });

  it("server certificates: upload (key must match; PKCS#8, PKCS#1, SEC1), get, list, rename, tags, delete", async () => {
    const up = await iam.send(new UploadServerCertificateCommand({ ServerCertificateName: "web", Path: "/cloudfront/", CertificateBody: cert, PrivateKey: key, Tags: [{ Key: "env", Value: "dev" }] }));
    expect(up.ServerCertificateMetadata).toMatchObject({ ServerCertificateName: "web", Path: "/cloudfront/", Arn: "arn:aws:iam::000000000000:server-certificate/cloudfront/web", Expiration: expiry });
    expect(up.ServerCertificateMetadata!.ServerCertificateId).toMatch(/^ASCA[A-Z2-7]{17}$/);
    expect(up.Tags).toEqual([{ Key: "env", Value: "dev" }]);
    expect(await error(iam.send(new UploadServerCertificateCommand({ ServerCertificateName: "bad", CertificateBody: cert, PrivateKey: otherKey })))).toMatchObject({ name: "KeyPairMismatchException", status: 400 });
    expect(await error(iam.send(new UploadServerCertificateCommand({ ServerCertificateName: "bad", CertificateBody: "not a cert", PrivateKey: key })))).toMatchObject({ name: "MalformedCertificateException", status: 400 });
    expect(await error(iam.send(new UploadServerCertificateCommand({ ServerCertificateName: "bad", CertificateBody: cert, PrivateKey: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" })))).toMatchObject({ name: "MalformedCertificateException" });
    expect(await error(iam.send(new UploadServerCertificateCommand({ ServerCertificateName: "WEB", CertificateBody: cert, PrivateKey: key })))).toMatchObject({ name: "EntityAlreadyExistsException", status: 409 });
    await iam.send(new UploadServerCertificateCommand({ ServerCertificateName: "ec", CertificateBody: ecCert, PrivateKey: ecKey, CertificateChain: cert }));
    await iam.send(new UploadServerCertificateCommand({ ServerCertificateName: "trad", CertificateBody: cert, PrivateKey: rsaTraditional }));
    expect(await error(iam.send(new UploadServerCertificateCommand({ ServerCertificateName: "ec2", CertificateBody: ecCert, PrivateKey: key })))).toMatchObject({ name: "KeyPairMismatchException" });

    const got = (await iam.send(new GetServerCertificateCommand({ ServerCertificateName: "ec" }))).ServerCertificate!;
    expect(got.CertificateBody).toBe(ecCert);
    expect(got.CertificateChain).toBe(cert);
    expect(JSON.stringify(got)).not.toContain("PRIVATE KEY");
    expect((await iam.send(new ListServerCertificatesCommand({ PathPrefix: "/cloudfront/" }))).ServerCertificateMetadataList!.map((c) => c.ServerCertificateName)).toEqual(["web"]);
    await iam.send(new UpdateServerCertificateCommand({ ServerCertificateName: "web", NewServerCertificateName: "site", NewPath: "/" }));
    expect((await iam.send(new GetServerCertificateCommand({ ServerCertificateName: "site" }))).ServerCertificate!.ServerCertificateMetadata!.Arn).toBe("arn:aws:iam::000000000000:server-certificate/site");
    expect(await error(iam.send(new GetServerCertificateCommand({ ServerCertificateName: "web" })))).toMatchObject({ name: "NoSuchEntityException", message: "The Server Certificate with name web cannot be found.", status: 404 });
    await iam.send(new TagServerCertificateCommand({ ServerCertificateName: "site", Tags: [{ Key: "team", Value: "x" }] }));
    await iam.send(new UntagServerCertificateCommand({ ServerCertificateName: "site", TagKeys: ["env"] }));
    expect((await iam.send(new ListServerCertificateTagsCommand({ ServerCertificateName: "site" }))).Tags).toEqual([{ Key: "team", Value: "x" }]);
    await iam.send(new DeleteServerCertificateCommand({ ServerCertificateName: "site" }));
    expect((await iam.send(new ListServerCertificatesCommand({}))).ServerCertificateMetadataList!.map((c) => c.ServerCertificateName)).toEqual(["ec", "trad"]);
    expect((await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!.ServerCertificates).toBe(2);
  });

  it("signing certificates: two per user, duplicates refused, status, delete", async () => {
    await iam.send(new CreateUserCommand({ UserName: "sig" }));
    const first = (await iam.send(new UploadSigningCertificateCommand({ UserName: "sig", CertificateBody: cert }))).Certificate!;
    expect(first).toMatchObject({ UserName: "sig", Status: "Active", CertificateBody: cert });
    expect(await error(iam.send(new UploadSigningCertificateCommand({ UserName: "sig", CertificateBody: cert })))).toMatchObject({ name: "DuplicateCertificateException", status: 409 });
    expect(await error(iam.send(new UploadSigningCertificateCommand({ UserName: "sig", CertificateBody: "junk" })))).toMatchObject({ name: "MalformedCertificateException" });
    await iam.send(new UploadSigningCertificateCommand({ UserName: "sig", CertificateBody: ecCert }));
    const third = openssl("req", "-x509", "-newkey", "rsa:1024", "-nodes", "-keyout", join(dir, "k3.pem"), "-days", "1", "-subj", "/CN=third");
    expect(await error(iam.send(new UploadSigningCertificateCommand({ UserName: "sig", CertificateBody: third })))).toMatchObject({ name: "LimitExceededException" });
    await iam.send(new UpdateSigningCertificateCommand({ UserName: "sig", CertificateId: first.CertificateId, Status: "Inactive" }));
    expect((await iam.send(new ListSigningCertificatesCommand({ UserName: "sig" }))).Certificates!.map((c) => c.Status)).toEqual(["Inactive", "Active"]);
    expect(await error(iam.send(new DeleteUserCommand({ UserName: "sig" })))).toMatchObject({ name: "DeleteConflictException" });
    await iam.send(new DeleteSigningCertificateCommand({ UserName: "sig", CertificateId: first.CertificateId }));
    expect(await error(iam.send(new DeleteSigningCertificateCommand({ UserName: "sig", CertificateId: first.CertificateId })))).toMatchObject({ name: "NoSuchEntityException" });
    expect((await iam.send(new ListSigningCertificatesCommand({ UserName: "sig" }))).Certificates).toHaveLength(1);
  });

  it("service-specific credentials: CodeCommit passwords, Bedrock API keys, reset, status, limits", async () => {
    await iam.send(new CreateUserCommand({ UserName: "dev" }));
    const git = (await iam.send(new CreateServiceSpecificCredentialCommand({ UserName: "dev", ServiceName: "codecommit.amazonaws.com" }))).ServiceSpecificCredential!;
    expect(git).toMatchObject({ UserName: "dev", ServiceName: "codecommit.amazonaws.com", ServiceUserName: "dev-at-000000000000", Status: "Active" });
    expect(git.ServicePassword).toHaveLength(44);
    expect(git.ServiceSpecificCredentialId).toMatch(/^ACCA/);
    const bedrock = (await iam.send(new CreateServiceSpecificCredentialCommand({ UserName: "dev", ServiceName: "bedrock.amazonaws.com", CredentialAgeDays: 30 }))).ServiceSpecificCredential!;
    expect(bedrock.ServiceCredentialAlias).toMatch(/^BedrockAPIKey-[a-z0-9]{4}-at-000000000000$/);
    expect(bedrock.ServiceCredentialSecret).toMatch(/^ABSK/);
    expect(bedrock.ExpirationDate!.getTime() - bedrock.CreateDate!.getTime()).toBe(30 * 86_400_000);
    expect(await error(iam.send(new CreateServiceSpecificCredentialCommand({ UserName: "dev", ServiceName: "s3.amazonaws.com" })))).toMatchObject({ name: "ServiceNotSupportedException", status: 404 });
    await iam.send(new CreateServiceSpecificCredentialCommand({ UserName: "dev", ServiceName: "codecommit.amazonaws.com" }));
    expect(await error(iam.send(new CreateServiceSpecificCredentialCommand({ UserName: "dev", ServiceName: "codecommit.amazonaws.com" })))).toMatchObject({ name: "LimitExceededException" });

    const reset = (await iam.send(new ResetServiceSpecificCredentialCommand({ UserName: "dev", ServiceSpecificCredentialId: git.ServiceSpecificCredentialId }))).ServiceSpecificCredential!;
    expect(reset.ServicePassword).not.toBe(git.ServicePassword);
    expect(reset.ServiceUserName).toBe(git.ServiceUserName);
    await iam.send(new UpdateServiceSpecificCredentialCommand({ UserName: "dev", ServiceSpecificCredentialId: git.ServiceSpecificCredentialId, Status: "Inactive" }));
    const listed = (await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: "dev", ServiceName: "codecommit.amazonaws.com" }))).ServiceSpecificCredentials!;
    expect(listed.map((c) => c.Status)).toEqual(["Inactive", "Active"]);
    expect(JSON.stringify(listed)).not.toContain(reset.ServicePassword!);
    expect((await iam.send(new ListServiceSpecificCredentialsCommand({ AllUsers: true }))).ServiceSpecificCredentials).toHaveLength(3);
    await iam.send(new DeleteServiceSpecificCredentialCommand({ UserName: "dev", ServiceSpecificCredentialId: git.ServiceSpecificCredentialId }));
    expect(await error(iam.send(new DeleteServiceSpecificCredentialCommand({ UserName: "dev", ServiceSpecificCredentialId: git.ServiceSpecificCredentialId })))).toMatchObject({ name: "NoSuchEntityException", status: 404 });
  });
});
