/**
 * A benchmark case: one AWS operation as a real client sends it. Services add theirs in
 * `bench/cases/<service>.ts` and list them in `bench/cases/index.ts`.
 */
export interface BenchRequest {
  method: string;
  /** Path and query, e.g. `/` or `/bucket/key?x-id=GetObject`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface BenchCase {
  /** `service.Operation` as printed. */
  name: string;
  /** Signing name, for the credential scope. */
  service: string;
  /** Requests to send once before measuring (create the queue, the table, ...). */
  setup?: BenchRequest[];
  /** The request measured. Called once per request, so it may vary (unique ids). */
  request(): BenchRequest;
  /**
   * Optional, after `setup`, once per server measured: builds the measured request from what
   * that server answered (`call` returns the parsed JSON body), e.g. a shard iterator. Replaces
   * `request` for that server.
   */
  prepare?(call: (r: BenchRequest) => Promise<unknown>): Promise<() => BenchRequest>;
  /** Whether moto can answer this case (compared only then). */
  moto?: boolean;
}

/** The Authorization header a SigV4 client sends (signature not verified by fetchstack). */
export function sigv4(service: string, region = "us-east-1", accessKeyId = "test"): string {
  return `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20261122/${region}/${service}/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${"0".repeat(64)}`;
}
