/**
 * The real-client walkthroughs (clients-*.test.ts) together call every SSM operation that has a
 * handler, so each is driven by the JS SDK, boto3 and both AWS CLIs (or, where an installed CLI
 * predates it, asserted absent from that CLI: walkthrough.ts CLI_LACKS).
 */
import { describe, expect, it } from "vitest";
import ssm from "../../../src/services/ssm/index.ts";
import { automationSteps } from "./walkthroughs/automation.ts";
import { documentSteps } from "./walkthroughs/documents.ts";
import { maintenanceWindowSteps } from "./walkthroughs/maintenance-windows.ts";
import { nodeSteps } from "./walkthroughs/nodes.ts";
import { opsSteps } from "./walkthroughs/ops.ts";
import { parameterSteps } from "./walkthroughs/parameters.ts";
import { patchingSteps } from "./walkthroughs/patching.ts";

const tables = [parameterSteps, documentSteps, maintenanceWindowSteps, nodeSteps, opsSteps, automationSteps, patchingSteps];

describe("SSM real-client coverage", () => {
  it("every operation with a handler is walked, and only those", () => {
    const handled = Object.keys((ssm as unknown as { handlers: Record<string, unknown> }).handlers).sort();
    const walked = [...new Set(tables.flat().map((s) => s.op))].sort();
    expect(handled.filter((op) => !walked.map(String).includes(op))).toEqual([]);
    expect(walked.filter((op) => !handled.includes(String(op)))).toEqual([]);
  });
});
