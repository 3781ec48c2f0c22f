/**
 * PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction) through the AWS SDK for
 * JavaScript v3 and lib-dynamodb's DocumentClient, in-process on each store and over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BatchExecuteStatementCommand, CreateTableCommand, DynamoDBClient, ExecuteStatementCommand, ExecuteTransactionCommand, GetItemCommand,
} from "@aws-sdk/client-dynamodb";
import { ExecuteStatementCommand as DocExecute, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { tableName, TRANSPORTS } from "./transports.ts";

for (const transport of TRANSPORTS) {
  describe(`DynamoDB PartiQL, ${transport.name}`, () => {
    let client: DynamoDBClient;
    let doc: DynamoDBDocumentClient;
    let close: () => Promise<void>;
    const t = tableName("pql");
    const run = (Statement: string, Parameters?: any[], extra: Record<string, unknown> = {}) =>
      client.send(new ExecuteStatementCommand({ Statement, ...(Parameters ? { Parameters } : {}), ...extra }));
    beforeAll(async () => {
      ({ client, doc, close } = await transport.setup());
      await client.send(new CreateTableCommand({
        TableName: t, BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }, { AttributeName: "g", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
        GlobalSecondaryIndexes: [{ IndexName: "byG", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } }],
      }));
      for (let i = 1; i <= 5; i++) {
        await run(`INSERT INTO "${t}" VALUE {'pk': 'user', 'sk': ?, 'name': ?, 'g': 'grp', 'tags': <<'a', 'b'>>, 'info': {'n': ${i}, 'l': [1, 'x']}}`, [{ N: String(i) }, { S: `n${i}` }]);
      }
    });
    afterAll(() => close());

    it("INSERT, then SELECT by key, with filters, projections, an index and paging", async () => {
      const one = await run(`SELECT * FROM "${t}" WHERE pk = 'user' AND sk = 2`);
      expect(one.Items).toEqual([{ pk: { S: "user" }, sk: { N: "2" }, name: { S: "n2" }, g: { S: "grp" }, tags: { SS: ["a", "b"] }, info: { M: { n: { N: "2" }, l: { L: [{ N: "1" }, { S: "x" }] } } } }]);
      const range = await run(`SELECT sk, info.n FROM "${t}" WHERE pk = ? AND sk BETWEEN 2 AND 4 AND name <> 'n3'`, [{ S: "user" }]);
      expect(range.Items).toEqual([{ sk: { N: "2" }, info: { M: { n: { N: "2" } } } }, { sk: { N: "4" }, info: { M: { n: { N: "4" } } } }]);
      const scan = await run(`SELECT name FROM "${t}" WHERE begins_with(name, 'n') AND info.n >= 4`);
      expect(scan.Items).toEqual([{ name: { S: "n4" } }, { name: { S: "n5" } }]);
      const index = await run(`SELECT sk FROM "${t}"."byG" WHERE g = 'grp' AND sk IN [1, 5]`);
      expect(index.Items!.map((i) => i.sk!.N).sort()).toEqual(["1", "5"]);
      const page1 = await run(`SELECT sk FROM "${t}" WHERE pk = 'user'`, undefined, { Limit: 2 });
      expect(page1.Items!.map((i) => i.sk!.N)).toEqual(["1", "2"]);
      const page2 = await run(`SELECT sk FROM "${t}" WHERE pk = 'user'`, undefined, { Limit: 10, NextToken: page1.NextToken });
      expect(page2.Items!.map((i) => i.sk!.N)).toEqual(["3", "4", "5"]);
      expect(page2.NextToken).toBeUndefined();
      const missing = await run(`SELECT * FROM "${t}" WHERE info IS MISSING`);
      expect(missing.Items).toEqual([]);
    });

    it("UPDATE SET/REMOVE with RETURNING, DELETE, and their errors", async () => {
      const upd = await run(`UPDATE "${t}" SET name = 'renamed' SET info.n = info.n + 10 REMOVE g SET tags = set_add(tags, <<'c'>>) WHERE pk = 'user' AND sk = 1 RETURNING ALL NEW *`);
      expect(upd.Items![0]).toMatchObject({ name: { S: "renamed" }, info: { M: { n: { N: "11" } } } });
      expect(upd.Items![0]!.g).toBeUndefined();
      expect(new Set(upd.Items![0]!.tags!.SS)).toEqual(new Set(["a", "b", "c"]));
      await expect(run(`UPDATE "${t}" SET name = 'x' WHERE pk = 'user' AND sk = 99`)).rejects.toMatchObject({ name: "ConditionalCheckFailedException" });
      await expect(run(`UPDATE "${t}" SET name = 'x' WHERE pk = 'user' AND sk = 1 AND name = 'other'`)).rejects.toMatchObject({ name: "ConditionalCheckFailedException" });
      await expect(run(`UPDATE "${t}" SET name = 'x' WHERE pk = 'user'`)).rejects.toMatchObject({
        name: "ValidationException", message: "Where clause does not contain a mandatory equality on all key attributes",
      });
      await expect(run(`INSERT INTO "${t}" VALUE {'pk': 'user', 'sk': 1}`)).rejects.toMatchObject({ name: "DuplicateItemException", message: "Duplicate primary key exists in table" });
      const del = await run(`DELETE FROM "${t}" WHERE pk = 'user' AND sk = 5 RETURNING ALL OLD *`);
      expect(del.Items![0]!.name).toEqual({ S: "n5" });
      expect((await client.send(new GetItemCommand({ TableName: t, Key: { pk: { S: "user" }, sk: { N: "5" } } }))).Item).toBeUndefined();
      await expect(run(`SELEC * FROM "${t}"`)).rejects.toMatchObject({ name: "ValidationException" });
      await expect(run(`SELECT * FROM "${t}" WHERE pk = ? AND sk = ?`, [{ S: "user" }])).rejects.toMatchObject({ name: "ValidationException", message: "Number of parameters in request and statement doesn't match." });
      await expect(run(`SELECT * FROM "${t}" WHERE pk = 'x' AND`)).rejects.toMatchObject({ name: "ValidationException", message: expect.stringContaining("Statement wasn't well formed") });
      await expect(run(`SELECT * FROM "no-such-table"`)).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    });

    it("DocumentClient parameters", async () => {
      const out = await doc.send(new DocExecute({ Statement: `SELECT name FROM "${t}" WHERE pk = ? AND sk = ?`, Parameters: ["user", 2] }));
      expect(out.Items).toEqual([{ name: "n2" }]);
    });

    it("BatchExecuteStatement answers per statement", async () => {
      const out = await client.send(new BatchExecuteStatementCommand({
        Statements: [
          { Statement: `INSERT INTO "${t}" VALUE {'pk': 'b', 'sk': 1}` },
          { Statement: `INSERT INTO "${t}" VALUE {'pk': 'user', 'sk': 2}` },
          { Statement: `UPDATE "${t}" SET v = 1 WHERE pk = 'user' AND sk = 3 AND name = 'nope'`, ReturnValuesOnConditionCheckFailure: "ALL_OLD" },
        ],
      }));
      expect(out.Responses![0]).toEqual({ TableName: t });
      expect(out.Responses![1]!.Error).toMatchObject({ Code: "DuplicateItem" });
      expect(out.Responses![2]!.Error).toMatchObject({ Code: "ConditionalCheckFailed", Item: { name: { S: "n3" } } });
      const reads = await client.send(new BatchExecuteStatementCommand({
        Statements: [{ Statement: `SELECT * FROM "${t}" WHERE pk = 'b' AND sk = 1` }, { Statement: `SELECT * FROM "${t}" WHERE pk = 'none' AND sk = 1` }],
      }));
      expect(reads.Responses).toEqual([{ TableName: t, Item: { pk: { S: "b" }, sk: { N: "1" } } }, { TableName: t }]);
    });

    it("ExecuteTransaction: all writes or none; reads in order", async () => {
      await client.send(new ExecuteTransactionCommand({
        TransactStatements: [
          { Statement: `INSERT INTO "${t}" VALUE {'pk': 'tx', 'sk': 1}` },
          { Statement: `UPDATE "${t}" SET flag = true WHERE pk = 'user' AND sk = 2` },
        ],
      }));
      const error = await client.send(new ExecuteTransactionCommand({
        TransactStatements: [
          { Statement: `INSERT INTO "${t}" VALUE {'pk': 'tx', 'sk': 2}` },
          { Statement: `INSERT INTO "${t}" VALUE {'pk': 'tx', 'sk': 1}` },
        ],
      })).catch((e) => e);
      expect(error.name).toBe("TransactionCanceledException");
      expect(error.CancellationReasons).toEqual([{ Code: "None" }, { Code: "DuplicateItem", Message: "Duplicate primary key exists in table" }]);
      const reads = await client.send(new ExecuteTransactionCommand({
        TransactStatements: [
          { Statement: `SELECT flag FROM "${t}" WHERE pk = 'user' AND sk = 2` },
          { Statement: `SELECT * FROM "${t}" WHERE pk = 'tx' AND sk = 2` },
        ],
      }));
      expect(reads.Responses).toEqual([{ Item: { flag: { BOOL: true } } }, {}]);
    });
  });
}
