/**
 * The path a client sent, kept where the Fetch API would lose it. `new Request(url)` parses the
 * URL and removes `.` and `..` segments (and their `%2e` spellings), but S3 keys may hold them
 * (`a/../b` is a key of its own; S3 never resolves dot segments), so an adapter that sees the
 * raw request target passes it along (`FetchOptions.rawPath`).
 *
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html (object key
 * naming: keys are any UTF-8 sequence; `..` is allowed), https://url.spec.whatwg.org/#double-dot-path-segment.
 */

const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;
const HAS_DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;

/**
 * The path of raw request target `target` (`/b/../k?x`) as the gateway routes it: each segment
 * percent-encoded as the URL parser would, dot segments kept. Undefined when the target holds no
 * dot segment (the parsed URL's pathname is then the same) or is not in origin form.
 */
export function pathKeepingDotSegments(target: string | undefined): string | undefined {
  if (!target || target[0] !== "/") return undefined;
  const end = target.search(/[?#]/);
  const path = end < 0 ? target : target.slice(0, end);
  if (!HAS_DOT_SEGMENT.test(path)) return undefined;
  return path.split("/").map((segment) => (DOT_SEGMENT.test(segment) || segment === "" ? segment : new URL(`http://x/${segment}`).pathname.slice(1))).join("/");
}
