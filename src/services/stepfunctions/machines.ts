/**
 * State machines, versions, aliases and tags: the control plane of Step Functions.
 * Source: https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
 * and the pages of the other operations below.
 */
import type { LoggingConfiguration, Operations as Ops } from "../../generated/stepfunctions.ts";
import type { Handlers, RequestContext } from "../types.ts";
import {
  arn, checkName, err, keys, listAll, page, parseArn, requireArn, type StoredActivity, type StoredAlias, type StoredMachine, type StoredVersion, type Tags,
} from "./common.ts";
import { requireValidDefinition, validateDefinition } from "./definition.ts";

const MAX_TAGS = 50;
const DEFAULT_LOGGING: LoggingConfiguration = { level: "OFF", includeExecutionData: false };
const DEFAULT_TRACING = { enabled: false };

export const machineNotFound = (value: string) => err("StateMachineDoesNotExist", `State Machine Does Not Exist: '${value}'`);

/** The machine an ARN (machine, version or alias) belongs to. */
export async function getMachine(ctx: RequestContext, value: string): Promise<StoredMachine> {
  const parsed = requireArn(value, "stateMachine");
  const base = arn({ region: parsed.region, accountId: parsed.account }, "stateMachine", parsed.parts[0]!);
  if (parsed.region !== ctx.region || parsed.account !== ctx.accountId) throw machineNotFound(value);
  const m = (await ctx.store.get<StoredMachine>(keys.machine(base))).value;
  if (!m) throw machineNotFound(value);
  return m;
}

export async function getVersion(ctx: RequestContext, machine: StoredMachine, n: number, value: string): Promise<StoredVersion> {
  const v = (await ctx.store.get<StoredVersion>(keys.version(machine.arn, n))).value;
  if (!v) throw err("ResourceNotFound", `Resource not found: '${value}'`, { resourceName: value });
  return v;
}

export async function getAlias(ctx: RequestContext, value: string): Promise<StoredAlias> {
  const a = (await ctx.store.get<StoredAlias>(keys.alias(value))).value;
  if (!a) throw err("ResourceNotFound", `Resource not found: '${value}'`, { resourceName: value });
  return a;
}

/** What an ARN given to StartExecution runs: the machine's current revision, a version, or an alias's pick. */
export async function resolveTarget(ctx: RequestContext, value: string): Promise<{ machine: StoredMachine; definition: string; roleArn: string; type: "STANDARD" | "EXPRESS"; versionArn?: string; aliasArn?: string }> {
  const machine = await getMachine(ctx, value);
  const qualifier = requireArn(value, "stateMachine").parts[1];
  if (qualifier === undefined) return { machine, definition: machine.definition, roleArn: machine.roleArn, type: machine.type };
  if (/^\d+$/.test(qualifier)) {
    const v = await getVersion(ctx, machine, Number(qualifier), value);
    return { machine, definition: v.definition, roleArn: v.roleArn, type: v.type, versionArn: v.arn };
  }
  const alias = await getAlias(ctx, value);
  let roll = Math.random() * 100;
  let pick = alias.routingConfiguration[0]!;
  for (const route of alias.routingConfiguration) {
    if (roll < route.weight) {
      pick = route;
      break;
    }
    roll -= route.weight;
  }
  const v = await getVersion(ctx, machine, Number(pick.stateMachineVersionArn.split(":").pop()), pick.stateMachineVersionArn);
  return { machine, definition: v.definition, roleArn: v.roleArn, type: v.type, versionArn: v.arn, aliasArn: alias.arn };
}

function checkRole(roleArn: string): void {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(roleArn)) throw err("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${roleArn}'`);
}

function checkTags(tags: Tags): void {
  if (tags.length > MAX_TAGS) throw err("TooManyTags", `Too many tags: the resource may have at most ${MAX_TAGS} tags.`);
}

function checkLogging(config: LoggingConfiguration | undefined): void {
  if (!config) return;
  const level = config.level ?? "OFF";
  if (level !== "OFF" && !(config.destinations?.length)) {
    throw err("InvalidLoggingConfiguration", "Invalid Logging Configuration: Must specify exactly one Log Destination if logging level is not OFF.");
  }
  if ((config.destinations?.length ?? 0) > 1) throw err("InvalidLoggingConfiguration", "Invalid Logging Configuration: Must specify exactly one Log Destination.");
}

function mergeTags(current: Tags, add: Tags): Tags {
  const out = current.filter((t) => !add.some((a) => a.key === t.key));
  return [...out, ...add];
}

