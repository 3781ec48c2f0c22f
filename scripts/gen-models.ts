/**
 * Writes trimmed AWS service models to `models/<service>.json` from botocore's
 * `botocore/data/<service>/<version>/service-2.json.gz` (documentation, examples and
 * other client-only text stripped). Run: `npm run gen-models [-- service ...]`.
 *
 * For services whose current model dropped an older wire protocol that clients still send
 * (SQS: awsQuery, used by AWS CLI v2 2.9), the query-protocol traits of an older model are
 * merged in under `legacyQuery`, so the query codec can serialize results the way those
 * clients expect.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";

export const SERVICES = [
  "sts", "s3", "sqs", "sns", "dynamodb", "dynamodbstreams", "lambda", "firehose", "memorydb",
  "iam", "kms", "secretsmanager", "ssm", "events", "scheduler", "logs", "cloudwatch", "kinesis",
  "stepfunctions",
];

/** Older models that still describe the query protocol of a service that moved to JSON. */
const LEGACY_QUERY_MODELS: Record<string, string[]> = {
  sqs: [
    "/usr/lib/google-cloud-sdk/lib/third_party/botocore/data/sqs/2012-11-05/service-2.json",
  ],
};

const DROP_KEYS = new Set(["documentation", "documentationUrl", "examples", "deprecatedMessage"]);

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!DROP_KEYS.has(k)) out[k] = strip(v);
    }
    return out;
  }
  return value;
}

function botocoreDataDir(): string {
  return execFileSync("python3", [
    "-c", "import botocore,os;print(os.path.dirname(botocore.__file__)+'/data')",
  ]).toString().trim();
}

function loadModel(dataDir: string, service: string): Record<string, any> {
  const versions = readdirSync(join(dataDir, service)).sort();
  const dir = join(dataDir, service, versions[versions.length - 1]);
  const gz = join(dir, "service-2.json.gz");
  const raw = existsSync(gz) ? gunzipSync(readFileSync(gz)).toString() : readFileSync(join(dir, "service-2.json"), "utf8");
  return JSON.parse(raw);
}

/** Keeps only the query-protocol traits (result wrappers, xml names, flattening) of an old model. */
function legacyQueryTraits(old: Record<string, any>): Record<string, unknown> {
  const operations: Record<string, unknown> = {};
  for (const [name, op] of Object.entries<any>(old.operations)) {
    operations[name] = { output: op.output ? { shape: op.output.shape, resultWrapper: op.output.resultWrapper } : undefined };
  }
  return { metadata: { xmlNamespace: old.metadata.xmlNamespace }, operations, shapes: strip(old.shapes) };
}

function main() {
  const dataDir = botocoreDataDir();
  const botocoreVersion = execFileSync("python3", ["-c", "import botocore;print(botocore.__version__)"]).toString().trim();
  const wanted = process.argv.slice(2).length ? process.argv.slice(2) : SERVICES;
  for (const service of wanted) {
    const model = strip(loadModel(dataDir, service)) as Record<string, any>;
    model.metadata.generatedFrom = `botocore ${botocoreVersion}`;
    for (const path of LEGACY_QUERY_MODELS[service] ?? []) {
      if (existsSync(path)) {
        model.legacyQuery = legacyQueryTraits(JSON.parse(readFileSync(path, "utf8")));
        break;
      }
    }
    const out = join("models", `${service}.json`);
    // Indented, in botocore's own member order (XML and query output follow it), so a refresh is a reviewable diff.
    writeFileSync(out, JSON.stringify(model, null, 1) + "\n");
    console.log(`${out}: ${Object.keys(model.operations).length} operations`);
  }
}

main();
