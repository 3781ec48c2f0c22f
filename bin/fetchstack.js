#!/usr/bin/env node
// Runs the bundled CLI; builds it first when running from a fresh clone.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "dist", "cli.js");
if (!existsSync(cli)) await import(pathToFileURL(join(root, "scripts", "build.mjs")).href);
await import(pathToFileURL(cli).href);
