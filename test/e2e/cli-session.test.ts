/**
 * The long-lived CLI session (test/helpers/cli-session.ts) gives what the `aws` executable gives:
 * the same output, exit status and error text, for both CLI versions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../helpers/clients.ts";
import { cliSession, startCli } from "../helpers/cli-session.ts";
import { clientEnv, run } from "../helpers/external.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

for (const version of ["v1", "v2"] as const) {
  if (!cliSession[version]) console.warn(`skipping CLI ${version} session test: ${cliSession.reason(version)}`);
  // Skipped only when that AWS CLI is not installed; the reason is printed above.
  describe.skipIf(!cliSession[version])(`AWS CLI ${version} session`, () => {
    it("answers as the aws executable does, command after command", async () => {
      const cli = startCli(version, server.url);
      try {
        const identity = await cli.ok(["sts", "get-caller-identity"]);
        expect(identity.Account).toBe("000000000000");
        const queue = await cli.ok(["sqs", "create-queue", "--queue-name", `session-${version}`]);
        expect(queue.QueueUrl).toMatch(new RegExp(`/000000000000/session-${version}$`));
        const missing = await cli.run(["sqs", "get-queue-url", "--queue-name", "no-such-queue"]);
        expect(missing.code).toBe(version === "v1" ? 255 : 254);
        expect(missing.errorCode).toMatch(/NonExistentQueue|QueueDoesNotExist/);
        const usage = await cli.run(["sqs", "get-queue-url"]);
        expect(usage.code).toBe(version === "v1" ? 2 : 252);
        expect(usage.stderr).toContain("--queue-name");

        const bin = version === "v1" ? "aws" : "/usr/bin/aws";
        const direct = await run(bin, ["sqs", "get-queue-url", "--queue-name", "no-such-queue", "--endpoint-url", server.url], clientEnv());
        expect(direct.code).toBe(missing.code);
        expect(direct.stderr.trim()).toBe(missing.stderr.trim());
      } finally {
        await cli.close();
      }
    }, 60_000);
  });
}
