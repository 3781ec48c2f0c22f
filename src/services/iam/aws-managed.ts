/**
 * AWS managed policies (`arn:aws:iam::aws:policy/...`) as data: the common ones, with their
 * documents from AWS's managed policy reference
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/policy-list.html).
 * ReadOnlyAccess and AmazonDynamoDBFullAccess are abridged to the services fetchstack has and
 * to their first statements (docs/iam.md). Ids are stable per name (not AWS's own ids).
 */
import { sha256 } from "@noble/hashes/sha2.js";

export interface AwsManagedPolicy {
  name: string;
  arn: string;
  path: string;
  id: string;
  description: string;
  version: string;
  created: string;
  updated: string;
  /** The default version's document, as IAM returns it (JSON text). */
  document: string;
}

type Statement = Record<string, unknown>;

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function stableId(name: string): string {
  const digest = sha256(new TextEncoder().encode(name));
  let out = "ANPA";
  for (let i = 0; i < 17; i++) out += BASE32[digest[i] % 32];
  return out;
}

function policy(name: string, path: string, description: string, version: string, created: string, updated: string, statements: Statement[]): AwsManagedPolicy {
  return {
    name,
    arn: `arn:aws:iam::aws:policy${path}${name}`,
    path,
    id: stableId(name),
    description,
    version,
    created,
    updated,
    document: JSON.stringify({ Version: "2012-10-17", Statement: statements }, null, 4),
  };
}

const READ_ONLY_SERVICES = [
  "cloudwatch", "dynamodb", "events", "firehose", "iam", "kinesis", "kms", "lambda", "logs", "memorydb", "s3",
  "scheduler", "secretsmanager", "sns", "sqs", "ssm", "states",
];

