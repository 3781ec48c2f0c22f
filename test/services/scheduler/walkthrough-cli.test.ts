/**
 * Every EventBridge Scheduler operation through AWS CLI v1 and v2 (the walkthrough in
 * test/services/events/cli-walkthrough.ts), against the Node server on the real clock. Each
 * version is skipped, with the reason printed, only where that CLI is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../../helpers/clients.ts";
import { cliSession, startCli } from "../../helpers/cli-session.ts";
import { kebab, SCHEDULER_COMMANDS, walkScheduler } from "../events/cli-walkthrough.ts";
import model from "../../../models/scheduler.json" with { type: "json" };

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

for (const version of ["v1", "v2"] as const) {
  if (!cliSession[version]) console.warn(`skipping Scheduler CLI ${version} walkthrough: ${cliSession.reason(version)}`);
  // Skipped only when that AWS CLI is not installed; the reason is printed above.
  describe.skipIf(!cliSession[version])(`AWS CLI ${version}`, () => {
    it("calls every Scheduler operation", async () => {
      SCHEDULER_COMMANDS.clear();
      const cli = startCli(version, server.url);
      try {
        await walkScheduler(cli, version);
      } finally {
        await cli.close();
      }
      expect([...SCHEDULER_COMMANDS].sort()).toEqual(Object.keys(model.operations).map(kebab).sort());
    }, 120_000);
  });
}
