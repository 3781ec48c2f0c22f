/**
 * The Node implementation of the Lambda runner seam (src/lambda-runner.ts): functions run for
 * real, without Docker, as child processes speaking the Lambda Runtime API.
 *
 * - `nodejs*`: the machine's Node (this process's binary) runs fetchstack's runtime client
 *   (bootstrap-node.ts). The AWS SDK for JavaScript v3 is importable as in the managed runtime
 *   when the host has it installed (the nearest `node_modules` holding `@aws-sdk`).
 * - `python3.*`: `python3` (or `options.python`) runs bootstrap-python.ts, when present.
 * - `provided*`: the package's (or a layer's) executable `bootstrap`.
 *
 * Warm environments are reused for the same function version, code and configuration, one
 * invocation at a time; concurrent invocations get separate environments (at most
 * `maxEnvironments` in all, further invocations wait), and idle ones are stopped after
 * `idleMs`. Timeouts are wall-clock: the code really runs.
 */
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readlinkSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { EmulatorAccess, LambdaRunner, LambdaRunRequest, LambdaRunResult } from "../../lambda-runner.ts";
import { NODE_BOOTSTRAP } from "./bootstrap-node.ts";
import { PYTHON_BOOTSTRAP } from "./bootstrap-python.ts";
import { Environment, type SpawnSpec } from "./environment.ts";
import { sha256Hex, unpack } from "./packages.ts";

export interface NodeLambdaRunnerOptions {
  /**
   * Where packages are unpacked (default: `<os tmpdir>/fetchstack-lambda-<hash>`, one per host
   * SDK location, so two checkouts on one machine never share a `node_modules` link).
   */
  workDir?: string;
  /** Node binary for `nodejs*` runtimes (default: this process's). */
  node?: string;
  /** Python binary for `python3.*` runtimes (default: `python3` on PATH). */
  python?: string;
  /** Environments alive at once, all functions together (default 32). */
  maxEnvironments?: number;
  /** Idle environments are stopped after this long (ms, default 60 000). */
  idleMs?: number;
}

