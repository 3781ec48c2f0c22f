/**
 * Service last accessed data: GenerateServiceLastAccessedDetails (a job over a user, group, role
 * or managed policy), GetServiceLastAccessedDetails(WithEntities), and
 * ListPoliciesGrantingServiceAccess. Uses are those IAM recorded from real requests
 * (access.ts); the services reported are the ones the entity's policies allow (an Allow
 * statement's Action or NotAction reaching the namespace). Jobs complete at once.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateServiceLastAccessedDetails.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListPoliciesGrantingServiceAccess.html
 */
import type { Handlers } from "../types.ts";
import type { EntityDetails, Operations, PolicyGrantingServiceAccess, ServiceLastAccessed } from "../../generated/iam.ts";
import { asList, statementsOf } from "../../policy/document.ts";
import { globMatch } from "../../policy/match.ts";
import type { PolicyDocument } from "../../policy/types.ts";
import { date, getRecord, invalidInput, listRecords, noSuchEntity, paginate, putRecord, scopeOf, type Scope } from "./common.ts";
import { loadGroup, loadRole, loadUser, type GroupRecord, type PolicyHolder, type RoleRecord, type UserRecord } from "./records.ts";
import { defaultDocument, findPolicy } from "./policies.ts";
import { accessStats, type AccessStats } from "./access.ts";

/** Service namespaces fetchstack serves, with the names IAM reports for them. */
const SERVICE_NAMES: Record<string, string> = {
  cloudwatch: "Amazon CloudWatch", dynamodb: "Amazon DynamoDB", events: "Amazon EventBridge", firehose: "Amazon Kinesis Firehose",
  iam: "AWS Identity and Access Management", kinesis: "Amazon Kinesis", kms: "AWS Key Management Service", lambda: "AWS Lambda",
  logs: "Amazon CloudWatch Logs", memorydb: "Amazon MemoryDB", s3: "Amazon S3", scheduler: "Amazon EventBridge Scheduler",
  secretsmanager: "AWS Secrets Manager", sns: "Amazon SNS", sqs: "Amazon SQS", ssm: "AWS Systems Manager", states: "AWS Step Functions",
  sts: "AWS Security Token Service",
};
/** Services whose actions IAM tracks one by one (ACTION_LEVEL reports). */
const TRACKED = new Set(["s3", "iam", "lambda", "ec2"]);

type EntityType = "USER" | "GROUP" | "ROLE";
interface Entity {
  type: EntityType;
  record: PolicyHolder & { Path: string; Arn: string };
  name: string;
  id: string;
}

interface JobRecord {
  JobId: string;
  Granularity: "SERVICE_LEVEL" | "ACTION_LEVEL";
  created: number;
  services: ServiceLastAccessed[];
  /** Namespace → the entities' details. */
  entities: Record<string, EntityDetails[]>;
}

/** The namespaces an Allow statement of `docs` reaches (a `*` in the prefix reaches the services above). */
export function allowedNamespaces(docs: PolicyDocument[]): Set<string> {
  const out = new Set<string>();
  const known = Object.keys(SERVICE_NAMES);
  for (const doc of docs) {
    for (const s of statementsOf(doc)) {
      if (s.Effect !== "Allow") continue;
      if (s.NotAction !== undefined) {
        // NotAction allows every service but what it names entirely (`ns:*`).
        const excluded = asList(s.NotAction).filter((a) => /^[^:]+:\*$/.test(a)).map((a) => a.split(":")[0].toLowerCase());
        for (const ns of known) if (!excluded.includes(ns)) out.add(ns);
        continue;
      }
      for (const action of asList(s.Action)) {
        const prefix = action === "*" ? "*" : action.split(":")[0].toLowerCase();
        if (/[*?]/.test(prefix)) for (const ns of known) { if (globMatch(prefix, ns, true)) out.add(ns); }
        else out.add(prefix);
      }
    }
  }
  return out;
}

function parse(text: string): PolicyDocument | null {
  try {
    return JSON.parse(text) as PolicyDocument;
  } catch {
    return null;
  }
}

/** Every policy of a holder, named as ListPoliciesGrantingServiceAccess names them. */
async function holderPolicies(scope: Scope, type: EntityType, name: string, holder: PolicyHolder): Promise<{ grant: PolicyGrantingServiceAccess; doc: PolicyDocument }[]> {
  const out: { grant: PolicyGrantingServiceAccess; doc: PolicyDocument }[] = [];
  for (const arn of holder.Attached) {
    const policy = await findPolicy(scope, arn);
    const doc = policy ? parse(defaultDocument(policy)) : null;
    if (policy && doc) out.push({ grant: { PolicyName: policy.PolicyName, PolicyType: "MANAGED", PolicyArn: arn }, doc });
  }
  for (const [policyName, text] of Object.entries(holder.Inline)) {
    const doc = parse(text);
    if (doc) out.push({ grant: { PolicyName: policyName, PolicyType: "INLINE", EntityType: type, EntityName: name }, doc });
  }
  return out;
}

