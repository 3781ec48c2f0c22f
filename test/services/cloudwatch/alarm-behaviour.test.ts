/**
 * CloudWatch alarm behaviour beyond evaluation, through the JS SDK v3 in-process on a manual
 * clock: mute rules silencing actions while active, "CloudWatch Alarm State Change" events on
 * the default EventBridge bus routed to SQS, anomaly detection band alarms and GetMetricData
 * bands, GetMetricWidgetImage PNGs, managed insight rules, OTel enrichment, alarm contributors.
 */
import { inflateSync } from "node:zlib";
import { beforeEach, describe, expect, it } from "vitest";
import {
  CloudWatchClient, DescribeAlarmContributorsCommand, DescribeAlarmsCommand, DescribeInsightRulesCommand, GetInsightRuleReportCommand,
  GetMetricDataCommand, GetMetricWidgetImageCommand, GetOTelEnrichmentCommand, ListManagedInsightRulesCommand, PutAlarmMuteRuleCommand,
  PutInsightRuleCommand, PutManagedInsightRulesCommand, PutMetricAlarmCommand, PutMetricDataCommand, SetAlarmStateCommand,
  StartOTelEnrichmentCommand, StopOTelEnrichmentCommand, DisableInsightRulesCommand,
} from "@aws-sdk/client-cloudwatch";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { fail, harness, inbox, SUITE_STORES, type Harness } from "./helpers.ts";

const START = Date.UTC(2026, 11, 1, 12, 0, 0);

