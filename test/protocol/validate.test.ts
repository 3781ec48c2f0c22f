import { describe, expect, it } from "vitest";
import { compilePattern, validateInput, validationMessage } from "../../src/protocol/validate.ts";
import { jsonCodec } from "../../src/protocol/json.ts";
import { captureRequest, captures, incomingFrom, loadModel } from "./json-incoming.ts";

const ddb = loadModel("dynamodb");
const sqs = loadModel("sqs");
const firehose = loadModel("firehose");
const memorydb = loadModel("memorydb");

function message(model: typeof ddb, shape: string, input: unknown): string {
  return validationMessage(validateInput(model, { shape }, input));
}

describe("validateInput: AWS's constraint messages", () => {
  it("required members: Value null at the lowerCamel path", () => {
    expect(message(ddb, "CreateTableInput", { KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }] })).toBe(
      "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null",
    );
    expect(validateInput(ddb, { shape: "GetItemInput" }, { TableName: "t" })).toEqual([
      { path: "key", value: "null", constraint: "Member must not be null" },
    ]);
  });

  it("list elements are `<list>.<n>.member.<field>`, 1-based; several failures are counted and joined", () => {
    expect(
      message(ddb, "CreateTableInput", {
        TableName: "t",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "SORT" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk" }],
      }),
    ).toBe(
      "2 validation errors detected: " +
        "Value null at 'attributeDefinitions.2.member.attributeType' failed to satisfy constraint: Member must not be null; " +
        "Value 'SORT' at 'keySchema.2.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]",
    );
  });

  it("enum sets are printed sorted, as DynamoDB does ([B, N, S])", () => {
    expect(validateInput(ddb, { shape: "AttributeDefinition" }, { AttributeName: "a", AttributeType: "INVALID" })).toEqual([
      { path: "attributeType", value: "'INVALID'", constraint: "Member must satisfy enum value set: [B, N, S]" },
    ]);
  });

  it("number ranges", () => {
    expect(message(ddb, "ListTablesInput", { Limit: 200 })).toBe(
      "1 validation error detected: Value '200' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
    expect(message(ddb, "ListTablesInput", { Limit: 0 })).toBe(
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it("string patterns and lengths, pattern first for one value", () => {
    expect(validateInput(ddb, { shape: "ListTablesInput" }, { ExclusiveStartTableName: "a;" })).toEqual([
      { path: "exclusiveStartTableName", value: "'a;'", constraint: "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+" },
      { path: "exclusiveStartTableName", value: "'a;'", constraint: "Member must have length greater than or equal to 3" },
    ]);
    expect(message(ddb, "ListTablesInput", { ExclusiveStartTableName: "x".repeat(256) })).toBe(
      `1 validation error detected: Value '${"x".repeat(256)}' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length less than or equal to 255`,
    );
    expect(message(firehose, "DescribeDeliveryStreamInput", { DeliveryStreamName: "bad name!" })).toBe(
      "1 validation error detected: Value 'bad name!' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    );
  });

  it("collections: empty lists and map values say `length`, map values are `<map>.<key>.member`", () => {
    expect(message(ddb, "BatchWriteItemInput", { RequestItems: { MyTable: [] } })).toBe(
      "1 validation error detected: Value '[]' at 'requestItems.MyTable.member' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const tooMany = Array.from({ length: 26 }, (_, i) => ({ DeleteRequest: { Key: { pk: { S: String(i) } } } }));
    const [failure] = validateInput(ddb, { shape: "BatchWriteItemInput" }, { RequestItems: { t: tooMany } });
    expect(failure!.path).toBe("requestItems.t.member");
    expect(failure!.constraint).toBe("Member must have length less than or equal to 25");
    expect(failure!.value.startsWith("'[{DeleteRequest={Key={pk={S=0}}}}, ")).toBe(true);
  });

  it("blobs are measured in bytes and printed the Java way", () => {
    const shape = Object.entries(firehose.shapes).find(([, s]) => s.type === "blob" && s.min === 0 && s.max)?.[0];
    expect(shape).toBeDefined();
    const max = firehose.shapes[shape!]!.max!;
    const data = new Uint8Array(max + 1);
    expect(validateInput(firehose, { shape: shape! }, data)).toEqual([
      { path: "", value: `'java.nio.HeapByteBuffer[pos=0 lim=${max + 1} cap=${max + 1}]'`, constraint: `Member must have length less than or equal to ${max}` },
    ]);
  });

  it("Java-only pattern syntax: POSIX classes are translated, uncompilable patterns are skipped", () => {
    const print = compilePattern("\\p{Print}+")!;
    expect(print.test("Scaling policy 1")).toBe(true);
    expect(print.test("tab\there")).toBe(false);
    expect(compilePattern("a*+b")).toBeNull();
    expect(compilePattern("[\\w+=,.@:\\/-]*")!.test("user@example.com")).toBe(true);
    expect(compilePattern("[A-Za-z0-9][A-Za-z0-9\\-\\_\\.]{0,126}[A-Za-z0-9]")!.test("rule-1")).toBe(true);
  });

  it("every captured client request validates cleanly", async () => {
    const models: Record<string, typeof ddb> = { DynamoDB_20120810: ddb, AmazonSQS: sqs, Firehose_20150804: firehose, AmazonMemoryDB: memorydb };
    const all = ["boto3.jsonl", "js-sdk-v3.jsonl", "awscli-v1.jsonl", "awscli-v2.jsonl"].flatMap(captures);
    let checked = 0;
    for (const c of all) {
      const target = c.request.headers.find(([k]) => k.toLowerCase() === "x-amz-target")?.[1];
      if (!target) continue;
      const model = models[target.split(".")[0]!]!;
      const { operation, input } = await jsonCodec.parse(incomingFrom(captureRequest(c), model));
      expect(validateInput(model, operation.input!, input), c.op).toEqual([]);
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("pluralises the count", () => {
    const failures = [
      { path: "a", value: "null", constraint: "Member must not be null" },
      { path: "b", value: "'x'", constraint: "Member must have length greater than or equal to 3" },
      { path: "c", value: "null", constraint: "Member must not be null" },
    ];
    expect(validationMessage(failures.slice(0, 1))).toBe("1 validation error detected: Value null at 'a' failed to satisfy constraint: Member must not be null");
    expect(validationMessage(failures)).toMatch(/^3 validation errors detected: Value null at 'a' .*; Value 'x' at 'b' .*; Value null at 'c' /);
  });
});
