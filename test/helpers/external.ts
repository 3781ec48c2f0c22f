/**
 * Running the real Python clients (boto3, AWS CLI v1 and v2) from tests. Where a client is
 * absent, `available` says why and the suite is skipped with that reason printed.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function probe(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, { stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 }).toString().trim() || "ok";
  } catch {
    return null;
  }
}

export const python = {
  version: probe("python3", ["-c", "import boto3,botocore;print(boto3.__version__)"]),
  /** Whether python3 has the `cryptography` package (to check signatures independently). */
  cryptography: probe("python3", ["-c", "import cryptography"]) !== null,
  get reason() {
    return this.version ? "" : "python3 with boto3 is not installed";
  },
};

/** AWS CLI v1 (pip's `aws`) and v2 (`/usr/bin/aws`, Debian's package), when present. */
export const awsCli = {
  v1: probe("aws", ["--version"])?.includes("aws-cli/1.") ? "aws" : null,
  v2: existsSync("/usr/bin/aws") && probe("/usr/bin/aws", ["--version"])?.includes("aws-cli/2.") ? "/usr/bin/aws" : null,
};

const dir = mkdtempSync(join(tmpdir(), "fetchstack-test-"));
const config = join(dir, "config");
writeFileSync(config, "[default]\nregion = us-east-1\noutput = json\n");

/** Environment for a client: test credentials, no real config, no metadata lookups. */
export function clientEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dir,
    PYENV_VERSION: process.env.PYENV_VERSION ?? "",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
    ...extra,
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv = clientEnv(), input?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout: stdout.toString(), stderr: stderr.toString() });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Defined for every boto3 snippet: `error_code(fn, **kw)` is the AWS error code `fn` raises, or None. */
const PY_PRELUDE = String.raw`
def error_code(fn, **kw):
    try:
        fn(**kw)
        return None
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"]
`;

/** Runs a Python snippet with `ENDPOINT` and `error_code` set; returns its stdout parsed as JSON (last line). */
export async function boto3(endpoint: string, code: string, env: Record<string, string> = {}): Promise<any> {
  const script = `import json, sys, boto3, botocore\nENDPOINT = ${JSON.stringify(endpoint)}\n${PY_PRELUDE}\n${code}`;
  const result = await run("python3", ["-c", script], clientEnv(env));
  if (result.code !== 0) throw new Error(`python exited ${result.code}: ${result.stderr}`);
  const lines = result.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}
