/**
 * KMS custom key stores (AWS CloudHSM and external key stores) and GetKeyLastUsage, through
 * @aws-sdk/client-kms in-process with a manual clock: creation checks, connection states on the
 * clock, keys in a store (Origin, CloudHsmClusterId, XksKeyConfiguration, Unavailable while
 * disconnected), deletion rules, and last usage recorded by real cryptographic operations.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  ConnectCustomKeyStoreCommand, CreateCustomKeyStoreCommand, CreateKeyCommand, DecryptCommand, DeleteCustomKeyStoreCommand,
  DescribeCustomKeyStoresCommand, DescribeKeyCommand, DisconnectCustomKeyStoreCommand, EncryptCommand, GenerateRandomCommand,
  GetKeyLastUsageCommand, KMSClient, ReEncryptCommand, ScheduleKeyDeletionCommand, UpdateCustomKeyStoreCommand,
} from "@aws-sdk/client-kms";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";

const errorOf = (p: Promise<unknown>) => p.then(() => { throw new Error("expected an error"); }, (e) => e as { name: string; message: string });
const MINUTE = 60_000;
const DAY = 86_400_000;

let client: KMSClient;
let clock: ManualClock;

/** A self-signed certificate (openssl req -x509, P-256), standing for a cluster's trust anchor. */
const TRUST_ANCHOR = `-----BEGIN CERTIFICATE-----
MIIBkjCCATmgAwIBAgIUcN4jL8irMWlloZV/I2ZVNmJpCa0wCgYIKoZIzj0EAwIw
HzEdMBsGA1UEAwwUY2x1c3Rlci10cnVzdC1hbmNob3IwHhcNMjYxMjA2MDE0MDAz
WhcNMzYxMjAzMDE0MDAzWjAfMR0wGwYDVQQDDBRjbHVzdGVyLXRydXN0LWFuY2hv
cjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABMFEPtALr4i97o4s3PV9U533bD55
St5FB6mQaLpaRx1dqpuV7aoWR8MppEm5XwFw9sVveUSS60hObvXg87ZjgPujUzBR
MB0GA1UdDgQWBBQ+lbN0/5mJKYG0ZhH9b/prUQTEmjAfBgNVHSMEGDAWgBQ+lbN0
/5mJKYG0ZhH9b/prUQTEmjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cA
MEQCIGxYdMMVt8kNCOIX7QmyAPB0740jchaxUEl2wPm6fbcOAiAFa0T7umsPGVI8
8OBAEN3eXaCRhufYROwS4I/vJGrMXw==
-----END CERTIFICATE-----`;

const trustAnchor = TRUST_ANCHOR;

const xksInput = (name: string, endpoint = "https://xks.example.com") => ({
  CustomKeyStoreName: name,
  CustomKeyStoreType: "EXTERNAL_KEY_STORE" as const,
  XksProxyUriEndpoint: endpoint,
  XksProxyUriPath: "/example/kms/xks/v1",
  XksProxyConnectivity: "PUBLIC_ENDPOINT" as const,
  XksProxyAuthenticationCredential: { AccessKeyId: "ABCDEFGHIJKLMNOPQRSTUV", RawSecretAccessKey: "DXjSUawnel2fr6SKC7G25CNxTyWKE5PF9XX6H/u9pSo=" },
});

beforeEach(async () => {
  clock = createManualClock();
  client = new KMSClient(inProcess(createEmulator({ clock })));
});

async function connected(id: string, wait = 5 * MINUTE): Promise<void> {
  await client.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
  await clock.advance(wait);
}

