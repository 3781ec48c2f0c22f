/**
 * Virtual MFA devices: CreateVirtualMFADevice (a random 40-byte seed, its Base32 text and a QR
 * code PNG of the `otpauth://` URI), EnableMFADevice / ResyncMFADevice (two consecutive TOTP
 * codes, RFC 6238: HMAC-SHA1, 30-second steps, 6 digits, on the injectable clock),
 * DeactivateMFADevice, DeleteVirtualMFADevice, ListMFADevices, ListVirtualMFADevices,
 * GetMFADevice and device tags.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateVirtualMFADevice.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableMFADevice.html
 *
 * A device is `["acct", <account>, "mfa", <name>]`; its serial number is its ARN
 * (`arn:aws:iam::<account>:mfa<path><name>`). Only virtual devices exist here: a serial number
 * that is no virtual device of the account is NoSuchEntity.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { base32 } from "@scure/base";
import type { Handlers, RequestContext } from "../types.ts";
import type { Operations, Tag, VirtualMFADevice } from "../../generated/iam.ts";
import { AwsError } from "../../protocol/errors.ts";
import {
  alreadyExists, date, deleteConflict, deleteRecord, getRecord, iamArn, limitExceeded, listRecords, mergeTags, noSuchEntity,
  paginate, putRecord, removeTags, scopeOf, tagsOut, type Scope,
} from "./common.ts";
import { loadUser, type UserRecord } from "./records.ts";
import { callerUser } from "./keys.ts";
import { userOut } from "./users.ts";
import { account } from "./account.ts";
import { qrPng } from "./qr-png.ts";

/** IAM's MFADevicesPerUser quota. */
const MAX_PER_USER = 8;
const STEP_MS = 30_000;
/** EnableMFADevice accepts codes this many steps around the device's clock (drift of the phone). */
const ENABLE_WINDOW = 3;
/** ResyncMFADevice looks this far (steps, each way) for the two codes: 2 hours. */
const RESYNC_WINDOW = 240;

export interface MfaRecord {
  Name: string;
  Path: string;
  SerialNumber: string;
  /** The seed as Base32 text (RFC 4648), as CreateVirtualMFADevice returned it. */
  Seed: string;
  CreateDate: number;
  Tags: Tag[];
  /** The user the device is enabled for, as the user spells it. */
  User?: string;
  EnableDate?: number;
  /** Steps the device's clock runs ahead of ours (ResyncMFADevice). */
  Drift: number;
  /** The last step whose code was accepted: codes are not taken twice. */
  LastStep?: number;
}

/** The 6-digit TOTP code of `seed` (Base32) at 30-second step `step`. */
export function totp(seed: string, step: number): string {
  const counter = new Uint8Array(8);
  new DataView(counter.buffer).setBigUint64(0, BigInt(step));
  const mac = hmac(sha1, base32.decode(seed), counter);
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 1_000_000).padStart(6, "0");
}

const invalidCode = () => new AwsError("InvalidAuthenticationCodeException", "Authentication code for device is not valid.", 403);

/**
 * The step of `code1` when `code1` and `code2` are the device's codes at two consecutive steps
 * within `window` steps of its clock, after any step already used; InvalidAuthenticationCode
 * otherwise.
 */
function matchCodes(device: MfaRecord, now: number, code1: string, code2: string, window: number): number {
  const current = Math.floor(now / STEP_MS) + device.Drift;
  // Nearest steps first: a resync finds the drift closest to the device's last known clock.
  for (let d = 0; d <= window; d++) {
    for (const step of d === 0 ? [current] : [current - d, current + d]) {
      if (device.LastStep !== undefined && step <= device.LastStep) continue;
      if (totp(device.Seed, step) === code1 && totp(device.Seed, step + 1) === code2) return step;
    }
  }
  throw invalidCode();
}

