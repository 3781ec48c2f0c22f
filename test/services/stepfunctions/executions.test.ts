/**
 * Executions through @aws-sdk/client-sfn in-process on a manual clock: a table of state
 * machines covering every state type and both query languages, each checked against its output
 * (or error) and its exact history (event types in order, previousEventId chain); Wait states,
 * retries and timeouts move with the clock; StartExecution name idempotency, StopExecution,
 * ListExecutions and GetExecutionHistory paging.
 */
import { describe, expect, it } from "vitest";
import {
  SFNClient, CreateStateMachineCommand, StartExecutionCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand,
  StopExecutionCommand, DescribeStateMachineForExecutionCommand, RedriveExecutionCommand, type HistoryEvent,
} from "@aws-sdk/client-sfn";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess, STORES } from "../../helpers/clients.ts";

const ROLE = "arn:aws:iam::000000000000:role/sfn";
const START = Date.UTC(2026, 0, 1);

interface Case {
  name: string;
  definition: Record<string, unknown>;
  input?: unknown;
  /** Milliseconds to move the clock after starting. */
  advance?: number;
  status: string;
  output?: unknown;
  error?: string;
  cause?: string | RegExp;
  events: string[];
}

const pass = (extra: Record<string, unknown> = {}) => ({ Type: "Pass", End: true, ...extra });