describe("CloudHSM key stores", () => {
  it("creates DISCONNECTED, connects on the clock, disconnects, and describes without the password", async () => {
    const { CustomKeyStoreId: id } = await client.send(new CreateCustomKeyStoreCommand({
      CustomKeyStoreName: "hsm", CloudHsmClusterId: "cluster-a2b3c4defgh", TrustAnchorCertificate: trustAnchor, KeyStorePassword: "kmsPswd1",
    }));
    expect(id).toMatch(/^cks-[0-9a-f]{17}$/);
    let [store] = (await client.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores!;
    expect(store).toMatchObject({ CustomKeyStoreName: "hsm", CustomKeyStoreType: "AWS_CLOUDHSM", CloudHsmClusterId: "cluster-a2b3c4defgh", ConnectionState: "DISCONNECTED", TrustAnchorCertificate: trustAnchor });
    expect(JSON.stringify(store)).not.toContain("kmsPswd1");

    await client.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    [store] = (await client.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreName: "hsm" }))).CustomKeyStores!;
    expect(store.ConnectionState).toBe("CONNECTING");
    await clock.advance(5 * MINUTE);
    [store] = (await client.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores!;
    expect(store.ConnectionState).toBe("CONNECTED");
    // Connecting a connected store succeeds and changes nothing.
    await client.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));

    // Updates other than while disconnected fail.
    expect((await errorOf(client.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, NewCustomKeyStoreName: "hsm2" })))).name).toBe("CustomKeyStoreInvalidStateException");
    expect((await errorOf(client.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })))).name).toBe("CustomKeyStoreInvalidStateException");

    await client.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    expect((await errorOf(client.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id })))).name).toBe("CustomKeyStoreInvalidStateException");
    await client.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, NewCustomKeyStoreName: "hsm2", KeyStorePassword: "another1" }));
    [store] = (await client.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores!;
    expect(store).toMatchObject({ CustomKeyStoreName: "hsm2", ConnectionState: "DISCONNECTED" });
    await client.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    expect((await errorOf(client.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id })))).name).toBe("CustomKeyStoreNotFoundException");
  });

  it("answers AWS's errors on create", async () => {
    const base = { CloudHsmClusterId: "cluster-a2b3c4defgh", TrustAnchorCertificate: trustAnchor, KeyStorePassword: "kmsPswd1" };
    await client.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: "a", ...base }));
    expect((await errorOf(client.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: "a", ...base, CloudHsmClusterId: "cluster-b3c4d5efghi" })))).name).toBe("CustomKeyStoreNameInUseException");
    expect((await errorOf(client.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: "b", ...base })))).name).toBe("CloudHsmClusterInUseException");
    expect((await errorOf(client.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: "c", ...base, CloudHsmClusterId: "cluster-b3c4d5efghi", TrustAnchorCertificate: "not a certificate" })))).name).toBe("IncorrectTrustAnchorException");
    expect((await errorOf(client.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: "d", CloudHsmClusterId: "cluster-c4d5e6fghij" })))).name).toBe("ValidationException");
    expect((await errorOf(client.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: "e", ...base, XksProxyUriPath: "/kms/xks/v1" })))).name).toBe("ValidationException");
    expect((await errorOf(client.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: "cks-00000000000000000" })))).name).toBe("CustomKeyStoreNotFoundException");
  });

  it("holds symmetric keys with CloudHsmClusterId that encrypt while connected and are Unavailable while not", async () => {
    const { CustomKeyStoreId: id } = await client.send(new CreateCustomKeyStoreCommand({
      CustomKeyStoreName: "hsm", CloudHsmClusterId: "cluster-a2b3c4defgh", TrustAnchorCertificate: trustAnchor, KeyStorePassword: "kmsPswd1",
    }));
    expect((await errorOf(client.send(new CreateKeyCommand({ Origin: "AWS_CLOUDHSM", CustomKeyStoreId: id })))).name).toBe("CustomKeyStoreInvalidStateException");
    expect((await errorOf(client.send(new GenerateRandomCommand({ NumberOfBytes: 8, CustomKeyStoreId: id })))).name).toBe("CustomKeyStoreInvalidStateException");
    await connected(id!);
    expect((await client.send(new GenerateRandomCommand({ NumberOfBytes: 8, CustomKeyStoreId: id }))).Plaintext).toHaveLength(8);
    expect((await errorOf(client.send(new CreateKeyCommand({ CustomKeyStoreId: id })))).name).toBe("ValidationException");
    expect((await errorOf(client.send(new CreateKeyCommand({ Origin: "AWS_CLOUDHSM", CustomKeyStoreId: id, KeySpec: "RSA_2048" })))).name).toBe("UnsupportedOperationException");
    expect((await errorOf(client.send(new CreateKeyCommand({ Origin: "AWS_CLOUDHSM" })))).name).toBe("ValidationException");
    const { KeyMetadata: key } = await client.send(new CreateKeyCommand({ Origin: "AWS_CLOUDHSM", CustomKeyStoreId: id }));
    expect(key).toMatchObject({ Origin: "AWS_CLOUDHSM", CustomKeyStoreId: id, CloudHsmClusterId: "cluster-a2b3c4defgh", KeyState: "Enabled" });
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: key!.KeyId, Plaintext: new TextEncoder().encode("hsm") }));

    await client.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    expect((await client.send(new DescribeKeyCommand({ KeyId: key!.KeyId }))).KeyMetadata!.KeyState).toBe("Unavailable");
    expect((await errorOf(client.send(new DecryptCommand({ CiphertextBlob })))).name).toBe("KMSInvalidStateException");
    // A store with keys cannot be deleted.
    expect((await errorOf(client.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })))).name).toBe("CustomKeyStoreHasCMKsException");

    await connected(id!);
    expect((await client.send(new DescribeKeyCommand({ KeyId: key!.KeyId }))).KeyMetadata!.KeyState).toBe("Enabled");
    const { Plaintext } = await client.send(new DecryptCommand({ CiphertextBlob }));
    expect(new TextDecoder().decode(Plaintext)).toBe("hsm");

    await client.send(new ScheduleKeyDeletionCommand({ KeyId: key!.KeyId, PendingWindowInDays: 7 }));
    await client.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await clock.advance(7 * DAY);
    await client.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
  });
});

