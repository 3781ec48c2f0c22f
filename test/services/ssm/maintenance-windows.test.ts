/**
 * SSM maintenance windows as state (issue 17): create (idempotent by ClientToken), get with
 * NextExecutionTime on the injectable clock, describe with filters, update (and Replace), delete,
 * and SSM's errors.
 */
import { describe, expect, it } from "vitest";
import {
  CreateMaintenanceWindowCommand, DeleteMaintenanceWindowCommand, DescribeMaintenanceWindowsCommand, GetMaintenanceWindowCommand, SSMClient,
  UpdateMaintenanceWindowCommand,
} from "@aws-sdk/client-ssm";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

const clock = createManualClock(Date.UTC(2026, 0, 1, 10, 30));
const ssm = new SSMClient(inProcess(createEmulator({ store: createMemoryStore(), clock })));

describe("SSM maintenance windows", () => {
  let id: string;
  it("create, get (with the next execution time), idempotent ClientToken", async () => {
    const created = await ssm.send(new CreateMaintenanceWindowCommand({
      Name: "nightly", Schedule: "cron(0 2 ? * * *)", Duration: 3, Cutoff: 1, AllowUnassociatedTargets: false, ClientToken: "tok-1", Description: "patching",
    }));
    id = created.WindowId!;
    expect(id).toMatch(/^mw-[0-9a-f]{17}$/);
    const again = await ssm.send(new CreateMaintenanceWindowCommand({ Name: "nightly", Schedule: "cron(0 2 ? * * *)", Duration: 3, Cutoff: 1, AllowUnassociatedTargets: false, ClientToken: "tok-1" }));
    expect(again.WindowId).toBe(id);
    const got = await ssm.send(new GetMaintenanceWindowCommand({ WindowId: id }));
    expect(got).toMatchObject({ WindowId: id, Name: "nightly", Description: "patching", Schedule: "cron(0 2 ? * * *)", Duration: 3, Cutoff: 1, AllowUnassociatedTargets: false, Enabled: true });
    expect(got.NextExecutionTime).toBe("2026-01-02T02:00:00.000Z");
    expect(got.CreatedDate!.getTime()).toBe(clock.now());
    await clock.advance(24 * 3_600_000);
    expect((await ssm.send(new GetMaintenanceWindowCommand({ WindowId: id }))).NextExecutionTime).toBe("2026-01-03T02:00:00.000Z");
  });

  it("bad input: cutoff not below duration, bad schedule; unknown windows are DoesNotExistException", async () => {
    const cutoff = await error(ssm.send(new CreateMaintenanceWindowCommand({ Name: "w", Schedule: "rate(1 day)", Duration: 2, Cutoff: 2, AllowUnassociatedTargets: true })));
    expect(cutoff.name).toBe("ValidationException");
    const schedule = await error(ssm.send(new CreateMaintenanceWindowCommand({ Name: "w", Schedule: "every day", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true })));
    expect(schedule.name).toBe("ValidationException");
    const missing = await error(ssm.send(new GetMaintenanceWindowCommand({ WindowId: "mw-0123456789abcdef0" })));
    expect(missing.name).toBe("DoesNotExistException");
  });

  it("update (partial and Replace), describe with filters, delete", async () => {
    await ssm.send(new CreateMaintenanceWindowCommand({ Name: "weekly", Schedule: "rate(7 days)", Duration: 4, Cutoff: 0, AllowUnassociatedTargets: true }));
    const updated = await ssm.send(new UpdateMaintenanceWindowCommand({ WindowId: id, Enabled: false, Duration: 5 }));
    expect(updated).toMatchObject({ WindowId: id, Name: "nightly", Enabled: false, Duration: 5, Description: "patching" });
    expect((await ssm.send(new GetMaintenanceWindowCommand({ WindowId: id }))).NextExecutionTime).toBeUndefined();
    const replaced = await ssm.send(new UpdateMaintenanceWindowCommand({ WindowId: id, Replace: true, Name: "nightly-2", Schedule: "cron(0 3 ? * * *)", Duration: 2, Cutoff: 1, AllowUnassociatedTargets: true }));
    expect(replaced.Description).toBeUndefined();
    expect(replaced.Name).toBe("nightly-2");
    const disabled = await ssm.send(new DescribeMaintenanceWindowsCommand({ Filters: [{ Key: "Enabled", Values: ["false"] }] }));
    expect(disabled.WindowIdentities!.map((w) => w.Name)).toEqual(["nightly-2"]);
    const all = await ssm.send(new DescribeMaintenanceWindowsCommand({}));
    expect(all.WindowIdentities!.map((w) => w.Name).sort()).toEqual(["nightly-2", "weekly"]);
    expect((await ssm.send(new DeleteMaintenanceWindowCommand({ WindowId: id }))).WindowId).toBe(id);
    expect((await error(ssm.send(new UpdateMaintenanceWindowCommand({ WindowId: id, Enabled: true })))).name).toBe("DoesNotExistException");
  });
});
