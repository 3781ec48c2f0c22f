/**
 * S3 core suites' transports: the JS SDK in-process on each test store, and over HTTP to the
 * Node server. Each transport gets a fresh emulator (in-process) or shared server (HTTP), so
 * suites use unique bucket names.
 */
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { createEmulator, type Emulator } from "../../../src/emulator.ts";
import { createRequestHandler } from "../../../src/runtime/sdk.ts";
import { STORES, startTestServer, TEST_CREDENTIALS } from "../../helpers/clients.ts";

export interface S3Transport {
  name: string;
  /** A client; `extra` overrides config (region, credentials, forcePathStyle). */
  client(extra?: Partial<S3ClientConfig>): S3Client;
  /** Raw fetch against the emulator (path-style URL relative to the endpoint). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** The server's URL (HTTP transport only). */
  endpoint?: string;
  close(): Promise<void>;
}

export const clock = { offset: 0, now() { return Date.now() + this.offset; } };

export const TRANSPORTS: { name: string; setup: () => Promise<S3Transport> }[] = [
  ...STORES.map((store) => ({
    name: `in-process, ${store.name}`,
    async setup(): Promise<S3Transport> {
      const emulator: Emulator = createEmulator({ store: store.make(), clock });
      const handler = createRequestHandler(emulator);
      return {
        name: "in-process",
        client: (extra = {}) => new S3Client({ region: "us-east-1", credentials: TEST_CREDENTIALS, requestHandler: handler, forcePathStyle: true, ...extra }),
        fetch: (path, init) => emulator.fetch(new Request(`http://s3.localhost:4566${path}`, init)),
        close: async () => {},
      };
    },
  })),
  {
    name: "over HTTP (Node server)",
    async setup(): Promise<S3Transport> {
      const server = await startTestServer();
      return {
        name: "http",
        client: (extra = {}) => new S3Client({ region: "us-east-1", credentials: TEST_CREDENTIALS, endpoint: server.url, forcePathStyle: true, ...extra }),
        fetch: (path, init) => fetch(`${server.url}${path}`, init),
        endpoint: server.url,
        close: () => server.close(),
      };
    },
  },
];

let counter = 0;
/** A bucket name unique within the run. */
export function uniqueBucket(tag: string): string {
  return `${tag}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}