describe("external key stores", () => {
  it("creates with the proxy configuration (secret never shown) and checks uniqueness", async () => {
    const { CustomKeyStoreId: id } = await client.send(new CreateCustomKeyStoreCommand(xksInput("xks")));
    const [store] = (await client.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores!;
    expect(store).toMatchObject({
      CustomKeyStoreType: "EXTERNAL_KEY_STORE", ConnectionState: "DISCONNECTED",
      XksProxyConfiguration: { Connectivity: "PUBLIC_ENDPOINT", AccessKeyId: "ABCDEFGHIJKLMNOPQRSTUV", UriEndpoint: "https://xks.example.com", UriPath: "/example/kms/xks/v1" },
    });
    expect(JSON.stringify(store)).not.toContain("DXjSUawnel2fr6SKC7G25CNxTyWKE5PF9XX6H");
    expect((await errorOf(client.send(new CreateCustomKeyStoreCommand(xksInput("other"))))).name).toBe("XksProxyUriInUseException");
    expect((await errorOf(client.send(new CreateCustomKeyStoreCommand({ ...xksInput("vpc", "https://vpc.example.com"), XksProxyConnectivity: "VPC_ENDPOINT_SERVICE" })))).name).toBe("ValidationException");
    expect((await errorOf(client.send(new CreateCustomKeyStoreCommand({ ...xksInput("bad"), XksProxyUriPath: "/nokms" })))).name).toBe("ValidationException");
    // The path may change while connected; the endpoint may not.
    await connected(id!, MINUTE);
    await client.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, XksProxyUriPath: "/other/kms/xks/v1" }));
    expect((await errorOf(client.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, XksProxyUriEndpoint: "https://new.example.com" })))).name).toBe("CustomKeyStoreInvalidStateException");
    const [updated] = (await client.send(new DescribeCustomKeyStoresCommand({}))).CustomKeyStores!;
    expect(updated.XksProxyConfiguration!.UriPath).toBe("/other/kms/xks/v1");
  });

  it("creates keys with Origin EXTERNAL_KEY_STORE and an XksKeyId used once", async () => {
    const { CustomKeyStoreId: id } = await client.send(new CreateCustomKeyStoreCommand(xksInput("xks")));
    await connected(id!, MINUTE);
    expect((await errorOf(client.send(new CreateKeyCommand({ Origin: "EXTERNAL_KEY_STORE", CustomKeyStoreId: id })))).name).toBe("ValidationException");
    expect((await errorOf(client.send(new CreateKeyCommand({ Origin: "AWS_CLOUDHSM", CustomKeyStoreId: id })))).name).toBe("ValidationException");
    const { KeyMetadata: key } = await client.send(new CreateKeyCommand({ Origin: "EXTERNAL_KEY_STORE", CustomKeyStoreId: id, XksKeyId: "ext-key-1" }));
    expect(key).toMatchObject({ Origin: "EXTERNAL_KEY_STORE", CustomKeyStoreId: id, XksKeyConfiguration: { Id: "ext-key-1" } });
    expect(key!.CloudHsmClusterId).toBeUndefined();
    expect((await errorOf(client.send(new CreateKeyCommand({ Origin: "EXTERNAL_KEY_STORE", CustomKeyStoreId: id, XksKeyId: "ext-key-1" })))).name).toBe("XksKeyAlreadyInUseException");
    expect((await errorOf(client.send(new GenerateRandomCommand({ NumberOfBytes: 8, CustomKeyStoreId: id })))).name).toBe("UnsupportedOperationException");
  });
});

