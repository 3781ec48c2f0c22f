/**
 * Every EventBridge operation through AWS CLI v1 and v2 (cli-walkthrough.ts) against the Node
 * server on the real clock, in two parts per version: "core" (buses, permissions, tags, rules,
 * targets, PutEvents, patterns, archives and replays) and "integrations" (connections, API
 * destinations, endpoints, partner event sources); together they cover every operation. Each
 * version is skipped, with the reason printed, only where that CLI is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../../helpers/clients.ts";
import { cliSession, startCli } from "../../helpers/cli-session.ts";
import { EVENTBRIDGE_COMMANDS, INTEGRATION_OPERATIONS, kebab, walkEventBridgeCore, walkEventBridgeIntegrations } from "./cli-walkthrough.ts";
import model from "../../../models/events.json" with { type: "json" };

const PARTS = {
  core: { walk: walkEventBridgeCore, operations: Object.keys(model.operations).filter((op) => !INTEGRATION_OPERATIONS.includes(op)) },
  integrations: { walk: walkEventBridgeIntegrations, operations: INTEGRATION_OPERATIONS },
};

for (const version of ["v1", "v2"] as const) {
  if (!cliSession[version]) console.warn(`skipping EventBridge CLI ${version} walkthrough: ${cliSession.reason(version)}`);
  // Skipped only when that AWS CLI is not installed; the reason is printed above.
  describe.skipIf(!cliSession[version])(`AWS CLI ${version}`, () => {
    // A server per version: both walk the same resource names.
    let server: Awaited<ReturnType<typeof startTestServer>>;
    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(() => server?.close());

    for (const [part, { walk, operations }] of Object.entries(PARTS)) {
      it(`calls the ${part} EventBridge operations`, async () => {
        EVENTBRIDGE_COMMANDS.clear();
        const cli = startCli(version, server.url);
        try {
          await walk(cli);
        } finally {
          await cli.close();
        }
        expect([...EVENTBRIDGE_COMMANDS]).toEqual(expect.arrayContaining(operations.map(kebab)));
      }, 150_000);
    }
  });
}
