/**
 * RotateSecret and CancelRotateSecret. Rotation with a Lambda function runs its four steps
 * (createSecret, setSecret, testSecret, finishSecret) in order through
 * ctx.invoke("lambda", "Invoke"), with the event AWS sends:
 * `{"Step", "SecretId" (ARN), "ClientRequestToken", "RotationToken"}`. The function moves the
 * labels itself (PutSecretValue with AWSPENDING, UpdateSecretVersionStage to AWSCURRENT).
 * Steps run before RotateSecret answers; a step that fails stops the rotation with AWSPENDING
 * left in place, as AWS leaves it. Scheduled rotation (RotationRules) is kept as configuration
 * and NextRotationDate; it does not fire on its own.
 * Source: https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html
 */
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";
import type { RotateSecretRequest } from "../../generated/secretsmanager.ts";
import { invalidParameter, invalidRequest, loadByName, saveSecret, type SecretRecord } from "./secrets.ts";
import { versionWithStage } from "./versions.ts";

const STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"] as const;

function checkRules(rules: { AutomaticallyAfterDays?: number; ScheduleExpression?: string; Duration?: string } | undefined): void {
  if (!rules) return;
  if (rules.AutomaticallyAfterDays !== undefined && rules.ScheduleExpression !== undefined) {
    throw invalidParameter("You can't specify both AutomaticallyAfterDays and ScheduleExpression.");
  }
  if (rules.ScheduleExpression !== undefined && !/^(rate\(\d+ (hour|hours|day|days)\)|cron\(.+\))$/.test(rules.ScheduleExpression)) {
    throw invalidParameter(`Invalid ScheduleExpression: ${rules.ScheduleExpression}`);
  }
  if (rules.Duration !== undefined && !/^\d+h$/.test(rules.Duration)) throw invalidParameter(`Invalid Duration: ${rules.Duration}`);
}

export async function rotateSecret(input: RotateSecretRequest, ctx: RequestContext, secret: SecretRecord): Promise<Record<string, unknown>> {
  checkRules(input.RotationRules);
  const lambdaArn: string | undefined = input.RotationLambdaARN ?? secret.rotation?.lambdaArn;
  if (!lambdaArn) throw invalidRequest("No Lambda rotation function ARN is associated with this secret.");
  const pending = versionWithStage(secret, "AWSPENDING");
  const current = versionWithStage(secret, "AWSCURRENT");
  if (pending && pending.versionId !== current?.versionId && pending.versionId !== input.ClientRequestToken) {
    throw invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");
  }
  const rules = input.RotationRules ?? secret.rotation?.rules;
  await saveSecret(ctx, { ...secret, rotation: { ...secret.rotation, enabled: true, lambdaArn, ...(rules ? { rules } : {}) } });
  const token: string = input.ClientRequestToken ?? crypto.randomUUID();
  if (input.RotateImmediately === false) return { ARN: secret.arn, Name: secret.name };

  for (const step of STEPS) {
    const event = { Step: step, SecretId: secret.arn, ClientRequestToken: token, RotationToken: crypto.randomUUID() };
    let result: Record<string, unknown>;
    try {
      result = await ctx.invoke("lambda", "Invoke", { FunctionName: lambdaArn, Payload: new TextEncoder().encode(JSON.stringify(event)) });
    } catch (error) {
      if (isAwsError(error) && (error.code === "ResourceNotFoundException" || error.code === "AccessDeniedException")) {
        throw new AwsError("AccessDeniedException", "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.", 400);
      }
      throw error;
    }
    if (result.FunctionError) break;
  }
  const after = await loadByName(ctx, secret.name);
  if (after && versionWithStage(after, "AWSCURRENT")?.versionId === token) {
    // A finished rotation: the new version is current, and Secrets Manager takes AWSPENDING off it.
    const versions = after.versions.map((v) => (v.versionId === token ? { ...v, stages: v.stages.filter((s) => s !== "AWSPENDING") } : v));
    await saveSecret(ctx, { ...after, versions, rotation: { ...after.rotation, enabled: true, lambdaArn, lastRotatedAt: ctx.clock.now() } });
  }
  return { ARN: secret.arn, Name: secret.name, VersionId: token };
}

export async function cancelRotation(ctx: RequestContext, secret: SecretRecord): Promise<Record<string, unknown>> {
  const pending = versionWithStage(secret, "AWSPENDING");
  const versions = secret.versions.map((v) => (v === pending ? { ...v, stages: v.stages.filter((s) => s !== "AWSPENDING") } : v));
  await saveSecret(ctx, { ...secret, versions, rotation: { ...secret.rotation, enabled: false } });
  return { ARN: secret.arn, Name: secret.name, ...(pending ? { VersionId: pending.versionId } : {}) };
}
