/**
 * A long-lived AWS CLI for tests that walk many operations. Each AWS CLI process spends 1–6 s
 * starting Python and loading its models, so a walkthrough of every operation of a service
 * would take minutes per CLI. `startCli` starts one Python process per CLI version that runs
 * each command through the CLI's own entry point (`awscli.clidriver.create_clidriver().main`,
 * what `aws` itself calls), with a fresh driver per command: the same argument parsing,
 * serialisation, HTTP and output formatting as the `aws` executable. The drivers share one
 * botocore data loader, so the service models are parsed once per session: ~0.1–0.3 s a command.
 *
 * v1 is pip's `awscli` under `python3`; v2 is Debian's `/usr/bin/aws`, whose `awscli` package
 * lives in `/usr/bin/python3`'s dist-packages. `cliSession.v1`/`v2` is null (with `reason`) where
 * that CLI is absent, so suites skip with the reason printed.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { awsCli, clientEnv } from "./external.ts";

export interface CliResult {
  /** The CLI's exit status: 0, 252 (usage), 253, 254 (service error) or 255. */
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, or undefined when it is empty or not JSON. */
  json: any;
  /** The AWS error code from "An error occurred (Code) when calling ...", if any. */
  errorCode?: string;
}

export interface CliSession {
  version: "v1" | "v2";
  /**
   * Runs `aws <args...> --endpoint-url <endpoint>` (and `--output json` unless `args` sets
   * `--output`). Commands run one at a time, in call order.
   */
  run(args: string[]): Promise<CliResult>;
  /** Like `run`, but throws with the CLI's stderr unless the command exits 0. */
  ok(args: string[]): Promise<any>;
  close(): Promise<void>;
}

const SERVER = String.raw`
import contextlib, io, json, os, sys
if os.environ.get("LC_CTYPE", "") == "UTF-8":
    os.environ["LC_CTYPE"] = "en_US.UTF-8"
import awscli.clidriver
channel = sys.stdout
loader = None

def driver():
    # A fresh driver per command, sharing one botocore data loader: the models are read once,
    # as they are once per 'aws' process (4-5x faster a command than reloading them).
    global loader
    d = awscli.clidriver.create_clidriver()
    if loader is None:
        loader = d.session.get_component("data_loader")
    else:
        d.session.register_component("data_loader", loader)
    return d

for line in sys.stdin:
    args = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = driver().main(args)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException as e:
            err.write("uncaught: %r" % (e,))
            code = 255
    channel.write(json.dumps({"code": code or 0, "stdout": out.getvalue(), "stderr": err.getvalue()}) + "\n")
    channel.flush()
`;

function parse(raw: { code: number; stdout: string; stderr: string }): CliResult {
  let json: any;
  try {
    json = raw.stdout.trim() ? JSON.parse(raw.stdout) : undefined;
  } catch {
    json = undefined;
  }
  const errorCode = /An error occurred \(([^)]+)\)/.exec(raw.stderr)?.[1];
  return { ...raw, json, errorCode };
}

/** Starts a CLI session against `endpoint`; `env` adds to the test client environment. */
export function startCli(version: "v1" | "v2", endpoint: string, env: Record<string, string> = {}): CliSession {
  const python = version === "v1" ? "python3" : "/usr/bin/python3";
  const child: ChildProcessWithoutNullStreams = spawn(python, ["-u", "-c", SERVER], { env: clientEnv(env) });
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<(line: string) => void> = [];
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  lines.on("line", (line) => waiting.shift()?.(line));
  let queue: Promise<unknown> = Promise.resolve();
  const exited = new Promise<void>((resolve) => child.on("exit", () => {
    for (const w of waiting.splice(0)) w(JSON.stringify({ code: 255, stdout: "", stderr: `CLI session exited: ${stderr}` }));
    resolve();
  }));

  const run = (args: string[]): Promise<CliResult> => {
    const full = [...args, "--endpoint-url", endpoint, ...(args.includes("--output") ? [] : ["--output", "json"])];
    const next = queue.then(() => new Promise<CliResult>((resolve) => {
      waiting.push((line) => resolve(parse(JSON.parse(line))));
      child.stdin.write(JSON.stringify(full) + "\n");
    }));
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    version,
    run,
    async ok(args) {
      const result = await run(args);
      if (result.code !== 0) throw new Error(`aws ${args.join(" ")} exited ${result.code}: ${result.stderr}`);
      return result.json;
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}

/** Which CLI versions can run sessions here, and why not where one cannot. */
export const cliSession = {
  v1: awsCli.v1 ? "v1" as const : null,
  v2: awsCli.v2 ? "v2" as const : null,
  reason(version: "v1" | "v2"): string {
    return version === "v1" ? "AWS CLI v1 (pip's awscli) is not installed" : "AWS CLI v2 (/usr/bin/aws) is not installed";
  },
};
