/** Lambda's Marker/MaxItems paging (ListFunctions, ListVersionsByFunction, ListCapacityProviders, ...). */
import { invalidParameter } from "./errors.ts";

/** Marker-based paging; the marker is the position, opaque to clients. */
export function page<T, K extends string>(items: T[], marker: string | undefined, max: number, member: K): { [P in K]: T[] } & { NextMarker?: string } {
  let start = 0;
  if (marker !== undefined) {
    const n = Number.parseInt(atobSafe(marker), 10);
    if (!Number.isFinite(n) || n < 0) throw invalidParameter("Invalid marker.");
    start = n;
  }
  const slice = items.slice(start, start + max);
  const next = start + max < items.length ? btoa(String(start + max)) : undefined;
  return { [member]: slice, ...(next ? { NextMarker: next } : {}) } as { [P in K]: T[] } & { NextMarker?: string };
}

function atobSafe(text: string): string {
  try {
    return atob(text);
  } catch {
    return "";
  }
}
