/**
 * EventBridge through AWS CLI v1, part "core" (buses, permissions, tags, rules, targets, PutEvents, patterns, archives and replays; the other part's file calls the
 * remaining operations, so the two cover every operation): cli-walkthrough.ts against the Node
 * server on the real clock. Skipped, with the reason printed, only where that CLI is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../../helpers/clients.ts";
import { cliSession, startCli } from "../../helpers/cli-session.ts";
import { EVENTBRIDGE_COMMANDS, INTEGRATION_OPERATIONS, kebab, walkEventBridgeCore } from "./cli-walkthrough.ts";
import model from "../../../models/events.json" with { type: "json" };

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

if (!cliSession.v1) console.warn(`skipping EventBridge CLI v1 walkthrough: ${cliSession.reason("v1")}`);
// Skipped only when AWS CLI v1 is not installed; the reason is printed above.
describe.skipIf(!cliSession.v1)("AWS CLI v1", () => {
  it("calls the core EventBridge operations", async () => {
    const cli = startCli("v1", server.url);
    try {
      await walkEventBridgeCore(cli);
    } finally {
      await cli.close();
    }
    expect([...EVENTBRIDGE_COMMANDS]).toEqual(expect.arrayContaining(Object.keys(model.operations).filter((op) => !INTEGRATION_OPERATIONS.includes(op)).map(kebab)));
  }, 150_000);
});