/** A user's own policies and those of their groups. */
async function userPolicies(scope: Scope, user: UserRecord) {
  const out = await holderPolicies(scope, "USER", user.UserName, user);
  for (const g of user.Groups) {
    const group = await getRecord<GroupRecord>(scope, "group", g);
    if (group) out.push(...(await holderPolicies(scope, "GROUP", group.GroupName, group)));
  }
  return out;
}

const userEntity = (u: UserRecord): Entity => ({ type: "USER", record: u, name: u.UserName, id: u.UserId });
const roleEntity = (r: RoleRecord): Entity => ({ type: "ROLE", record: r, name: r.RoleName, id: r.RoleId });
const groupEntity = (g: GroupRecord): Entity => ({ type: "GROUP", record: g, name: g.GroupName, id: g.GroupId });

async function members(scope: Scope, group: GroupRecord): Promise<UserRecord[]> {
  const lower = group.GroupName.toLowerCase();
  return (await listRecords<UserRecord>(scope, "user")).filter((u) => u.Groups.some((g) => g.toLowerCase() === lower));
}

/**
 * What a report on `arn` covers: the policy documents deciding its services, and the entities
 * listed by WithEntities (whose uses, or their members', count).
 */
async function subject(scope: Scope, arn: string): Promise<{ docs: PolicyDocument[]; listed: Entity[] }> {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}|aws):(user|group|role|policy)\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!m) throw invalidInput(`ARN ${arn} is not valid.`);
  const [, account, type, name] = m;
  if (account !== scope.account && type !== "policy") throw noSuchEntity(`The entity ${arn} cannot be found.`);
  if (type === "user") {
    const user = await loadUser(scope, name);
    if (user.Arn !== arn) throw noSuchEntity(`The user with name ${name} cannot be found.`);
    return { docs: (await userPolicies(scope, user)).map((p) => p.doc), listed: [userEntity(user)] };
  }
  if (type === "role") {
    const role = await loadRole(scope, name);
    if (role.Arn !== arn) throw noSuchEntity(`The role with name ${name} cannot be found.`);
    return { docs: (await holderPolicies(scope, "ROLE", role.RoleName, role)).map((p) => p.doc), listed: [roleEntity(role)] };
  }
  if (type === "group") {
    const group = await loadGroup(scope, name);
    if (group.Arn !== arn) throw noSuchEntity(`The group with name ${name} cannot be found.`);
    const users = (await members(scope, group)).map(userEntity);
    return { docs: (await holderPolicies(scope, "GROUP", group.GroupName, group)).map((p) => p.doc), listed: users };
  }
  const policy = await findPolicy(scope, arn);
  const doc = policy ? parse(defaultDocument(policy)) : null;
  if (!policy || !doc) throw noSuchEntity(`Policy ${arn} was not found.`);
  const listed: Entity[] = [];
  for (const u of await listRecords<UserRecord>(scope, "user")) if (u.Attached.includes(arn)) listed.push(userEntity(u));
  for (const g of await listRecords<GroupRecord>(scope, "group")) if (g.Attached.includes(arn)) listed.push(groupEntity(g));
  for (const r of await listRecords<RoleRecord>(scope, "role")) if (r.Attached.includes(arn)) listed.push(roleEntity(r));
  return { docs: [doc], listed };
}

/** The principals whose uses an entity's line reports: itself, or a group's members. */
async function usersOf(scope: Scope, entity: Entity): Promise<Entity[]> {
  return entity.type === "GROUP" ? (await members(scope, entity.record as GroupRecord)).map(userEntity) : [entity];
}

