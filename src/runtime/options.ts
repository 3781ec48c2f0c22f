/**
 * Command-line flags and environment variables shared by the Node and Deno entry points.
 *
 *   --port N            FETCHSTACK_PORT        (default 4566)
 *   --host H            FETCHSTACK_HOST        (default 127.0.0.1)
 *   --region R          FETCHSTACK_REGION      (default us-east-1)
 *   --account-id A      FETCHSTACK_ACCOUNT_ID  (default 000000000000)
 *   --services a,b      FETCHSTACK_SERVICES    (default all)
 *   --<service>-port N  FETCHSTACK_<SERVICE>_PORT  pins a port to one service
 *   --data-dir DIR      FETCHSTACK_DATA_DIR    keep state on disk (DIR/fetchstack.kv)
 *   --state-file FILE   FETCHSTACK_STATE_FILE  start from a state snapshot file
 *   --no-ui             FETCHSTACK_UI=0        no web console at /_fetchstack/ui
 *   --request-log N     FETCHSTACK_REQUEST_LOG requests the console's log keeps (default 200, 0: off)
 *   --log LEVEL         FETCHSTACK_LOG         print requests: off, requests (a line each), debug (+ bodies);
 *                                              default requests on a terminal, off otherwise
 *   --service-ports     FETCHSTACK_SERVICE_PORTS=1  pins every service to its classic port
 *                       (S3 9000, SNS 9911, SQS 9324, DynamoDB 8000, Lambda 9001,
 *                       Firehose 4573, MemoryDB 6379)
 */
import { parseArgs } from "node:util";
import type { ServiceDefinition } from "../services/types.ts";
import type { EmulatorOptions } from "../emulator.ts";
import type { BlobStore, Store } from "../store/types.ts";
import { LOG_LEVELS, requestPrinter, type LogLevel } from "./request-printer.ts";

export const CLASSIC_PORTS: Record<string, number> = {
  s3: 9000, sns: 9911, sqs: 9324, dynamodb: 8000, lambda: 9001, firehose: 4573, memorydb: 6379,
};

export interface ServerOptions {
  port: number;
  host: string;
  region: string;
  accountId: string;
  /** Services to serve (default all): names, or (embedding `startServer`) definitions as `createEmulator` takes. */
  services?: (string | ServiceDefinition)[];
  /** service name → port */
  servicePorts: Record<string, number>;
  /** Verify SigV4 signatures against `credentials`. */
  verifySignatures: boolean;
  /** Decide requests with IAM policies (implies `verifySignatures`). */
  enforceIam?: boolean;
  /** Access key id → secret, from `--credentials AKID:SECRET,...`. */
  credentials: Record<string, string>;
  /** Directory for durable state (docs/persistence.md); in memory when absent. */
  dataDir?: string;
  /** Snapshot file (docs/state-format.md) whose state replaces the store's at start. */
  stateFile?: string;
  /** Serve the web console (default true; `--no-ui` turns it off). */
  ui?: boolean;
  /** Requests the request log keeps (default 200; 0 turns it off). */
  requestLog?: number;
  /** What to print per request (src/runtime/request-printer.ts); undefined: the runtime's default. */
  log?: LogLevel;
  help: boolean;
}

