/**
 * Patterns as rules and archives use them: compiled once per text (a bounded cache of a pure
 * function, not state), invalid ones rendered as InvalidEventPatternException.
 */
import { AwsError } from "../../protocol/errors.ts";
import { compilePattern, EventPatternError, matchesPattern, type ObjectPattern } from "./pattern.ts";

const compiled = new Map<string, ObjectPattern>();

export function patternFor(text: string): ObjectPattern {
  let p = compiled.get(text);
  if (!p) {
    p = compilePattern(text);
    if (compiled.size >= 1000) compiled.delete(compiled.keys().next().value!);
    compiled.set(text, p);
  }
  return p;
}

/** Whether `event` matches the pattern text (an invalid or absent pattern matches nothing). */
export function matches(patternText: string | undefined, event: unknown): boolean {
  if (!patternText) return false;
  try {
    return matchesPattern(patternFor(patternText), event);
  } catch (error) {
    if (error instanceof EventPatternError) return false;
    throw error;
  }
}

/** Throws AWS's InvalidEventPatternException when the pattern text is invalid. */
export function checkPattern(text: string): void {
  try {
    patternFor(text);
  } catch (error) {
    if (error instanceof EventPatternError) throw new AwsError("InvalidEventPatternException", error.message, 400);
    throw error;
  }
}
