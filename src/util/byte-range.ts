/**
 * Byte ranges, parsed and clamped in one place: S3's `Range` header against an object's size,
 * and a blob store's `{ start, end }` read against a blob's size.
 *
 * HTTP: `bytes=first-last`, `bytes=first-`, `bytes=-suffix`, clamped as RFC 9110 §14.1.2 says (a
 * last position past the end is the end; a suffix longer than the body is the whole body).
 *
 * Source: https://www.rfc-editor.org/rfc/rfc9110#section-14.1.2
 */

/** An inclusive byte range inside a body (`end < start` only for an empty read). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * One `Range: bytes=` value against a body of `size` bytes: the clamped range when satisfiable,
 * `"unsatisfiable"` when well formed but starting at or past the end (or an empty suffix), and
 * undefined when it is not a single byte range (S3 then serves the whole object). White space
 * and the unit's case are forgiven, as S3 forgives them.
 */
export function clampHttpRange(header: string, size: number): ByteRange | "unsatisfiable" | undefined {
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === "" ? size - 1 : Number(m[2]);
  if (last < start) return undefined;
  if (start >= size) return "unsatisfiable";
  return { start, end: Math.min(last, size - 1) };
}

/**
 * A blob store read's range against a blob of `size` bytes: the whole blob without one, else
 * the range with its end clamped to the last byte. Throws `RangeError` for a range no caller
 * should pass (negative, fractional, or ending more than one byte before it starts).
 */
export function clampBlobRange(range: ByteRange | undefined, size: number): ByteRange {
  if (!range) return { start: 0, end: size - 1 };
  if (!Number.isInteger(range.start) || !Number.isInteger(range.end) || range.start < 0 || range.end < range.start - 1) {
    throw new RangeError(`invalid byte range ${range.start}-${range.end}`);
  }
  return { start: range.start, end: Math.min(range.end, size - 1) };
}
