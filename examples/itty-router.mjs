// fetchstack under /aws in an itty-router app, served by Node (@hono/node-server).
import { createEmulator } from "fetchstack";
import { AutoRouter } from "itty-router";
import { serve } from "@hono/node-server";

const aws = createEmulator({ basePath: "/aws" });
const router = AutoRouter();
router.get("/", () => ({ app: "itty-router" }));
router.all("/aws/*", (request) => aws.fetch(request));
// clients use http://your-app/aws as their endpoint

serve({ fetch: router.fetch, port: Number(process.env.PORT ?? 3000) }, ({ port }) =>
  console.log(`AWS endpoint: http://127.0.0.1:${port}/aws`));