export const AWS_MANAGED: AwsManagedPolicy[] = [
  policy("AdministratorAccess", "/", "Provides full access to AWS services and resources.", "v1", "2015-02-06T18:39:46Z", "2015-02-06T18:39:46Z", [
    { Effect: "Allow", Action: "*", Resource: "*" },
  ]),
  policy("PowerUserAccess", "/", "Provides full access to AWS services and resources, but does not allow management of Users and groups.", "v5", "2015-02-06T18:39:47Z", "2023-07-06T22:04:19Z", [
    { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
    {
      Effect: "Allow",
      Action: [
        "account:GetAccountInformation", "account:GetPrimaryEmail", "account:ListRegions", "iam:CreateServiceLinkedRole",
        "iam:DeleteServiceLinkedRole", "iam:ListRoles", "organizations:DescribeOrganization",
      ],
      Resource: "*",
    },
  ]),
  policy("ReadOnlyAccess", "/", "Provides read-only access to AWS services and resources.", "v1", "2015-02-06T18:39:48Z", "2015-02-06T18:39:48Z", [
    {
      Effect: "Allow",
      Action: READ_ONLY_SERVICES.flatMap((s) => [`${s}:Describe*`, `${s}:Get*`, `${s}:List*`]).concat([
        "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "sqs:ReceiveMessage", "kinesis:SubscribeToShard", "logs:FilterLogEvents",
        "logs:StartQuery", "logs:StopQuery", "ssm:DescribeParameters", "states:DescribeExecution",
      ]),
      Resource: "*",
    },
  ]),
  policy("IAMFullAccess", "/", "Provides full access to IAM via the AWS Management Console.", "v2", "2015-02-06T18:40:38Z", "2019-06-21T19:40:00Z", [
    {
      Effect: "Allow",
      Action: [
        "iam:*", "organizations:DescribeAccount", "organizations:DescribeOrganization", "organizations:DescribeOrganizationalUnit",
        "organizations:DescribePolicy", "organizations:ListChildren", "organizations:ListParents", "organizations:ListPoliciesForTarget",
        "organizations:ListRoots", "organizations:ListPolicies", "organizations:ListTargetsForPolicy",
      ],
      Resource: "*",
    },
  ]),
  policy("IAMReadOnlyAccess", "/", "Provides read only access to IAM via the AWS Management Console.", "v4", "2015-02-06T18:40:39Z", "2018-01-25T19:11:27Z", [
    { Effect: "Allow", Action: ["iam:GenerateCredentialReport", "iam:GenerateServiceLastAccessedDetails", "iam:Get*", "iam:List*", "iam:SimulateCustomPolicy", "iam:SimulatePrincipalPolicy"], Resource: "*" },
  ]),
  policy("AmazonS3FullAccess", "/", "Provides full access to all buckets via the AWS Management Console.", "v2", "2015-02-06T18:40:58Z", "2021-09-27T20:16:37Z", [
    { Effect: "Allow", Action: ["s3:*", "s3-object-lambda:*"], Resource: "*" },
  ]),
  policy("AmazonS3ReadOnlyAccess", "/", "Provides read only access to all buckets via the AWS Management Console.", "v3", "2015-02-06T18:40:59Z", "2023-08-10T21:31:39Z", [
    { Effect: "Allow", Action: ["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"], Resource: "*" },
  ]),
  policy("AmazonSQSFullAccess", "/", "Provides full access to Amazon SQS via the AWS Management Console.", "v1", "2015-02-06T18:41:07Z", "2015-02-06T18:41:07Z", [
    { Action: ["sqs:*"], Effect: "Allow", Resource: "*" },
  ]),
  policy("AmazonSQSReadOnlyAccess", "/", "Provides read only access to Amazon SQS via the AWS Management Console.", "v3", "2015-02-06T18:41:08Z", "2023-04-19T20:14:27Z", [
    { Effect: "Allow", Action: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListDeadLetterSourceQueues", "sqs:ListQueues", "sqs:ListMessageMoveTasks", "sqs:ListQueueTags"], Resource: "*" },
  ]),
  policy("AmazonSNSFullAccess", "/", "Provides full access to Amazon SNS via the AWS Management Console.", "v1", "2015-02-06T18:41:05Z", "2015-02-06T18:41:05Z", [
    { Action: ["sns:*"], Effect: "Allow", Resource: "*" },
  ]),
  policy("AmazonSNSReadOnlyAccess", "/", "Provides read only access to Amazon SNS via the AWS Management Console.", "v1", "2015-02-06T18:41:06Z", "2015-02-06T18:41:06Z", [
    { Effect: "Allow", Action: ["sns:GetTopicAttributes", "sns:List*"], Resource: "*" },
  ]),
  policy("AmazonDynamoDBFullAccess", "/", "Provides full access to Amazon DynamoDB via the AWS Management Console.", "v15", "2015-02-06T18:40:11Z", "2021-01-29T17:38:00Z", [
    {
      Action: [
        "dynamodb:*", "dax:*", "application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DeregisterScalableTarget",
        "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingActivities",
        "application-autoscaling:DescribeScalingPolicies", "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:RegisterScalableTarget", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarmHistory",
        "cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics",
        "cloudwatch:PutMetricAlarm", "cloudwatch:GetMetricData", "kinesis:ListStreams", "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary", "kms:DescribeKey", "kms:ListAliases", "sns:CreateTopic", "sns:DeleteTopic",
        "sns:ListSubscriptions", "sns:ListSubscriptionsByTopic", "sns:ListTopics", "sns:Subscribe", "sns:Unsubscribe",
        "sns:SetTopicAttributes", "lambda:CreateFunction", "lambda:ListFunctions", "lambda:ListEventSourceMappings",
        "lambda:CreateEventSourceMapping", "lambda:DeleteEventSourceMapping", "lambda:GetFunctionConfiguration", "lambda:DeleteFunction",
        "resource-groups:ListGroups", "resource-groups:ListGroupResources", "resource-groups:GetGroup", "resource-groups:GetGroupQuery",
        "resource-groups:DeleteGroup", "resource-groups:CreateGroup", "tag:GetResources",
      ],
      Effect: "Allow",
      Resource: "*",
    },
    { Action: "cloudwatch:GetInsightRuleReport", Effect: "Allow", Resource: "arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights*" },
    { Action: ["iam:PassRole"], Effect: "Allow", Resource: "*", Condition: { StringLike: { "iam:PassedToService": ["application-autoscaling.amazonaws.com", "application-autoscaling.amazonaws.com.cn", "dax.amazonaws.com"] } } },
    {
      Effect: "Allow",
      Action: ["iam:CreateServiceLinkedRole"],
      Resource: "*",
      Condition: {
        StringEquals: {
          "iam:AWSServiceName": [
            "replication.dynamodb.amazonaws.com", "dax.amazonaws.com", "dynamodb.application-autoscaling.amazonaws.com",
            "contributorinsights.dynamodb.amazonaws.com", "kinesisreplication.dynamodb.amazonaws.com",
          ],
        },
      },
    },
  ]),
  policy("AmazonDynamoDBReadOnlyAccess", "/", "Provides read only access to Amazon DynamoDB via the AWS Management Console.", "v13", "2015-02-06T18:40:12Z", "2021-01-29T17:38:00Z", [
    {
      Action: [
        "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingActivities",
        "application-autoscaling:DescribeScalingPolicies", "cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms",
        "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics", "cloudwatch:GetMetricData",
        "datapipeline:DescribeObjects", "datapipeline:DescribePipelines", "datapipeline:GetPipelineDefinition", "datapipeline:ListPipelines",
        "datapipeline:QueryObjects", "dynamodb:BatchGetItem", "dynamodb:Describe*", "dynamodb:List*", "dynamodb:GetItem",
        "dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect", "dax:Describe*", "dax:List*", "dax:GetItem", "dax:BatchGetItem",
        "dax:Query", "dax:Scan", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "iam:GetRole", "iam:ListRoles",
        "kms:DescribeKey", "kms:ListAliases", "sns:ListSubscriptionsByTopic", "sns:ListTopics", "lambda:ListFunctions",
        "lambda:ListEventSourceMappings", "lambda:GetFunctionConfiguration", "resource-groups:ListGroups",
        "resource-groups:ListGroupResources", "resource-groups:GetGroup", "resource-groups:GetGroupQuery", "tag:GetResources",
        "kinesis:ListStreams", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
      ],
      Effect: "Allow",
      Resource: "*",
    },
    { Action: "cloudwatch:GetInsightRuleReport", Effect: "Allow", Resource: "arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights*" },
  ]),
  policy("AWSLambdaBasicExecutionRole", "/service-role/", "Provides write permissions to CloudWatch Logs.", "v1", "2015-04-09T15:03:43Z", "2015-04-09T15:03:43Z", [
    { Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" },
  ]),
  policy("AWSLambdaSQSQueueExecutionRole", "/service-role/", "Provides receive message, delete message, and read attribute access to SQS queues, and write permissions to CloudWatch logs.", "v2", "2016-11-21T23:31:48Z", "2016-11-21T23:31:48Z", [
    { Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" },
  ]),
  policy("AWSLambdaDynamoDBExecutionRole", "/service-role/", "Provides list and read access to DynamoDB streams and write permissions to CloudWatch logs.", "v1", "2015-04-09T15:09:29Z", "2015-04-09T15:09:29Z", [
    {
      Effect: "Allow",
      Action: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: "*",
    },
  ]),
  policy("AWSLambda_FullAccess", "/", "Grants full access to AWS Lambda service, AWS Lambda console features, and other related AWS services.", "v2", "2020-11-17T21:14:00Z", "2025-03-17T21:37:00Z", [
    {
      Effect: "Allow",
      Action: [
        "cloudformation:DescribeStacks", "cloudformation:ListStackResources", "cloudwatch:ListMetrics", "cloudwatch:GetMetricData",
        "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "kms:ListAliases", "iam:GetPolicy",
        "iam:GetPolicyVersion", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies",
        "iam:ListRoles", "lambda:*", "logs:DescribeLogGroups", "states:DescribeStateMachine", "states:ListStateMachines",
        "tag:GetResources", "xray:GetTraceSummaries", "xray:BatchGetTraces",
      ],
      Resource: "*",
    },
    { Effect: "Allow", Action: "iam:PassRole", Resource: "*", Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } },
    {
      Effect: "Allow",
      Action: ["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartLiveTail", "logs:StopLiveTail"],
      Resource: "arn:aws:logs:*:*:log-group:/aws/lambda/*",
    },
  ]),
  policy("AWSLambda_ReadOnlyAccess", "/", "Grants read-only access to AWS Lambda service, AWS Lambda console features, and other related AWS services.", "v1", "2020-11-17T21:14:00Z", "2020-11-17T21:14:00Z", [
    {
      Effect: "Allow",
      Action: [
        "cloudformation:DescribeStacks", "cloudformation:DescribeStackResources", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
        "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole",
        "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:ListRoles", "kms:ListAliases",
        "lambda:Get*", "lambda:List*", "logs:DescribeLogGroups", "states:DescribeStateMachine", "states:ListStateMachines",
        "tag:GetResources", "xray:GetTraceSummaries", "xray:BatchGetTraces",
      ],
      Resource: "*",
    },
    { Effect: "Allow", Action: ["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents"], Resource: "arn:aws:logs:*:*:log-group:/aws/lambda/*" },
  ]),
  policy("CloudWatchLogsFullAccess", "/", "Provides full access to CloudWatch Logs", "v1", "2015-02-06T18:40:24Z", "2015-02-06T18:40:24Z", [
    { Action: ["logs:*"], Effect: "Allow", Resource: "*" },
  ]),
  policy("AmazonKinesisFullAccess", "/", "Provides full access to all streams via the AWS Management Console.", "v1", "2015-02-06T18:40:45Z", "2015-02-06T18:40:45Z", [
    { Effect: "Allow", Action: "kinesis:*", Resource: "*" },
  ]),
  policy("SecretsManagerReadWrite", "/", "Provides read/write access to AWS Secrets Manager via the AWS Management Console.", "v5", "2018-04-04T18:05:29Z", "2020-11-11T19:36:53Z", [
    { Effect: "Allow", Action: ["secretsmanager:*", "kms:DescribeKey", "kms:ListAliases", "kms:ListKeys", "lambda:ListFunctions", "tag:GetResources"], Resource: "*" },
  ]),
  policy("AmazonSSMReadOnlyAccess", "/", "Provides read only access to Amazon SSM.", "v1", "2015-05-29T17:44:19Z", "2015-05-29T17:44:19Z", [
    { Effect: "Allow", Action: ["ssm:Describe*", "ssm:Get*", "ssm:List*"], Resource: "*" },
  ]),
  policy("AWSStepFunctionsFullAccess", "/", "An access policy for providing a user/role/etc access to the AWS StepFunctions API.", "v2", "2017-01-11T21:51:32Z", "2022-06-01T00:00:00Z", [
    { Effect: "Allow", Action: "states:*", Resource: "*" },
    { Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::*:role/service-role/StatesExecutionRole*" },
  ]),
];

const byArn = new Map(AWS_MANAGED.map((p) => [p.arn, p]));

/** The AWS managed policy at `arn` (any partition spelling of `aws`), or undefined. */
export function awsManagedByArn(arn: string): AwsManagedPolicy | undefined {
  return byArn.get(arn.replace(/^arn:aws[a-z-]*:/, "arn:aws:"));
}