const CASES: Case[] = [
  {
    name: "Pass with Result, ResultPath, InputPath, Parameters and OutputPath",
    definition: { StartAt: "A", States: {
      A: { Type: "Pass", Result: { x: 1 }, ResultPath: "$.r", Next: "B" },
      B: { Type: "Pass", InputPath: "$.r", Parameters: { "y.$": "$.x", "ctx.$": "$$.State.Name", lit: "z" }, ResultPath: "$.p", OutputPath: "$.p", End: true },
    } },
    input: { a: 1 },
    status: "SUCCEEDED", output: { y: 1, ctx: "B", lit: "z" },
    events: ["ExecutionStarted", "PassStateEntered", "PassStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"],
  },
  {
    name: "intrinsic functions",
    definition: { StartAt: "A", States: { A: pass({ Parameters: {
      "f.$": "States.Format('Hello, {} {}!', $.first, $.n)",
      "j.$": "States.StringToJson($.json)",
      "s.$": "States.JsonToString($.obj)",
      "arr.$": "States.Array(1, 'two', $.n)",
      "part.$": "States.ArrayPartition(States.ArrayRange(1, 5, 1), 2)",
      "has.$": "States.ArrayContains($.list, 2)",
      "item.$": "States.ArrayGetItem($.list, 1)",
      "len.$": "States.ArrayLength($.list)",
      "uniq.$": "States.ArrayUnique($.dups)",
      "b64.$": "States.Base64Encode('abc')",
      "dec.$": "States.Base64Decode('YWJj')",
      "hash.$": "States.Hash('abc', 'SHA-256')",
      "merged.$": "States.JsonMerge($.obj, $.more, false)",
      "sum.$": "States.MathAdd($.n, -2)",
      "split.$": "States.StringSplit('a,b,,c', ',')",
      "uuidLen.$": "States.ArrayLength(States.StringSplit(States.UUID(), '-'))",
    } }) } },
    input: { first: "Ada", n: 7, json: '{"k":[1]}', obj: { a: 1 }, more: { b: 2 }, list: [1, 2, 3], dups: [1, 1, "x", "x"] },
    status: "SUCCEEDED",
    output: {
      f: "Hello, Ada 7!", j: { k: [1] }, s: '{"a":1}', arr: [1, "two", 7], part: [[1, 2], [3, 4], [5]], has: true, item: 2, len: 3,
      uniq: [1, "x"], b64: "YWJj", dec: "abc", hash: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      merged: { a: 1, b: 2 }, sum: 5, split: ["a", "b", "c"], uuidLen: 5,
    },
    events: ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"],
  },
  {
    name: "Choice with every kind of operator, And/Or/Not and Default",
    definition: { StartAt: "C", States: {
      C: { Type: "Choice", Choices: [
        { Variable: "$.s", StringEquals: "nope", Next: "Bad" },
        { And: [
          { Variable: "$.s", StringMatches: "ab*z" },
          { Variable: "$.s", StringGreaterThanEquals: "aa" },
          { Variable: "$.n", NumericGreaterThan: 1 },
          { Variable: "$.n", NumericLessThanEqualsPath: "$.max" },
          { Variable: "$.b", BooleanEquals: true },
          { Variable: "$.t", TimestampLessThan: "2030-01-01T00:00:00Z" },
          { Variable: "$.t", IsTimestamp: true },
          { Variable: "$.missing", IsPresent: false },
          { Variable: "$.nul", IsNull: true },
          { Variable: "$.n", IsNumeric: true },
          { Variable: "$.s", IsString: true },
          { Variable: "$.b", IsBoolean: true },
          { Not: { Variable: "$.s", StringEqualsPath: "$.other" } },
          { Or: [{ Variable: "$.n", NumericEquals: 100 }, { Variable: "$.n", NumericGreaterThanEquals: 5 }] },
        ], Next: "Good" },
      ], Default: "Bad" },
      Good: { Type: "Succeed" },
      Bad: { Type: "Fail", Error: "Wrong", Cause: "took the wrong branch" },
    } },
    input: { s: "abcz", n: 5, max: 5, b: true, t: "2026-05-01T10:00:00Z", nul: null, other: "x" },
    status: "SUCCEEDED", output: { s: "abcz", n: 5, max: 5, b: true, t: "2026-05-01T10:00:00Z", nul: null, other: "x" },
    events: ["ExecutionStarted", "ChoiceStateEntered", "ChoiceStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"],
  },
  {
    name: "Choice without a match fails with States.NoChoiceMatched",
    definition: { StartAt: "C", States: { C: { Type: "Choice", Choices: [{ Variable: "$.n", NumericEquals: 1, Next: "D" }] }, D: { Type: "Succeed" } } },
    input: { n: 2 },
    status: "FAILED", error: "States.NoChoiceMatched", cause: /No Matches!/,
    events: ["ExecutionStarted", "ChoiceStateEntered", "ExecutionFailed"],
  },
  {
    name: "Wait in all four forms, on the clock",
    definition: { StartAt: "W1", States: {
      W1: { Type: "Wait", Seconds: 10, Next: "W2" },
      W2: { Type: "Wait", SecondsPath: "$.secs", Next: "W3" },
      W3: { Type: "Wait", Timestamp: "2026-01-01T00:01:00Z", Next: "W4" },
      W4: { Type: "Wait", TimestampPath: "$.until", End: true },
    } },
    input: { secs: 20, until: "2026-01-01T00:02:00Z" },
    advance: 120_000,
    status: "SUCCEEDED", output: { secs: 20, until: "2026-01-01T00:02:00Z" },
    events: ["ExecutionStarted", "WaitStateEntered", "WaitStateExited", "WaitStateEntered", "WaitStateExited", "WaitStateEntered", "WaitStateExited",
      "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"],
  },
  {
    name: "Fail with ErrorPath and CausePath",
    definition: { StartAt: "F", States: { F: { Type: "Fail", ErrorPath: "$.e", CausePath: "States.Format('because {}', $.why)" } } },
    input: { e: "Custom.Error", why: "reasons" },
    status: "FAILED", error: "Custom.Error", cause: "because reasons",
    events: ["ExecutionStarted", "FailStateEntered", "ExecutionFailed"],
  },
  {
    name: "Parallel with ResultSelector and a Map over items with ItemSelector",
    definition: { StartAt: "P", States: {
      P: { Type: "Parallel", Branches: [
        { StartAt: "B1", States: { B1: pass({ Result: 1 }) } },
        { StartAt: "B2", States: { B2: pass({ Result: 2 }) } },
      ], ResultSelector: { "first.$": "$[0]", "second.$": "$[1]" }, ResultPath: "$.par", Next: "M" },
      M: { Type: "Map", ItemsPath: "$.items", MaxConcurrency: 1, ItemSelector: { "i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value", "tag.$": "$.tag" },
        ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "I", States: { I: pass({ Parameters: { "out.$": "States.Format('{}-{}', $.tag, $.v)" } }) } },
        ResultPath: "$.mapped", End: true },
    } },
    input: { items: ["a", "b"], tag: "t" },
    status: "SUCCEEDED", output: { items: ["a", "b"], tag: "t", par: { first: 1, second: 2 }, mapped: [{ out: "t-a" }, { out: "t-b" }] },
    events: ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted", "PassStateEntered", "PassStateEntered", "PassStateExited", "PassStateExited",
      "ParallelStateSucceeded", "ParallelStateExited", "MapStateEntered", "MapStateStarted",
      "MapIterationStarted", "PassStateEntered", "PassStateExited", "MapIterationSucceeded",
      "MapIterationStarted", "PassStateEntered", "PassStateExited", "MapIterationSucceeded",
      "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"],
  },
  {
    name: "a failing Parallel branch caught by States.ALL, error placed at ResultPath",
    definition: { StartAt: "P", States: {
      P: { Type: "Parallel", Branches: [{ StartAt: "X", States: { X: { Type: "Fail", Error: "Boom", Cause: "bad" } } }],
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.err", Next: "After" }], End: true },
      After: pass(),
    } },
    input: { k: 1 },
    status: "SUCCEEDED", output: { k: 1, err: { Error: "Boom", Cause: "bad" } },
    events: ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted", "FailStateEntered", "ParallelStateFailed", "ParallelStateExited",
      "PassStateEntered", "PassStateExited", "ExecutionSucceeded"],
  },
  {
    name: "a failing Parallel branch stops its waiting sibling at once",
    definition: { StartAt: "P", States: {
      P: { Type: "Parallel", Branches: [
        { StartAt: "Slow", States: { Slow: { Type: "Wait", Seconds: 3600, Next: "Never" }, Never: pass() } },
        { StartAt: "Boom", States: { Boom: { Type: "Fail", Error: "Boom" } } },
      ], End: true },
    } },
    status: "FAILED", error: "Boom",
    events: ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted", "WaitStateEntered", "FailStateEntered", "ParallelStateFailed", "ExecutionFailed"],
  },
  {
    name: "a failing Map iteration aborts the others (MapIterationAborted)",
    definition: { StartAt: "M", States: {
      M: { Type: "Map", ItemProcessor: { StartAt: "C", States: {
        C: { Type: "Choice", Choices: [{ Variable: "$", NumericEquals: 0, Next: "Bad" }], Default: "Wait" },
        Bad: { Type: "Fail", Error: "Zero" },
        Wait: { Type: "Wait", Seconds: 600, End: true },
      } }, End: true },
    } },
    input: [1, 0],
    status: "FAILED", error: "Zero",
    events: ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapIterationStarted", "ChoiceStateEntered", "MapIterationStarted", "ChoiceStateEntered",
      "ChoiceStateExited", "ChoiceStateExited", "WaitStateEntered", "FailStateEntered", "MapIterationFailed", "MapIterationAborted", "MapStateFailed", "ExecutionFailed"],
  },
  {
    name: "Map retried on failure then caught",
    definition: { StartAt: "M", States: {
      M: { Type: "Map", ItemProcessor: { StartAt: "F", States: { F: { Type: "Fail", Error: "Item.Failed" } } },
        Retry: [{ ErrorEquals: ["Item.Failed"], IntervalSeconds: 2, MaxAttempts: 1 }],
        Catch: [{ ErrorEquals: ["States.TaskFailed"], Next: "Handled" }], End: true },
      Handled: pass(),
    } },
    input: [1],
    advance: 2_000,
    status: "SUCCEEDED", output: { Error: "Item.Failed", Cause: "" },
    events: ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapIterationStarted", "FailStateEntered", "MapIterationFailed", "MapStateFailed",
      "MapStateStarted", "MapIterationStarted", "FailStateEntered", "MapIterationFailed", "MapStateFailed", "MapStateExited",
      "PassStateEntered", "PassStateExited", "ExecutionSucceeded"],
  },
  {
    name: "a JSONPath miss in InputPath fails with States.Runtime",
    definition: { StartAt: "A", States: { A: pass({ InputPath: "$.missing" }) } },
    input: {},
    status: "FAILED", error: "States.Runtime", cause: /^An error occurred while executing the state 'A' \(entered at the event id #2\)\. Invalid path '\$\.missing'/,
    events: ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"],
  },
  {
    name: "JSONata: Assign variables, Output, Choice Condition, Wait Seconds expression, Map Items",
    definition: { QueryLanguage: "JSONata", StartAt: "Init", States: {
      Init: { Type: "Pass", Assign: { total: "{% $sum($states.input.prices) %}", who: "{% $states.input.user %}" }, Next: "Check" },
      Check: { Type: "Choice", Choices: [{ Condition: "{% $total > 10 %}", Next: "Big", Assign: { size: "big" } }], Default: "Small" },
      Big: { Type: "Wait", Seconds: "{% $count($states.input.prices) %}", Next: "Each" },
      Small: { Type: "Fail", Error: "Small" },
      Each: { Type: "Map", Items: "{% $states.input.prices %}", ItemProcessor: { StartAt: "Double", States: {
        Double: { Type: "Pass", Output: "{% $states.input * 2 %}", End: true } } }, Next: "Done" },
      Done: { Type: "Pass", Output: { who: "{% $uppercase($who) %}", total: "{% $total %}", size: "{% $size %}", doubled: "{% $states.input %}",
        hash: "{% $hash('abc', 'MD5') %}", parts: "{% $partition([1,2,3], 2) %}" }, End: true },
    } },
    input: { prices: [4, 8], user: "ada" },
    advance: 2_000,
    status: "SUCCEEDED",
    output: { who: "ADA", total: 12, size: "big", doubled: [8, 16], hash: "900150983cd24fb0d6963f7d28e17f72", parts: [[1, 2], [3]] },
    events: ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ChoiceStateEntered", "ChoiceStateExited", "WaitStateEntered", "WaitStateExited",
      "MapStateEntered", "MapStateStarted", "MapIterationStarted", "PassStateEntered", "MapIterationStarted", "PassStateEntered", "PassStateExited",
      "PassStateExited", "MapIterationSucceeded", "MapIterationSucceeded", "MapStateSucceeded", "MapStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"],
  },
  {
    name: "JSONata: a failing expression is States.QueryEvaluationError, caught with $states.errorOutput",
    definition: { QueryLanguage: "JSONata", StartAt: "P", States: {
      P: { Type: "Parallel", Branches: [{ StartAt: "Bad", States: { Bad: { Type: "Pass", Output: "{% $notAFunction() %}", End: true } } }],
        Catch: [{ ErrorEquals: ["States.QueryEvaluationError"], Output: { caught: "{% $states.errorOutput.Error %}" }, Next: "Ok" }], End: true },
      Ok: { Type: "Succeed" },
    } },
    status: "SUCCEEDED", output: { caught: "States.QueryEvaluationError" },
    events: ["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted", "PassStateEntered", "ParallelStateFailed", "ParallelStateExited",
      "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"],
  },
  {
    name: "JSONPath variables with Assign and $var references",
    definition: { StartAt: "A", States: {
      A: { Type: "Pass", Assign: { "greeting.$": "$.g", fixed: 3 }, Next: "B" },
      B: { Type: "Pass", Parameters: { "msg.$": "States.Format('{} x{}', $greeting, $fixed)" }, End: true },
    } },
    input: { g: "hi" },
    status: "SUCCEEDED", output: { msg: "hi x3" },
    events: ["ExecutionStarted", "PassStateEntered", "PassStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"],
  },
  {
    name: "the machine's TimeoutSeconds times the execution out",
    definition: { TimeoutSeconds: 5, StartAt: "W", States: { W: { Type: "Wait", Seconds: 60, End: true } } },
    advance: 5_000,
    status: "TIMED_OUT", error: "States.Timeout",
    events: ["ExecutionStarted", "WaitStateEntered", "ExecutionTimedOut"],
  },
];

