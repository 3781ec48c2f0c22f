/**
 * EventBridge's IAM actions and resources per operation, for `enforceIam`: `events:<Operation>`
 * on the event bus, rule (`rule/<name>` on the default bus, `rule/<bus>/<name>` on others),
 * archive, replay, connection, API destination or endpoint ARN; `events:PutEvents` on every bus
 * the entries name; listings and TestEventPattern on `*`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html
 */
import type { AuthorizationEnv, AuthorizationMap, Input } from "../../policy/authorization.ts";

const arn = (env: AuthorizationEnv, resource: string) => `arn:${env.partition}:events:${env.region}:${env.account}:${resource}`;

/** A bus given by name or ARN (default: `default`). */
function busArn(nameOrArn: unknown, env: AuthorizationEnv): string {
  const v = typeof nameOrArn === "string" && nameOrArn ? nameOrArn : "default";
  return v.startsWith("arn:") ? v : arn(env, `event-bus/${v}`);
}

function busName(nameOrArn: unknown): string {
  const v = typeof nameOrArn === "string" && nameOrArn ? nameOrArn : "default";
  return v.startsWith("arn:") ? v.slice(v.indexOf(":event-bus/") + 11) : v;
}

const bus = (member: string) => (input: Input, env: AuthorizationEnv) => busArn(input[member], env);
const rule = (member: string) => (input: Input, env: AuthorizationEnv) => {
  const name = busName(input.EventBusName);
  return arn(env, name === "default" ? `rule/${input[member]}` : `rule/${name}/${input[member]}`);
};
/** A stored resource's real ARN (connections and API destinations end in a UUID). */
const stored = (key: string, field: string, type: string) => async (input: Input, env: AuthorizationEnv) => {
  if (!input.Name) return undefined;
  const record = (await env.store.get<Record<string, string>>([key, String(input.Name)])).value;
  return record?.[field] ?? arn(env, `${type}/${input.Name}/*`);
};
const connection = stored("connection", "ConnectionArn", "connection");
const apiDestination = stored("api-destination", "ApiDestinationArn", "api-destination");
const anywhere = { resource: "*" } as const;

export const eventsAuthorization: AuthorizationMap = {
  prefix: "events",
  resource: "*",
  operations: {
    PutEvents: { resource: (input, env) => [...new Set(((input.Entries ?? []) as { EventBusName?: string }[]).map((e) => busArn(e.EventBusName, env)))] },
    PutPartnerEvents: anywhere,
    CreateEventBus: { resource: bus("Name"), tags: "Tags" },
    DeleteEventBus: { resource: bus("Name") },
    DescribeEventBus: { resource: bus("Name") },
    UpdateEventBus: { resource: bus("Name") },
    PutPermission: { resource: bus("EventBusName") },
    RemovePermission: { resource: bus("EventBusName") },
    PutRule: { resource: rule("Name"), tags: "Tags" },
    DeleteRule: { resource: rule("Name") },
    DescribeRule: { resource: rule("Name") },
    EnableRule: { resource: rule("Name") },
    DisableRule: { resource: rule("Name") },
    PutTargets: { resource: rule("Rule") },
    RemoveTargets: { resource: rule("Rule") },
    ListTargetsByRule: { resource: rule("Rule") },
    CreateArchive: { resource: (i, env) => arn(env, `archive/${i.ArchiveName}`) },
    DescribeArchive: { resource: (i, env) => arn(env, `archive/${i.ArchiveName}`) },
    UpdateArchive: { resource: (i, env) => arn(env, `archive/${i.ArchiveName}`) },
    DeleteArchive: { resource: (i, env) => arn(env, `archive/${i.ArchiveName}`) },
    StartReplay: { resource: (i, env) => arn(env, `replay/${i.ReplayName}`) },
    DescribeReplay: { resource: (i, env) => arn(env, `replay/${i.ReplayName}`) },
    CancelReplay: { resource: (i, env) => arn(env, `replay/${i.ReplayName}`) },
    CreateConnection: { resource: (i, env) => arn(env, `connection/${i.Name}/*`) },
    DescribeConnection: { resource: connection },
    UpdateConnection: { resource: connection },
    DeleteConnection: { resource: connection },
    DeauthorizeConnection: { resource: connection },
    CreateApiDestination: { resource: (i, env) => arn(env, `api-destination/${i.Name}/*`) },
    DescribeApiDestination: { resource: apiDestination },
    UpdateApiDestination: { resource: apiDestination },
    DeleteApiDestination: { resource: apiDestination },
    CreateEndpoint: { resource: (i, env) => `arn:${env.partition}:events::${env.account}:endpoint/${i.Name}` },
    DescribeEndpoint: { resource: (i, env) => `arn:${env.partition}:events::${env.account}:endpoint/${i.Name}` },
    UpdateEndpoint: { resource: (i, env) => `arn:${env.partition}:events::${env.account}:endpoint/${i.Name}` },
    DeleteEndpoint: { resource: (i, env) => `arn:${env.partition}:events::${env.account}:endpoint/${i.Name}` },
    TagResource: { resource: "{ResourceARN}", tags: "Tags" },
    UntagResource: { resource: "{ResourceARN}" },
    ListTagsForResource: { resource: "{ResourceARN}" },
    CreatePartnerEventSource: { resource: (i, env) => arn(env, `event-source/${i.Name}`) },
    DeletePartnerEventSource: { resource: (i, env) => arn(env, `event-source/${i.Name}`) },
    DescribePartnerEventSource: { resource: (i, env) => arn(env, `event-source/${i.Name}`) },
    DescribeEventSource: { resource: (i, env) => arn(env, `event-source/${i.Name}`) },
    ActivateEventSource: { resource: (i, env) => arn(env, `event-source/${i.Name}`) },
    DeactivateEventSource: { resource: (i, env) => arn(env, `event-source/${i.Name}`) },
  },
};
