/**
 * Amazon DynamoDB over awsJson 1.0: tables, items, Query and Scan (tables and secondary
 * indexes), batch reads and writes, tags.
 * Source: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html
 * Storage layout: docs/dynamodb-storage.md; table status: docs/dynamodb-table-status.md.
 */
import { defineService } from "../types.ts";
import type { Operations } from "../../generated/dynamodb.ts";
import model from "../../../models/dynamodb.json" with { type: "json" };
import type { ServiceModel } from "../../protocol/model.ts";
import {
  createTable, deleteTable, describeEndpoints, describeLimits, describeTable, listTables, updateTable,
} from "./tables.ts";
import { deleteItem, getItem, putItem, updateItem } from "./items.ts";
import { query, scan } from "./query.ts";
import { batchGetItem, batchWriteItem } from "./batch.ts";
import { describeTimeToLive, updateTimeToLive } from "./ttl.ts";
import { transactGetItems, transactWriteItems } from "./transactions.ts";
import { batchExecuteStatement, executeStatement, executeTransaction } from "./partiql/execute.ts";
import {
  createBackup, deleteBackup, describeBackup, describeContinuousBackups, listBackups, restoreTableFromBackup, restoreTableToPointInTime,
  updateContinuousBackups,
} from "./backups.ts";
import {
  createGlobalTable, deleteResourcePolicy, describeContributorInsights, describeGlobalTable, describeGlobalTableSettings,
  describeKinesisStreamingDestination, describeTableReplicaAutoScaling, disableKinesisStreamingDestination, enableKinesisStreamingDestination,
  getResourcePolicy, listContributorInsights, listGlobalTables, putResourcePolicy, updateContributorInsights, updateGlobalTable,
  updateGlobalTableSettings, updateKinesisStreamingDestination, updateTableReplicaAutoScaling,
} from "./control-plane.ts";
import { describeExport, describeImport, exportTableToPointInTime, importTable, listExports, listImports } from "./export-import.ts";
import { listTagsOfResource, tagResource, untagResource } from "./tags.ts";
import { dynamodbAuthorization } from "./authorization.ts";

export default defineService<Operations>({
  name: "dynamodb",
  authorization: dynamodbAuthorization,
  model: model as unknown as ServiceModel,
  // As DynamoDB answers: its long-documented `__type` namespace, the classic Coral wording of
  // type errors (recorded by dynalite against the live service), a CRC32 of every body, and
  // gzip bodies for clients that accept them (the CRC32 then covers the compressed bytes).
  wire: { errorNamespace: "com.amazonaws.dynamodb.v20120810", classicTypeErrors: true, crc32Header: true, gzipResponses: true },
  handlers: {
    CreateTable: createTable,
    DescribeTable: describeTable,
    UpdateTable: updateTable,
    DeleteTable: deleteTable,
    ListTables: listTables,
    DescribeLimits: describeLimits,
    DescribeEndpoints: describeEndpoints,
    DescribeTimeToLive: describeTimeToLive,
    UpdateTimeToLive: updateTimeToLive,
    DescribeContinuousBackups: describeContinuousBackups,
    UpdateContinuousBackups: updateContinuousBackups,
    CreateBackup: createBackup,
    DescribeBackup: describeBackup,
    ListBackups: listBackups,
    DeleteBackup: deleteBackup,
    RestoreTableFromBackup: restoreTableFromBackup,
    RestoreTableToPointInTime: restoreTableToPointInTime,
    PutItem: putItem,
    GetItem: getItem,
    UpdateItem: updateItem,
    DeleteItem: deleteItem,
    Query: query,
    Scan: scan,
    BatchGetItem: batchGetItem,
    BatchWriteItem: batchWriteItem,
    TransactWriteItems: transactWriteItems,
    TransactGetItems: transactGetItems,
    ExecuteStatement: executeStatement,
    BatchExecuteStatement: batchExecuteStatement,
    ExecuteTransaction: executeTransaction,
    CreateGlobalTable: createGlobalTable,
    DescribeGlobalTable: describeGlobalTable,
    ListGlobalTables: listGlobalTables,
    UpdateGlobalTable: updateGlobalTable,
    DescribeGlobalTableSettings: describeGlobalTableSettings,
    UpdateGlobalTableSettings: updateGlobalTableSettings,
    DescribeTableReplicaAutoScaling: describeTableReplicaAutoScaling,
    UpdateTableReplicaAutoScaling: updateTableReplicaAutoScaling,
    EnableKinesisStreamingDestination: enableKinesisStreamingDestination,
    DisableKinesisStreamingDestination: disableKinesisStreamingDestination,
    UpdateKinesisStreamingDestination: updateKinesisStreamingDestination,
    DescribeKinesisStreamingDestination: describeKinesisStreamingDestination,
    DescribeContributorInsights: describeContributorInsights,
    UpdateContributorInsights: updateContributorInsights,
    ListContributorInsights: listContributorInsights,
    PutResourcePolicy: putResourcePolicy,
    GetResourcePolicy: getResourcePolicy,
    DeleteResourcePolicy: deleteResourcePolicy,
    ExportTableToPointInTime: exportTableToPointInTime,
    DescribeExport: describeExport,
    ListExports: listExports,
    ImportTable: importTable,
    DescribeImport: describeImport,
    ListImports: listImports,
    TagResource: tagResource,
    UntagResource: untagResource,
    ListTagsOfResource: listTagsOfResource,
  },
});
