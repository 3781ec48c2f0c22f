/**
 * Every service fetchstack knows, by name. A service never imports another; only this registry
 * sees them all. Order matters only for display (health, banner).
 */
import type { ServiceDefinition } from "./types.ts";
import sts from "./sts/index.ts";
import s3 from "./s3/index.ts";
import sqs from "./sqs/index.ts";
import sns from "./sns/index.ts";
import dynamodb from "./dynamodb/index.ts";
import dynamodbstreams from "./dynamodbstreams/index.ts";
import lambda from "./lambda/index.ts";
import firehose from "./firehose/index.ts";
import memorydb from "./memorydb/index.ts";
import iam from "./iam/index.ts";
import kms from "./kms/index.ts";
import secretsmanager from "./secretsmanager/index.ts";
import ssm from "./ssm/index.ts";
import events from "./events/index.ts";
import scheduler from "./scheduler/index.ts";
import logs from "./logs/index.ts";
import cloudwatch from "./cloudwatch/index.ts";
import kinesis from "./kinesis/index.ts";
import stepfunctions from "./stepfunctions/index.ts";

export const SERVICES: readonly ServiceDefinition[] = [
  sts, s3, sqs, sns, dynamodb, dynamodbstreams, lambda, firehose, memorydb,
  iam, kms, secretsmanager, ssm, events, scheduler, logs, cloudwatch, kinesis, stepfunctions,
];

export const SERVICE_NAMES: readonly string[] = SERVICES.map((s) => s.name);
