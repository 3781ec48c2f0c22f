/**
 * The terminal's request log (`--log requests` / `FETCHSTACK_LOG=requests`): one line per
 * answered AWS API request,
 *
 *   2026-12-05T22:14:03.120Z  sqs SendMessage 200 3.1ms  000000000000 us-east-1
 *
 * (time, service, operation, status, latency in ms, account, region; `-` for a request that
 * named no operation). `--log debug` adds the request and response bodies below it, each cut at
 * `DEBUG_BODY_CHARS` characters. Web-standard only: used by the Node and Deno servers.
 */
import type { RequestRecord, CapturedBody } from "../console/request-log.ts";

/** How much of each body `--log debug` prints. */
export const DEBUG_BODY_CHARS = 2048;

/** What the server prints per request: nothing, a line, or a line plus bodies. */
export type LogLevel = "off" | "requests" | "debug";

export const LOG_LEVELS: readonly LogLevel[] = ["off", "requests", "debug"];

/** One request's line (and, with `bodies`, its bodies), without a trailing newline. */
export function formatRequest(record: RequestRecord, bodies = false): string {
  const line = [
    new Date(record.time).toISOString(),
    ` ${record.service}`,
    record.operation || "-",
    String(record.status),
    `${record.latencyMs.toFixed(1)}ms`,
    ` ${record.account}`,
    record.region,
  ].join(" ");
  if (!bodies) return line;
  return [line, body("  >", record.request), body("  <", record.response)].filter(Boolean).join("\n");
}

function body(prefix: string, captured: CapturedBody | undefined): string {
  if (!captured || captured.size === 0) return "";
  const text = captured.encoding === "base64" ? `(${captured.size} bytes, base64) ${captured.text}` : captured.text;
  const cut = text.length > DEBUG_BODY_CHARS || captured.truncated;
  return `${prefix} ${text.slice(0, DEBUG_BODY_CHARS).replace(/\s*\n\s*/g, " ")}${cut ? ` … (${captured.size} bytes)` : ""}`;
}

/** `createEmulator`'s `onRequest` for a level, writing each entry with `write`; undefined for `off`. */
export function requestPrinter(level: LogLevel | undefined, write: (text: string) => void) {
  if (!level || level === "off") return undefined;
  const bodies = level === "debug";
  return { listener: (record: RequestRecord) => write(formatRequest(record, bodies)), bodies };
}
