/**
 * Embedded: the emulator mounted under /aws inside another app's router (itty-router and Hono),
 * called by the JS SDK with the app's URL plus /aws as its endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { AutoRouter } from "itty-router";
import { Hono } from "hono";
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { createEmulator } from "../../src/mod.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

function listen(fetch: (r: Request) => Promise<Response> | Response): Promise<Server> {
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: "127.0.0.1", overrideGlobalObjects: false }) as Server;
    server.once("listening", () => resolve(server));
  });
}

describe("embedded under /aws", () => {
  const servers: Server[] = [];
  let ittyUrl = "";
  let honoUrl = "";
  beforeAll(async () => {
    const aws = createEmulator({ basePath: "/aws" });
    const router = AutoRouter();
    router.get("/hello", () => ({ app: "itty" })).all("/aws/*", (request: Request) => aws.fetch(request)).all("/aws", (request: Request) => aws.fetch(request));
    const itty = await listen((r) => router.fetch(r));
    const app = new Hono();
    app.get("/hello", (c) => c.json({ app: "hono" }));
    app.all("/aws/*", (c) => aws.fetch(c.req.raw));
    app.all("/aws", (c) => aws.fetch(c.req.raw));
    const hono = await listen((r) => app.fetch(r));
    servers.push(itty, hono);
    ittyUrl = `http://127.0.0.1:${(itty.address() as AddressInfo).port}`;
    honoUrl = `http://127.0.0.1:${(hono.address() as AddressInfo).port}`;
  });
  afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

  it("itty-router app serves its own routes and AWS under /aws", async () => {
    expect(await (await fetch(`${ittyUrl}/hello`)).json()).toEqual({ app: "itty" });
    const sts = new STSClient({ region: "us-east-1", endpoint: `${ittyUrl}/aws`, credentials });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe("000000000000");
    expect((await fetch(`${ittyUrl}/aws/_fetchstack/health`)).status).toBe(200);
  });

  it("Hono app serves AWS under /aws", async () => {
    expect(await (await fetch(`${honoUrl}/hello`)).json()).toEqual({ app: "hono" });
    const sts = new STSClient({ region: "us-east-1", endpoint: `${honoUrl}/aws`, credentials });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:iam::000000000000:root");
  });
});