async function publish(ctx: RequestContext, machine: StoredMachine, description: string | undefined): Promise<{ machine: StoredMachine; version: StoredVersion }> {
  if (machine.revisionVersion !== undefined) {
    const existing = (await ctx.store.get<StoredVersion>(keys.version(machine.arn, machine.revisionVersion))).value;
    if (existing) return { machine, version: existing };
  }
  const n = machine.lastVersion + 1;
  const version: StoredVersion = {
    arn: `${machine.arn}:${n}`, machineArn: machine.arn, version: n, definition: machine.definition, roleArn: machine.roleArn, type: machine.type,
    revisionId: machine.revisionId, creationDate: ctx.clock.now(), loggingConfiguration: machine.loggingConfiguration,
    tracingConfiguration: machine.tracingConfiguration, name: machine.name,
    ...(description !== undefined ? { description } : {}),
    ...(machine.encryptionConfiguration ? { encryptionConfiguration: machine.encryptionConfiguration } : {}),
  };
  const updated = { ...machine, lastVersion: n, revisionVersion: n };
  await ctx.store.atomic().set(keys.version(machine.arn, n), version).set(keys.machine(machine.arn), updated).commit();
  return { machine: updated, version };
}

const sameConfig = (a: StoredMachine, b: Partial<StoredMachine>) =>
  a.definition === b.definition && a.roleArn === b.roleArn && a.type === b.type &&
  JSON.stringify(a.loggingConfiguration) === JSON.stringify(b.loggingConfiguration) &&
  JSON.stringify(a.tracingConfiguration) === JSON.stringify(b.tracingConfiguration);