/** The device named by `serial` (its ARN) in the request's account; NoSuchEntity otherwise. */
async function loadDevice(scope: Scope, serial: string): Promise<MfaRecord> {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):mfa\/(?:.*\/)?([^/]+)$/.exec(serial);
  const device = m && m[1] === scope.account ? await getRecord<MfaRecord>(scope, "mfa", m[2]) : null;
  if (!device || device.SerialNumber.toLowerCase() !== serial.toLowerCase()) {
    throw noSuchEntity(`VirtualMFADevice with serial number ${serial} doesn't exist.`);
  }
  return device;
}

function deviceOut(device: MfaRecord, user: UserRecord | null): VirtualMFADevice {
  return {
    SerialNumber: device.SerialNumber,
    ...(user ? { User: userOut(user, false) } : {}),
    ...(device.EnableDate !== undefined ? { EnableDate: date(device.EnableDate) } : {}),
    Tags: tagsOut(device.Tags),
  };
}

/** The user an MFA call names, or the signing user; null for root and other non-user callers. */
async function userOrCaller(ctx: RequestContext, name: string | undefined): Promise<UserRecord | null> {
  return name !== undefined ? loadUser(scopeOf(ctx), name) : callerUser(ctx);
}

export const mfaHandlers: Handlers<Operations> = {
  async CreateVirtualMFADevice(input, ctx) {
    const scope = scopeOf(ctx);
    const path = input.Path ?? "/";
    if (await getRecord(scope, "mfa", input.VirtualMFADeviceName)) throw alreadyExists("MFADevice entity at the same path and name already exists.");
    const seed = base32.encode(crypto.getRandomValues(new Uint8Array(40)));
    const device: MfaRecord = {
      Name: input.VirtualMFADeviceName, Path: path, SerialNumber: iamArn(scope.account, "mfa", path, input.VirtualMFADeviceName),
      Seed: seed, CreateDate: scope.now, Tags: mergeTags([], input.Tags), Drift: 0,
    };
    await putRecord(scope, "mfa", device.Name, device);
    // The URI authenticator apps read: name@account, the account alias when there is one.
    const accountName = (await account(scope)).aliases[0] ?? scope.account;
    const uri = `otpauth://totp/${encodeURIComponent(device.Name)}@${accountName}?secret=${seed}`;
    return {
      VirtualMFADevice: {
        SerialNumber: device.SerialNumber,
        Base32StringSeed: new TextEncoder().encode(seed),
        QRCodePNG: qrPng(uri),
        Tags: tagsOut(device.Tags),
      },
    };
  },

  async EnableMFADevice(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await loadUser(scope, input.UserName);
    const device = await loadDevice(scope, input.SerialNumber);
    if (device.User) throw alreadyExists("MFA Device is already in use.");
    if (user.MfaDevices.length >= MAX_PER_USER) throw limitExceeded(`Cannot exceed quota for MFADevicesPerUser: ${MAX_PER_USER}`);
    const step = matchCodes(device, scope.now, input.AuthenticationCode1, input.AuthenticationCode2, ENABLE_WINDOW);
    await putRecord(scope, "mfa", device.Name, { ...device, User: user.UserName, EnableDate: scope.now, LastStep: step + 1 });
    await putRecord(scope, "user", user.UserName, { ...user, MfaDevices: [...user.MfaDevices, { SerialNumber: device.SerialNumber, EnableDate: scope.now }] });
    return {};
  },

  async ResyncMFADevice(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await loadUser(scope, input.UserName);
    const device = await loadDevice(scope, input.SerialNumber);
    if (device.User?.toLowerCase() !== user.UserName.toLowerCase()) {
      throw noSuchEntity(`MFA Device with serial number ${input.SerialNumber} does not exist for user ${user.UserName}.`);
    }
    const step = matchCodes(device, scope.now, input.AuthenticationCode1, input.AuthenticationCode2, RESYNC_WINDOW);
    // The device's clock is where its second code was: from now on, codes are read there.
    const drift = step + 1 - Math.floor(scope.now / STEP_MS);
    await putRecord(scope, "mfa", device.Name, { ...device, Drift: drift, LastStep: step + 1 });
    return {};
  },

  async DeactivateMFADevice(input, ctx) {
    const scope = scopeOf(ctx);
    const device = await loadDevice(scope, input.SerialNumber);
    const name = input.UserName ?? device.User;
    const user = name !== undefined ? await loadUser(scope, name) : null;
    if (!user || !user.MfaDevices.some((d) => d.SerialNumber.toLowerCase() === device.SerialNumber.toLowerCase())) {
      throw noSuchEntity(`MFA Device with serial number ${input.SerialNumber} does not exist${user ? ` for user ${user.UserName}` : ""}.`);
    }
    await putRecord(scope, "user", user.UserName, { ...user, MfaDevices: user.MfaDevices.filter((d) => d.SerialNumber.toLowerCase() !== device.SerialNumber.toLowerCase()) });
    await putRecord(scope, "mfa", device.Name, { ...device, User: undefined, EnableDate: undefined, LastStep: undefined, Drift: 0 });
    return {};
  },

  async DeleteVirtualMFADevice(input, ctx) {
    const scope = scopeOf(ctx);
    const device = await loadDevice(scope, input.SerialNumber);
    if (device.User) throw deleteConflict("MFA Device is in use and cannot be deleted. Deactivate it first.");
    await deleteRecord(scope, "mfa", device.Name);
    return {};
  },

  async ListMFADevices(input, ctx) {
    const user = await userOrCaller(ctx, input.UserName);
    const devices = (user?.MfaDevices ?? []).map((d) => ({ UserName: user!.UserName, SerialNumber: d.SerialNumber, EnableDate: date(d.EnableDate) }));
    const page = paginate(devices, input.Marker, input.MaxItems);
    return { MFADevices: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async ListVirtualMFADevices(input, ctx) {
    const scope = scopeOf(ctx);
    const status = input.AssignmentStatus ?? "Any";
    const devices = (await listRecords<MfaRecord>(scope, "mfa"))
      .filter((d) => status === "Any" || (status === "Assigned") === !!d.User)
      .sort((a, b) => (a.SerialNumber < b.SerialNumber ? -1 : a.SerialNumber > b.SerialNumber ? 1 : 0));
    const out: VirtualMFADevice[] = [];
    for (const d of devices) out.push(deviceOut(d, d.User ? await getRecord<UserRecord>(scope, "user", d.User) : null));
    const page = paginate(out, input.Marker, input.MaxItems);
    return { VirtualMFADevices: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async GetMFADevice(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await userOrCaller(ctx, input.UserName);
    const enabled = user?.MfaDevices.find((d) => d.SerialNumber.toLowerCase() === input.SerialNumber.toLowerCase());
    if (!user || !enabled) throw noSuchEntity(`MFA Device with serial number ${input.SerialNumber} does not exist.`);
    await loadDevice(scope, input.SerialNumber);
    return { UserName: user.UserName, SerialNumber: enabled.SerialNumber, EnableDate: date(enabled.EnableDate) };
  },

  async TagMFADevice(input, ctx) {
    const scope = scopeOf(ctx);
    const device = await loadDevice(scope, input.SerialNumber);
    await putRecord(scope, "mfa", device.Name, { ...device, Tags: mergeTags(device.Tags, input.Tags) });
    return {};
  },

  async UntagMFADevice(input, ctx) {
    const scope = scopeOf(ctx);
    const device = await loadDevice(scope, input.SerialNumber);
    await putRecord(scope, "mfa", device.Name, { ...device, Tags: removeTags(device.Tags, input.TagKeys) });
    return {};
  },

  async ListMFADeviceTags(input, ctx) {
    const device = await loadDevice(scopeOf(ctx), input.SerialNumber);
    const page = paginate(device.Tags, input.Marker, input.MaxItems);
    return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },
};