export const USAGE = `Usage: fetchstack [options]
       fetchstack state save FILE [--endpoint URL]
       fetchstack state load FILE [--merge] [--endpoint URL]

Serves AWS APIs locally (default http://127.0.0.1:4566). 'state save' writes a running
emulator's state to FILE; 'state load' replaces its state with FILE's (--merge adds without
deleting). --endpoint defaults to http://127.0.0.1:4566.

Options (each also read from the environment variable shown):
  --port N             FETCHSTACK_PORT          port for every service (default 4566)
  --host H             FETCHSTACK_HOST          interface to bind (default 127.0.0.1)
  --region R           FETCHSTACK_REGION        default region (default us-east-1)
  --account-id A       FETCHSTACK_ACCOUNT_ID    default account (default 000000000000)
  --services a,b       FETCHSTACK_SERVICES      serve only these services
  --data-dir DIR       FETCHSTACK_DATA_DIR      keep all state on disk in DIR (survives restarts)
  --state-file FILE    FETCHSTACK_STATE_FILE    start with the state saved in FILE
  --<service>-port N   FETCHSTACK_<SERVICE>_PORT  also serve one service alone on port N
  --service-ports      FETCHSTACK_SERVICE_PORTS=1 serve each service on its classic port too
                       (s3 9000, sns 9911, sqs 9324, dynamodb 8000, lambda 9001,
                        firehose 4573, memorydb 6379)
  --no-ui              FETCHSTACK_UI=0          no web console (default: served at /_fetchstack/ui)
  --request-log N      FETCHSTACK_REQUEST_LOG   requests the console's live log keeps (default 200, 0: off)
  --log LEVEL          FETCHSTACK_LOG           print each request: off, requests (one line:
                       time, service, operation, status, ms, account, region) or debug (with
                       bodies); default requests when the output is a terminal, else off
  --verify-signatures  FETCHSTACK_VERIFY_SIGNATURES=1 check SigV4 signatures (off by default)
  --enforce-iam        FETCHSTACK_ENFORCE_IAM=1 decide requests with IAM policies (implies
                       --verify-signatures; the --credentials keys are the account root)
  --credentials K:S,.. FETCHSTACK_CREDENTIALS   keys accepted when verifying (default test:test)
  -h, --help           show this help
`;

function portNumber(value: string, what: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${what}: not a port number: ${value}`);
  return port;
}

/** `AKID:SECRET,AKID2:SECRET2` → map (secrets may contain ':' after the first). */
function parseCredentials(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const colon = pair.indexOf(":");
    if (colon <= 0) throw new Error(`--credentials: expected ACCESS_KEY_ID:SECRET, got '${pair}'`);
    out[pair.slice(0, colon)] = pair.slice(colon + 1);
  }
  return out;
}

function requestLogSize(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--request-log: not a number of requests: ${value}`);
  return n;
}

function logLevel(value: string | undefined): LogLevel | undefined {
  if (value === undefined) return undefined;
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new Error(`--log: expected ${LOG_LEVELS.join(", ")}, got '${value}'`);
  return value as LogLevel;
}

