/**
 * Checks and constants for a cluster's engine, engine version, node type and shard/replica counts
 * (shared by regional and multi-Region clusters).
 */
import { DEFAULT_ENGINE_VERSION, ENGINE_VERSIONS, NODE_TYPES } from "./catalog.ts";
import { fault, invalidValue } from "./errors.ts";

export const SLOTS = 16384;

export function engineVersionFor(engine: string, version: string | undefined): (typeof ENGINE_VERSIONS)[number] {
  const wanted = version ?? DEFAULT_ENGINE_VERSION[engine];
  const found = ENGINE_VERSIONS.find((v) => v.Engine === engine && (v.EngineVersion === wanted || v.EnginePatchVersion === wanted));
  if (!found) throw invalidValue(`Invalid engine version ${wanted} for engine ${engine}.`);
  return found;
}

export function checkEngine(engine: string | undefined): string {
  const e = (engine ?? "redis").toLowerCase();
  if (e !== "redis" && e !== "valkey") throw invalidValue(`Invalid engine: ${engine}. Valid engines are redis and valkey.`);
  return e;
}

export function checkNodeType(nodeType: string): void {
  if (!NODE_TYPES.has(nodeType)) throw invalidValue(`Invalid node type: ${nodeType}`);
}

export function checkCounts(shards: number, replicas: number): void {
  if (shards < 1) throw invalidValue("The number of shards must be at least 1.");
  if (shards > 500) throw fault("ShardsPerClusterQuotaExceededFault", "The number of shards exceeds the limit of 500 per cluster.");
  if (replicas < 0 || replicas > 5) throw invalidValue("The number of replicas per shard must be between 0 and 5.");
  if (shards * (replicas + 1) > 500) throw fault("NodeQuotaForClusterExceededFault", "The number of nodes exceeds the limit of 500 per cluster.");
}
