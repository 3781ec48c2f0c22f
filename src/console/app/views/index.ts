/** The console's routes: `#/<name>/...` → a view. */
import { h, fill } from "../dom.ts";
import { table, link } from "../ui.ts";
import { s3 } from "./s3.ts";
import { sqs } from "./sqs.ts";
import { dynamodb } from "./dynamodb.ts";
import { requests } from "./requests.ts";
import { state } from "./state.ts";

import type { ViewContext, ViewSpec } from "./types.ts";

export type { ViewContext, ViewSpec };

export const VIEWS: Record<string, ViewSpec> = {
  "": { title: "Overview", render: overview },
  s3: { title: "S3", service: "s3", render: s3 },
  sqs: { title: "SQS", service: "sqs", render: sqs },
  dynamodb: { title: "DynamoDB", service: "dynamodb", render: dynamodb },
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