for (const store of STORES) {
  describe(`Step Functions executions, ${store.name}`, () => {
    const clock = createManualClock(START);
    const emulator = createEmulator({ store: store.make(), clock });
    const sfn = new SFNClient(inProcess(emulator));
    let n = 0;
    const machine = async (definition: unknown, type: "STANDARD" | "EXPRESS" = "STANDARD") =>
      (await sfn.send(new CreateStateMachineCommand({ name: `m${++n}`, definition: JSON.stringify(definition), roleArn: ROLE, type }))).stateMachineArn!;
    const history = async (executionArn: string) => (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;

    for (const c of CASES) {
      it(c.name, async () => {
        const arn = await machine(c.definition);
        const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(c.input ?? {}) }));
        await emulator.settled();
        if (c.advance) await clock.advance(c.advance);
        await emulator.settled();
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
        expect(d.status).toBe(c.status);
        if ("output" in c) expect(JSON.parse(d.output!)).toEqual(c.output);
        if (c.error !== undefined) expect(d.error).toBe(c.error);
        if (typeof c.cause === "string") expect(d.cause).toBe(c.cause);
        if (c.cause instanceof RegExp) expect(d.cause).toMatch(c.cause);
        const events = await history(started.executionArn!);
        expect(events.map((e) => e.type)).toEqual(c.events);
        expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
        expect(events[0]!.previousEventId).toBe(0);
        for (const e of events.slice(1)) expect(e.previousEventId).toBeLessThan(e.id!);
      });
    }

    it("writes AWS's event details", async () => {
      const arn = await machine({ StartAt: "A", States: { A: pass({ Result: "r" }) } });
      const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"in":1}' }));
      await emulator.settled();
      const events: HistoryEvent[] = await history(started.executionArn!);
      expect(events[0]).toMatchObject({
        id: 1, previousEventId: 0, type: "ExecutionStarted",
        executionStartedEventDetails: { input: '{"in":1}', inputDetails: { truncated: false }, roleArn: ROLE },
      });
      expect(events[0]!.timestamp).toEqual(new Date(clock.now()));
      expect(events[1]).toMatchObject({ id: 2, previousEventId: 1, type: "PassStateEntered", stateEnteredEventDetails: { name: "A", input: '{"in":1}', inputDetails: { truncated: false } } });
      expect(events[2]).toMatchObject({ id: 3, previousEventId: 2, type: "PassStateExited", stateExitedEventDetails: { name: "A", output: '"r"', outputDetails: { truncated: false } } });
      expect(events[3]).toMatchObject({ id: 4, previousEventId: 3, type: "ExecutionSucceeded", executionSucceededEventDetails: { output: '"r"', outputDetails: { truncated: false } } });
      // reverseOrder, paging, includeExecutionData=false.
      const reversed = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn, reverseOrder: true, maxResults: 3 }));
      expect(reversed.events!.map((e) => e.id)).toEqual([4, 3, 2]);
      const rest = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn, reverseOrder: true, maxResults: 3, nextToken: reversed.nextToken }));
      expect(rest.events!.map((e) => e.id)).toEqual([1]);
      const bare = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn, includeExecutionData: false }));
      expect(bare.events![1]!.stateEnteredEventDetails).toEqual({ name: "A" });
      const meta = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn, includedData: "METADATA_ONLY" }));
      expect(meta.status).toBe("SUCCEEDED");
      expect(meta.input).toBeUndefined();
      expect(meta.output).toBeUndefined();
      const sm = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: started.executionArn }));
      expect(sm).toMatchObject({ stateMachineArn: arn, definition: JSON.stringify({ StartAt: "A", States: { A: pass({ Result: "r" }) } }) });
    });

    it("retries with backoff on the clock", async () => {
      const arn = await machine({ StartAt: "P", States: {
        P: { Type: "Parallel", Branches: [{ StartAt: "F", States: { F: { Type: "Fail", Error: "Flaky" } } }],
          Retry: [{ ErrorEquals: ["Flaky"], IntervalSeconds: 3, BackoffRate: 2, MaxAttempts: 2 }], End: true },
      } });
      const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
      await emulator.settled();
      const count = async () => (await history(started.executionArn!)).filter((e) => e.type === "ParallelStateStarted").length;
      expect(await count()).toBe(1);
      await clock.advance(2_999);
      expect(await count()).toBe(1);
      await clock.advance(1);
      expect(await count()).toBe(2);
      await clock.advance(6_000);
      expect(await count()).toBe(3);
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
      expect(d).toMatchObject({ status: "FAILED", error: "Flaky" });
    });

    it("StartExecution is idempotent by name and input while running; other reuse is ExecutionAlreadyExists", async () => {
      const arn = await machine({ StartAt: "W", States: { W: { Type: "Wait", Seconds: 100, End: true } } });
      const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: "once", input: '{"a":1}' }));
      const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: "once", input: '{"a":1}' }));
      expect(again.executionArn).toBe(first.executionArn);
      expect(first.executionArn).toBe(arn.replace(":stateMachine:", ":execution:") + ":once");
      await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: "once", input: '{"a":2}' }))).rejects.toMatchObject({
        name: "ExecutionAlreadyExists", message: `Execution Already Exists: '${first.executionArn}'`,
      });
      await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: "{bad" }))).rejects.toMatchObject({ name: "InvalidExecutionInput" });
      await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: "has space" }))).rejects.toMatchObject({ name: "InvalidName" });
      await expect(sfn.send(new DescribeExecutionCommand({ executionArn: arn.replace(":stateMachine:", ":execution:") + ":nope" }))).rejects.toMatchObject({ name: "ExecutionDoesNotExist" });
    });

    it("StopExecution aborts a waiting execution; ListExecutions filters and pages", async () => {
      const arn = await machine({ StartAt: "W", States: { W: { Type: "Wait", Seconds: 100, End: true } } });
      const a = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: "a" }));
      await clock.advance(1_000);
      const b = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: "b" }));
      await emulator.settled();
      const stopped = await sfn.send(new StopExecutionCommand({ executionArn: a.executionArn, error: "Manual", cause: "operator" }));
      expect(stopped.stopDate).toEqual(new Date(clock.now()));
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: a.executionArn }));
      expect(d).toMatchObject({ status: "ABORTED", error: "Manual", cause: "operator", redriveStatus: "REDRIVABLE" });
      expect((await history(a.executionArn!)).map((e) => e.type)).toEqual(["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"]);
      const all = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
      expect(all.executions!.map((e) => [e.name, e.status])).toEqual([["b", "RUNNING"], ["a", "ABORTED"]]);
      const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: "RUNNING" }));
      expect(running.executions!.map((e) => e.name)).toEqual(["b"]);
      const paged = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1 }));
      expect(paged.executions).toHaveLength(1);
      expect(paged.nextToken).toBeDefined();
      await clock.advance(100_000);
      await emulator.settled();
      expect((await sfn.send(new DescribeExecutionCommand({ executionArn: b.executionArn }))).status).toBe("SUCCEEDED");
      // A stopped execution's Wait never resumes.
      expect((await history(a.executionArn!)).length).toBe(3);
    });

    it("RedriveExecution restarts a failed execution from the failed state", async () => {
      const arn = await machine({ StartAt: "A", States: {
        A: { Type: "Pass", Result: { ok: 1 }, Next: "W" },
        W: { Type: "Wait", Seconds: 1, Next: "F" },
        F: { Type: "Fail", Error: "Once" },
      } });
      const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
      await clock.advance(1_000);
      await emulator.settled();
      expect((await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }))).status).toBe("FAILED");
      const r = await sfn.send(new RedriveExecutionCommand({ executionArn: started.executionArn }));
      expect(r.redriveDate).toBeInstanceOf(Date);
      await emulator.settled();
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
      expect(d).toMatchObject({ status: "FAILED", redriveCount: 1 });
      const types = (await history(started.executionArn!)).map((e) => e.type);
      expect(types).toEqual(["ExecutionStarted", "PassStateEntered", "PassStateExited", "WaitStateEntered", "WaitStateExited", "FailStateEntered", "ExecutionFailed",
        "ExecutionRedriven", "FailStateEntered", "ExecutionFailed"]);
      const ok = await machine({ StartAt: "A", States: { A: pass() } });
      const done = await sfn.send(new StartExecutionCommand({ stateMachineArn: ok }));
      await emulator.settled();
      await expect(sfn.send(new RedriveExecutionCommand({ executionArn: done.executionArn }))).rejects.toMatchObject({ name: "ExecutionNotRedrivable" });
    });
  });
}
