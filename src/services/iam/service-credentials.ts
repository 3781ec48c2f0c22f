/**
 * Service-specific credentials of IAM users: user name and password for CodeCommit (Git over
 * HTTPS) and Amazon Keyspaces, API keys for Amazon Bedrock (alias and secret, expiring after
 * `CredentialAgeDays`). At most 2 per user and service.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceSpecificCredential.html
 */
import type { Handlers } from "../types.ts";
import type { Operations, ServiceSpecificCredential, ServiceSpecificCredentialMetadata } from "../../generated/iam.ts";
import { AwsError } from "../../protocol/errors.ts";
import { bytesToBase64 } from "../../encoding/base64.ts";
import { date, limitExceeded, listRecords, noSuchEntity, paginate, putRecord, randomText, scopeOf, uniqueId, type Scope } from "./common.ts";
import { loadUser, type ServiceCredentialRecord, type UserRecord } from "./records.ts";
import { namedOrCaller } from "./users.ts";

const SERVICES = ["codecommit.amazonaws.com", "cassandra.amazonaws.com", "bedrock.amazonaws.com"];
const MAX_PER_SERVICE = 2;
const DAY_MS = 86_400_000;

function checkService(name: string): void {
  if (!SERVICES.includes(name)) {
    throw new AwsError("ServiceNotSupportedException", `Service ${name} is not supported for service specific credentials.`, 404);
  }
}

/** Fresh secrets for `credential` (a new password, or a new API key). */
function secrets(scope: Scope, user: UserRecord, service: string): Partial<ServiceCredentialRecord> {
  if (service === "bedrock.amazonaws.com") {
    const alias = `BedrockAPIKey-${randomText(4, "abcdefghijklmnopqrstuvwxyz0123456789")}-at-${scope.account}`;
    // Bedrock API keys are "ABSK" + base64 of "<alias>:<secret>".
    const secret = "ABSK" + bytesToBase64(new TextEncoder().encode(`${alias}:${randomText(60)}`));
    return { ServiceCredentialAlias: alias, ServiceCredentialSecret: secret };
  }
  return { ServiceUserName: `${user.UserName}-at-${scope.account}`, ServicePassword: randomText(44) };
}

function full(user: UserRecord, c: ServiceCredentialRecord): ServiceSpecificCredential {
  return {
    CreateDate: date(c.CreateDate), ServiceName: c.ServiceName, ServiceUserName: c.ServiceUserName, ServicePassword: c.ServicePassword,
    ServiceCredentialAlias: c.ServiceCredentialAlias, ServiceCredentialSecret: c.ServiceCredentialSecret,
    ExpirationDate: c.ExpirationDate !== undefined ? date(c.ExpirationDate) : undefined,
    ServiceSpecificCredentialId: c.ServiceSpecificCredentialId, UserName: user.UserName, Status: c.Status,
  } as ServiceSpecificCredential;
}

function meta(user: UserRecord, c: ServiceCredentialRecord): ServiceSpecificCredentialMetadata {
  return {
    UserName: user.UserName, Status: c.Status, ServiceUserName: c.ServiceUserName, ServiceCredentialAlias: c.ServiceCredentialAlias,
    CreateDate: date(c.CreateDate), ExpirationDate: c.ExpirationDate !== undefined ? date(c.ExpirationDate) : undefined,
    ServiceSpecificCredentialId: c.ServiceSpecificCredentialId, ServiceName: c.ServiceName,
  } as ServiceSpecificCredentialMetadata;
}

function find(user: UserRecord, id: string): ServiceCredentialRecord {
  const c = user.ServiceCredentials.find((x) => x.ServiceSpecificCredentialId === id);
  if (!c) throw noSuchEntity(`No such credential ${id} exists for user ${user.UserName}`);
  return c;
}

export const serviceCredentialHandlers: Handlers<Operations> = {
  async CreateServiceSpecificCredential(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await loadUser(scope, input.UserName);
    checkService(input.ServiceName);
    if (user.ServiceCredentials.filter((c) => c.ServiceName === input.ServiceName).length >= MAX_PER_SERVICE) {
      throw limitExceeded(`Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: ${MAX_PER_SERVICE}`);
    }
    const bedrock = input.ServiceName === "bedrock.amazonaws.com";
    const credential = {
      ServiceSpecificCredentialId: uniqueId("ACCA"), ServiceName: input.ServiceName, Status: "Active", CreateDate: scope.now,
      ...secrets(scope, user, input.ServiceName),
      ...(bedrock && input.CredentialAgeDays !== undefined ? { ExpirationDate: scope.now + input.CredentialAgeDays * DAY_MS } : {}),
    } as ServiceCredentialRecord;
    await putRecord(scope, "user", user.UserName, { ...user, ServiceCredentials: [...user.ServiceCredentials, credential] });
    return { ServiceSpecificCredential: full(user, credential) };
  },

  async ListServiceSpecificCredentials(input, ctx) {
    if (input.ServiceName !== undefined) checkService(input.ServiceName);
    const users = input.AllUsers ? await listRecords<UserRecord>(scopeOf(ctx), "user") : [await namedOrCaller(ctx, input.UserName)];
    const rows = users.flatMap((u) => u.ServiceCredentials.filter((c) => !input.ServiceName || c.ServiceName === input.ServiceName).map((c) => meta(u, c)));
    const page = paginate(rows, input.Marker, input.MaxItems);
    return { ServiceSpecificCredentials: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async ResetServiceSpecificCredential(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await namedOrCaller(ctx, input.UserName);
    const old = find(user, input.ServiceSpecificCredentialId);
    const credential = { ...old, ...secrets(scope, user, old.ServiceName) };
    if (old.ServiceCredentialAlias) credential.ServiceCredentialAlias = old.ServiceCredentialAlias;
    await putRecord(scope, "user", user.UserName, {
      ...user, ServiceCredentials: user.ServiceCredentials.map((c) => (c.ServiceSpecificCredentialId === old.ServiceSpecificCredentialId ? credential : c)),
    });
    return { ServiceSpecificCredential: full(user, credential) };
  },

  async UpdateServiceSpecificCredential(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await namedOrCaller(ctx, input.UserName);
    find(user, input.ServiceSpecificCredentialId);
    await putRecord(scope, "user", user.UserName, {
      ...user,
      ServiceCredentials: user.ServiceCredentials.map((c) => (c.ServiceSpecificCredentialId === input.ServiceSpecificCredentialId ? { ...c, Status: input.Status as "Active" | "Inactive" } : c)),
    });
    return {};
  },

  async DeleteServiceSpecificCredential(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await namedOrCaller(ctx, input.UserName);
    find(user, input.ServiceSpecificCredentialId);
    await putRecord(scope, "user", user.UserName, {
      ...user, ServiceCredentials: user.ServiceCredentials.filter((c) => c.ServiceSpecificCredentialId !== input.ServiceSpecificCredentialId),
    });
    return {};
  },
};