describe("GetKeyLastUsage", () => {
  it("reports nothing before use, then the last successful cryptographic operation", async () => {
    const { KeyMetadata: a } = await client.send(new CreateKeyCommand({}));
    const { KeyMetadata: b } = await client.send(new CreateKeyCommand({}));
    let usage = await client.send(new GetKeyLastUsageCommand({ KeyId: a!.KeyId }));
    expect(usage.KeyLastUsage).toBeUndefined();
    expect(usage.KeyId).toBe(a!.KeyId);
    expect(usage.TrackingStartDate!.getTime()).toBe(a!.CreationDate!.getTime());
    expect(usage.KeyCreationDate!.getTime()).toBe(a!.CreationDate!.getTime());

    await clock.advance(MINUTE);
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: a!.Arn, Plaintext: new Uint8Array([1]) }));
    usage = await client.send(new GetKeyLastUsageCommand({ KeyId: a!.Arn }));
    expect(usage.KeyLastUsage).toMatchObject({ Operation: "Encrypt" });
    expect(usage.KeyLastUsage!.Timestamp!.getTime()).toBe(clock.now());
    expect(usage.KeyLastUsage!.KmsRequestId).toBeTruthy();

    // A failed operation is not a usage.
    await clock.advance(MINUTE);
    await errorOf(client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { wrong: "context" } })));
    expect((await client.send(new GetKeyLastUsageCommand({ KeyId: a!.KeyId }))).KeyLastUsage!.Operation).toBe("Encrypt");

    await client.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: b!.KeyId }));
    expect((await client.send(new GetKeyLastUsageCommand({ KeyId: a!.KeyId }))).KeyLastUsage!.Operation).toBe("ReEncrypt");
    expect((await client.send(new GetKeyLastUsageCommand({ KeyId: b!.KeyId }))).KeyLastUsage).toMatchObject({ Operation: "ReEncrypt" });
    expect((await errorOf(client.send(new GetKeyLastUsageCommand({ KeyId: "alias/aws/s3" })))).name).toBe("NotFoundException");
    expect((await errorOf(client.send(new GetKeyLastUsageCommand({ KeyId: "11111111-2222-3333-4444-555555555555" })))).name).toBe("NotFoundException");
  });
});
