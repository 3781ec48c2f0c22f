/**
 * Captured S3 request bodies (/work/shared/captures), HTTP de-chunked as the runtime delivers them.
 */
import { readFileSync, existsSync } from "node:fs";

const DIR = "/work/shared/captures";

export interface CapturedBody {
  file: string;
  seq: number;
  headers: Headers;
  /** aws-chunked bytes, after HTTP chunking is removed. */
  body: Uint8Array;
}

/** Removes HTTP/1.1 chunked transfer framing. */
export function dechunkHttp(raw: Uint8Array): Uint8Array {
  const out: number[] = [];
  let i = 0;
  for (;;) {
    let end = i;
    while (!(raw[end] === 0x0d && raw[end + 1] === 0x0a)) end++;
    const size = parseInt(new TextDecoder().decode(raw.subarray(i, end)).split(";")[0]!, 16);
    i = end + 2;
    if (size === 0) break;
    for (let k = 0; k < size; k++) out.push(raw[i + k]!);
    i += size + 2;
  }
  return new Uint8Array(out);
}

/** Complete (untruncated) aws-chunked bodies from every capture file. */
export function capturedAwsChunkedBodies(): CapturedBody[] {
  const found: CapturedBody[] = [];
  for (const file of ["js-sdk-v3.jsonl", "boto3-https.jsonl"]) {
    const path = `${DIR}/${file}`;
    if (!existsSync(path)) continue;
    for (const line of readFileSync(path, "utf8").split("\n")) {
      if (!line.trim()) continue;
      const record = JSON.parse(line);
      const headers = new Headers(record.request.headers);
      if (!(headers.get("content-encoding") ?? "").includes("aws-chunked")) continue;
      const body = record.request.body;
      if (body.truncated) continue;
      const raw = body.encoding === "base64" ? Uint8Array.from(atob(body.text), (c) => c.charCodeAt(0)) : new TextEncoder().encode(body.text);
      found.push({ file, seq: record.seq, headers, body: headers.get("transfer-encoding") === "chunked" ? dechunkHttp(raw) : raw });
    }
  }
  return found;
}