async function generate(scope: Scope, arn: string, granularity: JobRecord["Granularity"]): Promise<JobRecord> {
  const { docs, listed } = await subject(scope, arn);
  const namespaces = [...allowedNamespaces(docs)].sort();
  const stats = new Map<string, { entity: Entity; stats: AccessStats }>();
  const lines: { entity: Entity; users: Entity[] }[] = [];
  for (const entity of listed) {
    const users = await usersOf(scope, entity);
    for (const u of users) if (!stats.has(u.id)) stats.set(u.id, { entity: u, stats: await accessStats(scope, u.id) });
    lines.push({ entity, users });
  }
  const services: ServiceLastAccessed[] = [];
  const entities: Record<string, EntityDetails[]> = {};
  for (const ns of namespaces) {
    let latest: { date: number; region: string; arn: string } | undefined;
    let total = 0;
    const actions = new Map<string, { date: number; region: string; arn: string }>();
    for (const { entity, stats: s } of stats.values()) {
      const used = s.services?.[ns];
      if (!used) continue;
      total++;
      if (!latest || used.date > latest.date) latest = { date: used.date, region: used.region, arn: entity.record.Arn };
      for (const [action, at] of Object.entries(used.actions)) {
        const seen = actions.get(action);
        if (!seen || at.date > seen.date) actions.set(action, { ...at, arn: entity.record.Arn });
      }
    }
    services.push({
      ServiceName: SERVICE_NAMES[ns] ?? ns, ServiceNamespace: ns, TotalAuthenticatedEntities: total,
      ...(latest ? { LastAuthenticated: date(latest.date), LastAuthenticatedEntity: latest.arn, LastAuthenticatedRegion: latest.region } : {}),
      ...(granularity === "ACTION_LEVEL" && TRACKED.has(ns)
        ? {
          TrackedActionsLastAccessed: [...actions.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([action, at]) => ({
            ActionName: action.slice(action.indexOf(":") + 1), LastAccessedEntity: at.arn, LastAccessedTime: date(at.date), LastAccessedRegion: at.region,
          })),
        }
        : {}),
    });
    entities[ns] = lines.map(({ entity, users }) => {
      const dates = users.map((u) => stats.get(u.id)?.stats.services?.[ns]?.date).filter((d): d is number => d !== undefined);
      return {
        EntityInfo: { Arn: entity.record.Arn, Name: entity.name, Type: entity.type, Id: entity.id, Path: entity.record.Path },
        ...(dates.length ? { LastAuthenticated: date(Math.max(...dates)) } : {}),
      };
    });
  }
  return { JobId: crypto.randomUUID(), Granularity: granularity, created: scope.now, services, entities };
}

async function loadJob(scope: Scope, id: string): Promise<JobRecord> {
  const job = await getRecord<JobRecord>(scope, "job", id);
  if (!job || !("services" in job)) throw noSuchEntity(`No job exists with the ID ${id}.`);
  return job;
}

/** JSON keeps the report's dates as strings: back to Dates for the codec. */
function revive<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (key, v) => (typeof v === "string" && /(Date|Time|LastAuthenticated)$/.test(key) ? new Date(v) : v));
}

export const lastAccessedHandlers: Handlers<Operations> = {
  async GenerateServiceLastAccessedDetails(input, ctx) {
    const scope = scopeOf(ctx);
    const job = await generate(scope, input.Arn, input.Granularity ?? "SERVICE_LEVEL");
    await putRecord(scope, "job", job.JobId, JSON.parse(JSON.stringify(job)));
    return { JobId: job.JobId };
  },

  async GetServiceLastAccessedDetails(input, ctx) {
    const job = revive(await loadJob(scopeOf(ctx), input.JobId));
    const page = paginate(job.services, input.Marker, input.MaxItems);
    return {
      JobStatus: "COMPLETED", JobType: job.Granularity, JobCreationDate: date(job.created), JobCompletionDate: date(job.created),
      ServicesLastAccessed: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker,
    };
  },

  async GetServiceLastAccessedDetailsWithEntities(input, ctx) {
    const job = revive(await loadJob(scopeOf(ctx), input.JobId));
    const list = job.entities[input.ServiceNamespace.toLowerCase()];
    if (!list) throw invalidInput(`The service namespace ${input.ServiceNamespace} is not in the report of job ${input.JobId}.`);
    const page = paginate(list, input.Marker, input.MaxItems);
    return {
      JobStatus: "COMPLETED", JobCreationDate: date(job.created), JobCompletionDate: date(job.created),
      EntityDetailsList: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker,
    };
  },

  async ListPoliciesGrantingServiceAccess(input, ctx) {
    const scope = scopeOf(ctx);
    const m = /^arn:aws[a-z-]*:iam::(\d{12}):(user|group|role)\/(?:.*\/)?([^/]+)$/.exec(input.Arn);
    if (!m) throw invalidInput(`ARN ${input.Arn} is not valid.`);
    const [, account, type, name] = m;
    if (account !== scope.account) throw noSuchEntity(`The ${type} with name ${name} cannot be found.`);
    const policies = type === "user" ? await userPolicies(scope, await loadUser(scope, name))
      : type === "group" ? await holderPolicies(scope, "GROUP", name, await loadGroup(scope, name))
      : await holderPolicies(scope, "ROLE", name, await loadRole(scope, name));
    const entries = input.ServiceNamespaces.map((ns) => ({
      ServiceNamespace: ns,
      Policies: policies.filter((p) => allowedNamespaces([p.doc]).has(ns.toLowerCase())).map((p) => p.grant),
    }));
    return { PoliciesGrantingServiceAccess: entries, IsTruncated: false };
  },
};
