/**
 * CloudWatch Logs transformers through the JS SDK v3 in-process: TestTransformer with AWS's
 * processors (a table of configurations and what each makes of an event), PutTransformer
 * applied at ingestion (GetLogEvents reads the transformed event, metric filters read the
 * original unless applyOnTransformedLogs), account transformer policies, AWS's errors.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DeleteTransformerCommand, GetLogEventsCommand, GetTransformerCommand,
  PutAccountPolicyCommand, PutLogEventsCommand, PutMetricFilterCommand, PutTransformerCommand, TestTransformerCommand, type Processor,
} from "@aws-sdk/client-cloudwatch-logs";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { fail, harness, SUITE_STORES, type Harness } from "../cloudwatch/helpers.ts";

const START = Date.UTC(2026, 11, 1, 12);

/** [processors, input message, transformed object] */
const TABLE: [string, Processor[], string, unknown][] = [
  ["parseJSON + addKeys + deleteKeys", [{ parseJSON: {} }, { addKeys: { entries: [{ key: "env", value: "prod" }, { key: "level", value: "x" }] } }, { deleteKeys: { withKeys: ["secret"] } }],
    '{"level":"INFO","secret":"s","user":{"id":7}}', { level: "INFO", user: { id: 7 }, env: "prod" }],
  ["parseJSON into a destination", [{ parseJSON: { destination: "body" } }], '{"a":1}', { body: { a: 1 } }],
  ["csv with columns and quotes", [{ csv: { columns: ["ip", "path", "note"] } }], '10.0.0.1,/x,"a, b"', { ip: "10.0.0.1", path: "/x", note: "a, b" }],
  ["csv default column names, tab delimiter", [{ csv: { delimiter: "\t" } }], "a\tb", { column_1: "a", column_2: "b" }],
  ["parseKeyValue with prefix", [{ parseKeyValue: { fieldDelimiter: " ", keyValueDelimiter: "=", keyPrefix: "kv_" } }], "user=ann status=200", { kv_user: "ann", kv_status: "200" }],
  ["grok with typed captures", [{ grok: { match: "%{IP:client} %{WORD:method} %{URIPATHPARAM:path} %{NUMBER:status:int} %{NUMBER:ms:float}" } }],
    "192.168.0.1 GET /index?a=1 404 12.5", { client: "192.168.0.1", method: "GET", path: "/index?a=1", status: 404, ms: 12.5 }],
  ["copy, move, rename, case and trim", [
    { parseJSON: {} }, { copyValue: { entries: [{ source: "a", target: "copy" }] } }, { moveKeys: { entries: [{ source: "b", target: "nested.b" }] } },
    { renameKeys: { entries: [{ key: "c", renameTo: "see" }] } }, { upperCaseString: { withKeys: ["a"] } }, { lowerCaseString: { withKeys: ["copy"] } },
    { trimString: { withKeys: ["see"] } },
  ], '{"a":"Hi","b":1,"c":"  x  "}', { a: "HI", copy: "hi", nested: { b: 1 }, see: "x" }],
  ["split, substitute, type conversion", [
    { parseJSON: {} }, { splitString: { entries: [{ source: "tags", delimiter: "," }] } }, { substituteString: { entries: [{ source: "path", from: "\\d+", to: "{id}" }] } },
    { typeConverter: { entries: [{ key: "n", type: "integer" }, { key: "f", type: "double" }, { key: "b", type: "boolean" }, { key: "s", type: "string" }] } },
  ], '{"tags":"a,b","path":"/u/42/x/7","n":"12","f":"1.5","b":"TRUE","s":3}', { tags: ["a", "b"], path: "/u/{id}/x/{id}", n: 12, f: 1.5, b: true, s: "3" }],
  ["listToMap flattened", [{ parseJSON: {} }, { listToMap: { source: "items", key: "k", valueKey: "v", flatten: true, target: "map" } }],
    '{"items":[{"k":"a","v":1},{"k":"b","v":2}]}', { items: [{ k: "a", v: 1 }, { k: "b", v: 2 }], map: { a: 1, b: 2 } }],
  ["dateTimeConverter", [{ parseJSON: {} }, { dateTimeConverter: { source: "t", target: "iso", matchPatterns: ["dd/MMM/yyyy:HH:mm:ss Z"] } }],
    '{"t":"01/Dec/2026:10:00:00 +0200"}', { t: "01/Dec/2026:10:00:00 +0200", iso: "2026-12-01T08:00:00.000Z" }],
  ["parseVPC", [{ parseVPC: {} }], "2 123456789012 eni-1 10.0.0.1 10.0.0.2 443 5000 6 10 840 1700000000 1700000060 ACCEPT OK",
    { version: 2, account_id: 123456789012, interface_id: "eni-1", srcaddr: "10.0.0.1", dstaddr: "10.0.0.2", srcport: 443, dstport: 5000, protocol: 6, packets: 10, bytes: 840, start: 1700000000, end: 1700000060, action: "ACCEPT", log_status: "OK" }],
];

