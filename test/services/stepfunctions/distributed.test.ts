/**
 * Distributed Map: items read from fetchstack's S3 (JSON, CSV, a listing), ItemBatcher, child
 * executions with their own history (ListExecutions by mapRunArn), tolerated failures, and the
 * map run's record through DescribeMapRun, ListMapRuns and UpdateMapRun.
 */
import { describe, expect, it } from "vitest";
import {
  SFNClient, CreateStateMachineCommand, StartExecutionCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, DescribeMapRunCommand,
  ListMapRunsCommand, ListExecutionsCommand, UpdateMapRunCommand,
} from "@aws-sdk/client-sfn";
import { S3Client, CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";

const ROLE = "arn:aws:iam::000000000000:role/sfn";

describe("Distributed Map", () => {
  const emulator = createEmulator({ clock: createManualClock() });
  const sfn = new SFNClient(inProcess(emulator));
  const s3 = new S3Client({ ...inProcess(emulator), forcePathStyle: true });
  let n = 0;
  const start = async (definition: unknown, input: unknown = {}) => {
    const arn = (await sfn.send(new CreateStateMachineCommand({ name: `d${++n}`, definition: JSON.stringify(definition), roleArn: ROLE }))).stateMachineArn!;
    const s = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(input) }));
    await emulator.settled();
    return s.executionArn!;
  };
  const distributed = (states: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    StartAt: "Map", States: { Map: { Type: "Map", ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }, StartAt: "Do", States: states }, End: true, ...extra } },
  });

  it("reads a JSON array from S3, batches it, runs child executions and records the map run", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "items" }));
    await s3.send(new PutObjectCommand({ Bucket: "items", Key: "list.json", Body: JSON.stringify([1, 2, 3, 4, 5]) }));
    const exec = await start(distributed(
      { Do: { Type: "Pass", Parameters: { "count.$": "States.ArrayLength($.Items)", "tag.$": "$.BatchInput.tag" }, End: true } },
      { ItemReader: { Resource: "arn:aws:states:::s3:getObject", ReaderConfig: { InputType: "JSON" }, Parameters: { Bucket: "items", Key: "list.json" } },
        ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { tag: "t" } }, MaxConcurrency: 2, Label: "Batches" },
    ));
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: exec }));
    expect(d.status, d.cause).toBe("SUCCEEDED");
    expect(JSON.parse(d.output!)).toEqual([{ count: 2, tag: "t" }, { count: 2, tag: "t" }, { count: 1, tag: "t" }]);
    const types = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: exec }))).events!.map((e) => e.type);
    expect(types).toEqual(["ExecutionStarted", "MapStateEntered", "MapRunStarted", "MapRunSucceeded", "MapStateExited", "ExecutionSucceeded"]);
    const runs = await sfn.send(new ListMapRunsCommand({ executionArn: exec }));
    expect(runs.mapRuns).toHaveLength(1);
    const mapRunArn = runs.mapRuns![0]!.mapRunArn!;
    expect(mapRunArn).toMatch(/^arn:aws:states:us-east-1:000000000000:mapRun:d\d+\/Batches:[0-9a-f-]{36}$/);
    const described = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
    expect(described).toMatchObject({
      executionArn: exec, status: "SUCCEEDED", maxConcurrency: 2,
      itemCounts: { total: 5, succeeded: 5, failed: 0, pending: 0 }, executionCounts: { total: 3, succeeded: 3 },
    });
    const children = await sfn.send(new ListExecutionsCommand({ mapRunArn }));
    expect(children.executions).toHaveLength(3);
    const child = children.executions![0]!;
    const childHistory = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: child.executionArn }))).events!.map((e) => e.type);
    expect(childHistory).toEqual(["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]);
    await expect(sfn.send(new UpdateMapRunCommand({ mapRunArn, maxConcurrency: 1 }))).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("reads CSV rows with their header and object listings", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "items", Key: "rows.csv", Body: 'name,qty\nnut,"2"\nbolt,3\n' }));
    const csv = await start(distributed({ Do: { Type: "Pass", End: true } },
      { ItemReader: { Resource: "arn:aws:states:::s3:getObject", ReaderConfig: { InputType: "CSV", CSVHeaderLocation: "FIRST_ROW" }, Parameters: { Bucket: "items", Key: "rows.csv" } } }));
    expect(JSON.parse((await sfn.send(new DescribeExecutionCommand({ executionArn: csv }))).output!)).toEqual([{ name: "nut", qty: "2" }, { name: "bolt", qty: "3" }]);
    const listed = await start(distributed({ Do: { Type: "Pass", OutputPath: "$.Key", End: true } },
      { ItemReader: { Resource: "arn:aws:states:::s3:listObjectsV2", Parameters: { Bucket: "items" } } }));
    expect(JSON.parse((await sfn.send(new DescribeExecutionCommand({ executionArn: listed }))).output!)).toEqual(["list.json", "rows.csv"]);
    const missing = await start(distributed({ Do: { Type: "Pass", End: true } },
      { ItemReader: { Resource: "arn:aws:states:::s3:getObject", Parameters: { Bucket: "items", Key: "nope.json" } } }));
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn: missing }))).toMatchObject({ status: "FAILED", error: "States.ItemReaderFailed" });
  });

  it("tolerates failures up to ToleratedFailureCount, then fails the map run", async () => {
    const failing = { Do: { Type: "Choice", Choices: [{ Variable: "$", NumericGreaterThan: 2, Next: "Bad" }], Default: "Good" }, Good: { Type: "Succeed" }, Bad: { Type: "Fail", Error: "TooBig" } };
    const ok = await start(distributed(failing, { ToleratedFailureCount: 2 }), [1, 2, 3, 4]);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: ok }));
    expect(d.status).toBe("SUCCEEDED");
    expect(JSON.parse(d.output!)).toEqual([1, 2, null, null]);
    const bad = await start(distributed(failing, { ToleratedFailureCount: 1 }), [1, 2, 3, 4]);
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn: bad }))).toMatchObject({ status: "FAILED", error: "States.ExceedToleratedFailureThreshold" });
    const mapRunArn = (await sfn.send(new ListMapRunsCommand({ executionArn: bad }))).mapRuns![0]!.mapRunArn!;
    expect(await sfn.send(new DescribeMapRunCommand({ mapRunArn }))).toMatchObject({ status: "FAILED", itemCounts: { failed: 2, succeeded: 2, total: 4 }, toleratedFailureCount: 1 });
    const types = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: bad }))).events!.map((e) => e.type);
    expect(types).toEqual(["ExecutionStarted", "MapStateEntered", "MapRunStarted", "MapRunFailed", "ExecutionFailed"]);
  });
});