async function taggable(ctx: RequestContext, resourceArn: string): Promise<{ key: readonly (string | number)[]; value: StoredMachine | StoredActivity }> {
  const parsed = parseArn(resourceArn);
  if (!parsed) throw err("InvalidArn", `Invalid Arn: 'Invalid ARN prefix: ${resourceArn}'`);
  if (parsed.kind === "activity") {
    const a = (await ctx.store.get<StoredActivity>(keys.activity(resourceArn))).value;
    if (!a) throw err("ResourceNotFound", `Resource not found: '${resourceArn}'`, { resourceName: resourceArn });
    return { key: keys.activity(resourceArn), value: a };
  }
  if (parsed.kind === "stateMachine" && parsed.parts.length === 1) {
    const m = (await ctx.store.get<StoredMachine>(keys.machine(resourceArn))).value;
    if (!m) throw err("ResourceNotFound", `Resource not found: '${resourceArn}'`, { resourceName: resourceArn });
    return { key: keys.machine(resourceArn), value: m };
  }
  throw err("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${resourceArn}'`);
}

export const machineHandlers: Handlers<Ops> = {
  async CreateStateMachine(input, ctx) {
    checkName(input.name);
    const type = input.type ?? "STANDARD";
    checkRole(input.roleArn);
    requireValidDefinition(input.definition);
    checkTags((input.tags ?? []) as Tags);
    checkLogging(input.loggingConfiguration as Record<string, unknown> | undefined);
    if (input.publish === false && input.versionDescription !== undefined) {
      throw err("ValidationException", "Version description can only be set when publish is true");
    }
    const machineArn = arn(ctx, "stateMachine", input.name);
    const wanted: Partial<StoredMachine> = {
      definition: input.definition, roleArn: input.roleArn, type,
      loggingConfiguration: { ...DEFAULT_LOGGING, ...(input.loggingConfiguration ?? {}) },
      tracingConfiguration: { ...DEFAULT_TRACING, ...(input.tracingConfiguration ?? {}) },
    };
    const existing = (await ctx.store.get<StoredMachine>(keys.machine(machineArn))).value;
    if (existing) {
      if (!sameConfig(existing, wanted)) throw err("StateMachineAlreadyExists", `State Machine Already Exists: '${machineArn}'`);
      return { stateMachineArn: existing.arn, creationDate: new Date(existing.creationDate) };
    }
    let machine: StoredMachine = {
      ...(wanted as StoredMachine), arn: machineArn, name: input.name, status: "ACTIVE", creationDate: ctx.clock.now(),
      revisionId: crypto.randomUUID(), tags: (input.tags ?? []).map((t) => ({ key: t.key!, value: t.value ?? "" })), lastVersion: 0,
      ...(input.encryptionConfiguration ? { encryptionConfiguration: input.encryptionConfiguration } : {}),
    };
    await ctx.store.set(keys.machine(machineArn), machine);
    let versionArn: string | undefined;
    if (input.publish) {
      const p = await publish(ctx, machine, input.versionDescription);
      machine = p.machine;
      versionArn = p.version.arn;
    }
    return { stateMachineArn: machineArn, creationDate: new Date(machine.creationDate), ...(versionArn ? { stateMachineVersionArn: versionArn } : {}) };
  },

  async DescribeStateMachine(input, ctx) {
    const machine = await getMachine(ctx, input.stateMachineArn);
    const qualifier = requireArn(input.stateMachineArn, "stateMachine").parts[1];
    if (qualifier !== undefined && !/^\d+$/.test(qualifier)) throw err("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${input.stateMachineArn}'`);
    const source = qualifier !== undefined ? await getVersion(ctx, machine, Number(qualifier), input.stateMachineArn) : machine;
    return {
      stateMachineArn: qualifier !== undefined ? (source as StoredVersion).arn : machine.arn,
      name: machine.name, status: machine.status, definition: source.definition, roleArn: source.roleArn, type: source.type,
      creationDate: new Date(source.creationDate), loggingConfiguration: source.loggingConfiguration,
      tracingConfiguration: source.tracingConfiguration, revisionId: source.revisionId,
      encryptionConfiguration: source.encryptionConfiguration ?? { type: "AWS_OWNED_KEY" },
      ...(source.description !== undefined ? { description: source.description } : {}),
    };
  },

  async ListStateMachines(input, ctx) {
    const machines = await listAll<StoredMachine>(ctx, ["machine"]);
    machines.sort((a, b) => a.creationDate - b.creationDate || a.name.localeCompare(b.name));
    const p = page(machines, input.maxResults, input.nextToken);
    return {
      stateMachines: p.items.map((m) => ({ stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: new Date(m.creationDate) })),
      ...(p.nextToken ? { nextToken: p.nextToken } : {}),
    };
  },

  async UpdateStateMachine(input, ctx) {
    const parsed = requireArn(input.stateMachineArn, "stateMachine");
    if (parsed.parts.length > 1) throw err("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${input.stateMachineArn}'`);
    let machine = await getMachine(ctx, input.stateMachineArn);
    if (input.definition === undefined && input.roleArn === undefined && input.loggingConfiguration === undefined && input.tracingConfiguration === undefined && input.encryptionConfiguration === undefined) {
      throw err("MissingRequiredParameter", "Either the definition, the role ARN, the LoggingConfiguration, the EncryptionConfiguration or the TracingConfiguration must be specified");
    }
    if (input.roleArn !== undefined) checkRole(input.roleArn);
    if (input.definition !== undefined) requireValidDefinition(input.definition);
    checkLogging(input.loggingConfiguration as Record<string, unknown> | undefined);
    const next: StoredMachine = {
      ...machine,
      definition: input.definition ?? machine.definition,
      roleArn: input.roleArn ?? machine.roleArn,
      loggingConfiguration: input.loggingConfiguration ? { ...DEFAULT_LOGGING, ...input.loggingConfiguration } : machine.loggingConfiguration,
      tracingConfiguration: input.tracingConfiguration ? { ...DEFAULT_TRACING, ...input.tracingConfiguration } : machine.tracingConfiguration,
      ...(input.encryptionConfiguration ? { encryptionConfiguration: input.encryptionConfiguration } : {}),
      updateDate: ctx.clock.now(),
    };
    if (!sameConfig(machine, next)) {
      next.revisionId = crypto.randomUUID();
      delete next.revisionVersion;
    }
    machine = next;
    await ctx.store.set(keys.machine(machine.arn), machine);
    let versionArn: string | undefined;
    if (input.publish) versionArn = (await publish(ctx, machine, input.versionDescription)).version.arn;
    return { updateDate: new Date(machine.updateDate!), revisionId: machine.revisionId, ...(versionArn ? { stateMachineVersionArn: versionArn } : {}) };
  },

  async DeleteStateMachine(input, ctx) {
    const parsed = requireArn(input.stateMachineArn, "stateMachine");
    if (parsed.parts.length > 1) throw err("ValidationException", "Use DeleteStateMachineVersion or DeleteStateMachineAlias to delete a version or an alias.");
    const machine = (await ctx.store.get<StoredMachine>(keys.machine(input.stateMachineArn))).value;
    if (!machine) return {};
    const batch = ctx.store.atomic().delete(keys.machine(machine.arn));
    for await (const e of ctx.store.list({ prefix: ["version", machine.arn] })) batch.delete(e.key);
    for (const a of await listAll<StoredAlias>(ctx, ["alias"])) if (a.machineArn === machine.arn) batch.delete(keys.alias(a.arn));
    await batch.commit();
    return {};
  },

  async ValidateStateMachineDefinition(input) {
    const diagnostics = validateDefinition(input.definition);
    const max = input.maxResults && input.maxResults > 0 ? input.maxResults : 100;
    return {
      result: diagnostics.some((d) => d.severity === "ERROR") ? "FAIL" : "OK",
      diagnostics: diagnostics.slice(0, max),
      truncated: diagnostics.length > max,
    };
  },

  async PublishStateMachineVersion(input, ctx) {
    const parsed = requireArn(input.stateMachineArn, "stateMachine");
    if (parsed.parts.length > 1) throw err("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${input.stateMachineArn}'`);
    const machine = await getMachine(ctx, input.stateMachineArn);
    if (input.revisionId !== undefined && input.revisionId !== machine.revisionId) {
      throw err("ConflictException", `Failed to publish the State Machine version for revision ${input.revisionId}. The current State Machine revision is ${machine.revisionId}.`);
    }
    const { version } = await publish(ctx, machine, input.description);
    return { creationDate: new Date(version.creationDate), stateMachineVersionArn: version.arn };
  },

  async ListStateMachineVersions(input, ctx) {
    const machine = await getMachine(ctx, input.stateMachineArn);
    const versions = await listAll<StoredVersion>(ctx, ["version", machine.arn]);
    versions.sort((a, b) => b.version - a.version);
    const p = page(versions, input.maxResults, input.nextToken);
    return {
      stateMachineVersions: p.items.map((v) => ({ stateMachineVersionArn: v.arn, creationDate: new Date(v.creationDate) })),
      ...(p.nextToken ? { nextToken: p.nextToken } : {}),
    };
  },

  async DeleteStateMachineVersion(input, ctx) {
    const parsed = requireArn(input.stateMachineVersionArn, "stateMachine");
    if (parsed.parts.length !== 2 || !/^\d+$/.test(parsed.parts[1]!)) throw err("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${input.stateMachineVersionArn}'`);
    const base = input.stateMachineVersionArn.slice(0, input.stateMachineVersionArn.lastIndexOf(":"));
    const using = (await listAll<StoredAlias>(ctx, ["alias"])).filter((a) => a.routingConfiguration.some((r) => r.stateMachineVersionArn === input.stateMachineVersionArn));
    if (using.length) {
      throw err("ConflictException", `Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [${using.map((a) => a.arn).join(", ")}]`);
    }
    await ctx.store.delete(keys.version(base, Number(parsed.parts[1])));
    return {};
  },

  async CreateStateMachineAlias(input, ctx) {
    checkName(input.name);
    if (/^\d+$/.test(input.name)) throw err("ValidationException", "Alias name must not be a number");
    const routes = await checkRouting(ctx, input.routingConfiguration);
    const machineArn = routes[0]!.stateMachineVersionArn.slice(0, routes[0]!.stateMachineVersionArn.lastIndexOf(":"));
    const aliasArn = `${machineArn}:${input.name}`;
    const existing = (await ctx.store.get<StoredAlias>(keys.alias(aliasArn))).value;
    if (existing) {
      if (JSON.stringify(existing.routingConfiguration) === JSON.stringify(routes) && existing.description === input.description) {
        return { stateMachineAliasArn: existing.arn, creationDate: new Date(existing.creationDate) };
      }
      throw err("ConflictException", `Failed to create alias because an alias with the same name and a different routing configuration already exists.`);
    }
    const now = ctx.clock.now();
    const alias: StoredAlias = {
      arn: aliasArn, machineArn, name: input.name, routingConfiguration: routes, creationDate: now, updateDate: now,
      ...(input.description !== undefined ? { description: input.description } : {}),
    };
    await ctx.store.set(keys.alias(aliasArn), alias);
    return { stateMachineAliasArn: aliasArn, creationDate: new Date(now) };
  },

  async DescribeStateMachineAlias(input, ctx) {
    const parsed = requireArn(input.stateMachineAliasArn, "stateMachine");
    if (parsed.parts.length !== 2 || /^\d+$/.test(parsed.parts[1]!)) throw err("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${input.stateMachineAliasArn}'`);
    const a = await getAlias(ctx, input.stateMachineAliasArn);
    return {
      stateMachineAliasArn: a.arn, name: a.name, routingConfiguration: a.routingConfiguration,
      creationDate: new Date(a.creationDate), updateDate: new Date(a.updateDate), ...(a.description !== undefined ? { description: a.description } : {}),
    };
  },

  async ListStateMachineAliases(input, ctx) {
    const machine = await getMachine(ctx, input.stateMachineArn);
    const aliases = (await listAll<StoredAlias>(ctx, ["alias"])).filter((a) => a.machineArn === machine.arn);
    const p = page(aliases, input.maxResults, input.nextToken);
    return {
      stateMachineAliases: p.items.map((a) => ({ stateMachineAliasArn: a.arn, creationDate: new Date(a.creationDate) })),
      ...(p.nextToken ? { nextToken: p.nextToken } : {}),
    };
  },

  async UpdateStateMachineAlias(input, ctx) {
    const a = await getAlias(ctx, input.stateMachineAliasArn);
    if (input.description === undefined && input.routingConfiguration === undefined) {
      throw err("ValidationException", "Either the description or the RoutingConfiguration must be specified", { reason: "INVALID_ROUTING_CONFIGURATION" });
    }
    const routes = input.routingConfiguration ? await checkRouting(ctx, input.routingConfiguration, a.machineArn) : a.routingConfiguration;
    const updated: StoredAlias = { ...a, routingConfiguration: routes, updateDate: ctx.clock.now(), ...(input.description !== undefined ? { description: input.description } : {}) };
    await ctx.store.set(keys.alias(a.arn), updated);
    return { updateDate: new Date(updated.updateDate) };
  },

  async DeleteStateMachineAlias(input, ctx) {
    const parsed = requireArn(input.stateMachineAliasArn, "stateMachine");
    if (parsed.parts.length !== 2 || /^\d+$/.test(parsed.parts[1]!)) throw err("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${input.stateMachineAliasArn}'`);
    await getAlias(ctx, input.stateMachineAliasArn);
    await ctx.store.delete(keys.alias(input.stateMachineAliasArn));
    return {};
  },

  async TagResource(input, ctx) {
    const { key, value } = await taggable(ctx, input.resourceArn);
    const tags = mergeTags(value.tags, input.tags.map((t) => ({ key: t.key!, value: t.value ?? "" })));
    if (tags.length > MAX_TAGS) throw err("TooManyTags", `Too many tags: the resource may have at most ${MAX_TAGS} tags.`, { resourceName: input.resourceArn });
    await ctx.store.set(key, { ...value, tags });
    return {};
  },

  async UntagResource(input, ctx) {
    const { key, value } = await taggable(ctx, input.resourceArn);
    await ctx.store.set(key, { ...value, tags: value.tags.filter((t) => !input.tagKeys.includes(t.key)) });
    return {};
  },

  async ListTagsForResource(input, ctx) {
    const { value } = await taggable(ctx, input.resourceArn);
    return { tags: value.tags };
  },
};

async function checkRouting(ctx: RequestContext, routes: { stateMachineVersionArn: string; weight: number }[], machineArn?: string) {
  if (routes.length < 1 || routes.length > 2) {
    throw err("ValidationException", "Routing configuration must contain one or two versions", { reason: "INVALID_ROUTING_CONFIGURATION" });
  }
  if (routes.reduce((s, r) => s + r.weight, 0) !== 100) {
    throw err("ValidationException", "Sum of routing configuration weights must be equal to 100", { reason: "INVALID_ROUTING_CONFIGURATION" });
  }
  if (routes.length === 2 && routes[0]!.stateMachineVersionArn === routes[1]!.stateMachineVersionArn) {
    throw err("ValidationException", "Routing configuration must contain distinct versions", { reason: "INVALID_ROUTING_CONFIGURATION" });
  }
  let base: string | undefined = machineArn;
  for (const r of routes) {
    const parsed = requireArn(r.stateMachineVersionArn, "stateMachine");
    if (parsed.parts.length !== 2 || !/^\d+$/.test(parsed.parts[1]!)) throw err("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${r.stateMachineVersionArn}'`);
    const m = await getMachine(ctx, r.stateMachineVersionArn);
    if (base !== undefined && m.arn !== base) {
      throw err("ValidationException", "Routing configuration must contain state machine versions of the same state machine", { reason: "INVALID_ROUTING_CONFIGURATION" });
    }
    base = m.arn;
    await getVersion(ctx, m, Number(parsed.parts[1]), r.stateMachineVersionArn);
  }
  return routes.map((r) => ({ stateMachineVersionArn: r.stateMachineVersionArn, weight: r.weight }));
}
