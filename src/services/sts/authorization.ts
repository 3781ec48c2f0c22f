/**
 * STS's IAM actions and resources per operation, for `enforceIam`. GetCallerIdentity needs no
 * permission; AssumeRoleWithWebIdentity/WithSAML are unsigned and decided by the role's trust
 * policy alone (STS checks it).
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
 */
import type { AuthorizationMap } from "../../policy/authorization.ts";

export const stsAuthorization: AuthorizationMap = {
  prefix: "sts",
  operations: {
    GetCallerIdentity: { none: true },
    AssumeRoleWithWebIdentity: { none: true },
    AssumeRoleWithSAML: { none: true },
    AssumeRole: {
      resource: "{RoleArn}",
      tags: "Tags",
      context: { "sts:RoleSessionName": "RoleSessionName", "sts:ExternalId": "ExternalId", "sts:SourceIdentity": "SourceIdentity" },
      also: [],
    },
    AssumeRoot: { resource: "*" },
    GetFederationToken: { resource: "arn:{partition}:sts::{account}:federated-user/{Name}", tags: "Tags" },
    GetSessionToken: { resource: "*" },
    GetAccessKeyInfo: { resource: "*" },
    DecodeAuthorizationMessage: { resource: "*" },
    GetDelegatedAccessToken: { resource: "*" },
    GetWebIdentityToken: { resource: "*" },
  },
};
