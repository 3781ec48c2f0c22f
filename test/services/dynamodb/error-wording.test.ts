/**
 * DynamoDB's control-plane ValidationException texts, word for word as the live service answers
 * (recorded against DynamoDB): one row per rule, through the JS SDK v3 in-process.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  CreateTableCommand, DynamoDBClient, EnableKinesisStreamingDestinationCommand, PutResourcePolicyCommand, RestoreTableToPointInTimeCommand,
  TagResourceCommand, UntagResourceCommand, UpdateContinuousBackupsCommand, UpdateKinesisStreamingDestinationCommand, UpdateTableCommand,
  DisableKinesisStreamingDestinationCommand, type CreateTableCommandInput,
} from "@aws-sdk/client-dynamodb";
import { createEmulator, inProcess } from "../../helpers/clients.ts";

const INVALID = "One or more parameter values were invalid: ";
const client = new DynamoDBClient(inProcess(createEmulator()));
const KIN = "arn:aws:kinesis:us-east-1:000000000000:stream/changes";
let tableArn = "";

const base = (name: string, extra: Partial<CreateTableCommandInput> = {}): CreateTableCommandInput => ({
  TableName: name, BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], ...extra,
});

beforeAll(async () => {
  tableArn = (await client.send(new CreateTableCommand(base("words", {
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "S" }, { AttributeName: "g", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
    GlobalSecondaryIndexes: [{ IndexName: "byG", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } }],
    LocalSecondaryIndexes: [{ IndexName: "local", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "g", KeyType: "RANGE" }], Projection: { ProjectionType: "ALL" } }],
  })))).TableDescription!.TableArn!;
  await client.send(new CreateTableCommand(base("prov", {
    BillingMode: "PROVISIONED", ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
  })));
});

const update = (input: Record<string, unknown>) => client.send(new UpdateTableCommand({ TableName: "words", ...input }));

describe("DynamoDB control-plane messages", () => {
  const cases: [string, () => Promise<unknown>, string][] = [
    ["duplicate attribute definition", () => client.send(new CreateTableCommand(base("dup", {
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "pk", AttributeType: "S" }],
    }))), "Attribute Name is duplicated: pk"],
    ["stream without view type (CreateTable)", () => client.send(new CreateTableCommand(base("str1", { StreamSpecification: { StreamEnabled: true } }))),
      `${INVALID}Table is being created with a stream enabled, UpdateViewType is required`],
    ["view type on a disabled stream (CreateTable)", () => client.send(new CreateTableCommand(base("str2", { StreamSpecification: { StreamEnabled: false, StreamViewType: "KEYS_ONLY" } }))),
      `${INVALID}Table is being created with a stream disabled, UpdateViewType should not be specified`],
    ["nothing to update", () => update({}),
      "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required"],
    ["stream without view type (UpdateTable)", () => update({ StreamSpecification: { StreamEnabled: true } }), `${INVALID}If stream is being enabled then UpdateViewType is required`],
    ["view type when disabling", () => update({ StreamSpecification: { StreamEnabled: false, StreamViewType: "KEYS_ONLY" } }),
      `${INVALID}If stream is being disabled, then UpdateViewType must not be specified`],
    ["disabling a stream that is not there", () => update({ StreamSpecification: { StreamEnabled: false } }), "Table has no stream to disable: TableName: words"],
    ["index already exists", () => update({ GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "byG", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } } }] }),
      "Attempting to create an index which already exists"],
    ["empty index update", () => update({ GlobalSecondaryIndexUpdates: [{}] }),
      `${INVALID}One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null`],
    ["two actions in one update", () => update({ GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "byG" }, Update: { IndexName: "byG", OnDemandThroughput: { MaxReadRequestUnits: 5 } } }] }),
      `${INVALID}Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object`],
    ["two updates of one index", () => update({ GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "byG" } }, { Update: { IndexName: "byG", OnDemandThroughput: { MaxReadRequestUnits: 5 } } }] }),
      `${INVALID}Only one global secondary index update per index is allowed simultaneously. Index: byG`],
    ["deleting an LSI", () => update({ GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "local" } }] }), "Cannot delete an index that is not a GlobalSecondaryIndex: local"],
    ["index throughput on an on-demand table", () => update({ GlobalSecondaryIndexUpdates: [{ Update: { IndexName: "byG", ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } } }] }),
      `${INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: byG when BillingMode is PAY_PER_REQUEST`],
    ["index and stream together", () => update({ StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" }, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "byG" } }] }),
      `${INVALID}You cannot create or delete index while changing stream status`],
    ["SSE with another change", () => update({ SSESpecification: { Enabled: true }, DeletionProtectionEnabled: true }), `${INVALID}Server-Side Encryption modification must be the only operation in the request`],
    ["table class with another change", () => update({ TableClass: "STANDARD_INFREQUENT_ACCESS", DeletionProtectionEnabled: true }), `${INVALID}TableClass modification must be the only operation in the request`],
    ["switch to PROVISIONED without throughput", () => update({ BillingMode: "PROVISIONED" }), `${INVALID}ProvisionedThroughput must be specified when BillingMode is PROVISIONED`],
    ["new index without throughput on a provisioned table", () => client.send(new UpdateTableCommand({
      TableName: "prov", AttributeDefinitions: [{ AttributeName: "x", AttributeType: "S" }],
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "byX", KeySchema: [{ AttributeName: "x", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } } }],
    })), `${INVALID}ProvisionedThroughput must be specified for index: byX`],
    ["throughput and stream together", () => client.send(new UpdateTableCommand({
      TableName: "prov", ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 2 }, StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" },
    })), `${INVALID}You cannot modify stream status while updating table IOPS`],
    ["aws: tag key", () => client.send(new TagResourceCommand({ ResourceArn: tableArn, Tags: [{ Key: "aws:x", Value: "1" }] })), "Tag Key cannot be prefixed with aws:, Key: aws:x"],
    ["duplicate tag keys", () => client.send(new TagResourceCommand({ ResourceArn: tableArn, Tags: [{ Key: "a", Value: "1" }, { Key: "a", Value: "2" }] })),
      "Duplicate Tag Keys provided as input: Duplicate Tag Key found a"],
    ["too many tags", () => client.send(new TagResourceCommand({ ResourceArn: tableArn, Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" })) })),
      "Number of Tags exceed the current limit for the provided ResourceArn"],
    ["no tags", () => client.send(new TagResourceCommand({ ResourceArn: tableArn, Tags: [] })), "Atleast one Tag needs to be provided as Input."],
    ["no tag keys", () => client.send(new UntagResourceCommand({ ResourceArn: tableArn, TagKeys: [] })), "Atleast one Tag Key needs to be provided as Input."],
    ["recovery period when disabling PITR", () => client.send(new UpdateContinuousBackupsCommand({
      TableName: "words", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false, RecoveryPeriodInDays: 7 },
    })), "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery."],
    ["restore time and latest together", () => client.send(new RestoreTableToPointInTimeCommand({
      SourceTableName: "words", TargetTableName: "copy", UseLatestRestorableTime: true, RestoreDateTime: new Date(),
    })), "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both"],
    ["restore source named twice", () => client.send(new RestoreTableToPointInTimeCommand({
      SourceTableName: "words", SourceTableArn: tableArn, TargetTableName: "copy", UseLatestRestorableTime: true,
    })), "Must provide exactly one of: sourceTableArn, sourceTableName"],
    ["disabling a Kinesis destination that is not active", () => client.send(new DisableKinesisStreamingDestinationCommand({ TableName: "words", StreamArn: KIN })),
      "Table is not in a valid state to enable Kinesis Streaming Destination: KinesisStreamingDestination must be ACTIVE to perform DISABLE operation."],
    ["updating a Kinesis destination that is not active", () => client.send(new UpdateKinesisStreamingDestinationCommand({
      TableName: "words", StreamArn: KIN, UpdateKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: "MICROSECOND" },
    })), `Table is not in a valid state to enable Kinesis Streaming Destination: Kinesis streaming is not in ACTIVE state. Updates are only allowed in ACTIVE state. TableName: words, kdsArn: ${KIN}`],
    ["Kinesis update without configuration", () => client.send(new UpdateKinesisStreamingDestinationCommand({ TableName: "words", StreamArn: KIN })),
      "Streaming destination cannot be updated with given parameters: UpdateKinesisStreamingConfiguration cannot be null or contain only null values"],
    ["policy that is not JSON", () => client.send(new PutResourcePolicyCommand({ ResourceArn: tableArn, Policy: "{nope" })),
      `${INVALID}Invalid policy document: This policy contains invalid Json`],
    ["policy without statements", () => client.send(new PutResourcePolicyCommand({ ResourceArn: tableArn, Policy: '{"Version":"2012-10-17","Statement":[]}' })),
      `${INVALID}Invalid policy document: Could not parse the policy: Statement is empty!`],
    ["policy over 20 KB", () => client.send(new PutResourcePolicyCommand({ ResourceArn: tableArn, Policy: JSON.stringify({ Statement: [{ Sid: "x".repeat(20_500) }] }) })),
      `${INVALID}Maximum policy size of 20480 bytes exceeded`],
  ];
  for (const [name, call, message] of cases) {
    it(name, async () => {
      await expect(call()).rejects.toMatchObject({ name: "ValidationException", message });
    });
  }

  it("the Kinesis precision already set names the table id and stream", async () => {
    await client.send(new EnableKinesisStreamingDestinationCommand({ TableName: "words", StreamArn: KIN, EnableKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: "MICROSECOND" } }));
    const id = tableArn && (await client.send(new UpdateTableCommand({ TableName: "words", DeletionProtectionEnabled: false }))).TableDescription!.TableId;
    await expect(client.send(new UpdateKinesisStreamingDestinationCommand({
      TableName: "words", StreamArn: KIN, UpdateKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: "MICROSECOND" },
    }))).rejects.toMatchObject({ name: "ValidationException", message: `Invalid Request: Precision is already set to the desired value of MICROSECOND for tableId: ${id}, kdsArn: ${KIN}` });
  });
});
