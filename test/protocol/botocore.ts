/** Runs botocore's own response parser (python3) on a Response we produced. */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const hasBotocore = spawnSync("python3", ["-c", "import botocore"]).status === 0;

export async function botocoreParse(service: string, operation: string, response: Response, protocol?: string, model?: unknown): Promise<any> {
  const body = new Uint8Array(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => (headers[k] = v));
  const input = JSON.stringify({ service, operation, protocol, model, status: response.status, headers, body_b64: Buffer.from(body).toString("base64") });
  const script = fileURLToPath(new URL("./botocore_parse.py", import.meta.url));
  const run = spawnSync("python3", [script], { input, encoding: "utf8" });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}
