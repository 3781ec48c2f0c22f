// Bundles the TypeScript sources with esbuild (Node 20 runs no TypeScript):
//   dist/cli.js            `npm start` / `npx fetchstack`
//   dist/mod.js            the library (createEmulator)
//   dist/runtime/sdk.js    `fetchstack/sdk` (in-process AWS SDK request handler)
//   dist/runtime/node.js   startServer() for embedding the Node server
//   dist/worker.js         the Workers entry, bundled for Miniflare/workerd
//   src/console/assets.generated.ts  the web console's script and styles (scripts/build-console.mjs)
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { buildConsole } from "./build-console.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// The service models (models/*.json, 2.3 MB) as JSON text handed to JSON.parse rather than as
// object literals: V8 scans a string literal and JSON.parse builds the objects far faster than
// it parses and runs the same data written as JavaScript (start-up time of the CLI).
const jsonModels = {
  name: "json-models",
  setup(b) {
    b.onLoad({ filter: /[\\/]models[\\/][^\\/]+\.json$/ }, async (args) => {
      const text = JSON.stringify(JSON.parse(await readFile(args.path, "utf8")));
      return { contents: `export default JSON.parse(${JSON.stringify(text)});`, loader: "js" };
    });
  },
};
const common = { bundle: true, format: "esm", sourcemap: true, logLevel: "warning", absWorkingDir: root, target: "es2022", plugins: [jsonModels] };

// The web console's assets first: the bundles below inline them (src/console/assets.generated.ts).
await buildConsole({ quiet: true });

await Promise.all([
  build({
    ...common,
    platform: "node",
    entryPoints: { cli: "src/runtime/cli.ts", mod: "src/mod.ts", "runtime/sdk": "src/runtime/sdk.ts", "runtime/node": "src/runtime/node.ts" },
    outdir: "dist",
    // A native addon (its platform package is resolved at run time), loaded for --data-dir.
    external: ["@deno/kv"],
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    // Bundled CommonJS dependencies may call require() for Node built-ins.
    banner: { js: "import { createRequire as __fsCreateRequire } from 'node:module'; const require = __fsCreateRequire(import.meta.url);" },
  }),
  build({
    ...common,
    platform: "neutral",
    mainFields: ["module", "main"],
    conditions: ["worker", "browser", "import"],
    external: ["node:*"],
    entryPoints: { worker: "src/runtime/worker.ts" },
    outdir: "dist",
  }),
]);

// esbuild escapes non-ASCII text in code but keeps it in the comments it preserves (a bundled
// dependency's JSDoc); one such character makes V8 hold the whole bundle's source as a two-byte
// string (11 MiB instead of 5.6 for the CLI, resident for the process's life). Escaping them
// (only comments hold any) keeps every output file ASCII.
for (const file of await readdir(join(root, "dist"), { recursive: true })) {
  if (!file.endsWith(".js")) continue;
  const path = join(root, "dist", file);
  const text = await readFile(path, "utf8");
  if (!/[^\x00-\x7f]/.test(text)) continue;
  await writeFile(path, text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}
