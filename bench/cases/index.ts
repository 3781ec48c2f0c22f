/** Every benchmark case, by service. Add a service's cases here. */
import type { BenchCase } from "./types.ts";
import { stsCases } from "./sts.ts";
import { dynamodbCases } from "./dynamodb.ts";
import { sqsCases } from "./sqs.ts";

export const CASES: BenchCase[] = [...stsCases, ...dynamodbCases, ...sqsCases];