function probe(command: string, args: string[]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** The nearest node_modules (from the working directory up) that holds the AWS SDK v3. */
function findSdkModules(): string | undefined {
  let dir = process.cwd();
  for (;;) {
    const candidate = join(dir, "node_modules");
    if (existsSync(join(candidate, "@aws-sdk"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Points `link` at `sdk`. A link left by an earlier run that points elsewhere (a checkout since
 * deleted) is replaced; a real directory a user put there is left alone.
 */
function linkSdk(link: string, sdk: string): void {
  try {
    const stat = lstatSync(link, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink() && readlinkSync(link) !== sdk) unlinkSync(link);
    else if (stat) return;
    symlinkSync(sdk, link, "dir");
  } catch (error) {
    // Another runner linked it at the same moment.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST" && (error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

function logStreamName(version: string): string {
  const d = new Date();
  const day = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, "0")}/${String(d.getUTCDate()).padStart(2, "0")}`;
  const id = crypto.randomUUID().replace(/-/g, "");
  return `${day}/[${version}]${id}`;
}

export function createNodeLambdaRunner(options: NodeLambdaRunnerOptions = {}): LambdaRunner {
  const sdk = findSdkModules();
  const root = options.workDir ?? join(tmpdir(), `fetchstack-lambda-${sha256Hex(new TextEncoder().encode(sdk ?? "")).slice(0, 12)}`);
  const node = options.node ?? process.execPath;
  const maxEnvironments = options.maxEnvironments ?? 32;
  const idleMs = options.idleMs ?? 60_000;
  let python: boolean | undefined;
  let prepared = false;
  const environments = new Set<Environment>();
  const waiters: (() => void)[] = [];
  let reaper: ReturnType<typeof setInterval> | undefined;

  function prepare(): void {
    if (prepared) return;
    mkdirSync(join(root, "runtime"), { recursive: true });
    writeFileSync(join(root, "runtime", "bootstrap-node.mjs"), NODE_BOOTSTRAP);
    writeFileSync(join(root, "runtime", "bootstrap-python.py"), PYTHON_BOOTSTRAP);
    // ESM imports ignore NODE_PATH: a node_modules above every task root makes the SDK
    // importable as in the managed runtime.
    if (sdk) linkSdk(join(root, "node_modules"), sdk);
    prepared = true;
  }

  function pythonPresent(): boolean {
    python ??= probe(options.python ?? "python3", ["--version"]);
    return python;
  }

  function unsupported(runtime: string): string | null {
    if (runtime.startsWith("nodejs")) return null;
    if (runtime.startsWith("python3")) {
      return pythonPresent() ? null : `Runtime ${runtime} needs python3, which is not installed on the machine running fetchstack.`;
    }
    if (runtime.startsWith("provided")) return null;
    return `Runtime ${runtime} cannot run in fetchstack: functions run without Docker, on the machine's Node (nodejs*), python3 (python3.*) or the package's own bootstrap (provided*).`;
  }

  function startReaper(): void {
    if (reaper) return;
    reaper = setInterval(() => {
      const now = Date.now();
      for (const env of environments) {
        if (!env.busy && now - env.lastUsed > idleMs) {
          env.close();
          environments.delete(env);
          release();
        }
      }
      if (environments.size === 0) {
        clearInterval(reaper);
        reaper = undefined;
      }
    }, Math.min(idleMs, 10_000));
    reaper.unref();
  }

  function release(): void {
    waiters.shift()?.();
  }

  async function spawnSpec(request: LambdaRunRequest, runtimeApi: string, emulator: EmulatorAccess): Promise<SpawnSpec> {
    const { code, layers } = await request.loadCode();
    const task = unpack(root, "task", sha256Hex(code), [code]);
    const opt = layers.length ? unpack(root, "opt", sha256Hex(new TextEncoder().encode(layers.map(sha256Hex).join(","))), layers) : join(root, "opt-empty");
    const home = join(root, "home");
    mkdirSync(home, { recursive: true });
    const nodeMajor = /^nodejs(\d+)/.exec(request.runtime)?.[1];
    const pythonVersion = /^python(3\.\d+)/.exec(request.runtime)?.[1];
    const env: Record<string, string> = {
      PATH: `${opt}/bin:${process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin"}`,
      LANG: "en_US.UTF-8",
      TZ: ":UTC",
      HOME: home,
      LAMBDA_TASK_ROOT: task,
      LAMBDA_RUNTIME_DIR: join(root, "runtime"),
      _HANDLER: request.handler,
      AWS_LAMBDA_RUNTIME_API: runtimeApi,
      AWS_EXECUTION_ENV: `AWS_Lambda_${request.runtime}`,
      AWS_LAMBDA_FUNCTION_NAME: request.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: request.functionVersion,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(request.memorySizeMb),
      AWS_LAMBDA_LOG_GROUP_NAME: request.logGroupName,
      AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(request.functionVersion),
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      AWS_REGION: request.region,
      AWS_DEFAULT_REGION: request.region,
      // A 12-digit access key is that account in fetchstack: the function acts in its own account.
      AWS_ACCESS_KEY_ID: request.accountId,
      AWS_SECRET_ACCESS_KEY: "fetchstack",
      AWS_SESSION_TOKEN: "fetchstack",
      AWS_ENDPOINT_URL: `http://${runtimeApi}${emulator.basePath}`,
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_XRAY_CONTEXT_MISSING: "LOG_ERROR",
      NODE_PATH: [`${opt}/nodejs/node${nodeMajor ?? ""}/node_modules`, `${opt}/nodejs/node_modules`, ...(sdk ? [sdk] : [])].join(":"),
      PYTHONPATH: [`${opt}/python`, `${opt}/python/lib/python${pythonVersion ?? "3"}/site-packages`].join(":"),
      PYTHONUNBUFFERED: "1",
      PYTHONDONTWRITEBYTECODE: "1",
      ...request.environment,
    };
    if (request.runtime.startsWith("nodejs")) {
      return { command: node, args: ["--enable-source-maps", join(root, "runtime", "bootstrap-node.mjs")], env, cwd: task, marksEnd: true };
    }
    if (request.runtime.startsWith("python3")) {
      return { command: options.python ?? "python3", args: [join(root, "runtime", "bootstrap-python.py")], env, cwd: task, marksEnd: true };
    }
    const bootstrap = [join(task, "bootstrap"), join(opt, "bootstrap")].find((p) => existsSync(p)) ?? join(task, "bootstrap");
    return { command: bootstrap, args: [], env, cwd: task, marksEnd: false };
  }

  async function acquire(request: LambdaRunRequest, emulator: EmulatorAccess): Promise<Environment> {
    for (;;) {
      for (const env of environments) {
        if (env.key === request.environmentKey && !env.busy && !env.dead) {
          env.busy = true;
          return env;
        }
      }
      if (environments.size < maxEnvironments) break;
      // Make room: stop an idle environment of another function, else wait for one to finish.
      const idle = [...environments].find((e) => !e.busy);
      if (idle) {
        idle.close();
        environments.delete(idle);
        continue;
      }
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    prepare();
    const spec = request.runtime.startsWith("nodejs") || request.runtime.startsWith("python3");
    const env = new Environment(request.environmentKey, emulator, spec);
    env.busy = true;
    environments.add(env);
    try {
      const runtimeApi = await env.listen();
      const launch = await spawnSpec(request, runtimeApi, emulator);
      env.start(launch, () => {
        environments.delete(env);
        release();
      });
    } catch (error) {
      env.close();
      environments.delete(env);
      release();
      throw error;
    }
    startReaper();
    return env;
  }

  return {
    unsupported,
    async invoke(request: LambdaRunRequest, emulator: EmulatorAccess): Promise<LambdaRunResult> {
      const reason = unsupported(request.runtime);
      if (reason) throw new Error(reason);
      const env = await acquire(request, emulator);
      try {
        return await env.invoke(request);
      } finally {
        if (!env.dead) release();
      }
    },
    async close() {
      for (const env of environments) env.close();
      environments.clear();
      if (reaper) clearInterval(reaper);
      reaper = undefined;
      for (const w of waiters.splice(0)) w();
    },
  };
}
