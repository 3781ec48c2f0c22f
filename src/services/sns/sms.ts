/**
 * SMS settings kept as state: account SMS attributes, the opt-out list, and the SMS sandbox's
 * verified destination numbers (a fixed OTP, "123456", verifies them in the emulator).
 * Sources: https://docs.aws.amazon.com/sns/latest/api/API_SetSMSAttributes.html,
 * https://docs.aws.amazon.com/sns/latest/dg/sns-sms-sandbox.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";
import { invalidParameter } from "./errors.ts";
import { decodePageToken, encodePageToken } from "./paging.ts";

const E164 = /^\+?[1-9]\d{1,14}$/;
const SMS_ATTRIBUTES = new Set([
  "MonthlySpendLimit", "DeliveryStatusIAMRole", "DeliveryStatusSuccessSamplingRate", "DefaultSenderID", "DefaultSMSType",
  "UsageReportS3Bucket",
]);
export const SANDBOX_OTP = "123456";

const normalize = (phone: string) => (phone.startsWith("+") ? phone : `+${phone}`);

export async function isOptedOut(ctx: RequestContext, phone: string): Promise<boolean> {
  return (await ctx.store.get(["optout", normalize(phone)])).value !== null;
}

export async function setSmsAttributes(ctx: RequestContext, attributes: Record<string, string>): Promise<void> {
  for (const [name, value] of Object.entries(attributes)) {
    if (!SMS_ATTRIBUTES.has(name)) throw invalidParameter(name);
    if (name === "DefaultSMSType" && value !== "Promotional" && value !== "Transactional") throw invalidParameter("DefaultSMSType");
    if (name === "MonthlySpendLimit" && !/^\d+$/.test(value)) throw invalidParameter("MonthlySpendLimit");
    if (name === "DeliveryStatusSuccessSamplingRate" && !(/^\d{1,3}$/.test(value) && Number(value) <= 100)) throw invalidParameter("DeliveryStatusSuccessSamplingRate");
  }
  const current = (await ctx.store.get<Record<string, string>>(["sms"])).value ?? {};
  await ctx.store.set(["sms"], { ...current, ...attributes });
}

export async function getSmsAttributes(ctx: RequestContext, names: string[] | undefined): Promise<{ attributes: Record<string, string> }> {
  const current = (await ctx.store.get<Record<string, string>>(["sms"])).value ?? {};
  if (!names?.length) return { attributes: current };
  return { attributes: Object.fromEntries(names.filter((n) => n in current).map((n) => [n, current[n]!])) };
}

function checkPhone(phone: string): string {
  if (!E164.test(phone)) throw invalidParameter("PhoneNumber");
  return normalize(phone);
}

export async function checkIfOptedOut(ctx: RequestContext, phone: string) {
  return { isOptedOut: await isOptedOut(ctx, checkPhone(phone)) };
}

/** Opts a number out (what a recipient replying STOP does); used by tests and the state API. */
export async function optOut(ctx: RequestContext, phone: string): Promise<void> {
  await ctx.store.set(["optout", checkPhone(phone)], { since: ctx.clock.now() });
}

export async function optIn(ctx: RequestContext, phone: string): Promise<void> {
  const key = ["optout", checkPhone(phone)];
  const entry = (await ctx.store.get<{ since: number; optedIn?: number }>(key)).value;
  if (!entry) return;
  // AWS allows opting a number back in once every 30 days.
  if (entry.optedIn !== undefined && ctx.clock.now() - entry.optedIn < 30 * 24 * 3600 * 1000) {
    throw invalidParameter("PhoneNumber", "You can opt in a phone number only once every 30 days");
  }
  await ctx.store.delete(key);
}

export async function listOptedOut(ctx: RequestContext, nextToken: string | undefined) {
  const after = nextToken ? decodePageToken(nextToken) : undefined;
  const numbers: string[] = [];
  let more = false;
  const selector = after !== undefined ? { prefix: ["optout"], start: ["optout", after, ""] } : { prefix: ["optout"] };
  for await (const entry of ctx.store.list(selector)) {
    if (numbers.length === 100) {
      more = true;
      break;
    }
    numbers.push(String(entry.key.at(-1)));
  }
  return more ? { phoneNumbers: numbers, nextToken: encodePageToken(numbers.at(-1)!) } : { phoneNumbers: numbers };
}

// ------------------------------------------------------------------------------------------
// SMS sandbox

interface SandboxNumber {
  PhoneNumber: string;
  Status: "Pending" | "Verified";
  LanguageCode?: string;
}

export async function getSandboxStatus(ctx: RequestContext) {
  const settings = (await ctx.store.get<{ sandbox?: boolean }>(["sms-sandbox"])).value;
  return { IsInSandbox: settings?.sandbox ?? true };
}

export async function createSandboxNumber(ctx: RequestContext, input: { PhoneNumber: string; LanguageCode?: string }) {
  const phone = checkPhone(input.PhoneNumber);
  if (await isOptedOut(ctx, phone)) throw new AwsError("OptedOutException", "Phone number is opted out", 400);
  const existing = (await ctx.store.get<SandboxNumber>(["sandbox", phone])).value;
  if (existing?.Status === "Verified") return {};
  const record: SandboxNumber = { PhoneNumber: phone, Status: "Pending" };
  if (input.LanguageCode) record.LanguageCode = input.LanguageCode;
  await ctx.store.set(["sandbox", phone], record);
  return {};
}

export async function verifySandboxNumber(ctx: RequestContext, input: { PhoneNumber: string; OneTimePassword: string }) {
  const phone = checkPhone(input.PhoneNumber);
  const existing = (await ctx.store.get<SandboxNumber>(["sandbox", phone])).value;
  if (!existing) throw new AwsError("ResourceNotFoundException", "Phone number does not exist in the sandbox", 404);
  if (input.OneTimePassword !== SANDBOX_OTP) throw new AwsError("VerificationException", "Invalid one-time password", 400, { fields: { Status: "Failed" } });
  await ctx.store.set(["sandbox", phone], { ...existing, Status: "Verified" });
  return {};
}

export async function deleteSandboxNumber(ctx: RequestContext, phone: string) {
  const p = checkPhone(phone);
  if (!(await ctx.store.get(["sandbox", p])).value) throw new AwsError("ResourceNotFoundException", "Phone number does not exist in the sandbox", 404);
  await ctx.store.delete(["sandbox", p]);
  return {};
}

export async function listSandboxNumbers(ctx: RequestContext, input: { NextToken?: string; MaxResults?: number }) {
  const max = input.MaxResults ?? 100;
  const after = input.NextToken ? decodePageToken(input.NextToken) : undefined;
  const out: SandboxNumber[] = [];
  let more = false;
  const selector = after !== undefined ? { prefix: ["sandbox"], start: ["sandbox", after, ""] } : { prefix: ["sandbox"] };
  for await (const entry of ctx.store.list<SandboxNumber>(selector)) {
    if (out.length === max) {
      more = true;
      break;
    }
    out.push(entry.value);
  }
  return more ? { PhoneNumbers: out, NextToken: encodePageToken(out.at(-1)!.PhoneNumber) } : { PhoneNumbers: out };
}
