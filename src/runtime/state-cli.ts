/**
 * `fetchstack state save FILE` / `fetchstack state load FILE [--merge]`: a running emulator's
 * state to and from a snapshot file (docs/state-format.md), through `/_fetchstack/state`
 * (GET snapshot, PUT replace, POST merge).
 */
import { parseArgs } from "node:util";
import { readFile, rename, writeFile } from "node:fs/promises";

export const DEFAULT_ENDPOINT = "http://127.0.0.1:4566";

/** Runs `state ...` (argv after "state"); returns the exit code. */
export async function stateCommand(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { endpoint: { type: "string" }, merge: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    console.error(`fetchstack state: ${(error as Error).message}`);
    return 2;
  }
  const [action, file] = parsed.positionals;
  if ((action !== "save" && action !== "load") || !file || parsed.positionals.length !== 2) {
    console.error("usage: fetchstack state save FILE [--endpoint URL]\n       fetchstack state load FILE [--merge] [--endpoint URL]");
    return 2;
  }
  const endpoint = (parsed.values.endpoint ?? env.FETCHSTACK_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/+$/, "");
  const url = `${endpoint}/_fetchstack/state`;
  try {
    if (action === "save") {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
      const text = await response.text();
      JSON.parse(text); // never write a file that is not a snapshot
      // Write beside, then rename: an interrupted save never leaves a truncated file.
      await writeFile(`${file}.tmp`, text);
      await rename(`${file}.tmp`, file);
      console.log(`fetchstack: saved state of ${endpoint} to ${file}`);
    } else {
      const body = await readFile(file);
      const response = await fetch(url, { method: parsed.values.merge ? "POST" : "PUT", headers: { "content-type": "application/json" }, body });
      if (!response.ok) throw new Error(`${parsed.values.merge ? "POST" : "PUT"} ${url}: ${response.status} ${await response.text()}`);
      console.log(`fetchstack: ${parsed.values.merge ? "merged" : "loaded"} ${file} into ${endpoint}`);
    }
    return 0;
  } catch (error) {
    console.error(`fetchstack state ${action}: ${(error as Error).message}`);
    return 1;
  }
}
