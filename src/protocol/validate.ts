/**
 * Input validation against the model (required members, types, enums, lengths, ranges,
 * patterns), done once in the codec before any handler runs. Codecs turn failures into the
 * protocol's error (`ValidationError` for awsQuery, `ValidationException` for JSON protocols),
 * with the message AWS's Coral services produce:
 *
 *   1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null
 *
 * Source: Smithy constraint traits (https://smithy.io/2.0/spec/constraint-traits.html).
 */
import type { ServiceModel, ShapeRef } from "./model.ts";

export interface ValidationFailure {
  /** Path as AWS prints it: lowerCamel member names joined by '.', list indexes as `.1` (1-based) */
  path: string;
  /** The offending value as AWS prints it (`null` for missing). */
  value: string;
  /** e.g. `Member must not be null`, `Member must have length less than or equal to 64`. */
  constraint: string;
}

/** Validates `input` against `ref`'s shape; returns every failure (empty when valid). */
export declare function validateInput(model: ServiceModel, ref: ShapeRef, input: unknown): ValidationFailure[];

/** AWS's message for a list of failures ("1 validation error detected: ..."). */
export declare function validationMessage(failures: ValidationFailure[]): string;