for (const store of SUITE_STORES) {
  describe(`CloudWatch Logs transformers, ${store.name}`, () => {
    let h: Harness;
    let logs: CloudWatchLogsClient;
    beforeEach(() => {
      h = harness(store, START);
      logs = new CloudWatchLogsClient(h.config);
    });

    it("TestTransformer applies each processor as AWS documents", async () => {
      for (const [label, config, message, expected] of TABLE) {
        const out = await logs.send(new TestTransformerCommand({ transformerConfig: config, logEventMessages: [message] }));
        expect([label, JSON.parse(out.transformedLogs![0]!.transformedEventMessage!)]).toEqual([label, expected]);
        expect(out.transformedLogs![0]).toMatchObject({ eventNumber: 1, eventMessage: message });
      }
      // A parser that cannot parse leaves the event as it was.
      const untouched = await logs.send(new TestTransformerCommand({ transformerConfig: [{ parseJSON: {} }], logEventMessages: ["not json"] }));
      expect(untouched.transformedLogs![0]!.transformedEventMessage).toBe("not json");
      for (const bad of [[{ addKeys: { entries: [{ key: "a", value: "b" }] } }], [{ parseJSON: {} }, { parseVPC: {} }], [{ grok: { match: "%{NOPE:x}" } }]] as Processor[][]) {
        const error = await fail(logs.send(new TestTransformerCommand({ transformerConfig: bad, logEventMessages: ["x"] })));
        expect(error.name).toBe("InvalidParameterException");
      }
    });

    it("a group's transformer transforms ingested events; metric filters choose which version they read", async () => {
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/app" }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: "/app", logStreamName: "s" }));
      const config: Processor[] = [{ grok: { match: "%{LOGLEVEL:level} %{GREEDYDATA:msg}" } }, { addKeys: { entries: [{ key: "service", value: "app" }] } }];
      await logs.send(new PutTransformerCommand({ logGroupIdentifier: "/app", transformerConfig: config }));
      const got = await logs.send(new GetTransformerCommand({ logGroupIdentifier: "/app" }));
      expect(got).toMatchObject({ logGroupIdentifier: "arn:aws:logs:us-east-1:000000000000:log-group:/app", transformerConfig: config, creationTime: START });
      await logs.send(new PutMetricFilterCommand({ logGroupName: "/app", filterName: "original", filterPattern: "ERROR", metricTransformations: [{ metricName: "Orig", metricNamespace: "T", metricValue: "1" }] }));
      await logs.send(new PutMetricFilterCommand({
        logGroupName: "/app", filterName: "transformed", filterPattern: '{ $.level = "ERROR" }', applyOnTransformedLogs: true,
        metricTransformations: [{ metricName: "Trans", metricNamespace: "T", metricValue: "1" }],
      }));
      await logs.send(new PutLogEventsCommand({ logGroupName: "/app", logStreamName: "s", logEvents: [{ timestamp: START, message: "ERROR disk full" }, { timestamp: START + 1, message: "plain text" }] }));
      await h.emulator.settled();
      const events = (await logs.send(new GetLogEventsCommand({ logGroupName: "/app", logStreamName: "s", startFromHead: true }))).events!.map((e) => e.message);
      expect(events).toEqual([JSON.stringify({ level: "ERROR", msg: "disk full", service: "app" }), "plain text"]);
      const cw = new CloudWatchClient(h.config);
      for (const name of ["Orig", "Trans"]) {
        const stats = await cw.send(new GetMetricStatisticsCommand({ Namespace: "T", MetricName: name, StartTime: new Date(START - 60_000), EndTime: new Date(START + 60_000), Period: 60, Statistics: ["Sum"] }));
        expect([name, stats.Datapoints!.map((d) => d.Sum)]).toEqual([name, [1]]);
      }
      await logs.send(new DeleteTransformerCommand({ logGroupIdentifier: "/app" }));
      expect((await fail(logs.send(new GetTransformerCommand({ logGroupIdentifier: "/app" })))).name).toBe("ResourceNotFoundException");
      expect((await fail(logs.send(new PutTransformerCommand({ logGroupIdentifier: "/none", transformerConfig: config })))).name).toBe("ResourceNotFoundException");
    });

    it("an account transformer policy transforms the groups it selects", async () => {
      for (const name of ["/json/a", "/other"]) {
        await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
        await logs.send(new CreateLogStreamCommand({ logGroupName: name, logStreamName: "s" }));
      }
      await logs.send(new PutAccountPolicyCommand({
        policyName: "json", policyType: "TRANSFORMER_POLICY", selectionCriteria: 'LogGroupNamePrefix IN ["/json/"]',
        policyDocument: JSON.stringify({ transformerConfig: [{ parseJSON: {} }, { addKeys: { entries: [{ key: "t", value: "yes" }] } }] }),
      }));
      for (const name of ["/json/a", "/other"]) {
        await logs.send(new PutLogEventsCommand({ logGroupName: name, logStreamName: "s", logEvents: [{ timestamp: START, message: '{"x":1}' }] }));
      }
      const read = async (name: string) => (await logs.send(new GetLogEventsCommand({ logGroupName: name, logStreamName: "s" }))).events![0]!.message;
      expect(await read("/json/a")).toBe('{"x":1,"t":"yes"}');
      expect(await read("/other")).toBe('{"x":1}');
      const bad = await fail(logs.send(new PutAccountPolicyCommand({ policyName: "b", policyType: "TRANSFORMER_POLICY", policyDocument: JSON.stringify({ transformerConfig: [{ deleteKeys: { withKeys: ["a"] } }] }) })));
      expect(bad.name).toBe("InvalidParameterException");
    });
  });
}
