/**
 * RotateSecret runs a real rotation Lambda (Node runner): its four steps call Secrets Manager
 * back through the SDK, and the secret ends with the new value current, the old one previous.
 */
import { afterAll, describe, expect, it } from "vitest";
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createEmulator } from "../../../src/emulator.ts";
import { createNodeLambdaRunner } from "../../../src/runtime/node.ts";
import { inProcess } from "../../helpers/clients.ts";
import { ROLE, zip } from "../lambda/zips.ts";

const runner = createNodeLambdaRunner({ idleMs: 5_000 });
afterAll(() => runner.close());

const ROTATOR = `import { SecretsManagerClient, PutSecretValueCommand, DescribeSecretCommand, UpdateSecretVersionStageCommand } from "@aws-sdk/client-secrets-manager";
const sm = new SecretsManagerClient({});
export const handler = async ({ Step, SecretId, ClientRequestToken }) => {
  if (Step === "createSecret") {
    await sm.send(new PutSecretValueCommand({ SecretId, ClientRequestToken, SecretString: "rotated-" + ClientRequestToken, VersionStages: ["AWSPENDING"] }));
  } else if (Step === "finishSecret") {
    const { VersionIdsToStages } = await sm.send(new DescribeSecretCommand({ SecretId }));
    const current = Object.keys(VersionIdsToStages).find((id) => VersionIdsToStages[id].includes("AWSCURRENT"));
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId, VersionStage: "AWSCURRENT", MoveToVersionId: ClientRequestToken, RemoveFromVersionId: current }));
  }
  return { step: Step };
};`;

describe("RotateSecret with a rotation Lambda", () => {
  const emulator = createEmulator({ lambdaRunner: runner });
  const lambda = new LambdaClient(inProcess(emulator));
  const sm = new SecretsManagerClient(inProcess(emulator));

  it("runs createSecret, setSecret, testSecret and finishSecret; the new version becomes AWSCURRENT", async () => {
    const fn = await lambda.send(new CreateFunctionCommand({ FunctionName: "rotator", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: zip({ "index.mjs": ROTATOR }) }, Timeout: 30 }));
    await sm.send(new CreateSecretCommand({ Name: "rotated", SecretString: "original" }));
    const token = "33333333-3333-3333-3333-333333333333";
    const rotated = await sm.send(new RotateSecretCommand({ SecretId: "rotated", RotationLambdaARN: fn.FunctionArn, ClientRequestToken: token, RotationRules: { AutomaticallyAfterDays: 7 } }));
    expect(rotated.VersionId).toBe(token);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: "rotated" }))).SecretString).toBe(`rotated-${token}`);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: "rotated", VersionStage: "AWSPREVIOUS" }))).SecretString).toBe("original");
    const described = await sm.send(new DescribeSecretCommand({ SecretId: "rotated" }));
    expect(described.RotationEnabled).toBe(true);
    expect(described.LastRotatedDate).toBeInstanceOf(Date);
    expect(described.VersionIdsToStages![token]).toEqual(["AWSCURRENT"]);

    const missing = await sm.send(new RotateSecretCommand({ SecretId: "rotated", RotationLambdaARN: "arn:aws:lambda:us-east-1:000000000000:function:none" })).catch((e) => e);
    expect(missing.name).toBe("AccessDeniedException");
  }, 120_000);
});
