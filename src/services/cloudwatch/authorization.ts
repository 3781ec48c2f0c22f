/**
 * CloudWatch's IAM actions and resources, for `enforceIam`: `cloudwatch:<Operation>` on alarms
 * (`alarm:<name>`, every named alarm; `alarm:*` when an operation names none), dashboards
 * (`arn:aws:cloudwatch::<account>:dashboard/<name>`, global), Contributor Insights rules
 * (`insight-rule/<name>`) and metric streams (`metric-stream/<name>`); metrics, anomaly detectors
 * and mute rules on `*`. PutMetricData carries `cloudwatch:namespace`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 */
import type { AuthorizationEnv, AuthorizationMap, Input } from "../../policy/authorization.ts";

const regional = (env: AuthorizationEnv, resource: string) => `arn:${env.partition}:cloudwatch:${env.region}:${env.account}:${resource}`;
/** ARNs of the names in `member` (a name or a list), or the type's wildcard when none is given. */
const named = (member: string, type: (env: AuthorizationEnv, name: string) => string) => (input: Input, env: AuthorizationEnv) => {
  const value = input[member];
  const names: string[] = Array.isArray(value) ? value.map(String) : value ? [String(value)] : [];
  return names.length ? names.map((n) => type(env, n)) : [type(env, "*")];
};
const alarm = (env: AuthorizationEnv, name: string) => regional(env, `alarm:${name}`);
const dashboard = (env: AuthorizationEnv, name: string) => `arn:${env.partition}:cloudwatch::${env.account}:dashboard/${name}`;
const rule = (env: AuthorizationEnv, name: string) => regional(env, `insight-rule/${name}`);
const stream = (env: AuthorizationEnv, name: string) => regional(env, `metric-stream/${name}`);

export const cloudwatchAuthorization: AuthorizationMap = {
  prefix: "cloudwatch",
  resource: "*",
  operations: {
    PutMetricAlarm: { resource: named("AlarmName", alarm), tags: "Tags" },
    PutCompositeAlarm: { resource: named("AlarmName", alarm), tags: "Tags" },
    DeleteAlarms: { resource: named("AlarmNames", alarm) },
    DescribeAlarms: { resource: named("AlarmNames", alarm) },
    DescribeAlarmHistory: { resource: named("AlarmName", alarm) },
    DescribeAlarmContributors: { resource: named("AlarmName", alarm) },
    EnableAlarmActions: { resource: named("AlarmNames", alarm) },
    DisableAlarmActions: { resource: named("AlarmNames", alarm) },
    SetAlarmState: { resource: named("AlarmName", alarm) },
    GetDashboard: { resource: named("DashboardName", dashboard) },
    PutDashboard: { resource: named("DashboardName", dashboard) },
    DeleteDashboards: { resource: named("DashboardNames", dashboard) },
    PutInsightRule: { resource: named("RuleName", rule), tags: "Tags" },
    DeleteInsightRules: { resource: named("RuleNames", rule) },
    EnableInsightRules: { resource: named("RuleNames", rule) },
    DisableInsightRules: { resource: named("RuleNames", rule) },
    GetInsightRuleReport: { resource: named("RuleName", rule) },
    PutMetricStream: { resource: named("Name", stream), tags: "Tags" },
    GetMetricStream: { resource: named("Name", stream) },
    DeleteMetricStream: { resource: named("Name", stream) },
    StartMetricStreams: { resource: named("Names", stream) },
    StopMetricStreams: { resource: named("Names", stream) },
    PutMetricData: { context: { "cloudwatch:namespace": "Namespace" } },
    TagResource: { resource: "{ResourceARN}", tags: "Tags" },
    UntagResource: { resource: "{ResourceARN}" },
    ListTagsForResource: { resource: "{ResourceARN}" },
  },
};
