/**
 * Stored event buses: the implicit `default` bus, lookups, and the resource-policy check for
 * PutEvents from other accounts.
 */
import { busArn, listValues, notFound, type Scope, type Tags } from "./common.ts";
import type { LogConfig } from "../../generated/events.ts";

export interface StoredBus {
  Name: string;
  Arn: string;
  Description?: string;
  KmsKeyIdentifier?: string;
  DeadLetterConfig?: { Arn?: string };
  LogConfig?: LogConfig;
  EventSourceName?: string;
  /** Resource policy document as JSON text. */
  Policy?: string;
  CreationTime: number;
  LastModifiedTime: number;
  Tags: Tags;
}

export const busKey = (name: string) => ["bus", name];

/** The bus, including the implicit default bus (stored only once it changes). */
export async function getBus(scope: Scope, name: string): Promise<StoredBus | null> {
  const stored = (await scope.store.get<StoredBus>(busKey(name))).value;
  if (stored) return stored;
  if (name === "default") return { Name: "default", Arn: busArn(scope, "default"), CreationTime: 0, LastModifiedTime: 0, Tags: [] };
  return null;
}

export async function requireBus(scope: Scope, name: string): Promise<StoredBus> {
  const bus = await getBus(scope, name);
  if (!bus) throw notFound(`Event bus ${name} does not exist.`);
  return bus;
}

export async function listBuses(scope: Scope): Promise<StoredBus[]> {
  const stored = await listValues<StoredBus>(scope.store, ["bus"]);
  if (!stored.some((b) => b.Name === "default")) stored.push((await getBus(scope, "default"))!);
  return stored.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

/** Whether `account` may put events on `bus` (its own, or granted by the bus's policy). */
export function mayPutEvents(bus: StoredBus, owner: string, account: string): boolean {
  if (account === owner) return true;
  if (!bus.Policy) return false;
  /** The parts of an IAM policy statement this check reads. */
  type Statement = { Effect?: string; Action?: string | string[]; Principal?: "*" | { AWS?: string | string[] } } | null;
  let doc: { Statement?: Statement | Statement[] } | null;
  try {
    doc = JSON.parse(bus.Policy);
  } catch {
    return false;
  }
  if (!doc || typeof doc !== "object") return false;
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return statements.some((s) => {
    if (!s || s.Effect !== "Allow") return false;
    const actions = [s.Action].flat();
    if (!actions.some((a) => a === "events:PutEvents" || a === "events:*" || a === "*")) return false;
    const principal = s.Principal === "*" ? "*" : s.Principal?.AWS;
    if (principal === undefined) return false;
    return [principal].flat().some((p: string) => p === "*" || p === account || p === `arn:aws:iam::${account}:root`);
  });
}

