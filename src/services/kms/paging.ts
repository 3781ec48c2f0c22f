/** Limit/Marker paging as KMS's List* operations answer it (Truncated, NextMarker). */
import { AwsError } from "../../protocol/errors.ts";

/**
 * One page of `items` (already in a stable order, each with a unique `id`) after `marker`.
 * The marker is the base64 of the last id returned; a marker that is not one fails with
 * InvalidMarkerException.
 */
export function page<T>(items: T[], id: (item: T) => string, limit = 100, marker?: string): { page: T[]; NextMarker?: string; Truncated: boolean } {
  let start = 0;
  if (marker !== undefined) {
    let last: string;
    try {
      last = atob(marker);
    } catch {
      throw new AwsError("InvalidMarkerException", "Invalid marker.", 400);
    }
    start = items.findIndex((item) => id(item) > last);
    if (start < 0) start = items.length;
  }
  const slice = items.slice(start, start + limit);
  const truncated = start + limit < items.length;
  return { page: slice, Truncated: truncated, ...(truncated ? { NextMarker: btoa(id(slice[slice.length - 1])) } : {}) };
}
