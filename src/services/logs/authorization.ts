/**
 * CloudWatch Logs' IAM actions and resources per operation (`logs:<Operation>` on the log group
 * ARN `arn:aws:logs:<region>:<account>:log-group:<name>:*`), for `enforceIam`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
 */
import type { AuthorizationMap } from "../../policy/authorization.ts";

export const logsAuthorization: AuthorizationMap = {
  prefix: "logs",
  resource: (input, env) => {
    if (input.logGroupIdentifier && String(input.logGroupIdentifier).startsWith("arn:")) return String(input.logGroupIdentifier);
    const group = input.logGroupName ?? input.logGroupIdentifier;
    if (!group) return input.resourceArn ?? "*";
    const base = `arn:aws:logs:${env.region}:${env.account}:log-group:${group}`;
    return input.logStreamName ? `${base}:log-stream:${input.logStreamName}` : `${base}:*`;
  },
  operations: {
    DescribeLogGroups: { resource: "*" },
    DescribeQueries: { resource: "*" },
    DescribeDestinations: { resource: "*" },
    DescribeResourcePolicies: { resource: "*" },
    DescribeQueryDefinitions: { resource: "*" },
    GetQueryResults: { resource: "*" },
    StopQuery: { resource: "*" },
    CreateLogGroup: { tags: "tags" },
    // Served by the live-tail preRoute hook, which asks ctx.authorize: every group tailed.
    StartLiveTail: {
      resource: (input) => ((input.logGroupIdentifiers ?? []) as string[]).map((arn) => (arn.endsWith(":*") ? arn : `${arn}:*`)),
    },
  },
};
