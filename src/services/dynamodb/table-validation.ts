/**
 * CreateTable / UpdateTable checks that the model cannot express, with DynamoDB's messages
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html; the
 * wording is DynamoDB's as recorded by client projects and emulators tested against it).
 */
import { AwsError } from "../../protocol/errors.ts";
import type { KeySchemaElement, Projection } from "./table-model.ts";

const INVALID = "One or more parameter values were invalid: ";
const MAX_UNITS = 1_000_000_000_000;

export function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

interface ThroughputInput {
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export function checkThroughputBounds(t: ThroughputInput): void {
  if ((t.ReadCapacityUnits ?? 0) > MAX_UNITS) throw invalid(`Given value ${t.ReadCapacityUnits} for ReadCapacityUnits is out of bounds`);
  if ((t.WriteCapacityUnits ?? 0) > MAX_UNITS) throw invalid(`Given value ${t.WriteCapacityUnits} for WriteCapacityUnits is out of bounds`);
}

interface IndexInput {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection: Projection;
  ProvisionedThroughput?: ThroughputInput;
}

export interface CreateTableInput {
  TableName: string;
  AttributeDefinitions?: { AttributeName: string; AttributeType: "S" | "N" | "B" }[];
  KeySchema?: KeySchemaElement[];
  LocalSecondaryIndexes?: IndexInput[];
  GlobalSecondaryIndexes?: IndexInput[];
  BillingMode?: "PROVISIONED" | "PAY_PER_REQUEST";
  ProvisionedThroughput?: ThroughputInput;
}

/** Multi-attribute GSI keys: up to 4 partition and 4 sort attributes (tables and LSIs: 1 and 1). */
export const MAX_GSI_KEY_ATTRIBUTES = 4;

/**
 * A key schema's own shape rules. Tables and LSIs: HASH first, then at most one RANGE, distinct
 * names. A GSI (`gsi`): one to four HASH elements, then up to four RANGE elements, distinct
 * names (messages as DynamoDB answers them, recorded against the live service).
 */
export function checkKeySchema(schema: KeySchemaElement[], definitions: string[], gsi = false): void {
  const keys = schema.map((k) => k.AttributeName);
  if (keys.some((k) => !definitions.includes(k))) {
    throw invalid(`${INVALID}Some index key attributes are not defined in AttributeDefinitions. Keys: [${keys.join(", ")}], AttributeDefinitions: [${definitions.join(", ")}]`);
  }
  if (keys.length === 2 && keys[0] === keys[1]) throw invalid("Both the Hash Key and the Range Key element in the KeySchema have the same name");
  if (new Set(keys).size !== keys.length) throw invalid("The KeySchema contains multiple key attributes with the same name");
  if (schema[0]!.KeyType !== "HASH") throw invalid("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  if (!gsi) {
    if (schema[1] && schema[1].KeyType !== "RANGE") throw invalid("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    if (schema.length > 2) throw invalid(`${INVALID}The KeySchema exceeds the maximum allowed number of RANGE key attributes`);
    return;
  }
  const firstRange = schema.findIndex((k) => k.KeyType === "RANGE");
  if (firstRange >= 0 && schema.slice(firstRange).some((k) => k.KeyType === "HASH")) {
    throw invalid(`${INVALID}All HASH key attributes must precede RANGE key attributes in the KeySchema`);
  }
  const hashes = schema.filter((k) => k.KeyType === "HASH").length;
  if (hashes > MAX_GSI_KEY_ATTRIBUTES) throw invalid(`${INVALID}The KeySchema exceeds the maximum allowed number of HASH key attributes`);
  if (schema.length - hashes > MAX_GSI_KEY_ATTRIBUTES) throw invalid(`${INVALID}The KeySchema exceeds the maximum allowed number of RANGE key attributes`);
}

function checkProjection(index: IndexInput): void {
  const type = index.Projection.ProjectionType;
  if (type == null) throw invalid(`${INVALID}Unknown ProjectionType: null`);
  if (index.Projection.NonKeyAttributes && type !== "INCLUDE") {
    throw invalid(`${INVALID}ProjectionType is ${type}, but NonKeyAttributes is specified`);
  }
  if (type === "INCLUDE" && !index.Projection.NonKeyAttributes?.length) {
    throw invalid(`${INVALID}ProjectionType is INCLUDE, but NonKeyAttributes is not specified`);
  }
}

function nullMember(path: string): AwsError {
  return invalid(`1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`);
}

/** Checks billing mode against throughput (table or GSI). */
export function checkBilling(mode: string | undefined, throughput: ThroughputInput | undefined): void {
  if (mode === "PAY_PER_REQUEST") {
    if (throughput) throw invalid(`${INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST`);
    return;
  }
  if (!throughput || !throughput.ReadCapacityUnits || !throughput.WriteCapacityUnits) {
    throw invalid(`${INVALID}ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED`);
  }
  checkThroughputBounds(throughput);
}

export function checkCreateTable(input: CreateTableInput): void {
  if (!input.AttributeDefinitions) throw nullMember("attributeDefinitions");
  if (!input.KeySchema) throw nullMember("keySchema");
  checkBilling(input.BillingMode, input.ProvisionedThroughput);
  const defs = input.AttributeDefinitions.map((d) => d.AttributeName);
  const keys = input.KeySchema.map((k) => k.AttributeName);
  if (keys.length > defs.length) throw invalid("Invalid KeySchema: Some index key attribute have no definition");
  checkKeySchema(input.KeySchema, defs);
  if (new Set(defs).size !== defs.length) {
    const dup = defs.find((d, i) => defs.indexOf(d) !== i);
    throw invalid(`Attribute Name is duplicated: ${dup}`);
  }
  const lsis = input.LocalSecondaryIndexes;
  const gsis = input.GlobalSecondaryIndexes;
  if (!lsis && !gsis && keys.length !== defs.length) {
    throw invalid(`${INVALID}Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions`);
  }
  const names = new Set<string>();
  const used = new Set(keys);
  if (lsis) {
    if (!lsis.length) throw invalid(`${INVALID}List of LocalSecondaryIndexes is empty`);
    if (keys.length !== 2) throw invalid(`${INVALID}Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex`);
    for (const index of lsis) {
      checkKeySchema(index.KeySchema, defs);
      if (index.KeySchema.length !== 2) throw invalid(`${INVALID}Index KeySchema does not have a range key for index: ${index.IndexName}`);
      const hash = index.KeySchema[0]!.AttributeName;
      if (hash !== keys[0]) {
        throw invalid(`${INVALID}Index KeySchema does not have the same leading hash key as table KeySchema for index: ${index.IndexName}. index hash key: ${hash}, table hash key: ${keys[0]}`);
      }
      checkProjection(index);
      if (names.has(index.IndexName)) throw invalid(`${INVALID}Duplicate index name: ${index.IndexName}`);
      names.add(index.IndexName);
      for (const k of index.KeySchema) used.add(k.AttributeName);
    }
    if (lsis.length > 5) throw invalid(`${INVALID}Number of LocalSecondaryIndexes exceeds per-table limit of 5`);
  }
  if (gsis) {
    if (!gsis.length) throw invalid(`${INVALID}List of GlobalSecondaryIndexes is empty`);
    for (const index of gsis) {
      checkKeySchema(index.KeySchema, defs, true);
      checkProjection(index);
      if (input.BillingMode === "PAY_PER_REQUEST") {
        if (index.ProvisionedThroughput) {
          throw invalid(`${INVALID}ProvisionedThroughput should not be specified for index: ${index.IndexName} when BillingMode is PAY_PER_REQUEST`);
        }
      } else if (!index.ProvisionedThroughput) {
        throw invalid(`${INVALID}ProvisionedThroughput is not specified for index: ${index.IndexName}`);
      } else {
        checkThroughputBounds(index.ProvisionedThroughput);
      }
      if (names.has(index.IndexName)) throw invalid(`${INVALID}Duplicate index name: ${index.IndexName}`);
      names.add(index.IndexName);
      for (const k of index.KeySchema) used.add(k.AttributeName);
    }
    if (gsis.length > 20) throw invalid(`${INVALID}GlobalSecondaryIndex count exceeds the per-table limit of 20`);
  }
  if (defs.some((d) => !used.has(d))) {
    throw invalid(`${INVALID}Some AttributeDefinitions are not used. AttributeDefinitions: [${defs.join(", ")}], keys used: [${[...used].join(", ")}]`);
  }
}
