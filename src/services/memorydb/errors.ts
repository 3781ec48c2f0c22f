/**
 * Error helpers: MemoryDB answers validation faults with status 400.
 */
import { AwsError } from "../../protocol/errors.ts";

export const fault = (name: string, message: string) => new AwsError(name, message, 400);
export const invalidValue = (message: string) => fault("InvalidParameterValueException", message);
export const invalidCombination = (message: string) => fault("InvalidParameterCombinationException", message);