/** Parses argv (without the program name) and env; throws Error with a usage message on bad input. */
export function parseServerOptions(argv: string[], env: Record<string, string | undefined>, serviceNames: readonly string[]): ServerOptions {
  const portFlags = Object.fromEntries(serviceNames.map((s) => [`${s}-port`, { type: "string" as const }]));
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      region: { type: "string" },
      "account-id": { type: "string" },
      services: { type: "string" },
      "service-ports": { type: "boolean" },
      "verify-signatures": { type: "boolean" },
      "enforce-iam": { type: "boolean" },
      credentials: { type: "string" },
      "data-dir": { type: "string" },
      "state-file": { type: "string" },
      "no-ui": { type: "boolean" },
      "request-log": { type: "string" },
      log: { type: "string" },
      help: { type: "boolean", short: "h" },
      ...portFlags,
    },
    strict: true,
    allowPositionals: false,
  });
  const v = values as Record<string, string | boolean | undefined>;
  const servicesText = (v.services as string | undefined) ?? env.FETCHSTACK_SERVICES;
  const services = servicesText ? servicesText.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
  for (const s of services ?? []) {
    if (!serviceNames.includes(s)) throw new Error(`--services: unknown service '${s}' (known: ${serviceNames.join(", ")})`);
  }
  const accountId = (v["account-id"] as string | undefined) ?? env.FETCHSTACK_ACCOUNT_ID ?? "000000000000";
  if (!/^\d{12}$/.test(accountId)) throw new Error(`--account-id: must be 12 digits: ${accountId}`);

  const servicePorts: Record<string, number> = {};
  const classic = v["service-ports"] === true || env.FETCHSTACK_SERVICE_PORTS === "1" || env.FETCHSTACK_SERVICE_PORTS === "true";
  for (const name of serviceNames) {
    if (services && !services.includes(name)) continue;
    const flag = v[`${name}-port`] as string | undefined;
    const fromEnv = env[`FETCHSTACK_${name.toUpperCase()}_PORT`];
    if (flag ?? fromEnv) servicePorts[name] = portNumber((flag ?? fromEnv)!, `--${name}-port`);
    else if (classic && CLASSIC_PORTS[name]) servicePorts[name] = CLASSIC_PORTS[name];
  }
  return {
    port: portNumber((v.port as string | undefined) ?? env.FETCHSTACK_PORT ?? "4566", "--port"),
    host: (v.host as string | undefined) ?? env.FETCHSTACK_HOST ?? "127.0.0.1",
    region: (v.region as string | undefined) ?? env.FETCHSTACK_REGION ?? "us-east-1",
    accountId,
    services,
    servicePorts,
    dataDir: (v["data-dir"] as string | undefined) ?? (env.FETCHSTACK_DATA_DIR || undefined),
    stateFile: (v["state-file"] as string | undefined) ?? (env.FETCHSTACK_STATE_FILE || undefined),
    verifySignatures: v["verify-signatures"] === true || env.FETCHSTACK_VERIFY_SIGNATURES === "1" || env.FETCHSTACK_VERIFY_SIGNATURES === "true",
    enforceIam: v["enforce-iam"] === true || env.FETCHSTACK_ENFORCE_IAM === "1" || env.FETCHSTACK_ENFORCE_IAM === "true",
    credentials: parseCredentials((v.credentials as string | undefined) ?? env.FETCHSTACK_CREDENTIALS ?? "test:test"),
    ui: !(v["no-ui"] === true || env.FETCHSTACK_UI === "0" || env.FETCHSTACK_UI === "false"),
    requestLog: requestLogSize((v["request-log"] as string | undefined) ?? env.FETCHSTACK_REQUEST_LOG),
    log: logLevel((v.log as string | undefined) ?? (env.FETCHSTACK_LOG || undefined)),
    help: v.help === true,
  };
}

/** The start-up banner: where each service answers. */
export function banner(options: ServerOptions, services: readonly string[], runtime: string, ports: { main: number; pinned: Record<string, number> }): string {
  const base = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${ports.main}`;
  const lines = [
    `fetchstack on ${runtime}: ${base}  (region ${options.region}, account ${options.accountId})`,
    `  services: ${services.join(", ")}`,
  ];
  for (const [service, port] of Object.entries(ports.pinned)) {
    lines.push(`  ${service.padEnd(16)} http://${options.host}:${port}`);
  }
  lines.push(`  state:   ${options.dataDir ? `persistent in ${options.dataDir}` : "in memory"}`);
  lines.push(`  health:  ${base}/_fetchstack/health`);
  if (options.ui !== false) lines.push(`  console: ${base}/_fetchstack/ui`);
  lines.push(`  try:     aws sts get-caller-identity --endpoint-url ${base}`);
  return lines.join("\n");
}

/**
 * The `createEmulator` options a server's command line and environment ask for (region,
 * account, services, signature verification), on the durable store and blobs opened for
 * `--data-dir` when there are any (in memory otherwise). One mapping for the Node and Deno
 * servers; a runtime adds what only it has (the Node server's Lambda runner).
 */
export function emulatorOptions(options: ServerOptions, persistent?: { store: Store; blobs: BlobStore }): EmulatorOptions {
  return {
    region: options.region,
    accountId: options.accountId,
    services: options.services,
    store: persistent?.store,
    blobs: persistent?.blobs,
    verifySignatures: options.verifySignatures,
    enforceIam: options.enforceIam,
    credentials: options.credentials,
    ui: options.ui,
    requestLog: options.requestLog,
    onRequest: requestPrinter(options.log, (line) => console.log(line)),
  };
}
