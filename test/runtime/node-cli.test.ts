/**
 * The Node CLI as users run it (`npx fetchstack` → bin/fetchstack.js): flags, banner, pinned
 * service ports, clean shutdown on SIGTERM.
 */
import { describe, expect, it } from "vitest";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { spawnUntil } from "../helpers/process.ts";
import { run } from "../helpers/external.ts";
import { parseServerOptions } from "../../src/runtime/options.ts";
import { SERVICE_NAMES } from "../../src/services/registry.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

describe("fetchstack CLI", () => {
  it("serves, prints a banner with its endpoints, and exits cleanly on SIGTERM", async () => {
    const server = await spawnUntil("node", ["bin/fetchstack.js", "--port", "0", "--sts-port", "0", "--region", "eu-west-1", "--account-id", "123456789012"],
      /fetchstack on Node[^\n]*http:\/\/127\.0\.0\.1:(\d+)[\s\S]*?sts\s+http:\/\/127\.0\.0\.1:(\d+)/, { timeoutMs: 60_000 });
    try {
      expect(server.output()).toContain("region eu-west-1, account 123456789012");
      for (const port of [server.match[1], server.match[2]]) {
        const sts = new STSClient({ region: "eu-west-1", endpoint: `http://127.0.0.1:${port}`, credentials });
        expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe("123456789012");
      }
      const exited = new Promise<number | null>((resolve) => server.child.once("exit", (code) => resolve(code)));
      server.child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      await server.stop();
    }
  }, 60_000);

  it("rejects bad flags with usage", async () => {
    const result = await run("node", ["bin/fetchstack.js", "--port", "nope"], process.env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: fetchstack");
  });

  it("reads flags and environment variables", () => {
    const options = parseServerOptions(["--services", "sts,sqs", "--service-ports"], { FETCHSTACK_PORT: "4600", FETCHSTACK_SQS_PORT: "9999" }, SERVICE_NAMES);
    expect(options).toMatchObject({ port: 4600, host: "127.0.0.1", region: "us-east-1", accountId: "000000000000", services: ["sts", "sqs"], servicePorts: { sqs: 9999 } });
    expect(parseServerOptions(["--service-ports"], {}, SERVICE_NAMES).servicePorts).toEqual({ s3: 9000, sns: 9911, sqs: 9324, dynamodb: 8000, lambda: 9001, firehose: 4573, memorydb: 6379 });
    expect(() => parseServerOptions(["--services", "ec2"], {}, SERVICE_NAMES)).toThrow(/unknown service/);
  });
});
