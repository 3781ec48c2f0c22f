/**
 * Account-wide features that need AWS Organizations or are switches of the account:
 * - Organizations root access management (Enable/Disable OrganizationsRootCredentialsManagement,
 *   ...RootSessions, ListOrganizationsFeatures): fetchstack has no organizations, so these answer
 *   IAM's OrganizationNotFound, as AWS does for an account in no organization.
 * - GenerateOrganizationsAccessReport starts a job that fails (JobStatus FAILED with the reason
 *   in ErrorDetails), read back with GetOrganizationsAccessReport.
 * - Outbound web identity federation (Enable/Disable/GetOutboundWebIdentityFederationInfo): an
 *   account switch with its issuer URL.
 * - SetSecurityTokenServicePreferences: the global STS endpoint's token version, reported by
 *   GetAccountSummary's GlobalEndpointTokenVersion.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListOrganizationsFeatures.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOutboundWebIdentityFederation.html
 */
import type { Handlers } from "../types.ts";
import type { Operations } from "../../generated/iam.ts";
import { AwsError } from "../../protocol/errors.ts";
import { date, getRecord, noSuchEntity, putRecord, scopeOf } from "./common.ts";
import { account, saveAccount } from "./account.ts";

const noOrganization = () =>
  new AwsError("OrganizationNotFoundException", "The request was rejected because no organization is associated with your account.", 400);

interface OrganizationsJob {
  JobId: string;
  created: number;
  entityPath: string;
  failure: { Code: string; Message: string };
}

export const organizationHandlers: Handlers<Operations> = {
  async ListOrganizationsFeatures() {
    throw noOrganization();
  },
  async EnableOrganizationsRootCredentialsManagement() {
    throw noOrganization();
  },
  async DisableOrganizationsRootCredentialsManagement() {
    throw noOrganization();
  },
  async EnableOrganizationsRootSessions() {
    throw noOrganization();
  },
  async DisableOrganizationsRootSessions() {
    throw noOrganization();
  },

  async GenerateOrganizationsAccessReport(input, ctx) {
    const scope = scopeOf(ctx);
    const job: OrganizationsJob = {
      JobId: crypto.randomUUID(), created: scope.now, entityPath: input.EntityPath,
      failure: { Code: "OrganizationNotFoundException", Message: "The request was rejected because no organization is associated with your account." },
    };
    await putRecord(scope, "job", job.JobId, job);
    return { JobId: job.JobId };
  },

  async GetOrganizationsAccessReport(input, ctx) {
    const job = await getRecord<OrganizationsJob>(scopeOf(ctx), "job", input.JobId);
    if (!job || !("entityPath" in job)) throw noSuchEntity(`No job exists with the ID ${input.JobId}.`);
    return { JobStatus: "FAILED", JobCreationDate: date(job.created), JobCompletionDate: date(job.created), ErrorDetails: job.failure, IsTruncated: false };
  },

  async EnableOutboundWebIdentityFederation(_input, ctx) {
    const scope = scopeOf(ctx);
    const settings = await account(scope);
    if (settings.outboundIssuer) throw new AwsError("FeatureEnabledException", "Outbound web identity federation is already enabled for this account.", 409);
    const issuer = `https://${crypto.randomUUID()}.tokens.sts.global.api.aws`;
    await saveAccount(scope, { ...settings, outboundIssuer: issuer });
    return { IssuerIdentifier: issuer };
  },

  async DisableOutboundWebIdentityFederation(_input, ctx) {
    const scope = scopeOf(ctx);
    const settings = await account(scope);
    if (!settings.outboundIssuer) throw new AwsError("FeatureDisabledException", "Outbound web identity federation is not enabled for this account.", 404);
    await saveAccount(scope, { ...settings, outboundIssuer: undefined });
    return {};
  },

  async GetOutboundWebIdentityFederationInfo(_input, ctx) {
    const settings = await account(scopeOf(ctx));
    if (!settings.outboundIssuer) throw new AwsError("FeatureDisabledException", "Outbound web identity federation is not enabled for this account.", 404);
    return { IssuerIdentifier: settings.outboundIssuer, JwtVendingEnabled: true };
  },

  async SetSecurityTokenServicePreferences(input, ctx) {
    const scope = scopeOf(ctx);
    const settings = await account(scope);
    await saveAccount(scope, { ...settings, globalEndpointTokenVersion: input.GlobalEndpointTokenVersion === "v2Token" ? 2 : 1 });
    return {};
  },
};
