/** Documents, sharing, reviews, document tags and Change Calendar state through the JS SDK, boto3 and both AWS CLIs (walkthroughs/documents.ts). */
import { walkthrough } from "./walkthrough.ts";
import { documentSteps } from "./walkthroughs/documents.ts";

walkthrough("documents", documentSteps);
