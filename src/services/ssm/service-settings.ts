/**
 * Service settings: GetServiceSetting, UpdateServiceSetting, ResetServiceSetting for the
 * account-level settings SSM documents, by id (`/ssm/...`) or ARN
 * (`arn:aws:ssm:<region>:<account>:servicesetting/ssm/...`); others are `ServiceSettingNotFound`,
 * values outside a setting's allowed ones `ValidationException`. The default parameter tier
 * setting is what PutParameter uses when a new parameter names no tier.
 *
 * Stored under `["setting", settingId]` only once customized (status `Customized`; else `Default`).
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_UpdateServiceSetting.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { partitionOf } from "../../util/partition.ts";

/** Each setting's default and allowed values (undefined: any text). */
const SETTINGS: Record<string, { default: string; allowed?: string[] }> = {
  "/ssm/parameter-store/default-parameter-tier": { default: "Standard", allowed: ["Standard", "Advanced", "Intelligent-Tiering"] },
  "/ssm/parameter-store/high-throughput-enabled": { default: "false", allowed: ["true", "false"] },
  "/ssm/managed-instance/activation-tier": { default: "standard", allowed: ["standard", "advanced"] },
  "/ssm/managed-instance/default-ec2-instance-management-role": { default: "" },
  "/ssm/automation/customer-script-log-destination": { default: "NONE", allowed: ["CloudWatch", "NONE"] },
  "/ssm/automation/customer-script-log-group-name": { default: "" },
  "/ssm/documents/console/public-sharing-permission": { default: "Enable", allowed: ["Enable", "Disable"] },
  "/ssm/opsinsights/opscenter": { default: "Disabled", allowed: ["Enabled", "Disabled"] },
  "/ssm/appmanager/appmanager-enabled": { default: "True", allowed: ["True", "False"] },
};

interface SettingRecord {
  value: string;
  modifiedAt: number;
}

function settingId(raw: string): string {
  const m = /^arn:aws[a-z-]*:ssm:[^:]*:\d{12}:servicesetting(\/.+)$/.exec(raw);
  const id = m ? m[1] : raw;
  if (!(id in SETTINGS)) throw new AwsError("ServiceSettingNotFound", `The service setting ${raw} doesn't exist.`, 400);
  return id;
}

async function view(ctx: RequestContext, id: string): Promise<Record<string, unknown>> {
  const r = (await ctx.store.get<SettingRecord>(["setting", id])).value;
  return {
    SettingId: id,
    SettingValue: r ? r.value : SETTINGS[id].default,
    ...(r ? { LastModifiedDate: new Date(r.modifiedAt), LastModifiedUser: `arn:${partitionOf(ctx.region)}:iam::${ctx.accountId}:root` } : {}),
    ARN: `arn:${partitionOf(ctx.region)}:ssm:${ctx.region}:${ctx.accountId}:servicesetting${id}`,
    Status: r ? "Customized" : "Default",
  };
}

/** The setting's current value (for other SSM handlers). */
export async function serviceSetting(ctx: RequestContext, id: string): Promise<string> {
  return (await ctx.store.get<SettingRecord>(["setting", id])).value?.value ?? SETTINGS[id]?.default ?? "";
}

export const serviceSettingHandlers: Record<string, Handler> = {
  async GetServiceSetting(input, ctx) {
    return { ServiceSetting: await view(ctx, settingId(input.SettingId)) };
  },

  async UpdateServiceSetting(input, ctx) {
    const id = settingId(input.SettingId);
    const allowed = SETTINGS[id].allowed;
    if (allowed && !allowed.includes(input.SettingValue)) {
      throw new AwsError("ValidationException", `The value ${input.SettingValue} is not valid for ${id}. Valid values: ${allowed.join(", ")}.`, 400);
    }
    await ctx.store.set(["setting", id], { value: input.SettingValue, modifiedAt: ctx.clock.now() } satisfies SettingRecord);
    return {};
  },

  async ResetServiceSetting(input, ctx) {
    const id = settingId(input.SettingId);
    await ctx.store.delete(["setting", id]);
    return { ServiceSetting: await view(ctx, id) };
  },
};
