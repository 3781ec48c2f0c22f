/** Maintenance windows, targets, tasks, schedule and executions through the JS SDK, boto3 and both AWS CLIs (walkthroughs/maintenance-windows.ts). */
import { walkthrough } from "./walkthrough.ts";
import { maintenanceWindowSteps } from "./walkthroughs/maintenance-windows.ts";

walkthrough("maintenance windows", maintenanceWindowSteps);
