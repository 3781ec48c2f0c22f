/**
 * GetRandomPassword: characters from the included classes, at least one of each when
 * RequireEachIncludedType (the default), drawn with crypto.getRandomValues (rejection sampling, no
 * modulo bias).
 * Source: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetRandomPassword.html
 */
import { AwsError } from "../../protocol/errors.ts";

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS = "0123456789";
const PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

export interface PasswordOptions {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeLowercase?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
}

function randomIndex(n: number): number {
  const limit = Math.floor(0x100000000 / n) * n;
  const buffer = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buffer);
    if (buffer[0] < limit) return buffer[0] % n;
  }
}

export function randomPassword(options: PasswordOptions): string {
  const length = options.PasswordLength ?? 32;
  const excluded = new Set(options.ExcludeCharacters ?? "");
  const classes = [
    options.ExcludeLowercase ? "" : LOWER,
    options.ExcludeUppercase ? "" : UPPER,
    options.ExcludeNumbers ? "" : DIGITS,
    options.ExcludePunctuation ? "" : PUNCTUATION,
    options.IncludeSpace ? " " : "",
  ].map((chars) => [...chars].filter((c) => !excluded.has(c)).join("")).filter((chars) => chars.length > 0);
  if (classes.length === 0) {
    throw new AwsError("InvalidParameterException", "The password cannot be generated: every character type is excluded.", 400);
  }
  const requireEach = options.RequireEachIncludedType ?? true;
  if (requireEach && length < classes.length) {
    throw new AwsError("InvalidParameterException", `The password length ${length} is too short to include every required character type.`, 400);
  }
  const all = classes.join("");
  const chars: string[] = [];
  if (requireEach) for (const set of classes) chars.push(set[randomIndex(set.length)]);
  while (chars.length < length) chars.push(all[randomIndex(all.length)]);
  // Shuffle so the required characters are not always first (Fisher–Yates).
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomIndex(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join("");
}
