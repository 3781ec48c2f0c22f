/**
 * SSH public keys of IAM users (for CodeCommit): at most 5 per user, OpenSSH (`ssh-rsa AAAA...`)
 * or PEM bodies, fingerprint as IAM gives it (MD5 of the key blob, colon-separated hex).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSSHPublicKey.html
 */
import { md5 } from "@noble/hashes/legacy.js";
import type { Handlers } from "../types.ts";
import type { Operations, SSHPublicKey } from "../../generated/iam.ts";
import { AwsError } from "../../protocol/errors.ts";
import { decodeBase64 } from "../../encoding/base64.ts";
import { date, limitExceeded, noSuchEntity, paginate, putRecord, scopeOf, uniqueId } from "./common.ts";
import { loadUser, type SshKeyRecord, type UserRecord } from "./records.ts";
import { namedOrCaller } from "./users.ts";

const MAX_KEYS = 5;

function keyBlob(body: string): Uint8Array {
  const openssh = /^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp\d+)\s+([A-Za-z0-9+/=]+)/.exec(body.trim());
  const pem = /-----BEGIN (?:RSA )?PUBLIC KEY-----([\s\S]+)-----END (?:RSA )?PUBLIC KEY-----/.exec(body);
  const text = openssh?.[2] ?? pem?.[1]?.replace(/\s+/g, "");
  if (!text) throw new AwsError("UnrecognizedPublicKeyEncodingException", "Unrecognized public key encoding.", 400);
  try {
    return decodeBase64(text);
  } catch {
    throw new AwsError("InvalidPublicKeyException", "Public key is malformed.", 400);
  }
}

function fingerprint(blob: Uint8Array): string {
  return [...md5(blob)].map((b) => b.toString(16).padStart(2, "0")).join(":");
}

function out(user: UserRecord, key: SshKeyRecord): SSHPublicKey {
  return {
    UserName: user.UserName, SSHPublicKeyId: key.SSHPublicKeyId, Fingerprint: key.Fingerprint, SSHPublicKeyBody: key.SSHPublicKeyBody,
    Status: key.Status, UploadDate: date(key.UploadDate),
  };
}

function find(user: UserRecord, id: string): SshKeyRecord {
  const key = user.SshKeys.find((k) => k.SSHPublicKeyId === id);
  if (!key) throw noSuchEntity(`The Public Key with id ${id} cannot be found.`);
  return key;
}

export const sshKeyHandlers: Handlers<Operations> = {
  async UploadSSHPublicKey(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await loadUser(scope, input.UserName);
    const print = fingerprint(keyBlob(input.SSHPublicKeyBody));
    if (user.SshKeys.some((k) => k.Fingerprint === print)) {
      throw new AwsError("DuplicateSSHPublicKeyException", "The SSH public key is already associated with the specified IAM user.", 400);
    }
    if (user.SshKeys.length >= MAX_KEYS) throw limitExceeded(`Cannot exceed quota for SSHPublicKeysPerUser: ${MAX_KEYS}`);
    const key: SshKeyRecord = { SSHPublicKeyId: uniqueId("APKA"), SSHPublicKeyBody: input.SSHPublicKeyBody, Fingerprint: print, Status: "Active", UploadDate: scope.now };
    await putRecord(scope, "user", user.UserName, { ...user, SshKeys: [...user.SshKeys, key] });
    return { SSHPublicKey: out(user, key) };
  },

  async GetSSHPublicKey(input, ctx) {
    const user = await loadUser(scopeOf(ctx), input.UserName);
    return { SSHPublicKey: out(user, find(user, input.SSHPublicKeyId)) };
  },

  async ListSSHPublicKeys(input, ctx) {
    // Without UserName: the signing IAM user's keys.
    const user = await namedOrCaller(ctx, input.UserName);
    const page = paginate(user.SshKeys.map((k) => ({ UserName: user.UserName, SSHPublicKeyId: k.SSHPublicKeyId, Status: k.Status, UploadDate: date(k.UploadDate) })), input.Marker, input.MaxItems);
    return { SSHPublicKeys: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async UpdateSSHPublicKey(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await loadUser(scope, input.UserName);
    find(user, input.SSHPublicKeyId);
    const keys = user.SshKeys.map((k) => (k.SSHPublicKeyId === input.SSHPublicKeyId ? { ...k, Status: input.Status as "Active" | "Inactive" } : k));
    await putRecord(scope, "user", user.UserName, { ...user, SshKeys: keys });
    return {};
  },

  async DeleteSSHPublicKey(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await loadUser(scope, input.UserName);
    find(user, input.SSHPublicKeyId);
    await putRecord(scope, "user", user.UserName, { ...user, SshKeys: user.SshKeys.filter((k) => k.SSHPublicKeyId !== input.SSHPublicKeyId) });
    return {};
  },
};
