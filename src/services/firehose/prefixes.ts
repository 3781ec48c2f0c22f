/**
 * S3 object keys for Firehose deliveries: `<evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><ext>`,
 * with the `!{timestamp:...}` and `!{firehose:random-string|error-output-type}` namespaces.
 *
 * Source: https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html and
 * https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html
 */
import { AwsError } from "../../protocol/errors.ts";

const EXPRESSION = /!\{([^}:]*):?([^}]*)\}/g;
const DEFAULT_TIME = "yyyy/MM/dd/HH/";

function invalid(message: string): AwsError {
  return new AwsError("InvalidArgumentException", message, 400);
}

/**
 * Checks a Prefix / ErrorOutputPrefix pair as CreateDeliveryStream and UpdateDestination do:
 * known namespaces only, `error-output-type` only in the error prefix, and an error prefix
 * whenever the prefix uses expressions.
 */
export function checkPrefixes(prefix: string | undefined, errorPrefix: string | undefined, dynamicPartitioning = false): void {
  for (const [which, value] of [["Prefix", prefix], ["ErrorOutputPrefix", errorPrefix]] as const) {
    if (!value) continue;
    if (/!\{[^}]*$/.test(value) || /!\{[^}]*!\{/.test(value)) throw invalid(`${which} has an unterminated expression: ${value}`);
    for (const [, namespace, arg] of value.matchAll(EXPRESSION)) {
      if (namespace === "timestamp") {
        if (!arg) throw invalid(`The expression !{timestamp:} in ${which} requires a DateTimeFormatter pattern.`);
        continue;
      }
      if (namespace === "firehose") {
        if (arg === "random-string") continue;
        if (arg === "error-output-type") {
          if (which === "Prefix") throw invalid("The expression !{firehose:error-output-type} is not allowed in Prefix.");
          continue;
        }
        throw invalid(`The expression !{firehose:${arg}} in ${which} is not supported. Supported values are random-string and error-output-type.`);
      }
      if (namespace === "partitionKeyFromQuery" || namespace === "partitionKeyFromLambda") {
        if (!dynamicPartitioning) throw invalid(`Expressions of namespace ${namespace} in ${which} require dynamic partitioning to be enabled.`);
        if (which === "ErrorOutputPrefix") throw invalid(`The ${namespace} namespace is not supported in ErrorOutputPrefix.`);
        continue;
      }
      throw invalid(`The expression namespace '${namespace}' in ${which} is not supported. Supported namespaces are timestamp and firehose.`);
    }
  }
  if (prefix && hasExpressions(prefix) && !errorPrefix) {
    throw invalid("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.");
  }
}

function hasExpressions(value: string): boolean {
  return /!\{[^}]*\}/.test(value);
}

/**
 * Formats `time` (UTC) with a Java DateTimeFormatter pattern: letters yyyy/yy, MM/M, dd/d,
 * HH/H, mm, ss, SSS; text in single quotes and other characters as literals.
 */
export function formatJavaTime(pattern: string, time: number): string {
  const d = new Date(time);
  const pad = (n: number, w: number) => String(n).padStart(w, "0");
  const fields: Record<string, (w: number) => string> = {
    y: (w) => (w === 2 ? pad(d.getUTCFullYear() % 100, 2) : pad(d.getUTCFullYear(), w)),
    u: (w) => (w === 2 ? pad(d.getUTCFullYear() % 100, 2) : pad(d.getUTCFullYear(), w)),
    M: (w) => pad(d.getUTCMonth() + 1, w),
    d: (w) => pad(d.getUTCDate(), w),
    H: (w) => pad(d.getUTCHours(), w),
    m: (w) => pad(d.getUTCMinutes(), w),
    s: (w) => pad(d.getUTCSeconds(), w),
    S: (w) => pad(d.getUTCMilliseconds(), 3).slice(0, w),
    D: (w) => pad(Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1, w),
  };
  let out = "";
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i];
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      const text = pattern.slice(i + 1, end === -1 ? pattern.length : end);
      out += text === "" && end === i + 1 ? "'" : text;
      i = end === -1 ? pattern.length : end + 1;
      continue;
    }
    const field = fields[c];
    if (field) {
      let w = 1;
      while (pattern[i + w] === c) w++;
      out += field(w);
      i += w;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function randomString(length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

function evaluate(template: string, time: number, errorType?: string): string {
  return template.replace(EXPRESSION, (_, namespace: string, arg: string) => {
    if (namespace === "timestamp") return formatJavaTime(arg, time);
    if (namespace === "firehose") return arg === "random-string" ? randomString(11) : errorType ?? "";
    return "";
  });
}

/** The evaluated prefix for delivered data: custom expressions, or `Prefix` + `yyyy/MM/dd/HH/`. */
export function dataPrefix(prefix: string | undefined, time: number): string {
  const p = prefix ?? "";
  return hasExpressions(p) ? evaluate(p, time) : p + formatJavaTime(DEFAULT_TIME, time);
}

/**
 * The evaluated prefix for failed records: the error prefix's expressions, or
 * `ErrorOutputPrefix` + `<error-output-type>/yyyy/MM/dd/HH/`.
 */
export function errorPrefix(errorOutputPrefix: string | undefined, time: number, errorType: string): string {
  const p = errorOutputPrefix ?? "";
  return hasExpressions(p) ? evaluate(p, time, errorType) : `${p}${errorType}/${formatJavaTime(DEFAULT_TIME, time)}`;
}

/** The object name suffix: `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>`. */
export function objectSuffix(stream: string, version: string, time: number, extension: string): string {
  return `${stream}-${version}-${formatJavaTime("yyyy-MM-dd-HH-mm-ss", time)}-${crypto.randomUUID()}${extension}`;
}
