/** Run Command, sessions, managed nodes, activations, inventory and compliance (no managed nodes here) through the JS SDK, boto3 and both AWS CLIs (walkthroughs/nodes.ts). */
import { walkthrough } from "./walkthrough.ts";
import { nodeSteps } from "./walkthroughs/nodes.ts";

walkthrough("nodes, commands and inventory", nodeSteps);
