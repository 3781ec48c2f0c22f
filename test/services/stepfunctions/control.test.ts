/**
 * Step Functions' control plane through @aws-sdk/client-sfn in-process: state machines,
 * definition validation with AWS's diagnostics, versions, aliases, tags and activities, and
 * the errors AWS answers for bad input. Every store of STORES.
 */
import { describe, expect, it } from "vitest";
import {
  SFNClient, CreateStateMachineCommand, DescribeStateMachineCommand, ListStateMachinesCommand, UpdateStateMachineCommand,
  DeleteStateMachineCommand, ValidateStateMachineDefinitionCommand, PublishStateMachineVersionCommand, ListStateMachineVersionsCommand,
  DeleteStateMachineVersionCommand, CreateStateMachineAliasCommand, DescribeStateMachineAliasCommand, ListStateMachineAliasesCommand,
  UpdateStateMachineAliasCommand, DeleteStateMachineAliasCommand, TagResourceCommand, UntagResourceCommand, ListTagsForResourceCommand,
  CreateActivityCommand, DescribeActivityCommand, ListActivitiesCommand, DeleteActivityCommand, StartExecutionCommand, DescribeExecutionCommand,
} from "@aws-sdk/client-sfn";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess, STORES } from "../../helpers/clients.ts";

const ROLE = "arn:aws:iam::000000000000:role/sfn";
const PASS = JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", End: true } } });

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e: any) {
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

for (const store of STORES) {
  describe(`Step Functions control plane, ${store.name}`, () => {
    const emulator = createEmulator({ store: store.make(), clock: createManualClock() });
    const sfn = new SFNClient(inProcess(emulator));

    it("creates, describes, lists, updates and deletes state machines", async () => {
      const created = await sfn.send(new CreateStateMachineCommand({ name: "orders", definition: PASS, roleArn: ROLE, tags: [{ key: "team", value: "a" }] }));
      expect(created.stateMachineArn).toBe("arn:aws:states:us-east-1:000000000000:stateMachine:orders");
      expect(created.creationDate).toBeInstanceOf(Date);
      // Same name and configuration: idempotent; another definition: StateMachineAlreadyExists.
      const again = await sfn.send(new CreateStateMachineCommand({ name: "orders", definition: PASS, roleArn: ROLE }));
      expect(again.stateMachineArn).toBe(created.stateMachineArn);
      const other = JSON.stringify({ StartAt: "B", States: { B: { Type: "Succeed" } } });
      expect(await failure(sfn.send(new CreateStateMachineCommand({ name: "orders", definition: other, roleArn: ROLE })))).toMatchObject({
        name: "StateMachineAlreadyExists", message: `State Machine Already Exists: '${created.stateMachineArn}'`, status: 400,
      });
      const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
      expect(described).toMatchObject({
        name: "orders", status: "ACTIVE", definition: PASS, roleArn: ROLE, type: "STANDARD",
        loggingConfiguration: { level: "OFF", includeExecutionData: false }, tracingConfiguration: { enabled: false },
      });
      expect(described.revisionId).toMatch(/^[0-9a-f-]{36}$/);
      await sfn.send(new CreateStateMachineCommand({ name: "fast", definition: PASS, roleArn: ROLE, type: "EXPRESS" }));
      const listed = await sfn.send(new ListStateMachinesCommand({}));
      // Same creation time (the clock stands still): by name.
      expect(listed.stateMachines!.map((m) => [m.name, m.type])).toEqual([["fast", "EXPRESS"], ["orders", "STANDARD"]]);
      const paged = await sfn.send(new ListStateMachinesCommand({ maxResults: 1 }));
      expect(paged.stateMachines).toHaveLength(1);
      const rest = await sfn.send(new ListStateMachinesCommand({ maxResults: 1, nextToken: paged.nextToken }));
      expect(rest.stateMachines![0]!.name).toBe("orders");
      expect(rest.nextToken).toBeUndefined();

      const updated = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: created.stateMachineArn, definition: other }));
      expect(updated.revisionId).not.toBe(described.revisionId);
      expect((await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }))).definition).toBe(other);
      expect(await failure(sfn.send(new UpdateStateMachineCommand({ stateMachineArn: created.stateMachineArn })))).toMatchObject({ name: "MissingRequiredParameter" });

      await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
      expect(await failure(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn })))).toMatchObject({
        name: "StateMachineDoesNotExist", message: `State Machine Does Not Exist: '${created.stateMachineArn}'`,
      });
    });

    it("answers bad names, ARNs, roles and definitions with AWS's errors", async () => {
      expect(await failure(sfn.send(new CreateStateMachineCommand({ name: "bad name", definition: PASS, roleArn: ROLE })))).toMatchObject({ name: "InvalidName", message: "Invalid Name: 'bad name'" });
      expect(await failure(sfn.send(new CreateStateMachineCommand({ name: "x", definition: PASS, roleArn: "role" })))).toMatchObject({ name: "InvalidArn" });
      expect(await failure(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: "nope" })))).toMatchObject({ name: "InvalidArn", message: "Invalid Arn: 'Invalid ARN prefix: nope'" });
      const bad = JSON.stringify({ StartAt: "pass1", States: { pass1: { Type: "Pass", Next: "pass3" }, pass2: { Type: "Pass", End: true } } });
      expect(await failure(sfn.send(new CreateStateMachineCommand({ name: "x", definition: bad, roleArn: ROLE })))).toMatchObject({
        name: "InvalidDefinition",
        message: `Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next, MISSING_TRANSITION_TARGET: State "pass2" is not reachable. at /States/pass2'`,
      });
      expect(await failure(sfn.send(new CreateStateMachineCommand({ name: "x", definition: "{not json", roleArn: ROLE })))).toMatchObject({ name: "InvalidDefinition" });
      expect(await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:missing" })))).toMatchObject({ name: "StateMachineDoesNotExist" });
    });

    it("validates definitions with diagnostics (codes, messages, locations)", async () => {
      const ok = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: PASS }));
      expect(ok).toMatchObject({ result: "OK", diagnostics: [], truncated: false });
      const cases: [unknown, { code: string; message: string; location?: string }[]][] = [
        [{ States: {} }, [{ code: "SCHEMA_VALIDATION_FAILED", message: "These fields are required: [StartAt]", location: "/" }]],
        [{ StartAt: "A", States: { A: { Type: "Pass", End: true, Foo: 1 } } }, [{ code: "SCHEMA_VALIDATION_FAILED", message: "Field 'Foo' is not supported", location: "/States/A" }]],
        [{ StartAt: "A", States: { A: { Type: "Pass", End: true, TimeoutSeconds: 5 } } }, [{ code: "SCHEMA_VALIDATION_FAILED", message: "Field 'TimeoutSeconds' is not supported", location: "/States/A" }]],
        [{ StartAt: "A", States: { A: { Type: "Pass", Next: "B" }, B: { Type: "Pass", Next: "A" } } }, [{ code: "MISSING_END_STATE", message: "Workflow has no terminal state" }]],
        [{ StartAt: "A", States: { A: { Type: "Pass", End: true, Output: "{% 1 %}" } } }, [{ code: "SCHEMA_VALIDATION_FAILED", message: "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage", location: "/States/A" }]],
        [{ QueryLanguage: "JSONata", StartAt: "A", States: { A: { Type: "Pass", QueryLanguage: "JSONPath", End: true } } }, [{ code: "SCHEMA_VALIDATION_FAILED", message: "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", location: "/States/A" }]],
        [{ StartAt: "C", States: { C: { Type: "Choice", Choices: [{ Variable: "$.x", NumericEquals: 1, Next: "Z" }], Default: "D" }, D: { Type: "Succeed" } } },
          [{ code: "MISSING_TRANSITION_TARGET", message: "Missing 'Next' target: Z", location: "/States/C/Choices[0]/Next" }]],
        [{ StartAt: "A", States: { A: { Type: "Wait", End: true } } }, [{ code: "SCHEMA_VALIDATION_FAILED", message: "Exactly one of these fields must be provided: [Seconds, Timestamp, SecondsPath, TimestampPath]", location: "/States/A" }]],
      ];
      for (const [definition, expected] of cases) {
        const got = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: JSON.stringify(definition) }));
        expect(got.result, JSON.stringify(definition)).toBe("FAIL");
        expect(got.diagnostics, JSON.stringify(definition)).toEqual(expected.map((d) => ({ severity: "ERROR", ...d })));
      }
    });

    it("publishes versions, routes aliases and runs them", async () => {
      const m = await sfn.send(new CreateStateMachineCommand({ name: "versioned", definition: PASS, roleArn: ROLE, publish: true, versionDescription: "first" }));
      expect(m.stateMachineVersionArn).toBe(`${m.stateMachineArn}:1`);
      // Publishing the same revision again returns the same version.
      const same = await sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: m.stateMachineArn }));
      expect(same.stateMachineVersionArn).toBe(`${m.stateMachineArn}:1`);
      const next = JSON.stringify({ StartAt: "B", States: { B: { Type: "Pass", Result: "v2", End: true } } });
      const up = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: m.stateMachineArn, definition: next, publish: true }));
      expect(up.stateMachineVersionArn).toBe(`${m.stateMachineArn}:2`);
      expect(await failure(sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: m.stateMachineArn, revisionId: "stale" })))).toMatchObject({ name: "ConflictException" });
      const versions = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: m.stateMachineArn }));
      expect(versions.stateMachineVersions!.map((v) => v.stateMachineVersionArn)).toEqual([`${m.stateMachineArn}:2`, `${m.stateMachineArn}:1`]);
      const v1 = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${m.stateMachineArn}:1` }));
      expect(v1).toMatchObject({ stateMachineArn: `${m.stateMachineArn}:1`, definition: PASS, description: "first" });

      const alias = await sfn.send(new CreateStateMachineAliasCommand({ name: "live", routingConfiguration: [{ stateMachineVersionArn: `${m.stateMachineArn}:2`, weight: 100 }] }));
      expect(alias.stateMachineAliasArn).toBe(`${m.stateMachineArn}:live`);
      expect(await sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn }))).toMatchObject({
        name: "live", routingConfiguration: [{ stateMachineVersionArn: `${m.stateMachineArn}:2`, weight: 100 }],
      });
      expect(await failure(sfn.send(new CreateStateMachineAliasCommand({ name: "bad", routingConfiguration: [{ stateMachineVersionArn: `${m.stateMachineArn}:2`, weight: 50 }] })))).toMatchObject({ name: "ValidationException" });
      const listed = await sfn.send(new ListStateMachineAliasesCommand({ stateMachineArn: m.stateMachineArn }));
      expect(listed.stateMachineAliases!.map((a) => a.stateMachineAliasArn)).toEqual([alias.stateMachineAliasArn]);
      expect(await failure(sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${m.stateMachineArn}:2` })))).toMatchObject({ name: "ConflictException" });

      const run = await sfn.send(new StartExecutionCommand({ stateMachineArn: alias.stateMachineAliasArn }));
      await emulator.settled();
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: run.executionArn }));
      expect(d).toMatchObject({ status: "SUCCEEDED", output: '"v2"', stateMachineAliasArn: alias.stateMachineAliasArn, stateMachineVersionArn: `${m.stateMachineArn}:2` });
      const byVersion = await sfn.send(new StartExecutionCommand({ stateMachineArn: `${m.stateMachineArn}:1`, input: '{"k":1}' }));
      await emulator.settled();
      expect((await sfn.send(new DescribeExecutionCommand({ executionArn: byVersion.executionArn }))).output).toBe('{"k":1}');

      await sfn.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn, routingConfiguration: [{ stateMachineVersionArn: `${m.stateMachineArn}:1`, weight: 100 }] }));
      await sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${m.stateMachineArn}:2` }));
      await sfn.send(new DeleteStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn }));
      expect(await failure(sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: alias.stateMachineAliasArn })))).toMatchObject({ name: "ResourceNotFound" });
    });

    it("tags state machines and activities", async () => {
      const m = await sfn.send(new CreateStateMachineCommand({ name: "tagged", definition: PASS, roleArn: ROLE, tags: [{ key: "a", value: "1" }] }));
      await sfn.send(new TagResourceCommand({ resourceArn: m.stateMachineArn, tags: [{ key: "a", value: "2" }, { key: "b", value: "3" }] }));
      await sfn.send(new UntagResourceCommand({ resourceArn: m.stateMachineArn, tagKeys: ["b"] }));
      expect((await sfn.send(new ListTagsForResourceCommand({ resourceArn: m.stateMachineArn }))).tags).toEqual([{ key: "a", value: "2" }]);
      const act = await sfn.send(new CreateActivityCommand({ name: "work", tags: [{ key: "k", value: "v" }] }));
      expect((await sfn.send(new ListTagsForResourceCommand({ resourceArn: act.activityArn }))).tags).toEqual([{ key: "k", value: "v" }]);
      expect(await failure(sfn.send(new ListTagsForResourceCommand({ resourceArn: "arn:aws:states:us-east-1:000000000000:stateMachine:none" })))).toMatchObject({ name: "ResourceNotFound" });
      const many = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: "v" }));
      expect(await failure(sfn.send(new TagResourceCommand({ resourceArn: m.stateMachineArn, tags: many })))).toMatchObject({ name: "TooManyTags" });
    });

    it("creates, describes, lists and deletes activities", async () => {
      const a = await sfn.send(new CreateActivityCommand({ name: "reviewer" }));
      expect(a.activityArn).toBe("arn:aws:states:us-east-1:000000000000:activity:reviewer");
      expect((await sfn.send(new CreateActivityCommand({ name: "reviewer" }))).activityArn).toBe(a.activityArn);
      expect(await sfn.send(new DescribeActivityCommand({ activityArn: a.activityArn }))).toMatchObject({ name: "reviewer", activityArn: a.activityArn });
      expect((await sfn.send(new ListActivitiesCommand({}))).activities!.map((x) => x.name)).toContain("reviewer");
      await sfn.send(new DeleteActivityCommand({ activityArn: a.activityArn }));
      expect(await failure(sfn.send(new DescribeActivityCommand({ activityArn: a.activityArn })))).toMatchObject({
        name: "ActivityDoesNotExist", message: `Activity Does Not Exist: '${a.activityArn}'`,
      });
    });
  });
}
