/**
 * A durable test store: the Deno KV store (src/store/deno-kv.ts) through `@deno/kv` on an
 * SQLite file in a fresh temporary directory, the format `--data-dir` writes. Service suites
 * run on it (test/helpers/clients.ts `STORES`) so that every service is shown to work on a
 * store that encodes values, versions every write and commits through SQLite.
 *
 * `makeDenoKvStore()` returns at once (suites build emulators synchronously); the database
 * opens in the background and every operation waits for it. Databases are closed and their
 * directories removed after the test file (and, failing that, when the process exits).
 */
import { afterAll } from "vitest";
import { loadOpenKv } from "../../src/runtime/deno-kv-addon.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDenoKvStore, type DenoKvStore } from "../../src/store/deno-kv.ts";
import { assertWritableKey } from "../../src/store/keys.ts";
import type { AtomicCheck, AtomicOperation, Entry, Key, ListOptions, ListSelector, Store } from "../../src/store/types.ts";

const opened: { dir: string; store?: DenoKvStore }[] = [];

function cleanup(): void {
  for (const o of opened.splice(0)) {
    try {
      o.store?.close();
    } catch {}
    rmSync(o.dir, { recursive: true, force: true });
  }
}

// Test workers may be stopped without an "exit" event: clean up after each test file too.
try {
  afterAll(cleanup);
} catch {
  // imported outside a test file's collection
}
process.once("exit", cleanup);

let skipReason: Promise<string | null> | undefined;

/**
 * Why Deno KV suites cannot run here (the optional `@deno/kv` addon does not load), printed
 * once; null when they can.
 */
export function denoKvSkipReason(): Promise<string | null> {
  skipReason ??= loadOpenKv().then(
    () => null,
    (error: Error) => {
      console.log(`skip: Deno KV store suites: ${error.message}`);
      return error.message;
    },
  );
  return skipReason;
}

/** A Deno KV store on a new SQLite file, usable before it has finished opening. */
export function makeDenoKvStore(): Store & { readonly kind: "deno-kv" } {
  const record: { dir: string; store?: DenoKvStore } = { dir: mkdtempSync(join(tmpdir(), "fetchstack-suite-kv-")) };
  opened.push(record);
  const ready = loadOpenKv().then((openKv) => openKv(join(record.dir, "state.kv"))).then((kv) => openDenoKvStore(kv)).then((s) => (record.store = s));
  // Surfaces through the first operation; avoids an unhandled rejection meanwhile.
  ready.catch(() => {});
  const store = () => record.store ?? ready;

  return {
    kind: "deno-kv",
    get: async (key) => (await store()).get(key),
    getMany: async (keys) => (await store()).getMany(keys),
    set: async (key, value) => (await store()).set(key, value),
    delete: async (key) => (await store()).delete(key),
    async *list<T>(selector: ListSelector, options?: ListOptions): AsyncGenerator<Entry<T>> {
      yield* (await store()).list<T>(selector, options);
    },
    atomic(): AtomicOperation {
      // Recorded, then replayed on the real store at commit (it may not be open yet).
      const steps: ((op: AtomicOperation) => void)[] = [];
      const op: AtomicOperation = {
        check(...checks: AtomicCheck[]) {
          for (const c of checks) assertWritableKey(c.key);
          steps.push((o) => o.check(...checks));
          return op;
        },
        set(key: Key, value: unknown) {
          assertWritableKey(key);
          steps.push((o) => o.set(key, value));
          return op;
        },
        delete(key: Key) {
          assertWritableKey(key);
          steps.push((o) => o.delete(key));
          return op;
        },
        async commit() {
          const real = (await store()).atomic();
          for (const step of steps) step(real);
          return real.commit();
        },
      };
      return op;
    },
  };
}
