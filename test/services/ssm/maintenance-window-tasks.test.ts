/**
 * SSM maintenance window targets, tasks, executions and schedule (issue 17): register, describe
 * with filters, update (partial and Replace), deregister (Safe), windows for a target, the
 * schedule on the injectable clock, and no executions (no managed nodes here).
 */
import { describe, expect, it } from "vitest";
import * as S from "@aws-sdk/client-ssm";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

const clock = createManualClock(Date.UTC(2026, 0, 1, 10, 30));
const ssm = new S.SSMClient(inProcess(createEmulator({ store: createMemoryStore(), clock })));
const MISSING = "mw-0123456789abcdef0";

describe("SSM maintenance window targets and tasks", () => {
  let windowId: string;
  let targetId: string;
  let taskId: string;

  it("registers targets (idempotent by ClientToken), describes them with filters", async () => {
    windowId = (await ssm.send(new S.CreateMaintenanceWindowCommand({ Name: "patch", Schedule: "cron(0 2 ? * * *)", Duration: 3, Cutoff: 1, AllowUnassociatedTargets: false }))).WindowId!;
    const reg = await ssm.send(new S.RegisterTargetWithMaintenanceWindowCommand({
      WindowId: windowId, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Env", Values: ["prod"] }], OwnerInformation: "team-a", Name: "prod", ClientToken: "t1",
    }));
    targetId = reg.WindowTargetId!;
    expect(targetId).toMatch(/^[0-9a-f-]{36}$/);
    const again = await ssm.send(new S.RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Env", Values: ["prod"] }], ClientToken: "t1" }));
    expect(again.WindowTargetId).toBe(targetId);
    const mismatch = await error(ssm.send(new S.RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Env", Values: ["dev"] }], ClientToken: "t1" })));
    expect(mismatch.name).toBe("IdempotentParameterMismatch");
    await ssm.send(new S.RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: "RESOURCE_GROUP", Targets: [{ Key: "resource-groups:Name", Values: ["web"] }] }));
    const all = await ssm.send(new S.DescribeMaintenanceWindowTargetsCommand({ WindowId: windowId }));
    expect(all.Targets).toHaveLength(2);
    const mine = await ssm.send(new S.DescribeMaintenanceWindowTargetsCommand({ WindowId: windowId, Filters: [{ Key: "OwnerInformation", Values: ["team-a"] }] }));
    expect(mine.Targets).toEqual([{ WindowId: windowId, WindowTargetId: targetId, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Env", Values: ["prod"] }], OwnerInformation: "team-a", Name: "prod" }]);
    const bad = await error(ssm.send(new S.RegisterTargetWithMaintenanceWindowCommand({ WindowId: windowId, ResourceType: "INSTANCE", Targets: [{ Key: "resource-groups:Name", Values: ["x"] }, { Key: "Bogus", Values: ["x"] }] })));
    expect(bad.name).toBe("ValidationException");
    const noWindow = await error(ssm.send(new S.RegisterTargetWithMaintenanceWindowCommand({ WindowId: MISSING, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Env", Values: ["prod"] }] })));
    expect(noWindow.name).toBe("DoesNotExistException");
  });

  it("updates a target (partial and Replace) and finds the windows for a target", async () => {
    const partial = await ssm.send(new S.UpdateMaintenanceWindowTargetCommand({ WindowId: windowId, WindowTargetId: targetId, Description: "prod fleet" }));
    expect(partial).toMatchObject({ WindowId: windowId, WindowTargetId: targetId, Name: "prod", Description: "prod fleet", OwnerInformation: "team-a" });
    const replaced = await ssm.send(new S.UpdateMaintenanceWindowTargetCommand({ WindowId: windowId, WindowTargetId: targetId, Replace: true, Targets: [{ Key: "InstanceIds", Values: ["i-0123456789abcdef0"] }] }));
    expect(replaced.Name).toBeUndefined();
    expect(replaced.Targets).toEqual([{ Key: "InstanceIds", Values: ["i-0123456789abcdef0"] }]);
    const windows = await ssm.send(new S.DescribeMaintenanceWindowsForTargetCommand({ ResourceType: "INSTANCE", Targets: [{ Key: "InstanceIds", Values: ["i-0123456789abcdef0"] }] }));
    expect(windows.WindowIdentities).toEqual([{ WindowId: windowId, Name: "patch" }]);
    const none = await ssm.send(new S.DescribeMaintenanceWindowsForTargetCommand({ ResourceType: "INSTANCE", Targets: [{ Key: "InstanceIds", Values: ["i-0fffffffffffffff0"] }] }));
    expect(none.WindowIdentities).toEqual([]);
  });

  it("registers, gets, describes and updates tasks", async () => {
    const noTargets = await error(ssm.send(new S.RegisterTaskWithMaintenanceWindowCommand({ WindowId: windowId, TaskArn: "AWS-RunShellScript", TaskType: "RUN_COMMAND" })));
    expect(noTargets.name).toBe("ValidationException");
    const unknownTarget = await error(ssm.send(new S.RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: "AWS-RunShellScript", TaskType: "RUN_COMMAND", MaxConcurrency: "1", MaxErrors: "0",
      Targets: [{ Key: "WindowTargetIds", Values: ["11111111-2222-3333-4444-555555555555"] }],
    })));
    expect(unknownTarget.name).toBe("DoesNotExistException");
    taskId = (await ssm.send(new S.RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: "AWS-RunShellScript", TaskType: "RUN_COMMAND", Priority: 2, MaxConcurrency: "50%", MaxErrors: "1", Name: "update",
      Targets: [{ Key: "WindowTargetIds", Values: [targetId] }],
      TaskInvocationParameters: { RunCommand: { Parameters: { commands: ["yum -y update"] }, TimeoutSeconds: 600 } },
    }))).WindowTaskId!;
    await ssm.send(new S.RegisterTaskWithMaintenanceWindowCommand({
      WindowId: windowId, TaskArn: "arn:aws:lambda:us-east-1:000000000000:function:cleanup", TaskType: "LAMBDA", Priority: 1,
    }));
    const got = await ssm.send(new S.GetMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId: taskId }));
    expect(got).toMatchObject({
      WindowId: windowId, WindowTaskId: taskId, TaskArn: "AWS-RunShellScript", TaskType: "RUN_COMMAND", Priority: 2, MaxConcurrency: "50%", MaxErrors: "1",
      CutoffBehavior: "CONTINUE_TASK", TaskInvocationParameters: { RunCommand: { Parameters: { commands: ["yum -y update"] }, TimeoutSeconds: 600 } },
    });
    const tasks = await ssm.send(new S.DescribeMaintenanceWindowTasksCommand({ WindowId: windowId }));
    expect(tasks.Tasks!.map((t) => t.Type)).toEqual(["LAMBDA", "RUN_COMMAND"]);
    const lambdas = await ssm.send(new S.DescribeMaintenanceWindowTasksCommand({ WindowId: windowId, Filters: [{ Key: "TaskType", Values: ["RUN_COMMAND"] }] }));
    expect(lambdas.Tasks!.map((t) => t.WindowTaskId)).toEqual([taskId]);
    const updated = await ssm.send(new S.UpdateMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId: taskId, MaxErrors: "2" }));
    expect(updated).toMatchObject({ MaxErrors: "2", MaxConcurrency: "50%", Name: "update" });
    const inUse = await error(ssm.send(new S.DeregisterTargetFromMaintenanceWindowCommand({ WindowId: windowId, WindowTargetId: targetId, Safe: true })));
    expect(inUse.name).toBe("TargetInUseException");
    expect(await ssm.send(new S.DeregisterTaskFromMaintenanceWindowCommand({ WindowId: windowId, WindowTaskId: taskId }))).toMatchObject({ WindowId: windowId, WindowTaskId: taskId });
    expect((await error(ssm.send(new S.GetMaintenanceWindowTaskCommand({ WindowId: windowId, WindowTaskId: taskId })))).name).toBe("DoesNotExistException");
    await ssm.send(new S.DeregisterTargetFromMaintenanceWindowCommand({ WindowId: windowId, WindowTargetId: targetId, Safe: true }));
    expect((await ssm.send(new S.DescribeMaintenanceWindowTargetsCommand({ WindowId: windowId }))).Targets).toHaveLength(1);
  });

  it("schedule on the clock; no executions (no managed nodes)", async () => {
    const schedule = await ssm.send(new S.DescribeMaintenanceWindowScheduleCommand({ WindowId: windowId, MaxResults: 3 }));
    expect(schedule.ScheduledWindowExecutions!.map((e) => e.ExecutionTime)).toEqual(["2026-01-02T02:00:00.000Z", "2026-01-03T02:00:00.000Z", "2026-01-04T02:00:00.000Z"]);
    expect(schedule.NextToken).toBeDefined();
    const before = await ssm.send(new S.DescribeMaintenanceWindowScheduleCommand({ WindowId: windowId, Filters: [{ Key: "ScheduledBefore", Values: ["2026-01-03T00:00:00Z"] }] }));
    expect(before.ScheduledWindowExecutions).toEqual([{ WindowId: windowId, Name: "patch", ExecutionTime: "2026-01-02T02:00:00.000Z" }]);
    await clock.advance(2 * 24 * 3_600_000);
    expect((await ssm.send(new S.DescribeMaintenanceWindowExecutionsCommand({ WindowId: windowId }))).WindowExecutions).toEqual([]);
    const exec = "11111111-2222-3333-4444-555555555555";
    for (const p of [
      ssm.send(new S.GetMaintenanceWindowExecutionCommand({ WindowExecutionId: exec })),
      ssm.send(new S.DescribeMaintenanceWindowExecutionTasksCommand({ WindowExecutionId: exec })),
      ssm.send(new S.CancelMaintenanceWindowExecutionCommand({ WindowExecutionId: exec })),
    ]) expect((await error(p)).name).toBe("DoesNotExistException");
    await ssm.send(new S.DeleteMaintenanceWindowCommand({ WindowId: windowId }));
    expect((await error(ssm.send(new S.DescribeMaintenanceWindowTasksCommand({ WindowId: windowId })))).name).toBe("DoesNotExistException");
  });
});
