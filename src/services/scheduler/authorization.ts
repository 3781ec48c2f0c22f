/**
 * EventBridge Scheduler's IAM actions and resources, for `enforceIam`: `scheduler:<Operation>`
 * on the schedule (`schedule/<group>/<name>`, group `default` when none is given) or schedule
 * group ARN; creating or updating a schedule also needs `iam:PassRole` on its target's role.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridgescheduler.html
 */
import type { AuthorizationEnv, AuthorizationMap, Input } from "../../policy/authorization.ts";

const schedule = (input: Input, env: AuthorizationEnv) =>
  `arn:${env.partition}:scheduler:${env.region}:${env.account}:schedule/${input.GroupName ?? "default"}/${input.Name}`;
const group = "arn:{partition}:scheduler:{region}:{account}:schedule-group/{Name}";
const passRole = { action: "iam:PassRole", resource: (input: Input) => (input.Target?.RoleArn ? String(input.Target.RoleArn) : undefined) };

export const schedulerAuthorization: AuthorizationMap = {
  prefix: "scheduler",
  resource: "*",
  operations: {
    CreateSchedule: { resource: schedule, also: [passRole] },
    UpdateSchedule: { resource: schedule, also: [passRole] },
    GetSchedule: { resource: schedule },
    DeleteSchedule: { resource: schedule },
    CreateScheduleGroup: { resource: group, tags: "Tags" },
    GetScheduleGroup: { resource: group },
    DeleteScheduleGroup: { resource: group },
    ListSchedules: { resource: "*" },
    ListScheduleGroups: { resource: "*" },
    TagResource: { resource: "{ResourceArn}", tags: "Tags" },
    UntagResource: { resource: "{ResourceArn}" },
    ListTagsForResource: { resource: "{ResourceArn}" },
  },
};
