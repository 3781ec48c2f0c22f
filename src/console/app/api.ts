/**
 * The console's calls to its own origin: AWS operations through `/_fetchstack/call`, the
 * services' introspection views and the internal API. Account and region come from the header.
 */
export const BASE = location.pathname.replace(/\/_fetchstack\/ui\/?$/, "");
export const INTERNAL = `${BASE}/_fetchstack`;

export const scope = {
  account: localStorage.getItem("fs.account") ?? "",
  region: localStorage.getItem("fs.region") ?? "",
};

export function setScope(account: string, region: string): void {
  scope.account = account;
  scope.region = region;
  localStorage.setItem("fs.account", account);
  localStorage.setItem("fs.region", region);
}

/** An AWS error answered by an operation (`code` as AWS names it). */
export class ApiError extends Error {
  constructor(readonly code: string, message: string, readonly status: number) {
    super(`${code}: ${message}`);
  }
}

function scopeQuery(): string {
  return new URLSearchParams({ account: scope.account, region: scope.region }).toString();
}

/** Runs `service`'s `operation` in the selected account and region (JSON in and out). */
export async function call<T = any>(service: string, operation: string, input: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${INTERNAL}/call/${service}/${operation}?${scopeQuery()}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(body.__type ?? "Error", body.message ?? body.error ?? response.statusText, response.status);
  return body as T;
}

/** Every page of a paginated list operation, up to `max` items. */
export async function callAll<T>(service: string, operation: string, input: Record<string, unknown>, items: (out: any) => T[] | undefined, token: [string, string] = ["NextToken", "NextToken"], max = 1000): Promise<T[]> {
  const all: T[] = [];
  let next: unknown;
  do {
    const out = await call(service, operation, next ? { ...input, [token[0]]: next } : input);
    all.push(...(items(out) ?? []));
    next = out[token[1]];
  } while (next && all.length < max);
  return all;
}

/** A service's introspection view (`/_fetchstack/services/<service>/<view>`). */
export async function view<T = any>(service: string, name: string, params: Record<string, string> = {}): Promise<T> {
  const q = new URLSearchParams({ ...params, account: scope.account, region: scope.region });
  const response = await fetch(`${INTERNAL}/services/${service}/${name}?${q}`);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError("ViewError", body.error ?? response.statusText, response.status);
  return body as T;
}

export async function internal<T = any>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`${INTERNAL}${path}`, init);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError("Error", body.error ?? response.statusText, response.status);
  return body as T;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Saves bytes as a file through a temporary link. */
export function download(name: string, data: BlobPart, type = "application/octet-stream"): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
