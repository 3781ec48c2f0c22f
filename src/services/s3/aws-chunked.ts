/**
 * A streaming decoder for `Content-Encoding: aws-chunked` request bodies (S3 PutObject and
 * UploadPart from SDKs that stream, or send checksums as trailers):
 *
 *   <hex size>[;chunk-signature=<64 hex>]\r\n<size bytes>\r\n ... 0[;chunk-signature=...]\r\n
 *   [<trailer-name>:<value>\r\n]*            (the `...-TRAILER` variants; signed ones add
 *   \r\n                                      `x-amz-trailer-signature:<hex>`)
 *
 * Covers STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD and
 * STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER (and the ECDSA variants, which frame alike).
 * Chunk signatures are parsed and kept, not verified (fetchstack does not verify signatures by
 * default). HTTP chunking is already removed by the runtime; aws-chunk boundaries fall
 * anywhere in the reads, so the decoder is a byte-level state machine.
 *
 * Errors are AwsErrors: `IncompleteBody` for a body that ends early, has bad framing, or
 * disagrees with `x-amz-decoded-content-length`.
 *
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
 */
import { AwsError } from "../../protocol/errors.ts";

/** Longest chunk-header or trailer line accepted (a signed header is ~90 bytes). */
const MAX_LINE = 4096;

export interface AwsChunkedOptions {
  /** `x-amz-decoded-content-length`: the decoded size must equal it. */
  decodedLength?: number;
}

export interface AwsChunkedDecoder extends TransformStream<Uint8Array, Uint8Array> {
  /** Trailer headers by lower-case name (set once the body is decoded; excludes the trailer signature). */
  readonly trailers: Record<string, string>;
  /** Chunk signatures in order (signed variants), for a verifier. */
  readonly signatures: string[];
  /** Decoded bytes so far. */
  readonly decodedBytes: number;
}

export function incompleteBody(): AwsError {
  return new AwsError("IncompleteBody", "The request body terminated unexpectedly", 400);
}

function malformedChunk(): AwsError {
  return new AwsError("IncompleteBody", "The request body terminated unexpectedly", 400);
}

type State = "header" | "data" | "data-crlf" | "trailer" | "done";

/** Creates the decoder (a TransformStream: aws-chunked bytes in, payload bytes out). */
export function createAwsChunkedDecoder(options: AwsChunkedOptions = {}): AwsChunkedDecoder {
  const trailers: Record<string, string> = {};
  const signatures: string[] = [];
  let state: State = "header";
  let line: number[] = [];
  let remaining = 0;
  let crlfSeen = 0;
  let decoded = 0;
  const latin1 = (bytes: number[]) => String.fromCharCode(...bytes);

  function headerLine(text: string): void {
    const [sizeText, ...extensions] = text.split(";");
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText!.trim())) throw malformedChunk();
    remaining = parseInt(sizeText!.trim(), 16);
    for (const ext of extensions) {
      const eq = ext.indexOf("=");
      if (eq !== -1 && ext.slice(0, eq).trim() === "chunk-signature") signatures.push(ext.slice(eq + 1).trim());
    }
    if (remaining === 0) state = "trailer";
    else state = "data";
  }

  function trailerLine(text: string): boolean {
    if (text === "") return true;
    const colon = text.indexOf(":");
    if (colon <= 0) throw malformedChunk();
    const name = text.slice(0, colon).trim().toLowerCase();
    if (name !== "x-amz-trailer-signature") trailers[name] = text.slice(colon + 1).trim();
    return false;
  }

  const transform = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      let i = 0;
      while (i < chunk.length) {
        switch (state) {
          case "data": {
            const take = Math.min(remaining, chunk.length - i);
            controller.enqueue(chunk.subarray(i, i + take));
            i += take;
            remaining -= take;
            decoded += take;
            if (options.decodedLength !== undefined && decoded > options.decodedLength) throw incompleteBody();
            if (remaining === 0) (state = "data-crlf"), (crlfSeen = 0);
            break;
          }
          case "data-crlf": {
            const expected = crlfSeen === 0 ? 0x0d : 0x0a;
            if (chunk[i] !== expected) throw malformedChunk();
            i++;
            if (++crlfSeen === 2) state = "header";
            break;
          }
          case "header":
          case "trailer": {
            const b = chunk[i++]!;
            if (b === 0x0a && line[line.length - 1] === 0x0d) {
              const text = latin1(line.slice(0, -1));
              line = [];
              if (state === "header") headerLine(text);
              else if (trailerLine(text)) state = "done";
            } else {
              line.push(b);
              if (line.length > MAX_LINE) throw malformedChunk();
            }
            break;
          }
          case "done":
            // Some clients end with extra CRLFs; anything else after the final chunk is framing garbage.
            if (chunk[i] !== 0x0d && chunk[i] !== 0x0a) throw malformedChunk();
            i++;
            break;
        }
      }
    },
    flush() {
      // A body ending right after the zero-size chunk's line (no trailer section) is accepted.
      if (state === "trailer" && line.length === 0) state = "done";
      if (state !== "done") throw incompleteBody();
      if (options.decodedLength !== undefined && decoded !== options.decodedLength) throw incompleteBody();
    },
  });
  return Object.defineProperties(transform, {
    trailers: { get: () => trailers },
    signatures: { get: () => signatures },
    decodedBytes: { get: () => decoded },
  }) as AwsChunkedDecoder;
}
