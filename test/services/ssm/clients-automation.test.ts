/** Automation runbooks that really run, and State Manager associations, through the JS SDK, boto3 and both AWS CLIs (walkthroughs/automation.ts). */
import { walkthrough } from "./walkthrough.ts";
import { automationSteps } from "./walkthroughs/automation.ts";

walkthrough("Automation and State Manager", automationSteps);
