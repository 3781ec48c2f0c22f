/**
 * Staging labels: each label is on at most one version; moving AWSCURRENT to a version leaves
 * AWSPREVIOUS on the version that had it. Versions without labels are deprecated; AWS keeps at
 * most 100 versions and drops the oldest deprecated ones beyond that.
 * Source: https://docs.aws.amazon.com/secretsmanager/latest/userguide/whats-in-a-secret.html#term_version
 */
import type { SecretRecord, StoredVersion } from "./secrets.ts";

const MAX_VERSIONS = 100;

/** Returns versions with `stages` attached to `versionId` (and taken off every other version). */
export function attachStages(versions: StoredVersion[], versionId: string, stages: string[]): StoredVersion[] {
  const previousCurrent = versions.find((v) => v.stages.includes("AWSCURRENT"));
  const movingCurrent = stages.includes("AWSCURRENT") && previousCurrent && previousCurrent.versionId !== versionId;
  let out = versions.map((v) => {
    if (v.versionId === versionId) {
      const own = movingCurrent && !stages.includes("AWSPREVIOUS") ? v.stages.filter((s) => s !== "AWSPREVIOUS") : v.stages;
      return { ...v, stages: [...new Set([...own, ...stages])] };
    }
    let kept = v.stages.filter((s) => !stages.includes(s));
    if (movingCurrent) kept = kept.filter((s) => s !== "AWSPREVIOUS");
    if (movingCurrent && v.versionId === previousCurrent!.versionId) kept = [...kept, "AWSPREVIOUS"];
    return kept.length === v.stages.length && kept.every((s, i) => s === v.stages[i]) ? v : { ...v, stages: kept };
  });
  if (out.length > MAX_VERSIONS) {
    const excess = out.length - MAX_VERSIONS;
    const drop = new Set(out.filter((v) => v.stages.length === 0).slice(0, excess).map((v) => v.versionId));
    out = out.filter((v) => !drop.has(v.versionId));
  }
  return out;
}

export function removeStage(versions: StoredVersion[], versionId: string, stage: string): StoredVersion[] {
  return versions.map((v) => (v.versionId === versionId ? { ...v, stages: v.stages.filter((s) => s !== stage) } : v));
}

export function versionWithStage(secret: SecretRecord, stage: string): StoredVersion | undefined {
  return secret.versions.find((v) => v.stages.includes(stage));
}
