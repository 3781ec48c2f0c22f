/** Parameter Store, tags, resource policies and service settings through the JS SDK, boto3 and both AWS CLIs (walkthroughs/parameters.ts). */
import { walkthrough } from "./walkthrough.ts";
import { parameterSteps } from "./walkthroughs/parameters.ts";

walkthrough("Parameter Store", parameterSteps);
