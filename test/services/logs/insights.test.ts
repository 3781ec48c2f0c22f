/**
 * Logs Insights through the JS SDK v3, in-process on a manual clock: fields, filter (comparisons,
 * like, regex, in, and/or/not), parse (glob and regex), stats count/sum/avg/min/max/pct by
 * fields and bin(), sort, limit, dedup, display; the query lifecycle (Running until settled,
 * Complete, StopQuery, DescribeQueries), GetLogRecord by @ptr, GetLogGroupFields, retention and
 * the time range, and AWS's errors.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DescribeQueriesCommand, GetLogGroupFieldsCommand,
  GetLogRecordCommand, GetQueryResultsCommand, PutLogEventsCommand, PutRetentionPolicyCommand, StartQueryCommand, StopQueryCommand,
  type ResultField,
} from "@aws-sdk/client-cloudwatch-logs";
import { createEmulator, type Emulator } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { inProcess, STORES } from "../../helpers/clients.ts";
import { fail } from "../cloudwatch/helpers.ts";

const START = Date.UTC(2026, 11, 1);
const SEC = START / 1000;

const asObjects = (rows: ResultField[][]) => rows.map((row) => Object.fromEntries(row.map((f) => [f.field, f.value])));

for (const store of STORES.filter((s) => s.name !== "deno-kv store")) {
  describe(`Logs Insights, in-process, ${store.name}`, () => {
    let clock: ManualClock;
    let emulator: Emulator;
    let logs: CloudWatchLogsClient;
    beforeEach(async () => {
      clock = createManualClock(START + 3_600_000);
      emulator = createEmulator({ store: store.make(), clock });
      logs = new CloudWatchLogsClient(inProcess(emulator));
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/app/api" }));
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/app/worker" }));
      for (const [group, stream] of [["/app/api", "a-1"], ["/app/api", "a-2"], ["/app/worker", "w-1"]] as const) {
        await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
      }
      const put = (group: string, stream: string, events: [number, string][]) =>
        logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events.map(([t, message]) => ({ timestamp: START + t, message })) }));
      await put("/app/api", "a-1", [
        [0, JSON.stringify({ path: "/users", status: 200, latency: 12, user: { id: "u1" } })],
        [60_000, JSON.stringify({ path: "/users", status: 500, latency: 40, user: { id: "u2" } })],
        [330_000, JSON.stringify({ path: "/orders", status: 200, latency: 20, user: { id: "u1" } })],
      ]);
      await put("/app/api", "a-2", [
        [120_000, JSON.stringify({ path: "/orders", status: 404, latency: 8, user: { id: "u3" } })],
        [400_000, "GET /health 200 1ms"],
      ]);
      await put("/app/worker", "w-1", [
        [30_000, "job=import took=350ms result=ok"],
        [90_000, "job=export took=1200ms result=failed"],
      ]);
    });

    async function run(queryString: string, groups = ["/app/api"], range: [number, number] = [SEC, SEC + 3600], limit?: number) {
      const { queryId } = await logs.send(new StartQueryCommand({ logGroupNames: groups, startTime: range[0], endTime: range[1], queryString, limit }));
      await emulator.settled();
      const out = await logs.send(new GetQueryResultsCommand({ queryId }));
      expect(out.status).toBe("Complete");
      return { rows: asObjects(out.results!), raw: out.results!, statistics: out.statistics!, queryId: queryId! };
    }

    it("fields, filter on JSON fields, sort and limit; @ptr reads back with GetLogRecord", async () => {
      const { rows, raw, statistics } = await run("fields @timestamp, path, status, user.id as who | filter status >= 400 | sort @timestamp desc | limit 5");
      expect(rows.map(({ "@ptr": _, ...r }) => r)).toEqual([
        { "@timestamp": "2026-12-01 00:02:00.000", path: "/orders", status: "404", who: "u3" },
        { "@timestamp": "2026-12-01 00:01:00.000", path: "/users", status: "500", who: "u2" },
      ]);
      expect(raw[0]!.map((f) => f.field)).toEqual(["@timestamp", "path", "status", "who", "@ptr"]);
      expect(statistics).toMatchObject({ recordsMatched: 2, recordsScanned: 5 });
      expect(statistics.bytesScanned).toBeGreaterThan(100);
      const record = (await logs.send(new GetLogRecordCommand({ logRecordPointer: rows[0]!["@ptr"] }))).logRecord!;
      expect(record).toMatchObject({ "@timestamp": String(START + 120_000), "@logStream": "a-2", "@log": "000000000000:/app/api", path: "/orders", "user.id": "u3" });
      expect(JSON.parse(record["@message"]!)).toMatchObject({ status: 404 });
      const bad = await fail(logs.send(new GetLogRecordCommand({ logRecordPointer: "bm9wZQ" })));
      expect(bad.name).toBe("InvalidParameterException");
    });

    it("filter with like, regex, in, not, and/or; default columns", async () => {
      expect((await run("filter @message like /health/")).rows.map((r) => r["@message"])).toEqual(["GET /health 200 1ms"]);
      expect((await run(`filter @message like "took=1200"`, ["/app/worker"])).rows.map((r) => r["@logStream"])).toEqual(["w-1"]);
      expect(Object.keys((await run("filter @message =~ /import/", ["/app/worker"])).rows[0]!)).toEqual(["@timestamp", "@message", "@logStream", "@log", "@ptr"]);
      expect((await run("fields path | filter status in [404, 500] and not path = '/users'")).rows.map((r) => r.path)).toEqual(["/orders"]);
      expect((await run("fields status | filter status = 200 or latency > 30 | sort latency")).rows.map((r) => r.status)).toEqual(["200", "200", "500"]);
      expect((await run("fields path | filter ispresent(path) and path not like /users/")).rows.map((r) => r.path)).toEqual(["/orders", "/orders"]);
    });

    it("stats count/sum/avg/min/max/pct by a field and by bin(), across groups", async () => {
      const byPath = await run("filter ispresent(path) | stats count(*) as n, sum(latency) as total, avg(latency), min(latency), max(latency) by path | sort path");
      expect(byPath.rows).toEqual([
        { path: "/orders", n: "2", total: "28", "avg(latency)": "14", "min(latency)": "8", "max(latency)": "20" },
        { path: "/users", n: "2", total: "52", "avg(latency)": "26", "min(latency)": "12", "max(latency)": "40" },
      ]);
      expect(byPath.raw[0]!.map((f) => f.field)).toEqual(["path", "n", "total", "avg(latency)", "min(latency)", "max(latency)"]);
      const bins = await run("stats count(*) as n by bin(5m) as slot | sort slot", ["/app/api", "/app/worker"]);
      expect(bins.rows).toEqual([
        { slot: "2026-12-01 00:00:00.000", n: "5" },
        { slot: "2026-12-01 00:05:00.000", n: "2" },
      ]);
      const ratio = await run("stats sum(latency) / count(latency) as mean, pct(latency, 50) as p50, count_distinct(user.id) as users");
      expect(ratio.rows).toEqual([{ mean: "20", p50: "12", users: "3" }]);
      const none = await run("filter status = 999 | stats count(*) as n");
      expect(none.rows).toEqual([{ n: "0" }]);
    });

    it("parse with a glob and a regex, then stats over the parsed fields", async () => {
      const glob = await run(`parse @message "job=* took=*ms result=*" as job, took, result | filter result = "failed" | display job, took`, ["/app/worker"]);
      // @ptr comes with every row of a query without stats, whatever `display` says.
      expect(glob.rows.map(({ "@ptr": ptr, ...r }) => (expect(ptr).toBeTruthy(), r))).toEqual([{ job: "export", took: "1200" }]);
      const regex = await run("parse @message /took=(?<ms>\\d+)ms/ | stats max(ms) as slowest, avg(ms) as mean", ["/app/worker"]);
      expect(regex.rows).toEqual([{ slowest: "1200", mean: "775" }]);
      const dedup = await run("fields user.id as who | filter ispresent(who) | sort @timestamp | dedup who");
      expect(dedup.rows.map((r) => r.who)).toEqual(["u1", "u2", "u3"]);
    });

    it("honours the time range, the limit parameter and the retention period", async () => {
      expect((await run("fields @timestamp", ["/app/api"], [SEC + 60, SEC + 120])).rows.map((r) => r["@timestamp"]))
        .toEqual(["2026-12-01 00:01:00.000", "2026-12-01 00:02:00.000"]);
      expect((await run("fields @timestamp", ["/app/api"], [SEC, SEC + 3600], 2)).rows).toHaveLength(2);
      await logs.send(new PutRetentionPolicyCommand({ logGroupName: "/app/api", retentionInDays: 1 }));
      await clock.advance(86_400_000);
      expect((await run("fields @timestamp", ["/app/api"], [SEC, SEC + 100_000])).rows).toEqual([]);
    });

    it("runs in the background: Running until settled, then Complete; StopQuery and DescribeQueries", async () => {
      const { queryId } = await logs.send(new StartQueryCommand({ logGroupName: "/app/api", startTime: SEC, endTime: SEC + 3600, queryString: "fields @message" }));
      const running = await logs.send(new DescribeQueriesCommand({ logGroupName: "/app/api" }));
      expect(running.queries![0]).toMatchObject({ queryId, queryString: "fields @message", logGroupName: "/app/api", createTime: START + 3_600_000 });
      await emulator.settled();
      expect((await logs.send(new GetQueryResultsCommand({ queryId }))).status).toBe("Complete");
      expect((await logs.send(new StopQueryCommand({ queryId }))).success).toBe(false);
      expect((await logs.send(new DescribeQueriesCommand({ status: "Complete" }))).queries!.map((q) => q.queryId)).toEqual([queryId]);
      expect((await logs.send(new DescribeQueriesCommand({ status: "Running" }))).queries).toEqual([]);
      const missing = await fail(logs.send(new GetQueryResultsCommand({ queryId: "00000000-0000-0000-0000-000000000000" })));
      expect(missing.name).toBe("ResourceNotFoundException");
      // Results are kept 7 days.
      await clock.advance(8 * 86_400_000);
      expect((await fail(logs.send(new GetQueryResultsCommand({ queryId })))).name).toBe("ResourceNotFoundException");
    });

    it("GetLogGroupFields lists fields of recent events with their share", async () => {
      const fields = (await logs.send(new GetLogGroupFieldsCommand({ logGroupName: "/app/api", time: SEC - 400 }))).logGroupFields!;
      const byName = Object.fromEntries(fields.map((f) => [f.name, f.percent]));
      expect(byName).toMatchObject({ "@timestamp": 100, "@message": 100, path: 100, status: 100, "user.id": 100 });
      const all = (await logs.send(new GetLogGroupFieldsCommand({ logGroupName: "/app/api", time: SEC + 120 }))).logGroupFields!;
      expect(Object.fromEntries(all.map((f) => [f.name, f.percent]))).toMatchObject({ "@message": 100, path: 80 });
    });

    it("answers AWS's errors", async () => {
      const malformed = await fail(logs.send(new StartQueryCommand({ logGroupName: "/app/api", startTime: SEC, endTime: SEC + 1, queryString: "fields @message | frobnicate" })));
      expect(malformed.name).toBe("MalformedQueryException");
      expect(malformed.queryCompileError.location.startCharOffset).toBe(18);
      const statsWithoutAgg = await fail(logs.send(new StartQueryCommand({ logGroupName: "/app/api", startTime: SEC, endTime: SEC + 1, queryString: "stats path by status" })));
      expect(statsWithoutAgg.name).toBe("MalformedQueryException");
      const noGroup = await fail(logs.send(new StartQueryCommand({ logGroupName: "/nope", startTime: SEC, endTime: SEC + 1, queryString: "fields @message" })));
      expect([noGroup.name, noGroup.message]).toEqual(["ResourceNotFoundException", "Log group '/nope' does not exist for account ID '000000000000'"]);
      const backwards = await fail(logs.send(new StartQueryCommand({ logGroupName: "/app/api", startTime: SEC + 10, endTime: SEC, queryString: "fields @message" })));
      expect(backwards.name).toBe("InvalidParameterException");
      const both = await fail(logs.send(new StartQueryCommand({ logGroupName: "/app/api", logGroupNames: ["/app/api"], startTime: SEC, endTime: SEC, queryString: "fields @message" })));
      expect(both.name).toBe("InvalidParameterException");
      const sql = await fail(logs.send(new StartQueryCommand({ queryLanguage: "SQL", logGroupName: "/app/api", startTime: SEC, endTime: SEC, queryString: "SELECT 1" })));
      expect(sql.name).toBe("InvalidParameterException");
    });
  });
}
