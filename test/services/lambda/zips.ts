/** Deployment packages built in the tests (fflate), as a user's build would produce them. */
import { zipSync, strToU8 } from "fflate";

export function zip(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
}

export const ROLE = "arn:aws:iam::000000000000:role/lambda-role";
