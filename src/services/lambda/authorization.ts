/**
 * Lambda's IAM actions and resources per operation (`lambda:InvokeFunction` for Invoke,
 * otherwise `lambda:<Operation>` on the function ARN, qualified when the request is), and
 * function policies (AddPermission) as resource-based policies, for `enforceIam`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html
 */
import type { AuthorizationEnv, AuthorizationMap, Input } from "../../policy/authorization.ts";
import type { StoredPolicy } from "./policy.ts";

const ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9_.-]+)(?::([a-zA-Z0-9_$.-]+))?$/;
const PARTIAL = /^(\d{12}):function:([a-zA-Z0-9_.-]+)(?::([a-zA-Z0-9_$.-]+))?$/;

/** FunctionName (name, partial or full ARN, maybe qualified) + Qualifier as the function's ARN. */
function functionArnOf(input: Input, env: AuthorizationEnv): string | undefined {
  const value = input.FunctionName ?? input.Resource;
  if (!value) return undefined;
  const text = String(value);
  let region = env.region, account = env.account, name: string, qualifier: string | undefined;
  let m = ARN.exec(text);
  if (m) [region, account, name, qualifier] = [m[1], m[2], m[3], m[4]];
  else if ((m = PARTIAL.exec(text))) [account, name, qualifier] = [m[1], m[2], m[3]];
  else [name, qualifier] = text.split(":") as [string, string | undefined];
  qualifier ??= input.Qualifier;
  return `arn:aws:lambda:${region}:${account}:function:${name}${qualifier ? `:${qualifier}` : ""}`;
}

export const lambdaAuthorization: AuthorizationMap = {
  prefix: "lambda",
  resource: functionArnOf,
  operations: {
    Invoke: { action: "InvokeFunction" },
    InvokeAsync: { action: "InvokeFunction" },
    InvokeWithResponseStream: { action: "InvokeFunction" },
    CreateFunction: { tags: "Tags", context: { "lambda:Layer": (i) => i.Layers, "lambda:VpcIds": () => undefined } },
    ListFunctions: { resource: "*" },
    ListLayers: { resource: "*" },
    ListEventSourceMappings: { resource: "*" },
    CreateEventSourceMapping: { resource: "*", context: { "lambda:FunctionArn": (i, env) => functionArnOf(i, env) } },
    GetEventSourceMapping: { resource: "arn:{partition}:lambda:{region}:{account}:event-source-mapping:{UUID}" },
    UpdateEventSourceMapping: { resource: "arn:{partition}:lambda:{region}:{account}:event-source-mapping:{UUID}" },
    DeleteEventSourceMapping: { resource: "arn:{partition}:lambda:{region}:{account}:event-source-mapping:{UUID}" },
    GetAccountSettings: { resource: "*" },
    ListCodeSigningConfigs: { resource: "*" },
    CreateCodeSigningConfig: { resource: "*" },
    TagResource: { resource: "{Resource}", tags: "Tags" },
    UntagResource: { resource: "{Resource}" },
    ListTags: { resource: "{Resource}" },
    AddPermission: { context: { "lambda:Principal": "Principal", "lambda:FunctionUrlAuthType": "FunctionUrlAuthType" } },
    PublishLayerVersion: { resource: "arn:{partition}:lambda:{region}:{account}:layer:{LayerName}" },
    ListLayerVersions: { resource: "arn:{partition}:lambda:{region}:{account}:layer:{LayerName}" },
    GetLayerVersion: { resource: "arn:{partition}:lambda:{region}:{account}:layer:{LayerName}:{VersionNumber}" },
    DeleteLayerVersion: { resource: "arn:{partition}:lambda:{region}:{account}:layer:{LayerName}:{VersionNumber}" },
  },
  async resourcePolicy(arn, env) {
    const m = ARN.exec(arn);
    if (!m) return null;
    const [, region, account, name, qualifier] = m;
    const stored = (await env.storeFor(account, region).get<StoredPolicy>(["policy", name, qualifier ?? ""])).value;
    return {
      policy: stored ? { Version: "2012-10-17", Statement: stored.Statement as never } : undefined,
      source: `function policy of ${arn}`,
      account,
    };
  },
};
