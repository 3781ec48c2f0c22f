// fetchstack under /aws in a Hono app, served by Node (@hono/node-server).
import { createEmulator } from "fetchstack";
import { Hono } from "hono";
import { serve } from "@hono/node-server";

const aws = createEmulator({ basePath: "/aws" });
const app = new Hono();
app.get("/", (c) => c.json({ app: "hono" }));
app.all("/aws/*", (c) => aws.fetch(c.req.raw));
// clients use http://your-app/aws as their endpoint

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000) }, ({ port }) =>
  console.log(`AWS endpoint: http://127.0.0.1:${port}/aws`));
