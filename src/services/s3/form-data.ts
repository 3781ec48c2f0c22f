/**
 * A streaming `multipart/form-data` reader (RFC 7578) for S3 POST uploads: text fields are
 * collected (bounded), and the `file` part is handed over as a stream, so an upload of any
 * size passes through without being buffered. Web APIs only (busboy and friends are Node-only);
 * `Request.formData()` would buffer the whole file.
 *
 *   const form = await readFormUntilFile(body, boundary);   // fields before the file
 *   form.file?.stream ... (read it to the end)               // the file's bytes
 *
 * Fields after the file are ignored, as S3 ignores them.
 */

const CRLF = new Uint8Array([13, 10]);
/** Bytes of fields S3 accepts before the file (its limit is 20 KB of form fields). */
const MAX_FIELD_BYTES = 1024 * 1024;

export class FormDataError extends Error {}

export interface FormFile {
  /** The field name (`file`). */
  name: string;
  filename: string;
  contentType?: string;
  stream: ReadableStream<Uint8Array>;
}

export interface FormUntilFile {
  /** Fields before the file, in order (names as sent). */
  fields: [string, string][];
  file?: FormFile;
}

/** The boundary parameter of a multipart/form-data Content-Type, or undefined. */
export function formBoundary(contentType: string | null): string | undefined {
  if (!contentType || !/^multipart\/form-data/i.test(contentType.trim())) return undefined;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  outer: for (let i = haystack.indexOf(first!, from); i !== -1 && i <= haystack.length - needle.length; i = haystack.indexOf(first!, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

interface PartHeaders {
  name?: string;
  filename?: string;
  contentType?: string;
}

function parsePartHeaders(text: string): PartHeaders {
  const out: PartHeaders = {};
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-type") out.contentType = value;
    if (name === "content-disposition") {
      const param = (p: string) => {
        const m = new RegExp(`;\\s*${p}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${p}=([^;]*)`, "i").exec(value);
        return m ? (m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2]!.trim()) : undefined;
      };
      out.name = param("name");
      out.filename = param("filename");
    }
  }
  return out;
}

/**
 * Reads fields up to the `file` part and returns them with the file as a stream (read it to
 * the end; the rest of the body is then drained). Throws FormDataError for malformed bodies.
 */
export async function readFormUntilFile(body: ReadableStream<Uint8Array>, boundary: string): Promise<FormUntilFile> {
  const reader = body.getReader();
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  let buffer: Uint8Array = new Uint8Array(0);
  let done = false;

  async function more(): Promise<boolean> {
    if (done) return false;
    const r = await reader.read();
    if (r.done) {
      done = true;
      return false;
    }
    buffer = concat(buffer, r.value);
    return true;
  }

  // The first boundary line may come without the leading CRLF.
  buffer = concat(CRLF, buffer);
  const fields: [string, string][] = [];
  let fieldBytes = 0;
  for (;;) {
    let at: number;
    while ((at = indexOf(buffer, delimiter)) === -1) {
      if (buffer.length > MAX_FIELD_BYTES) throw new FormDataError("form field too large");
      if (!(await more())) throw new FormDataError("unterminated multipart body");
    }
    // After the delimiter: "--" (end) or CRLF, then headers up to CRLFCRLF.
    let rest = at + delimiter.length;
    while (buffer.length < rest + 2) if (!(await more())) throw new FormDataError("truncated multipart body");
    if (buffer[rest] === 45 && buffer[rest + 1] === 45) {
      await reader.cancel().catch(() => {});
      return { fields };
    }
    let headerEnd: number;
    while ((headerEnd = indexOf(buffer, encoder.encode("\r\n\r\n"), rest)) === -1) {
      if (buffer.length - rest > 16 * 1024) throw new FormDataError("part headers too large");
      if (!(await more())) throw new FormDataError("truncated part headers");
    }
    const headers = parsePartHeaders(decoder.decode(buffer.subarray(rest + 2, headerEnd)));
    buffer = buffer.subarray(headerEnd + 4);
    if (headers.name === undefined) throw new FormDataError("part without a name");
    if (headers.name.toLowerCase() === "file") {
      return { fields, file: { name: headers.name, filename: headers.filename ?? "", contentType: headers.contentType, stream: fileStream() } };
    }
    // A text field: up to the next delimiter (left in the buffer for the next round).
    while ((at = indexOf(buffer, delimiter)) === -1) {
      if (buffer.length > MAX_FIELD_BYTES) throw new FormDataError("form field too large");
      if (!(await more())) throw new FormDataError("unterminated form field");
    }
    fieldBytes += at;
    if (fieldBytes > MAX_FIELD_BYTES) throw new FormDataError("form fields too large");
    fields.push([headers.name, decoder.decode(buffer.subarray(0, at))]);
    buffer = buffer.subarray(at);
  }

  /** The file's bytes: everything up to the next delimiter, keeping back a possible partial match. */
  function fileStream(): ReadableStream<Uint8Array> {
    let finished = false;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        for (;;) {
          if (finished) return controller.close();
          const at = indexOf(buffer, delimiter);
          if (at !== -1) {
            if (at > 0) controller.enqueue(buffer.slice(0, at));
            finished = true;
            buffer = new Uint8Array(0);
            await reader.cancel().catch(() => {});
            return controller.close();
          }
          const safe = buffer.length - (delimiter.length - 1);
          if (safe > 0) {
            const out = buffer.slice(0, safe);
            buffer = buffer.slice(safe);
            controller.enqueue(out);
            if (!(await more())) controller.error(new FormDataError("unterminated file part"));
            return;
          }
          if (!(await more())) {
            controller.error(new FormDataError("unterminated file part"));
            return;
          }
        }
      },
      async cancel(reason) {
        await reader.cancel(reason).catch(() => {});
      },
    }, { highWaterMark: 0 });
  }
}
