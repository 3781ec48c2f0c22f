/** `npx fetchstack` / `npm start`. */
import { main } from "./node.ts";

void main();