for (const store of SUITE_STORES) {
  describe(`CloudWatch alarm behaviour, ${store.name}`, () => {
    let h: Harness;
    let cw: CloudWatchClient;
    beforeEach(() => {
      h = harness(store, START);
      cw = new CloudWatchClient(h.config);
    });

    const put = (value: number, at = h.clock.now()) =>
      cw.send(new PutMetricDataCommand({ Namespace: "App", MetricData: [{ MetricName: "Errors", Value: value, Timestamp: new Date(at) }] }));
    const state = async (name: string) => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0]!.StateValue;

    it("an active mute rule silences the alarm's actions; the alarm still changes state", async () => {
      const sns = new SNSClient(h.config);
      const q = await inbox(h, "alarm-inbox");
      const topic = (await sns.send(new CreateTopicCommand({ Name: "alarms" }))).TopicArn!;
      await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "sqs", Endpoint: q.arn, Attributes: { RawMessageDelivery: "true" } }));
      await cw.send(new PutMetricAlarmCommand({
        AlarmName: "errors", Namespace: "App", MetricName: "Errors", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 5,
        ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "notBreaching", AlarmActions: [topic], OKActions: [topic],
      }));
      // Muted daily from 12:00 UTC for one hour (the clock starts at 12:00).
      await cw.send(new PutAlarmMuteRuleCommand({ Name: "noon", Rule: { Schedule: { Expression: "cron(0 12 * * *)", Duration: "PT1H" } }, MuteTargets: { AlarmNames: ["errors"] } }));
      const bad = await fail(cw.send(new PutAlarmMuteRuleCommand({ Name: "x", Rule: { Schedule: { Expression: "cron(0 12 * *)", Duration: "PT1H" } } })));
      expect(bad.name).toBe("InvalidParameterValueException");
      await put(10);
      await h.clock.advance(60_000);
      expect(await state("errors")).toBe("ALARM");
      await h.emulator.settled();
      expect(await q.receive()).toEqual([]);
      // After the window (13:00) the actions run again.
      await h.clock.advance(3_600_000);
      await put(10);
      await h.clock.advance(60_000);
      await h.emulator.settled();
      const history = [];
      await cw.send(new SetAlarmStateCommand({ AlarmName: "errors", StateValue: "OK", StateReason: "test" }));
      await h.emulator.settled();
      for (const m of await q.receive()) history.push([m.OldStateValue, m.NewStateValue]);
      expect(history).toContainEqual(["ALARM", "OK"]);
      expect(history).not.toContainEqual(["INSUFFICIENT_DATA", "ALARM"]);
    });

    it("a one-time at(...) mute rule only mutes inside its window", async () => {
      const sns = new SNSClient(h.config);
      const q = await inbox(h, "once");
      const topic = (await sns.send(new CreateTopicCommand({ Name: "once" }))).TopicArn!;
      await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "sqs", Endpoint: q.arn, Attributes: { RawMessageDelivery: "true" } }));
      await cw.send(new PutMetricAlarmCommand({
        AlarmName: "a", Namespace: "App", MetricName: "Errors", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 5,
        ComparisonOperator: "GreaterThanThreshold", AlarmActions: [topic], OKActions: [topic],
      }));
      await cw.send(new PutAlarmMuteRuleCommand({ Name: "later", Rule: { Schedule: { Expression: "at(2026-12-01T14:00:00)", Duration: "PT30M" } }, MuteTargets: { AlarmNames: ["a"] } }));
      await cw.send(new SetAlarmStateCommand({ AlarmName: "a", StateValue: "ALARM", StateReason: "before" }));
      await h.clock.advance(2 * 3_600_000 + 60_000); // 14:01
      await cw.send(new SetAlarmStateCommand({ AlarmName: "a", StateValue: "OK", StateReason: "inside" }));
      await h.emulator.settled();
      expect((await q.receive()).map((m) => m.NewStateReason)).toEqual(["before"]);
    });

    it("state changes go to the default EventBridge bus as CloudWatch Alarm State Change events", async () => {
      const events = new EventBridgeClient(h.config);
      const q = await inbox(h, "events");
      await events.send(new PutRuleCommand({ Name: "alarms", EventPattern: JSON.stringify({ source: ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"], detail: { state: { value: ["ALARM"] } } }) }));
      await events.send(new PutTargetsCommand({ Rule: "alarms", Targets: [{ Id: "q", Arn: q.arn }] }));
      await cw.send(new PutMetricAlarmCommand({
        AlarmName: "errors", AlarmDescription: "too many", Namespace: "App", MetricName: "Errors", Dimensions: [{ Name: "Host", Value: "a" }],
        Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 5, ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "notBreaching",
      }));
      await h.clock.advance(60_000); // → OK: not matched by the rule
      await cw.send(new PutMetricDataCommand({ Namespace: "App", MetricData: [{ MetricName: "Errors", Value: 9, Dimensions: [{ Name: "Host", Value: "a" }], Timestamp: new Date(h.clock.now()) }] }));
      await h.clock.advance(60_000); // → ALARM
      await h.emulator.settled();
      const received = await q.receive();
      expect(received).toHaveLength(1);
      const event = received[0];
      expect(event).toMatchObject({
        source: "aws.cloudwatch", "detail-type": "CloudWatch Alarm State Change", account: "000000000000", region: "us-east-1",
        resources: ["arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors"],
        detail: {
          alarmName: "errors",
          state: { value: "ALARM" }, previousState: { value: "OK" },
          configuration: { description: "too many", metrics: [{ metricStat: { metric: { namespace: "App", name: "Errors", dimensions: { Host: "a" } }, period: 60, stat: "Sum" }, returnData: true }] },
        },
      });
      expect(event.detail.state.reason).toMatch(/^Threshold Crossed/);
      expect(event.detail.state.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
    });

    it("ANOMALY_DETECTION_BAND: bands in GetMetricData and an alarm outside the band", async () => {
      // Two weeks of hourly-ish training: values alternate 10 and 12 every minute over the last hour.
      for (let i = 60; i >= 1; i--) await put(i % 2 ? 10 : 12, START - i * 60_000);
      const data = await cw.send(new GetMetricDataCommand({
        StartTime: new Date(START - 120_000), EndTime: new Date(START), ScanBy: "TimestampAscending",
        MetricDataQueries: [
          { Id: "m1", MetricStat: { Metric: { Namespace: "App", MetricName: "Errors" }, Period: 60, Stat: "Sum" } },
          { Id: "ad1", Expression: "ANOMALY_DETECTION_BAND(m1, 2)" },
        ],
      }));
      const band = data.MetricDataResults!.filter((r) => r.Id === "ad1");
      expect(band.map((r) => r.Label)).toEqual(["ad1 Lower", "ad1 Upper"]);
      const [lower, upper] = band.map((r) => r.Values!);
      // mean 11, standard deviation 1 → [9, 13]
      expect(lower![0]).toBeCloseTo(9, 5);
      expect(upper![0]).toBeCloseTo(13, 5);

      const bad = await fail(cw.send(new PutMetricAlarmCommand({
        AlarmName: "x", EvaluationPeriods: 1, ComparisonOperator: "GreaterThanUpperThreshold", Threshold: 1,
        Metrics: [{ Id: "m1", MetricStat: { Metric: { Namespace: "App", MetricName: "Errors" }, Period: 60, Stat: "Sum" } }],
      })));
      expect(bad.name).toBe("InvalidParameterValueException");
      await cw.send(new PutMetricAlarmCommand({
        AlarmName: "anomaly", EvaluationPeriods: 1, ComparisonOperator: "LessThanLowerOrGreaterThanUpperThreshold", ThresholdMetricId: "ad1",
        TreatMissingData: "notBreaching",
        Metrics: [
          { Id: "m1", MetricStat: { Metric: { Namespace: "App", MetricName: "Errors" }, Period: 60, Stat: "Sum" }, ReturnData: true },
          { Id: "ad1", Expression: "ANOMALY_DETECTION_BAND(m1, 2)", ReturnData: true },
        ],
      }));
      await put(11.5);
      await h.clock.advance(60_000);
      expect(await state("anomaly")).toBe("OK");
      await put(40);
      await h.clock.advance(60_000);
      expect(await state("anomaly")).toBe("ALARM");
    });

    it("GetMetricWidgetImage answers a valid PNG of the graph", async () => {
      for (let i = 30; i >= 1; i--) await put(i, START - i * 60_000);
      const widget = { metrics: [["App", "Errors", { stat: "Sum", color: "#ff0000" }]], start: "-PT1H", end: "P0D", period: 60, width: 300, height: 200 };
      const out = await cw.send(new GetMetricWidgetImageCommand({ MetricWidget: JSON.stringify(widget) }));
      const png = Buffer.from(out.MetricWidgetImage!);
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(png.readUInt32BE(16)).toBe(300);
      expect(png.readUInt32BE(20)).toBe(200);
      // Decode the pixels: the series is drawn in its colour.
      const idat = png.indexOf("IDAT");
      const raw = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
      expect(raw.length).toBe((300 * 3 + 1) * 200);
      let red = 0;
      for (let y = 0; y < 200; y++) for (let x = 0; x < 300; x++) {
        const p = y * 901 + 1 + x * 3;
        if (raw[p] === 255 && raw[p + 1] === 0 && raw[p + 2] === 0) red++;
      }
      expect(red).toBeGreaterThan(50);
      expect((await fail(cw.send(new GetMetricWidgetImageCommand({ MetricWidget: "{not json" })))).name).toBe("InvalidParameterValueException");
      expect((await fail(cw.send(new GetMetricWidgetImageCommand({ MetricWidget: "{}" })))).name).toBe("InvalidParameterValueException");
    });

    it("managed insight rules, OTel enrichment and alarm contributors", async () => {
      const arn = "arn:aws:ec2:us-east-1:000000000000:vpc-endpoint-service/vpce-svc-0123456789abcdef0";
      const listed = await cw.send(new ListManagedInsightRulesCommand({ ResourceARN: arn }));
      expect(listed.ManagedRules!.map((r) => [r.TemplateName, r.RuleState])).toContainEqual(["VpcEndpointService-BytesByEndpointId-v1", undefined]);
      const put = await cw.send(new PutManagedInsightRulesCommand({ ManagedRules: [
        { TemplateName: "VpcEndpointService-BytesByEndpointId-v1", ResourceARN: arn },
        { TemplateName: "NoSuchTemplate", ResourceARN: arn },
      ] }));
      expect(put.Failures!.map((f) => f.FailureResource)).toEqual(["NoSuchTemplate"]);
      const rule = (await cw.send(new ListManagedInsightRulesCommand({ ResourceARN: arn }))).ManagedRules!.find((r) => r.RuleState)!;
      expect(rule).toMatchObject({ ResourceARN: arn, RuleState: { RuleName: "VpcEndpointService-BytesByEndpointId-v1-vpce-svc-0123456789abcdef0", State: "ENABLED" } });
      const described = (await cw.send(new DescribeInsightRulesCommand({}))).InsightRules!;
      expect(described.map((r) => [r.Name, r.ManagedRule])).toEqual([[rule.RuleState!.RuleName, true]]);
      const edit = await fail(cw.send(new PutInsightRuleCommand({ RuleName: rule.RuleState!.RuleName!, RuleDefinition: "{}" })));
      expect(edit.name).toBe("InvalidParameterValueException");
      await cw.send(new DisableInsightRulesCommand({ RuleNames: [rule.RuleState!.RuleName!] }));
      await cw.send(new PutManagedInsightRulesCommand({ ManagedRules: [{ TemplateName: "VpcEndpointService-BytesByEndpointId-v1", ResourceARN: arn }] }));
      expect((await cw.send(new DescribeInsightRulesCommand({}))).InsightRules![0]!.State).toBe("ENABLED");
      const report = await cw.send(new GetInsightRuleReportCommand({ RuleName: rule.RuleState!.RuleName!, StartTime: new Date(START - 3_600_000), EndTime: new Date(START), Period: 60 }));
      expect(report.Contributors).toEqual([]);
      const unsupported = await fail(cw.send(new ListManagedInsightRulesCommand({ ResourceARN: "arn:aws:s3:::bucket" })));
      expect(unsupported.name).toBe("InvalidParameterValueException");

      expect((await cw.send(new GetOTelEnrichmentCommand({}))).Status).toBe("Stopped");
      await cw.send(new StartOTelEnrichmentCommand({}));
      expect((await cw.send(new GetOTelEnrichmentCommand({}))).Status).toBe("Running");
      await cw.send(new StopOTelEnrichmentCommand({}));
      expect((await cw.send(new GetOTelEnrichmentCommand({}))).Status).toBe("Stopped");

      const missing = await fail(cw.send(new DescribeAlarmContributorsCommand({ AlarmName: "none" })));
      expect(missing.name).toBe("ResourceNotFound");
      await cw.send(new PutMetricAlarmCommand({ AlarmName: "one", Namespace: "App", MetricName: "Errors", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanThreshold" }));
      expect((await cw.send(new DescribeAlarmContributorsCommand({ AlarmName: "one" }))).AlarmContributors).toEqual([]);
    });
  });
}
