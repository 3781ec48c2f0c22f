// Node --import hook for test/runtime/optional-deno-kv.test.ts: `@deno/kv` fails to resolve, as
// where the optional addon was not installed.
import { register } from "node:module";

const hook = `export async function resolve(specifier, context, next) {
  if (specifier === "@deno/kv" || specifier.startsWith("@deno/kv/")) {
    throw Object.assign(new Error("Cannot find package '@deno/kv' imported from fetchstack"), { code: "ERR_MODULE_NOT_FOUND" });
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
