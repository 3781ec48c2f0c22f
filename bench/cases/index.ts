/** Every benchmark case, by service. Add a service's cases here. */
import type { BenchCase } from "./types.ts";
import { stsCases } from "./sts.ts";
import { dynamodbCases } from "./dynamodb.ts";
import { sqsCases } from "./sqs.ts";
import { s3Cases } from "./s3.ts";
import { firehoseCases } from "./firehose.ts";
import { snsCases } from "./sns.ts";
import { kinesisCases } from "./kinesis.ts";

export const CASES: BenchCase[] = [...stsCases, ...dynamodbCases, ...sqsCases, ...s3Cases, ...firehoseCases, ...snsCases, ...kinesisCases];
