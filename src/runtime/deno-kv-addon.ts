/**
 * `@deno/kv`, the native addon behind `--data-dir` under Node, loaded only when asked for. It is
 * an optional dependency: `npm ci` succeeds where its prebuilt binary does not install or load,
 * the in-memory store works there, and only `--data-dir` fails, with `DenoKvUnavailableError`.
 */
import type { DenoKvLike } from "../store/deno-kv.ts";

/** `--data-dir` was asked for but `@deno/kv` cannot be loaded on this machine. */
export class DenoKvUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(
      `--data-dir needs the optional package @deno/kv (a native addon), which could not be loaded here: ${reason}. ` +
        "Install it (npm install @deno/kv) on a platform it supports, or run without --data-dir to keep state in memory.",
    );
    this.name = "DenoKvUnavailableError";
  }
}

/** Opens a Deno KV SQLite file at a path. */
export type OpenKv = (path: string) => Promise<DenoKvLike>;

/**
 * Loads `@deno/kv`'s `openKv`. `importer` is the import to try (tests pass a failing one).
 * Throws DenoKvUnavailableError when the package is missing or its addon does not load.
 */
export async function loadOpenKv(importer: () => Promise<{ openKv: (path: string) => Promise<unknown> }> = () => import("@deno/kv")): Promise<OpenKv> {
  let mod: { openKv: (path: string) => Promise<unknown> };
  try {
    mod = await importer();
  } catch (error) {
    throw new DenoKvUnavailableError((error as Error).message.split("\n")[0] ?? String(error));
  }
  return async (path) => (await mod.openKv(path)) as DenoKvLike;
}
