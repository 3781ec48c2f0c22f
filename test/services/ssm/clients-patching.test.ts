/** Patch baselines, patch groups, patch states and resource data syncs through the JS SDK, boto3 and both AWS CLIs (walkthroughs/patching.ts). */
import { walkthrough } from "./walkthrough.ts";
import { patchingSteps } from "./walkthroughs/patching.ts";

walkthrough("Patch Manager and data syncs", patchingSteps);
