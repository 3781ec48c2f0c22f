/**
 * AWS Identity and Access Management over the query protocol (Version 2010-05-08).
 * Source: https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
 *
 * IAM is global: state is per account, in no region (common.ts). Users, groups, roles,
 * managed and inline policies, instance profiles and access keys are state that other parts of
 * fetchstack read: access keys are real credentials (`resolveSecret`, `resolvePrincipal`) and
 * the policy engine reads a principal's policies through `principalPolicies`. docs/iam.md.
 */
import { defineService, type Handlers } from "../types.ts";
import type { Operations } from "../../generated/iam.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import model from "../../../models/iam.json" with { type: "json" };
import { accountHandlers } from "./account.ts";
import { holderHandlers } from "./holders.ts";
import { keyHandlers } from "./keys.ts";
import { recordAccess } from "./access.ts";
import { policyHandlers } from "./policies.ts";
import { providerHandlers } from "./providers.ts";
import { roleHandlers } from "./roles.ts";
import { sshKeyHandlers } from "./ssh-keys.ts";
import { userHandlers } from "./users.ts";
import { principalPolicies, resolvePrincipal, resolveSecret } from "./principals.ts";
import { iamAuthorization } from "./authorization.ts";
import { simulateHandlers } from "./simulate.ts";
import { mfaHandlers } from "./mfa.ts";
import { certificateHandlers } from "./certificates.ts";
import { serviceCredentialHandlers } from "./service-credentials.ts";
import { lastAccessedHandlers } from "./last-accessed.ts";
import { organizationHandlers } from "./organizations.ts";
import { delegationHandlers } from "./delegation.ts";

const tables: Handlers<Operations>[] = [userHandlers, holderHandlers, policyHandlers, roleHandlers, keyHandlers, accountHandlers, providerHandlers, sshKeyHandlers, simulateHandlers,
  mfaHandlers, certificateHandlers, serviceCredentialHandlers, lastAccessedHandlers, organizationHandlers,
  delegationHandlers];

export default defineService<Operations>({
  name: "iam",
  model: model as unknown as ServiceModel,
  resolveSecret,
  resolvePrincipal,
  principalPolicies,
  authorization: iamAuthorization,
  recordAccess,
  handlers: Object.assign({}, ...tables),
});
