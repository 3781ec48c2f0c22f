/**
 * Which services an emulator knows and serves, from `createEmulator({ services })`: built-in
 * names and embedders' own `ServiceDefinition`s (a definition named like a built-in replaces it).
 */
import type { ServiceDefinition } from "./types.ts";

export interface ServiceSelection {
  /** Every service requests can be routed to (served or not): built-ins plus given definitions. */
  known: ServiceDefinition[];
  /** The services that answer; the rest of `known` answer 501 "not enabled". */
  served: ServiceDefinition[];
}

function assertDefinition(value: ServiceDefinition): void {
  if (typeof value.name !== "string" || value.name === "") throw new TypeError("a ServiceDefinition needs a non-empty name");
  const model = value.model as Partial<ServiceDefinition["model"]> | undefined;
  if (!model?.metadata || !model.operations || !model.shapes) throw new TypeError(`service ${value.name}: model needs metadata, operations and shapes`);
  if (!value.handlers || typeof value.handlers !== "object") throw new TypeError(`service ${value.name}: handlers must be an object`);
}

/**
 * Resolves `wanted` (default: every built-in) against `builtIn`. Throws Error `unknown service: X`
 * for a name that is neither built in nor given, TypeError for a malformed definition or one
 * name given twice.
 */
export function selectServices(builtIn: readonly ServiceDefinition[], wanted?: readonly (string | ServiceDefinition)[]): ServiceSelection {
  const given = new Map<string, ServiceDefinition>();
  for (const item of wanted ?? []) {
    if (typeof item === "string") continue;
    assertDefinition(item);
    if (given.has(item.name)) throw new TypeError(`service ${item.name} given twice`);
    given.set(item.name, item);
  }
  const known = builtIn.map((s) => given.get(s.name) ?? s);
  for (const [name, definition] of given) if (!builtIn.some((s) => s.name === name)) known.push(definition);
  if (!wanted) return { known, served: known };
  const names = new Set<string>();
  for (const item of wanted) {
    const name = typeof item === "string" ? item : item.name;
    if (!known.some((s) => s.name === name)) throw new Error(`unknown service: ${name}`);
    names.add(name);
  }
  return { known, served: known.filter((s) => names.has(s.name)) };
}
