/**
 * StartLiveTail and GetLogObject through the JS SDK v3 in-process (event-stream responses): a
 * session starts, receives the events ingested after it (streams and filter pattern applied),
 * heartbeats with empty updates, and times out after 3 hours; GetLogObject streams the event a
 * query's @ptr names; AWS's errors before the stream.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, GetLogObjectCommand, GetQueryResultsCommand, PutLogEventsCommand,
  StartLiveTailCommand, StartQueryCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { fail, harness, SUITE_STORES, type Harness } from "../cloudwatch/helpers.ts";

const START = Date.UTC(2026, 11, 1, 12);
const ARN = "arn:aws:logs:us-east-1:000000000000:log-group:/app";

for (const store of SUITE_STORES.slice(0, 1)) {
  describe(`CloudWatch Logs live tail, ${store.name}`, () => {
    let h: Harness;
    let logs: CloudWatchLogsClient;
    beforeEach(async () => {
      h = harness(store, START);
      logs = new CloudWatchLogsClient(h.config);
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/app" }));
      for (const s of ["web-1", "worker"]) await logs.send(new CreateLogStreamCommand({ logGroupName: "/app", logStreamName: s }));
    });
    const put = (stream: string, ...messages: string[]) =>
      logs.send(new PutLogEventsCommand({ logGroupName: "/app", logStreamName: stream, logEvents: messages.map((message) => ({ timestamp: h.clock.now(), message })) }));

    it("streams ingested events that match, heartbeats, and times out", async () => {
      await put("web-1", "ERROR before the session");
      const out = await logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [ARN], logStreamNamePrefixes: ["web"], logEventFilterPattern: "ERROR" }));
      const events = out.responseStream![Symbol.asyncIterator]();
      const first = (await events.next()).value;
      expect(first.sessionStart).toMatchObject({ logGroupIdentifiers: [ARN], logStreamNamePrefixes: ["web"], logEventFilterPattern: "ERROR" });
      expect(first.sessionStart.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      await h.clock.advance(10);
      await put("web-1", "ERROR one", "fine");
      await put("worker", "ERROR elsewhere");
      const update = (await events.next()).value.sessionUpdate;
      expect(update.sessionResults.map((e: any) => [e.logStreamName, e.message, e.logGroupIdentifier])).toEqual([["web-1", "ERROR one", ARN]]);
      expect(update.sessionMetadata).toEqual({ sampled: false });
      await h.clock.advance(1000);
      expect((await events.next()).value.sessionUpdate.sessionResults).toEqual([]);
      await h.clock.advance(3 * 3_600_000);
      // Heartbeats (empty updates) until the session ends with SessionTimeoutException.
      let end: any;
      for (let i = 0; i < 20_000 && !end; i++) {
        const next = await events.next().catch((error: any) => error);
        if (next instanceof Error || next.done) end = next;
        else expect(next.value.sessionUpdate.sessionResults).toEqual([]);
      }
      expect(end.name).toBe("SessionTimeoutException");
    });

    it("refuses bad sessions before streaming; GetLogObject streams an event by its pointer", async () => {
      expect((await fail(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: ["arn:aws:logs:us-east-1:000000000000:log-group:/none"] })))).name).toBe("ResourceNotFoundException");
      expect((await fail(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [ARN], logStreamNames: ["a"], logStreamNamePrefixes: ["b"] })))).name).toBe("InvalidParameterException");
      expect((await fail(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: ["/app"] })))).name).toBe("InvalidParameterException");

      await put("worker", "a big object");
      const { queryId } = await logs.send(new StartQueryCommand({ logGroupName: "/app", queryString: "fields @message, @ptr", startTime: START / 1000 - 60, endTime: START / 1000 + 60 }));
      await h.emulator.settled();
      const row = (await logs.send(new GetQueryResultsCommand({ queryId }))).results![0]!;
      const ptr = row.find((f) => f.field === "@ptr")!.value!;
      const out = await logs.send(new GetLogObjectCommand({ logObjectPointer: ptr }));
      const chunks: string[] = [];
      for await (const e of out.fieldStream!) if (e.fields?.data) chunks.push(new TextDecoder().decode(e.fields.data));
      expect(chunks).toEqual(["a big object"]);
      expect((await fail(logs.send(new GetLogObjectCommand({ logObjectPointer: "bm9wZQ==" })))).name).toBe("InvalidParameterException");
    });
  });
}
