/** The console's routes: `#/<name>/...` → a view. */
import { h, fill } from "../dom.ts";
import { table, link } from "../ui.ts";
import { s3 } from "./s3.ts";
import { sqs } from "./sqs.ts";
import { dynamodb } from "./dynamodb.ts";
import { sns } from "./sns.ts";
import { lambda } from "./lambda.ts";
import { logs } from "./logs.ts";
import { events } from "./events.ts";
import { scheduler } from "./scheduler.ts";
import { kinesis } from "./kinesis.ts";
import { firehose } from "./firehose.ts";
import { memorydb } from "./memorydb.ts";
import { kms } from "./kms.ts";
import { secretsmanager } from "./secretsmanager.ts";
import { ssm } from "./ssm.ts";
import { stepfunctions } from "./stepfunctions.ts";
import { cloudwatch } from "./cloudwatch.ts";
import { iam } from "./iam.ts";
import { requests } from "./requests.ts";
import { state } from "./state.ts";

import type { ViewContext, ViewSpec } from "./types.ts";

export type { ViewContext, ViewSpec };

export const VIEWS: Record<string, ViewSpec> = {
  "": { title: "Overview", render: overview },
  s3: { title: "S3", service: "s3", render: s3 },
  sqs: { title: "SQS", service: "sqs", render: sqs },
  dynamodb: { title: "DynamoDB", service: "dynamodb", render: dynamodb },
  sns: { title: "SNS", service: "sns", render: sns },
  lambda: { title: "Lambda", service: "lambda", render: lambda },
  logs: { title: "CloudWatch Logs", service: "logs", render: logs },
  events: { title: "EventBridge", service: "events", render: events },
  scheduler: { title: "Scheduler", service: "scheduler", render: scheduler },
  kinesis: { title: "Kinesis", service: "kinesis", render: kinesis },
  firehose: { title: "Firehose", service: "firehose", render: firehose },
  stepfunctions: { title: "Step Functions", service: "stepfunctions", render: stepfunctions },
  kms: { title: "KMS", service: "kms", render: kms },
  secretsmanager: { title: "Secrets Manager", service: "secretsmanager", render: secretsmanager },
  ssm: { title: "SSM parameters", service: "ssm", render: ssm },
  cloudwatch: { title: "CloudWatch", service: "cloudwatch", render: cloudwatch },
  memorydb: { title: "MemoryDB", service: "memorydb", render: memorydb },
  iam: { title: "IAM", service: "iam", render: iam },
  requests: { title: "Requests", render: requests },
  state: { title: "State", render: state },
};

async function overview(el: HTMLElement, _path: string[], _query: URLSearchParams, ctx: ViewContext): Promise<void> {
  const rows = Object.entries(VIEWS).filter(([name, spec]) => name && spec.service && ctx.served.has(spec.service));
  fill(el, h("h1", null, "Resources"),
    h("p", null, "Pick a service; the account and region above apply to every view."),
    table([{ title: "service", cell: ([name, spec]) => link(`#/${name}`, spec.title) }], rows),
    h("p", null, link("#/requests", "Requests"), " — every AWS request as it arrives. ", link("#/state", "State"), " — save, load or reset."));
}
