/** OpsItems, related items, the OpsItemGroup policy and OpsMetadata through the JS SDK, boto3 and both AWS CLIs (walkthroughs/ops.ts). */
import { walkthrough } from "./walkthrough.ts";
import { opsSteps } from "./walkthroughs/ops.ts";

walkthrough("OpsCenter", opsSteps);
