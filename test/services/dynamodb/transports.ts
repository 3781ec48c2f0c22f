/**
 * DynamoDB clients for each suite: in-process on each test store, and over HTTP.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createEmulator, inProcess, overHttp, startTestServer, STORES } from "../../helpers/clients.ts";

export interface Transport {
  name: string;
  setup(): Promise<{ client: DynamoDBClient; doc: DynamoDBDocumentClient; url?: string; close(): Promise<void> }>;
}

export const TRANSPORTS: Transport[] = [
  ...STORES.map((store) => ({
    name: `in-process, ${store.name}`,
    async setup() {
      const client = new DynamoDBClient(inProcess(createEmulator({ store: store.make() })));
      return { client, doc: DynamoDBDocumentClient.from(client), close: async () => client.destroy() };
    },
  })),
  {
    name: "over HTTP",
    async setup() {
      const server = await startTestServer();
      const client = new DynamoDBClient(overHttp(server.url));
      return { client, doc: DynamoDBDocumentClient.from(client), url: server.url, close: async () => { client.destroy(); await server.close(); } };
    },
  },
];

let counter = 0;
/** A table name unique within the run. */
export function tableName(prefix = "t"): string {
  return `${prefix}-${Date.now().toString(36)}-${counter++}`;
}
