/**
 * Step Functions' IAM actions and resources per operation (`states:<Operation>` on the state
 * machine, execution or activity ARN the input names), for `enforceIam`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html
 */
import type { AuthorizationMap } from "../../policy/authorization.ts";

export const stepfunctionsAuthorization: AuthorizationMap = {
  prefix: "states",
  resource: (input) => input.stateMachineArn ?? input.executionArn ?? input.activityArn ?? input.resourceArn ?? input.mapRunArn ?? "*",
  operations: {
    CreateStateMachine: { resource: "arn:{partition}:states:{region}:{account}:stateMachine:{name}", tags: "tags" },
    CreateActivity: { resource: "arn:{partition}:states:{region}:{account}:activity:{name}", tags: "tags" },
    ListStateMachines: { resource: "*" },
    ListActivities: { resource: "*" },
    SendTaskSuccess: { resource: "*" },
    SendTaskFailure: { resource: "*" },
    SendTaskHeartbeat: { resource: "*" },
    ValidateStateMachineDefinition: { resource: "*" },
  },
};
