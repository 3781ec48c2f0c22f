/**
 * Every KMS operation (all 54 of botocore's model) through boto3 against the Node server, in one
 * Python script. Results are checked by independent code in that script (Python's
 * `cryptography`, `hmac`): data-key plaintexts encrypt with AES-GCM and their blobs decrypt back,
 * signatures verify with the GetPublicKey DER, RSA-OAEP ciphertexts made by `cryptography`
 * decrypt in KMS, ECDH secrets match a locally computed exchange, MACs from imported HMAC material
 * match `hmac`. A botocore `before-call` hook records which operations ran; the test asserts
 * every model operation did.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boto3, python } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";
import model from "../../../models/kms.json" with { type: "json" };

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const hasCryptography = python.version !== null && python.cryptography;

const SCRIPT = String.raw`
import base64, datetime, hashlib, hmac, os
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils, ed25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
called = set()
def client(region):
    c = boto3.client("kms", endpoint_url=ENDPOINT, region_name=region)
    c.meta.events.register("before-call.kms", lambda model, **kw: called.add(model.name))
    return c
kms = client("us-east-1")
west = client("us-west-2")
R = {}
code = error_code

# Keys: create, describe, list, description, enable/disable, tags.
key = kms.create_key(Description="walk", Tags=[{"TagKey": "team", "TagValue": "a"}])["KeyMetadata"]
kid, karn = key["KeyId"], key["Arn"]
R["created"] = {k: key[k] for k in ("KeyState", "KeySpec", "KeyUsage", "Origin", "KeyManager", "Enabled")}
kms.update_key_description(KeyId=kid, Description="walk 2")
R["described"] = kms.describe_key(KeyId=karn)["KeyMetadata"]["Description"]
R["listed"] = kid in [k["KeyId"] for p in kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 1}) for k in p["Keys"]]
kms.tag_resource(KeyId=kid, Tags=[{"TagKey": "env", "TagValue": "test"}])
kms.untag_resource(KeyId=kid, TagKeys=["team"])
R["tags"] = kms.list_resource_tags(KeyId=kid)["Tags"]
R["reservedTag"] = code(kms.tag_resource, KeyId=kid, Tags=[{"TagKey": "aws:x", "TagValue": "y"}])
kms.disable_key(KeyId=kid)
R["disabledState"] = kms.describe_key(KeyId=kid)["KeyMetadata"]["KeyState"]
R["disabledEncrypt"] = code(kms.encrypt, KeyId=kid, Plaintext=b"x")
kms.enable_key(KeyId=kid)
R["missing"] = code(kms.describe_key, KeyId="11111111-2222-3333-4444-555555555555")

# Aliases.
kms.create_alias(AliasName="alias/walk", TargetKeyId=kid)
R["aliasTwice"] = code(kms.create_alias, AliasName="alias/walk", TargetKeyId=kid)
other = kms.create_key()["KeyMetadata"]["KeyId"]
kms.update_alias(AliasName="alias/walk", TargetKeyId=other)
R["aliasTarget"] = [a["TargetKeyId"] for a in kms.list_aliases(KeyId=other)["Aliases"] if a["AliasName"] == "alias/walk"] == [other]
kms.update_alias(AliasName="alias/walk", TargetKeyId=kid)
kms.create_alias(AliasName="alias/walk-gone", TargetKeyId=kid)
kms.delete_alias(AliasName="alias/walk-gone")
R["aliasDeleted"] = code(kms.delete_alias, AliasName="alias/walk-gone")

# Symmetric encryption with context, re-encryption, size limit.
ct = kms.encrypt(KeyId="alias/walk", Plaintext=b"hello kms", EncryptionContext={"purpose": "walk"})["CiphertextBlob"]
dec = kms.decrypt(CiphertextBlob=ct, EncryptionContext={"purpose": "walk"})
R["decrypted"] = [dec["Plaintext"].decode(), dec["KeyId"], dec["EncryptionAlgorithm"]]
R["wrongContext"] = code(kms.decrypt, CiphertextBlob=ct, EncryptionContext={"purpose": "other"})
R["wrongKey"] = code(kms.decrypt, CiphertextBlob=ct, KeyId=other, EncryptionContext={"purpose": "walk"})
R["garbage"] = code(kms.decrypt, CiphertextBlob=b"\x01" * 64)
R["oversize"] = code(kms.encrypt, KeyId=kid, Plaintext=b"x" * 4097)
re = kms.re_encrypt(CiphertextBlob=ct, SourceEncryptionContext={"purpose": "walk"}, DestinationKeyId=other, DestinationEncryptionContext={"p": "2"})
R["reEncrypted"] = [re["SourceKeyId"] == karn, kms.decrypt(CiphertextBlob=re["CiphertextBlob"], EncryptionContext={"p": "2"})["Plaintext"].decode()]

# Data keys: the plaintext key really encrypts (AES-GCM here), its blob decrypts to the same key.
dk = kms.generate_data_key(KeyId=kid, KeySpec="AES_256", EncryptionContext={"dk": "1"})
nonce = os.urandom(12)
sealed = AESGCM(dk["Plaintext"]).encrypt(nonce, b"envelope", None)
unwrapped = kms.decrypt(CiphertextBlob=dk["CiphertextBlob"], EncryptionContext={"dk": "1"})["Plaintext"]
R["dataKey"] = [len(dk["Plaintext"]), AESGCM(unwrapped).decrypt(nonce, sealed, None).decode()]
dk2 = kms.generate_data_key_without_plaintext(KeyId=kid, NumberOfBytes=16)
R["dataKeyWithout"] = ["Plaintext" in dk2, len(kms.decrypt(CiphertextBlob=dk2["CiphertextBlob"])["Plaintext"])]
pair = kms.generate_data_key_pair(KeyId=kid, KeyPairSpec="ECC_NIST_P256")
priv = serialization.load_der_private_key(pair["PrivateKeyPlaintext"], None)
pub = serialization.load_der_public_key(pair["PublicKey"])
priv_again = kms.decrypt(CiphertextBlob=pair["PrivateKeyCiphertextBlob"])["Plaintext"]
sig = priv.sign(b"pair", ec.ECDSA(hashes.SHA256()))
pub.verify(sig, b"pair", ec.ECDSA(hashes.SHA256()))
R["dataKeyPair"] = [pair["KeyPairSpec"], priv_again == pair["PrivateKeyPlaintext"]]
pair2 = kms.generate_data_key_pair_without_plaintext(KeyId=kid, KeyPairSpec="RSA_2048")
rpriv = serialization.load_der_private_key(kms.decrypt(CiphertextBlob=pair2["PrivateKeyCiphertextBlob"])["Plaintext"], None)
R["dataKeyPairWithout"] = ["PrivateKeyPlaintext" in pair2, rpriv.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == pair2["PublicKey"]]
R["random"] = len(kms.generate_random(NumberOfBytes=32)["Plaintext"])

# Asymmetric encryption: cryptography encrypts with the public key, KMS decrypts.
rsa_enc = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
rsa_pub = serialization.load_der_public_key(kms.get_public_key(KeyId=rsa_enc)["PublicKey"])
oaep = rsa_pub.encrypt(b"to kms", padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
R["rsaDecrypt"] = kms.decrypt(CiphertextBlob=oaep, KeyId=rsa_enc, EncryptionAlgorithm="RSAES_OAEP_SHA_256")["Plaintext"].decode()
R["rsaSign"] = code(kms.sign, KeyId=rsa_enc, Message=b"m", SigningAlgorithm="RSASSA_PSS_SHA_256")

# Signatures: RAW and DIGEST, verified by cryptography and by KMS Verify.
rsa = kms.create_key(KeySpec="RSA_3072", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
rpub = serialization.load_der_public_key(kms.get_public_key(KeyId=rsa)["PublicKey"])
s1 = kms.sign(KeyId=rsa, Message=b"msg", SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_384")["Signature"]
rpub.verify(s1, b"msg", padding.PKCS1v15(), hashes.SHA384())
digest = hashlib.sha256(b"msg").digest()
s2 = kms.sign(KeyId=rsa, Message=digest, MessageType="DIGEST", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
rpub.verify(s2, b"msg", padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
R["verify"] = kms.verify(KeyId=rsa, Message=b"msg", Signature=s1, SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_384")["SignatureValid"]
R["badSignature"] = code(kms.verify, KeyId=rsa, Message=b"other", Signature=s1, SigningAlgorithm="RSASSA_PKCS1_V1_5_SHA_384")
k1 = kms.create_key(KeySpec="ECC_SECG_P256K1", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
kpub = serialization.load_der_public_key(kms.get_public_key(KeyId=k1)["PublicKey"])
kpub.verify(kms.sign(KeyId=k1, Message=b"btc", SigningAlgorithm="ECDSA_SHA_256")["Signature"], b"btc", ec.ECDSA(hashes.SHA256()))
ed = kms.create_key(KeySpec="ECC_NIST_EDWARDS25519", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
edpub = serialization.load_der_public_key(kms.get_public_key(KeyId=ed)["PublicKey"])
edpub.verify(kms.sign(KeyId=ed, Message=b"ed", SigningAlgorithm="ED25519_SHA_512")["Signature"], b"ed")
R["wrongUsage"] = code(kms.encrypt, KeyId=rsa, Plaintext=b"x")

# MACs: imported HMAC material, so hmac computes the same tag.
hk = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC", Origin="EXTERNAL")["KeyMetadata"]
R["pendingImport"] = hk["KeyState"]
params = kms.get_parameters_for_import(KeyId=hk["KeyId"], WrappingAlgorithm="RSAES_OAEP_SHA_256", WrappingKeySpec="RSA_2048")
material = os.urandom(32)
wrapped = serialization.load_der_public_key(params["PublicKey"]).encrypt(material, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
kms.import_key_material(KeyId=hk["KeyId"], ImportToken=params["ImportToken"], EncryptedKeyMaterial=wrapped, ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
mac = kms.generate_mac(KeyId=hk["KeyId"], Message=b"mac me", MacAlgorithm="HMAC_SHA_256")["Mac"]
R["mac"] = [mac == hmac.new(material, b"mac me", hashlib.sha256).digest(), kms.verify_mac(KeyId=hk["KeyId"], Message=b"mac me", Mac=mac, MacAlgorithm="HMAC_SHA_256")["MacValid"]]
R["badMac"] = code(kms.verify_mac, KeyId=hk["KeyId"], Message=b"other", Mac=mac, MacAlgorithm="HMAC_SHA_256")
kms.delete_imported_key_material(KeyId=hk["KeyId"])
R["afterDeleteMaterial"] = [kms.describe_key(KeyId=hk["KeyId"])["KeyMetadata"]["KeyState"], code(kms.generate_mac, KeyId=hk["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_256")]

# Key agreement: the shared secret equals a local ECDH with KMS's public key.
ka = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="KEY_AGREEMENT")["KeyMetadata"]["KeyId"]
mine = ec.generate_private_key(ec.SECP256R1())
mine_der = mine.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
shared = kms.derive_shared_secret(KeyId=ka, KeyAgreementAlgorithm="ECDH", PublicKey=mine_der)["SharedSecret"]
R["ecdh"] = shared == mine.exchange(ec.ECDH(), serialization.load_der_public_key(kms.get_public_key(KeyId=ka)["PublicKey"]))

# Grants with constraints and grant tokens.
grant = kms.create_grant(KeyId=kid, GranteePrincipal="arn:aws:iam::000000000000:role/app", RetiringPrincipal="arn:aws:iam::000000000000:role/ops",
    Operations=["Encrypt", "Decrypt"], Constraints={"EncryptionContextSubset": {"purpose": "walk"}}, Name="walk-grant")
kms.encrypt(KeyId=kid, Plaintext=b"g", EncryptionContext={"purpose": "walk"}, GrantTokens=[grant["GrantToken"]])
R["grants"] = [(g["Name"], g["Operations"], g["Constraints"]) for g in kms.list_grants(KeyId=kid)["Grants"]]
R["retirable"] = [g["GrantId"] == grant["GrantId"] for g in kms.list_retirable_grants(RetiringPrincipal="arn:aws:iam::000000000000:role/ops")["Grants"]]
kms.retire_grant(GrantToken=grant["GrantToken"])
g2 = kms.create_grant(KeyId=kid, GranteePrincipal="arn:aws:iam::000000000000:role/app", Operations=["GenerateDataKey"])
kms.revoke_grant(KeyId=kid, GrantId=g2["GrantId"])
R["grantsAfter"] = len(kms.list_grants(KeyId=kid)["Grants"])
R["revokeAgain"] = code(kms.revoke_grant, KeyId=kid, GrantId=g2["GrantId"])

# Key policies.
R["policyNames"] = kms.list_key_policies(KeyId=kid)["PolicyNames"]
R["defaultPolicy"] = json.loads(kms.get_key_policy(KeyId=kid, PolicyName="default")["Policy"])["Statement"][0]["Action"]
policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "all", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"}, "Action": "kms:*", "Resource": "*"}]})
kms.put_key_policy(KeyId=kid, PolicyName="default", Policy=policy)
R["policy"] = kms.get_key_policy(KeyId=kid)["Policy"] == policy
R["badPolicy"] = code(kms.put_key_policy, KeyId=kid, PolicyName="default", Policy="{nope")

# Rotation: automatic settings, on demand; old ciphertexts still decrypt.
kms.enable_key_rotation(KeyId=kid, RotationPeriodInDays=180)
status = kms.get_key_rotation_status(KeyId=kid)
R["rotation"] = [status["KeyRotationEnabled"], status["RotationPeriodInDays"]]
kms.rotate_key_on_demand(KeyId=kid)
rotations = kms.list_key_rotations(KeyId=kid)["Rotations"]
R["rotations"] = [r["RotationType"] for r in rotations]
R["oldDecrypts"] = kms.decrypt(CiphertextBlob=ct, EncryptionContext={"purpose": "walk"})["Plaintext"].decode()
kms.disable_key_rotation(KeyId=kid)
R["rotationOff"] = kms.get_key_rotation_status(KeyId=kid)["KeyRotationEnabled"]
R["rotateAsymmetric"] = code(kms.enable_key_rotation, KeyId=rsa)

# Multi-Region keys: the replica decrypts the primary's ciphertext; the primary Region moves.
mrk = kms.create_key(MultiRegion=True, Description="mrk")["KeyMetadata"]
mct = kms.encrypt(KeyId=mrk["KeyId"], Plaintext=b"across regions")["CiphertextBlob"]
replica = kms.replicate_key(KeyId=mrk["KeyId"], ReplicaRegion="us-west-2")["ReplicaKeyMetadata"]
R["replica"] = [replica["Arn"], replica["MultiRegionConfiguration"]["MultiRegionKeyType"], west.decrypt(CiphertextBlob=mct)["Plaintext"].decode()]
kms.update_primary_region(KeyId=mrk["KeyId"], PrimaryRegion="us-west-2")
R["primary"] = west.describe_key(KeyId=mrk["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]["MultiRegionKeyType"]

# Deletion window, cancel (the key comes back Disabled).
sched = kms.schedule_key_deletion(KeyId=other, PendingWindowInDays=7)
R["scheduled"] = [sched["KeyState"], sched["PendingWindowInDays"]]
R["pendingEncrypt"] = code(kms.encrypt, KeyId=other, Plaintext=b"x")
kms.cancel_key_deletion(KeyId=other)
R["cancelled"] = kms.describe_key(KeyId=other)["KeyMetadata"]["KeyState"]
R["badWindow"] = code(kms.schedule_key_deletion, KeyId=other, PendingWindowInDays=3)

# Custom key stores (state; the connection completes on the clock, so it reads CONNECTING).
store = kms.create_custom_key_store(CustomKeyStoreName="walk-xks", CustomKeyStoreType="EXTERNAL_KEY_STORE",
    XksProxyUriEndpoint="https://xks.example.com", XksProxyUriPath="/kms/xks/v1", XksProxyConnectivity="PUBLIC_ENDPOINT",
    XksProxyAuthenticationCredential={"AccessKeyId": "ABCDEFGHIJKLMNOPQRSTUV", "RawSecretAccessKey": "DXjSUawnel2fr6SKC7G25CNxTyWKE5PF9XX6H/u9pSo="})["CustomKeyStoreId"]
R["storeNameTaken"] = code(kms.create_custom_key_store, CustomKeyStoreName="walk-xks", CustomKeyStoreType="EXTERNAL_KEY_STORE",
    XksProxyUriEndpoint="https://xks2.example.com", XksProxyUriPath="/kms/xks/v1", XksProxyConnectivity="PUBLIC_ENDPOINT",
    XksProxyAuthenticationCredential={"AccessKeyId": "ABCDEFGHIJKLMNOPQRSTUV", "RawSecretAccessKey": "DXjSUawnel2fr6SKC7G25CNxTyWKE5PF9XX6H/u9pSo="})
kms.update_custom_key_store(CustomKeyStoreId=store, NewCustomKeyStoreName="walk-xks-2")
kms.connect_custom_key_store(CustomKeyStoreId=store)
described = kms.describe_custom_key_stores(CustomKeyStoreName="walk-xks-2")["CustomKeyStores"][0]
R["store"] = [described["CustomKeyStoreId"] == store, described["CustomKeyStoreType"], described["ConnectionState"]]
R["deleteConnecting"] = code(kms.delete_custom_key_store, CustomKeyStoreId=store)
kms.disconnect_custom_key_store(CustomKeyStoreId=store)
R["disconnected"] = kms.describe_custom_key_stores(CustomKeyStoreId=store)["CustomKeyStores"][0]["ConnectionState"]
kms.delete_custom_key_store(CustomKeyStoreId=store)
R["storeGone"] = code(kms.describe_custom_key_stores, CustomKeyStoreId=store)

# Last usage, recorded by the operations above (the last on this key: the Decrypt after rotation).
usage = kms.get_key_last_usage(KeyId=kid)
R["lastUsage"] = [usage["KeyId"] == karn or usage["KeyId"] == kid, usage["KeyLastUsage"]["Operation"] if "KeyLastUsage" in usage else None, "TrackingStartDate" in usage]
R["called"] = sorted(called)
print(json.dumps(R))
`;

if (!python.version) console.warn(`skipping boto3 KMS walkthrough: ${python.reason}`);
else if (!hasCryptography) console.warn("skipping boto3 KMS walkthrough: python3 has no `cryptography` package");
// Skipped only when python3 with boto3 and `cryptography` is absent; the reason is printed above.
describe.skipIf(!python.version || !hasCryptography)("KMS through boto3, every operation", () => {
  it("walks all 54 operations with results checked by independent code", async () => {
    const r = await boto3(server.url, SCRIPT);
    expect(r.created).toEqual({ KeyState: "Enabled", KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", Origin: "AWS_KMS", KeyManager: "CUSTOMER", Enabled: true });
    expect(r).toMatchObject({
      described: "walk 2", listed: true, tags: [{ TagKey: "env", TagValue: "test" }], reservedTag: "TagException",
      disabledState: "Disabled", disabledEncrypt: "DisabledException", missing: "NotFoundException",
      aliasTwice: "AlreadyExistsException", aliasTarget: true, aliasDeleted: "NotFoundException",
      wrongContext: "InvalidCiphertextException", wrongKey: "IncorrectKeyException", garbage: "InvalidCiphertextException",
      oversize: "ValidationException", reEncrypted: [true, "hello kms"],
      dataKey: [32, "envelope"], dataKeyWithout: [false, 16], dataKeyPair: ["ECC_NIST_P256", true], dataKeyPairWithout: [false, true], random: 32,
      rsaDecrypt: "to kms", rsaSign: "InvalidKeyUsageException", verify: true, badSignature: "KMSInvalidSignatureException",
      wrongUsage: "InvalidKeyUsageException",
      pendingImport: "PendingImport", mac: [true, true], badMac: "KMSInvalidMacException",
      afterDeleteMaterial: ["PendingImport", "KMSInvalidStateException"],
      ecdh: true,
      grants: [["walk-grant", ["Encrypt", "Decrypt"], { EncryptionContextSubset: { purpose: "walk" } }]], retirable: [true],
      grantsAfter: 0, revokeAgain: "NotFoundException",
      policyNames: ["default"], defaultPolicy: "kms:*", policy: true, badPolicy: "MalformedPolicyDocumentException",
      rotation: [true, 180], rotations: ["ON_DEMAND"], oldDecrypts: "hello kms", rotationOff: false, rotateAsymmetric: "UnsupportedOperationException",
      primary: "PRIMARY",
      scheduled: ["PendingDeletion", 7], pendingEncrypt: "KMSInvalidStateException", cancelled: "Disabled", badWindow: "ValidationException",
      storeNameTaken: "CustomKeyStoreNameInUseException", store: [true, "EXTERNAL_KEY_STORE", "CONNECTING"],
      deleteConnecting: "CustomKeyStoreInvalidStateException", disconnected: "DISCONNECTED", storeGone: "CustomKeyStoreNotFoundException",
      lastUsage: [true, "Decrypt", true],
    });
    expect(r.decrypted).toEqual(["hello kms", expect.stringMatching(/^arn:aws:kms:us-east-1:000000000000:key\//), "SYMMETRIC_DEFAULT"]);
    expect(r.replica).toEqual([expect.stringMatching(/^arn:aws:kms:us-west-2:000000000000:key\/mrk-[0-9a-f]{32}$/), "REPLICA", "across regions"]);
    expect(r.called).toEqual(Object.keys(model.operations).sort());
  }, 120_000);
});
