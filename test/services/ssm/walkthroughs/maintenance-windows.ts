/**
 * Maintenance windows through every client: windows, targets and tasks (register, describe with
 * filters, update, deregister), tags on a window, the schedule, and executions: none exist (no
 * managed nodes here), so an execution id answers DoesNotExistException for every execution call.
 */
import { expect } from "vitest";
import { call, fails, ref, type Step } from "../walkthrough.ts";

const EXECUTION = "11111111-2222-3333-4444-555555555555";
const TASK = "66666666-7777-8888-9999-000000000000";
const MISSING = "mw-0123456789abcdef0";

export const maintenanceWindowSteps: Step[] = [
  call("CreateMaintenanceWindow", { Name: "nightly", Description: "patching", Schedule: "cron(0 2 ? * * *)", Duration: 3, Cutoff: 1, AllowUnassociatedTargets: false, Tags: [{ Key: "team", Value: "ops" }] }, {
    as: "w",
    check: (out) => expect(out.WindowId).toMatch(/^mw-[0-9a-f]{17}$/),
  }),
  call("CreateMaintenanceWindow", { Name: "weekly", Schedule: "rate(7 days)", Duration: 2, Cutoff: 0, AllowUnassociatedTargets: true }, { as: "weekly" }),
  fails("CreateMaintenanceWindow", { Name: "bad", Schedule: "cron(0 2 ? * * *)", Duration: 2, Cutoff: 2, AllowUnassociatedTargets: false }, "ValidationException"),
  call("GetMaintenanceWindow", { WindowId: ref("w.WindowId") }, {
    check: (out, at) => {
      expect(out).toMatchObject({ WindowId: at("w.WindowId"), Name: "nightly", Description: "patching", Schedule: "cron(0 2 ? * * *)", Duration: 3, Cutoff: 1, AllowUnassociatedTargets: false, Enabled: true });
      expect(out.NextExecutionTime).toMatch(/T02:00/);
    },
  }),
  fails("GetMaintenanceWindow", { WindowId: MISSING }, "DoesNotExistException"),
  call("UpdateMaintenanceWindow", { WindowId: ref("weekly.WindowId"), Enabled: false, Duration: 4 }, {
    check: (out) => expect(out).toMatchObject({ Name: "weekly", Enabled: false, Duration: 4, Schedule: "rate(7 days)" }),
  }),
  call("DescribeMaintenanceWindows", { Filters: [{ Key: "Enabled", Values: ["true"] }] }, {
    check: (out, at) => expect(out.WindowIdentities!.map((w) => [w.WindowId, w.Name, w.Enabled])).toEqual([[at("w.WindowId"), "nightly", true]]),
  }),
  call("ListTagsForResource", { ResourceType: "MaintenanceWindow", ResourceId: ref("w.WindowId") }, { check: (out) => expect(out.TagList).toEqual([{ Key: "team", Value: "ops" }]) }),

  call("RegisterTargetWithMaintenanceWindow", { WindowId: ref("w.WindowId"), ResourceType: "INSTANCE", Targets: [{ Key: "tag:Env", Values: ["prod"] }], OwnerInformation: "team-a", Name: "prod" }, {
    as: "target",
    check: (out) => expect(out.WindowTargetId).toMatch(/^[0-9a-f-]{36}$/),
  }),
  call("RegisterTargetWithMaintenanceWindow", { WindowId: ref("w.WindowId"), ResourceType: "RESOURCE_GROUP", Targets: [{ Key: "resource-groups:Name", Values: ["web"] }] }, { as: "group" }),
  fails("RegisterTargetWithMaintenanceWindow", { WindowId: MISSING, ResourceType: "INSTANCE", Targets: [{ Key: "tag:Env", Values: ["prod"] }] }, "DoesNotExistException"),
  call("DescribeMaintenanceWindowTargets", { WindowId: ref("w.WindowId"), Filters: [{ Key: "OwnerInformation", Values: ["team-a"] }] }, {
    check: (out, at) => expect(out.Targets).toEqual([{ WindowId: at("w.WindowId"), WindowTargetId: at("target.WindowTargetId"), ResourceType: "INSTANCE", Targets: [{ Key: "tag:Env", Values: ["prod"] }], OwnerInformation: "team-a", Name: "prod" }]),
  }),
  call("UpdateMaintenanceWindowTarget", { WindowId: ref("w.WindowId"), WindowTargetId: ref("target.WindowTargetId"), Description: "prod fleet" }, {
    check: (out) => expect(out).toMatchObject({ Name: "prod", Description: "prod fleet", OwnerInformation: "team-a", Targets: [{ Key: "tag:Env", Values: ["prod"] }] }),
  }),
  call("DescribeMaintenanceWindowsForTarget", { ResourceType: "INSTANCE", Targets: [{ Key: "tag:Env", Values: ["prod"] }] }, {
    check: (out, at) => expect(out.WindowIdentities).toEqual([{ WindowId: at("w.WindowId"), Name: "nightly" }]),
  }),

  call("RegisterTaskWithMaintenanceWindow", {
    WindowId: ref("w.WindowId"), TaskArn: "AWS-RunShellScript", TaskType: "RUN_COMMAND", Priority: 2, MaxConcurrency: "50%", MaxErrors: "1", Name: "update",
    Targets: [{ Key: "WindowTargetIds", Values: [ref("target.WindowTargetId")] }],
    TaskInvocationParameters: { RunCommand: { Parameters: { commands: ["yum -y update"] }, TimeoutSeconds: 600 } },
  }, { as: "task", check: (out) => expect(out.WindowTaskId).toMatch(/^[0-9a-f-]{36}$/) }),
  call("RegisterTaskWithMaintenanceWindow", { WindowId: ref("w.WindowId"), TaskArn: "arn:aws:lambda:us-east-1:000000000000:function:cleanup", TaskType: "LAMBDA", Priority: 1 }),
  fails("RegisterTaskWithMaintenanceWindow", { WindowId: ref("w.WindowId"), TaskArn: "AWS-RunShellScript", TaskType: "RUN_COMMAND", MaxConcurrency: "1", MaxErrors: "0", Targets: [{ Key: "WindowTargetIds", Values: [TASK] }] }, "DoesNotExistException"),
  call("GetMaintenanceWindowTask", { WindowId: ref("w.WindowId"), WindowTaskId: ref("task.WindowTaskId") }, {
    check: (out, at) => expect(out).toMatchObject({
      WindowId: at("w.WindowId"), WindowTaskId: at("task.WindowTaskId"), TaskArn: "AWS-RunShellScript", TaskType: "RUN_COMMAND", Priority: 2, MaxConcurrency: "50%", MaxErrors: "1",
      TaskInvocationParameters: { RunCommand: { Parameters: { commands: ["yum -y update"] }, TimeoutSeconds: 600 } },
    }),
  }),
  call("DescribeMaintenanceWindowTasks", { WindowId: ref("w.WindowId") }, { check: (out) => expect(out.Tasks!.map((t) => [t.Type, t.Priority])).toEqual([["LAMBDA", 1], ["RUN_COMMAND", 2]]) }),
  call("UpdateMaintenanceWindowTask", { WindowId: ref("w.WindowId"), WindowTaskId: ref("task.WindowTaskId"), MaxErrors: "2" }, {
    check: (out) => expect(out).toMatchObject({ MaxErrors: "2", MaxConcurrency: "50%", Name: "update" }),
  }),
  fails("DeregisterTargetFromMaintenanceWindow", { WindowId: ref("w.WindowId"), WindowTargetId: ref("target.WindowTargetId"), Safe: true }, "TargetInUseException"),

  call("DescribeMaintenanceWindowSchedule", { WindowId: ref("w.WindowId"), MaxResults: 2 }, {
    check: (out, at) => {
      expect(out.ScheduledWindowExecutions!.map((e) => [e.WindowId, e.Name])).toEqual([[at("w.WindowId"), "nightly"], [at("w.WindowId"), "nightly"]]);
      for (const e of out.ScheduledWindowExecutions!) expect(e.ExecutionTime).toMatch(/T02:00/);
      expect(out.NextToken).toEqual(expect.any(String));
    },
  }),
  call("DescribeMaintenanceWindowExecutions", { WindowId: ref("w.WindowId") }, { check: (out) => expect(out.WindowExecutions).toEqual([]) }),
  fails("GetMaintenanceWindowExecution", { WindowExecutionId: EXECUTION }, "DoesNotExistException"),
  fails("DescribeMaintenanceWindowExecutionTasks", { WindowExecutionId: EXECUTION }, "DoesNotExistException"),
  fails("GetMaintenanceWindowExecutionTask", { WindowExecutionId: EXECUTION, TaskId: TASK }, "DoesNotExistException"),
  fails("DescribeMaintenanceWindowExecutionTaskInvocations", { WindowExecutionId: EXECUTION, TaskId: TASK }, "DoesNotExistException"),
  fails("GetMaintenanceWindowExecutionTaskInvocation", { WindowExecutionId: EXECUTION, TaskId: TASK, InvocationId: EXECUTION }, "DoesNotExistException"),
  fails("CancelMaintenanceWindowExecution", { WindowExecutionId: EXECUTION }, "DoesNotExistException"),

  call("DeregisterTaskFromMaintenanceWindow", { WindowId: ref("w.WindowId"), WindowTaskId: ref("task.WindowTaskId") }, {
    check: (out, at) => expect(out).toEqual({ WindowId: at("w.WindowId"), WindowTaskId: at("task.WindowTaskId") }),
  }),
  fails("GetMaintenanceWindowTask", { WindowId: ref("w.WindowId"), WindowTaskId: ref("task.WindowTaskId") }, "DoesNotExistException"),
  call("DeregisterTargetFromMaintenanceWindow", { WindowId: ref("w.WindowId"), WindowTargetId: ref("target.WindowTargetId"), Safe: true }, {
    check: (out, at) => expect(out).toEqual({ WindowId: at("w.WindowId"), WindowTargetId: at("target.WindowTargetId") }),
  }),
  call("DescribeMaintenanceWindowTargets", { WindowId: ref("w.WindowId") }, {
    check: (out, at) => expect(out.Targets!.map((t) => t.WindowTargetId)).toEqual([at("group.WindowTargetId")]),
  }),
  call("DeleteMaintenanceWindow", { WindowId: ref("weekly.WindowId") }, { check: (out, at) => expect(out.WindowId).toBe(at("weekly.WindowId")) }),
  fails("DescribeMaintenanceWindowTasks", { WindowId: ref("weekly.WindowId") }, "DoesNotExistException"),
  call("DescribeMaintenanceWindows", {}, { check: (out) => expect(out.WindowIdentities!.map((w) => w.Name)).toEqual(["nightly"]) }),
];
