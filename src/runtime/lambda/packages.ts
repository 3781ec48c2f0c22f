/**
 * Unpacking deployment packages for the Node runner: the function's zip into its task root,
 * its layers (in order, later ones overwriting) into an `/opt` directory, each once per content
 * hash under the runner's work directory, written to a temporary name and renamed so concurrent
 * cold starts never see half a tree.
 */
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, normalize, sep } from "node:path";
import { unzipSync } from "fflate";

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function extractInto(dir: string, zip: Uint8Array): void {
  const files = unzipSync(zip);
  for (const [name, data] of Object.entries(files)) {
    const target = normalize(join(dir, name));
    // A zip entry may not escape the directory ("zip slip").
    if (!target.startsWith(dir + sep)) continue;
    if (name.endsWith("/")) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
    // fflate does not expose Unix modes; a custom runtime's bootstrap must be executable.
    if (/(^|\/)bootstrap$/.test(name) || name.startsWith("bin/")) chmodSync(target, 0o755);
  }
}

/** Unpacks `zips` (in order) into `<root>/<kind>/<key>` unless already there; returns the path. */
export function unpack(root: string, kind: string, key: string, zips: Uint8Array[]): string {
  const dir = join(root, kind, key);
  if (existsSync(dir)) return dir;
  const temp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  mkdirSync(temp, { recursive: true });
  try {
    for (const zip of zips) extractInto(temp, zip);
    try {
      renameSync(temp, dir);
    } catch (error) {
      // Another cold start unpacked the same content first.
      if (!existsSync(dir)) throw error;
      rmSync(temp, { recursive: true, force: true });
    }
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  return dir;
}
