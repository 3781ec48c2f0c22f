// The ceiling: a bare fetch handler on the same Node adapter (and settings) as the fetchstack CLI, answering a fixed
// STS-sized XML response after reading the body. Usage: node bench/ceiling-server.mjs PORT
import { serve } from "@hono/node-server";

const body = new TextEncoder().encode(`<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><UserId>000000000000</UserId><Account>000000000000</Account><Arn>arn:aws:iam::000000000000:root</Arn></GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>`);
export async function ceiling(request) {
  await request.arrayBuffer();
  return new Response(body, { headers: { "content-type": "text/xml" } });
}
if (process.argv[2]) {
  serve({ fetch: ceiling, port: Number(process.argv[2]), hostname: "127.0.0.1", overrideGlobalObjects: true }, () => console.log("ready"));
}
