/**
 * AWS Step Functions over awsJson 1.0 (AWSStepFunctions.*): state machines with versions and
 * aliases, activities, and executions that run the Amazon States Language (both query
 * languages) on the emulator's clock, calling fetchstack's services through `ctx.invoke`.
 * Source: https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html
 * Design and limits: docs/stepfunctions.md.
 */
import { defineService } from "../types.ts";
import type { Operations } from "../../generated/stepfunctions.ts";
import model from "../../../models/stepfunctions.json" with { type: "json" };
import type { ServiceModel } from "../../protocol/model.ts";
import { activityHandlers } from "./activities.ts";
import { mapRunHandlers } from "./distributed.ts";
import { executionHandlers } from "./executions.ts";
import { machineHandlers } from "./machines.ts";
import { testStateHandlers } from "./test-state.ts";
import { stepfunctionsAuthorization } from "./authorization.ts";

export default defineService<Operations>({
  name: "stepfunctions",
  authorization: stepfunctionsAuthorization,
  model: model as unknown as ServiceModel,
  handlers: {
    ...machineHandlers,
    ...activityHandlers,
    ...executionHandlers,
    ...testStateHandlers,
    ...mapRunHandlers,
  },
});
