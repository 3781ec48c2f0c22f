/**
 * DynamoDB's IAM actions, resources and condition keys per operation (`dynamodb:<Operation>` on
 * the table, index or stream ARN; `dynamodb:LeadingKeys`, `dynamodb:Attributes`,
 * `dynamodb:Select`, `dynamodb:ReturnValues`), for `enforceIam`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 */
import type { AuthorizationEnv, AuthorizationMap, Input, OperationAuthorization } from "../../policy/authorization.ts";
import type { TableRecord } from "./table-model.ts";

const table = (input: Input, env: AuthorizationEnv): string | undefined => {
  const name = input.TableName ?? input.ResourceArn;
  if (!name) return undefined;
  const base = String(name).startsWith("arn:") ? String(name) : `arn:aws:dynamodb:${env.region}:${env.account}:table/${name}`;
  return input.IndexName ? `${base}/index/${input.IndexName}` : base;
};

/** The partition key value(s) of the item(s) an operation names, from the table's key schema. */
async function leadingKeys(input: Input, env: AuthorizationEnv): Promise<string[] | undefined> {
  if (!input.TableName || String(input.TableName).startsWith("arn:")) return undefined;
  const record = (await env.store.get<TableRecord>(["table", input.TableName])).value;
  if (!record) return undefined;
  const item = input.Key ?? input.Item;
  const value = item?.[record.hash];
  if (value && typeof value === "object") {
    const v = value.S ?? value.N ?? value.B;
    if (v !== undefined) return [typeof v === "string" ? v : String(v)];
  }
  // Query: the partition key's equality in the key condition's values.
  if (input.KeyConditionExpression && input.ExpressionAttributeValues) {
    const names = input.ExpressionAttributeNames ?? {};
    const hashRef = Object.entries(names).find(([, n]) => n === record.hash)?.[0] ?? record.hash;
    const m = new RegExp(`${hashRef.replace(/[#.]/g, "\\$&")}\\s*=\\s*(:[A-Za-z0-9_]+)`).exec(input.KeyConditionExpression);
    const v = m ? input.ExpressionAttributeValues[m[1]] : undefined;
    if (v) return [String(v.S ?? v.N ?? v.B)];
  }
  return undefined;
}

const attributes = (input: Input): string[] | undefined => {
  if (input.Item) return Object.keys(input.Item);
  if (input.AttributesToGet) return input.AttributesToGet;
  return undefined;
};

const itemOp: OperationAuthorization = {
  context: {
    "dynamodb:LeadingKeys": leadingKeys,
    "dynamodb:Attributes": attributes,
    "dynamodb:Select": "Select",
    "dynamodb:ReturnValues": "ReturnValues",
    "dynamodb:ReturnConsumedCapacity": "ReturnConsumedCapacity",
  },
};

/** Every table a batch or transaction names. */
const batchTables = (member: string) => (input: Input, env: AuthorizationEnv) =>
  Object.keys(input[member] ?? {}).map((name) => (name.startsWith("arn:") ? name : `arn:aws:dynamodb:${env.region}:${env.account}:table/${name}`));
const transactTables = (kind: "get" | "write") => (input: Input, env: AuthorizationEnv) => {
  const out = new Set<string>();
  for (const entry of input.TransactItems ?? []) {
    for (const part of Object.values(entry ?? {}) as { TableName?: string }[]) {
      if (part?.TableName) out.add(part.TableName.startsWith("arn:") ? part.TableName : `arn:aws:dynamodb:${env.region}:${env.account}:table/${part.TableName}`);
    }
  }
  void kind;
  return [...out];
};

export const dynamodbAuthorization: AuthorizationMap = {
  prefix: "dynamodb",
  resource: table,
  operations: {
    GetItem: itemOp,
    PutItem: itemOp,
    UpdateItem: itemOp,
    DeleteItem: itemOp,
    Query: itemOp,
    Scan: { context: { "dynamodb:Select": "Select", "dynamodb:Attributes": attributes } },
    BatchGetItem: { resource: batchTables("RequestItems") },
    BatchWriteItem: { resource: batchTables("RequestItems") },
    TransactGetItems: { action: "GetItem", resource: transactTables("get") },
    TransactWriteItems: { action: "PutItem", resource: transactTables("write") },
    ListTables: { resource: "*" },
    ListBackups: { resource: "*" },
    ListGlobalTables: { resource: "*" },
    ListExports: { resource: "*" },
    ListImports: { resource: "*" },
    DescribeLimits: { resource: "*" },
    DescribeEndpoints: { none: true },
    ExecuteStatement: { action: "PartiQLSelect", resource: "*" },
    BatchExecuteStatement: { action: "PartiQLSelect", resource: "*" },
    ExecuteTransaction: { action: "PartiQLSelect", resource: "*" },
    CreateTable: { tags: "Tags" },
    TagResource: { tags: "Tags" },
    ListTagsOfResource: { resource: (input) => input.ResourceArn },
    UntagResource: { resource: (input) => input.ResourceArn },
    DescribeBackup: { resource: (input) => input.BackupArn },
    DeleteBackup: { resource: (input) => input.BackupArn },
    RestoreTableFromBackup: { resource: (input, env) => `arn:aws:dynamodb:${env.region}:${env.account}:table/${input.TargetTableName}` },
    DescribeExport: { resource: (input) => input.ExportArn },
    ExportTableToPointInTime: { resource: (input) => input.TableArn },
  },
};
