/**
 * CloudWatch anomaly detectors (state) and Contributor Insights rules through the JS SDK v3,
 * in-process: put/describe/delete detectors (single metric and metric math, filters, errors);
 * insight rules put/describe/enable/disable/delete with partial failures, tags, and
 * GetInsightRuleReport computed from fetchstack's CloudWatch Logs events (JSON and CLF rules).
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  CloudWatchClient, DeleteAnomalyDetectorCommand, DeleteInsightRulesCommand, DescribeAnomalyDetectorsCommand, DescribeInsightRulesCommand,
  DisableInsightRulesCommand, EnableInsightRulesCommand, GetInsightRuleReportCommand, ListTagsForResourceCommand,
  PutAnomalyDetectorCommand, PutInsightRuleCommand, PutAlarmMuteRuleCommand, GetAlarmMuteRuleCommand, ListAlarmMuteRulesCommand,
  DeleteAlarmMuteRuleCommand,
} from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { createEmulator, type Emulator } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { inProcess, STORES } from "../../helpers/clients.ts";
import { fail } from "./helpers.ts";

const START = Date.UTC(2026, 11, 1, 12, 0, 0);

for (const store of STORES.filter((s) => s.name !== "deno-kv store")) {
  describe(`CloudWatch anomaly detectors and insight rules, in-process, ${store.name}`, () => {
    let emulator: Emulator;
    let clock: ManualClock;
    let cw: CloudWatchClient;
    let logs: CloudWatchLogsClient;
    beforeEach(() => {
      clock = createManualClock(START + 3_600_000);
      emulator = createEmulator({ store: store.make(), clock });
      cw = new CloudWatchClient(inProcess(emulator));
      logs = new CloudWatchLogsClient(inProcess(emulator));
    });

    it("anomaly detectors: put (legacy and single-metric forms are one), describe with filters, delete", async () => {
      const dims = [{ Name: "Host", Value: "a" }];
      await cw.send(new PutAnomalyDetectorCommand({ Namespace: "App", MetricName: "Latency", Dimensions: dims, Stat: "Average" }));
      await cw.send(new PutAnomalyDetectorCommand({
        SingleMetricAnomalyDetector: { Namespace: "App", MetricName: "Latency", Dimensions: dims, Stat: "Average" },
        Configuration: { MetricTimezone: "UTC", ExcludedTimeRanges: [{ StartTime: new Date(START - 7_200_000), EndTime: new Date(START - 3_600_000) }] },
      }));
      await cw.send(new PutAnomalyDetectorCommand({ Namespace: "App", MetricName: "Errors", Stat: "Sum" }));
      await cw.send(new PutAnomalyDetectorCommand({
        MetricMathAnomalyDetector: { MetricDataQueries: [
          { Id: "m1", MetricStat: { Metric: { Namespace: "App", MetricName: "Errors" }, Period: 60, Stat: "Sum" }, ReturnData: false },
          { Id: "e1", Expression: "m1 * 2", ReturnData: true },
        ] },
      }));
      const all = (await cw.send(new DescribeAnomalyDetectorsCommand({}))).AnomalyDetectors!;
      expect(all).toHaveLength(3);
      const latency = all.find((d) => d.MetricName === "Latency")!;
      expect(latency).toMatchObject({
        Namespace: "App", MetricName: "Latency", Stat: "Average", StateValue: "PENDING_TRAINING",
        SingleMetricAnomalyDetector: { Namespace: "App", MetricName: "Latency", Dimensions: dims, Stat: "Average" },
        Configuration: { MetricTimezone: "UTC" },
      });
      expect(latency.Configuration!.ExcludedTimeRanges![0]!.StartTime!.getTime()).toBe(START - 7_200_000);
      expect((await cw.send(new DescribeAnomalyDetectorsCommand({ MetricName: "Errors" }))).AnomalyDetectors!.map((d) => d.Stat)).toEqual(["Sum"]);
      expect((await cw.send(new DescribeAnomalyDetectorsCommand({ AnomalyDetectorTypes: ["METRIC_MATH"] }))).AnomalyDetectors!.map((d) => d.MetricMathAnomalyDetector!.MetricDataQueries!.length)).toEqual([2]);
      const paged = await cw.send(new DescribeAnomalyDetectorsCommand({ MaxResults: 2 }));
      expect(paged.AnomalyDetectors).toHaveLength(2);
      expect((await cw.send(new DescribeAnomalyDetectorsCommand({ NextToken: paged.NextToken }))).AnomalyDetectors).toHaveLength(1);

      await cw.send(new DeleteAnomalyDetectorCommand({ SingleMetricAnomalyDetector: { Namespace: "App", MetricName: "Errors", Stat: "Sum" } }));
      expect((await cw.send(new DescribeAnomalyDetectorsCommand({}))).AnomalyDetectors).toHaveLength(2);
      const gone = await fail(cw.send(new DeleteAnomalyDetectorCommand({ Namespace: "App", MetricName: "Errors", Stat: "Sum" })));
      expect([gone.name, gone.$metadata.httpStatusCode]).toEqual(["ResourceNotFoundException", 404]);
      const mixed = await fail(cw.send(new PutAnomalyDetectorCommand({ Namespace: "App", SingleMetricAnomalyDetector: { Namespace: "App", MetricName: "x", Stat: "Sum" } })));
      expect(mixed.name).toBe("InvalidParameterCombinationException");
      const missing = await fail(cw.send(new PutAnomalyDetectorCommand({ Namespace: "App", MetricName: "x" })));
      expect(missing.name).toBe("MissingRequiredParameterException");
      const badStat = await fail(cw.send(new PutAnomalyDetectorCommand({ Namespace: "App", MetricName: "x", Stat: "Median" })));
      // The model's pattern for AnomalyDetectorMetricStat refuses it before the handler.
      expect(badStat.name).toBe("ValidationException");
    });

    const jsonRule = (groups: string[], extra: Record<string, unknown> = {}) => JSON.stringify({
      Schema: { Name: "CloudWatchLogRule", Version: 1 }, LogGroupNames: groups, LogFormat: "JSON",
      Contribution: { Keys: ["$.ip"], Filters: [{ Match: "$.status", GreaterThan: 399 }] }, AggregateOn: "Count", ...extra,
    });

    it("insight rules: put, describe, enable/disable/delete with partial failures, tags", async () => {
      await cw.send(new PutInsightRuleCommand({ RuleName: "errors-by-ip", RuleDefinition: jsonRule(["/app/*"]), Tags: [{ Key: "team", Value: "a" }] }));
      await cw.send(new PutInsightRuleCommand({ RuleName: "quiet", RuleState: "DISABLED", RuleDefinition: jsonRule(["/app/api"]) }));
      expect((await cw.send(new DescribeInsightRulesCommand({}))).InsightRules).toEqual([
        { Name: "errors-by-ip", State: "ENABLED", Schema: "CloudWatchLogRule/1", Definition: jsonRule(["/app/*"]), ManagedRule: false },
        { Name: "quiet", State: "DISABLED", Schema: "CloudWatchLogRule/1", Definition: jsonRule(["/app/api"]), ManagedRule: false },
      ]);
      const enabled = await cw.send(new EnableInsightRulesCommand({ RuleNames: ["quiet", "nope"] }));
      expect(enabled.Failures).toEqual([expect.objectContaining({ FailureResource: "nope", ExceptionType: "ResourceNotFoundException" })]);
      await cw.send(new DisableInsightRulesCommand({ RuleNames: ["errors-by-ip"] }));
      expect((await cw.send(new DescribeInsightRulesCommand({}))).InsightRules!.map((r) => r.State)).toEqual(["DISABLED", "ENABLED"]);
      const arn = "arn:aws:cloudwatch:us-east-1:000000000000:insight-rule/errors-by-ip";
      expect((await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([{ Key: "team", Value: "a" }]);
      expect((await cw.send(new DeleteInsightRulesCommand({ RuleNames: ["errors-by-ip"] }))).Failures).toEqual([]);
      expect((await cw.send(new DescribeInsightRulesCommand({}))).InsightRules!.map((r) => r.Name)).toEqual(["quiet"]);
      const bad = await fail(cw.send(new PutInsightRuleCommand({ RuleName: "bad", RuleDefinition: "{" })));
      expect(bad.name).toBe("InvalidParameterValueException");
      const noSchema = await fail(cw.send(new PutInsightRuleCommand({ RuleName: "bad", RuleDefinition: JSON.stringify({ LogGroupNames: ["x"] }) })));
      expect(noSchema.name).toBe("InvalidParameterValueException");
      const noRule = await fail(cw.send(new GetInsightRuleReportCommand({ RuleName: "nope", StartTime: new Date(START), EndTime: new Date(START + 60_000), Period: 60 })));
      expect(noRule.name).toBe("ResourceNotFoundException");
    });

    it("GetInsightRuleReport counts and sums contributors from Logs events, per period", async () => {
      for (const group of ["/app/api", "/app/web"]) {
        await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
        await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "s" }));
      }
      const event = (t: number, ip: string, status: number, bytes: number) => ({ timestamp: START + t, message: JSON.stringify({ ip, status, bytes }) });
      await logs.send(new PutLogEventsCommand({ logGroupName: "/app/api", logStreamName: "s", logEvents: [
        event(0, "1.1.1.1", 500, 100), event(10_000, "1.1.1.1", 404, 50), event(20_000, "2.2.2.2", 200, 999), event(70_000, "2.2.2.2", 503, 10),
      ] }));
      await logs.send(new PutLogEventsCommand({ logGroupName: "/app/web", logStreamName: "s", logEvents: [
        event(80_000, "1.1.1.1", 500, 5), event(90_000, "3.3.3.3", 500, 1),
        { timestamp: START + 95_000, message: "not json" },
      ] }));
      await cw.send(new PutInsightRuleCommand({ RuleName: "errors", RuleDefinition: jsonRule(["/app/*"]) }));
      const report = await cw.send(new GetInsightRuleReportCommand({
        RuleName: "errors", StartTime: new Date(START), EndTime: new Date(START + 120_000), Period: 60,
        Metrics: ["UniqueContributors", "Sum", "MaxContributorValue"],
      }));
      expect(report).toMatchObject({ KeyLabels: ["$.ip"], AggregationStatistic: "Count", AggregateValue: 5, ApproximateUniqueCount: 3 });
      expect(report.Contributors!.map((c) => [c.Keys, c.ApproximateAggregateValue])).toEqual([[["1.1.1.1"], 3], [["2.2.2.2"], 1], [["3.3.3.3"], 1]]);
      expect(report.Contributors![0]!.Datapoints!.map((d) => [d.Timestamp!.getTime() - START, d.ApproximateValue])).toEqual([[0, 2], [60_000, 1]]);
      expect(report.MetricDatapoints!.map((d) => [d.Timestamp!.getTime() - START, d.UniqueContributors, d.Sum, d.MaxContributorValue]))
        .toEqual([[0, 1, 2, 2], [60_000, 3, 3, 1]]);

      await cw.send(new PutInsightRuleCommand({ RuleName: "bytes", RuleDefinition: JSON.stringify({
        Schema: { Name: "CloudWatchLogRule", Version: 1 }, LogGroupNames: ["/app/api"], LogFormat: "JSON",
        Contribution: { Keys: ["$.ip"], ValueOf: "$.bytes", Filters: [] }, AggregateOn: "Sum",
      }) }));
      const bytes = await cw.send(new GetInsightRuleReportCommand({ RuleName: "bytes", StartTime: new Date(START), EndTime: new Date(START + 120_000), Period: 120, MaxContributorCount: 1 }));
      expect(bytes).toMatchObject({ AggregationStatistic: "Sum", AggregateValue: 1159, ApproximateUniqueCount: 2 });
      expect(bytes.Contributors!.map((c) => [c.Keys, c.ApproximateAggregateValue])).toEqual([[["2.2.2.2"], 1009]]);

      // CLF: fields by position.
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/access" }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: "/access", logStreamName: "s" }));
      await logs.send(new PutLogEventsCommand({ logGroupName: "/access", logStreamName: "s", logEvents: [
        { timestamp: START, message: '9.9.9.9 - - [01/Dec/2026:12:00:00 +0000] "GET /a HTTP/1.1" 500 12' },
        { timestamp: START + 1000, message: '9.9.9.9 - - [01/Dec/2026:12:00:01 +0000] "GET /b HTTP/1.1" 200 12' },
      ] }));
      await cw.send(new PutInsightRuleCommand({ RuleName: "clf", RuleDefinition: JSON.stringify({
        Schema: { Name: "CloudWatchLogRule", Version: 1 }, LogGroupNames: ["/access"], LogFormat: "CLF",
        Fields: { "1": "IpAddress", "6": "StatusCode" }, Contribution: { Keys: ["IpAddress"], Filters: [{ Match: "StatusCode", EqualTo: 500 }] }, AggregateOn: "Count",
      }) }));
      const clf = await cw.send(new GetInsightRuleReportCommand({ RuleName: "clf", StartTime: new Date(START), EndTime: new Date(START + 60_000), Period: 60 }));
      expect(clf.Contributors!.map((c) => [c.Keys, c.ApproximateAggregateValue])).toEqual([[["9.9.9.9"], 1]]);

      // A disabled rule collects nothing.
      await cw.send(new DisableInsightRulesCommand({ RuleNames: ["errors"] }));
      const off = await cw.send(new GetInsightRuleReportCommand({ RuleName: "errors", StartTime: new Date(START), EndTime: new Date(START + 120_000), Period: 60 }));
      expect(off).toMatchObject({ AggregateValue: 0, Contributors: [] });
    });

    it("alarm mute rules: put, get with status on the clock, list by alarm and status, delete", async () => {
      await cw.send(new PutAlarmMuteRuleCommand({
        Name: "nightly", Rule: { Schedule: { Expression: "cron(0 2 * * ? *)", Duration: "PT4H" } }, MuteTargets: { AlarmNames: ["cpu"] },
        ExpireDate: new Date(START + 2 * 3_600_000),
      }));
      await cw.send(new PutAlarmMuteRuleCommand({
        Name: "deploy", Rule: { Schedule: { Expression: "at(2026-12-01T14:00:00)", Duration: "PT30M" } }, MuteTargets: { AlarmNames: ["cpu", "disk"] },
      }));
      const nightly = await cw.send(new GetAlarmMuteRuleCommand({ AlarmMuteRuleName: "nightly" }));
      expect(nightly).toMatchObject({
        Name: "nightly", AlarmMuteRuleArn: "arn:aws:cloudwatch:us-east-1:000000000000:alarm-mute-rule:nightly",
        Rule: { Schedule: { Expression: "cron(0 2 * * ? *)", Duration: "PT4H" } }, MuteTargets: { AlarmNames: ["cpu"] }, Status: "ACTIVE", MuteType: "RECURRING",
      });
      expect((await cw.send(new GetAlarmMuteRuleCommand({ AlarmMuteRuleName: "deploy" }))).Status).toBe("SCHEDULED");
      expect((await cw.send(new ListAlarmMuteRulesCommand({ AlarmName: "disk" }))).AlarmMuteRuleSummaries!.map((r) => r.MuteType)).toEqual(["ONE_TIME"]);
      await clock.advance(3_600_000 + 60_000); // 14:01: the one-time window is open, the recurring rule expired at 14:00
      expect((await cw.send(new ListAlarmMuteRulesCommand({ Statuses: ["ACTIVE"] }))).AlarmMuteRuleSummaries!.map((r) => r.AlarmMuteRuleArn!.split(":").pop())).toEqual(["deploy"]);
      expect((await cw.send(new GetAlarmMuteRuleCommand({ AlarmMuteRuleName: "nightly" }))).Status).toBe("EXPIRED");
      await cw.send(new DeleteAlarmMuteRuleCommand({ AlarmMuteRuleName: "nightly" }));
      const gone = await fail(cw.send(new GetAlarmMuteRuleCommand({ AlarmMuteRuleName: "nightly" })));
      expect([gone.name, gone.$metadata.httpStatusCode]).toEqual(["ResourceNotFoundException", 404]);
      const bad = await fail(cw.send(new PutAlarmMuteRuleCommand({ Name: "x", Rule: { Schedule: { Expression: "rate(1 hour)", Duration: "PT1H" } } })));
      expect(bad.name).toBe("InvalidParameterValueException");
    });
  });
}
