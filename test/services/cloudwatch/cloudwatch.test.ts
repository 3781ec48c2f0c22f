/**
 * CloudWatch through the JS SDK v3 (awsJson 1.0), in-process on a manual clock: PutMetricData
 * validation, statistics and percentiles, GetMetricData with math, ListMetrics, dashboards,
 * alarms going OK → ALARM → OK as the clock moves and publishing to SNS (delivered to SQS),
 * composite alarms, history, and AWS's errors.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  CloudWatchClient, DeleteAlarmsCommand, DeleteDashboardsCommand, DescribeAlarmHistoryCommand, DescribeAlarmsCommand,
  GetDashboardCommand, GetMetricDataCommand, GetMetricStatisticsCommand, ListDashboardsCommand, ListMetricsCommand,
  ListTagsForResourceCommand, PutCompositeAlarmCommand, PutDashboardCommand, PutMetricAlarmCommand, PutMetricDataCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createEmulator, type Emulator } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { inProcess, STORES } from "../../helpers/clients.ts";
import { fail } from "./helpers.ts";

const START = Date.UTC(2026, 11, 1, 12, 0, 0);

for (const store of STORES.filter((s) => s.name !== "copying store")) {
  describe(`CloudWatch, in-process, ${store.name}`, () => {
    let clock: ManualClock;
    let emulator: Emulator;
    let cw: CloudWatchClient;
    beforeEach(() => {
      clock = createManualClock(START);
      emulator = createEmulator({ store: store.make(), clock });
      cw = new CloudWatchClient(inProcess(emulator));
    });

    const put = (name: string, value: number, at = clock.now(), dims = [{ Name: "Host", Value: "a" }]) =>
      cw.send(new PutMetricDataCommand({ Namespace: "App", MetricData: [{ MetricName: name, Value: value, Timestamp: new Date(at), Dimensions: dims, Unit: "Milliseconds" }] }));

    it("stores datapoints and answers statistics, percentiles and ListMetrics", async () => {
      for (const [i, v] of [10, 20, 30, 40].entries()) await put("Latency", v, START - 120_000 + i * 30_000);
      await cw.send(new PutMetricDataCommand({ Namespace: "App", MetricData: [{ MetricName: "Latency", Dimensions: [{ Name: "Host", Value: "a" }], Timestamp: new Date(START - 30_000), StatisticValues: { SampleCount: 2, Sum: 100, Minimum: 45, Maximum: 55 }, Unit: "Milliseconds" }] }));
      const stats = await cw.send(new GetMetricStatisticsCommand({
        Namespace: "App", MetricName: "Latency", Dimensions: [{ Name: "Host", Value: "a" }], StartTime: new Date(START - 120_000), EndTime: new Date(START),
        Period: 60, Statistics: ["SampleCount", "Sum", "Average", "Minimum", "Maximum"],
      }));
      expect(stats.Label).toBe("Latency");
      expect(stats.Datapoints!.map((d) => [d.Timestamp!.getTime(), d.SampleCount, d.Sum, d.Average, d.Minimum, d.Maximum, d.Unit])).toEqual([
        [START - 120_000, 2, 30, 15, 10, 20, "Milliseconds"],
        [START - 60_000, 4, 170, 42.5, 30, 55, "Milliseconds"],
      ]);
      const p = await cw.send(new GetMetricStatisticsCommand({
        Namespace: "App", MetricName: "Latency", Dimensions: [{ Name: "Host", Value: "a" }], StartTime: new Date(START - 120_000), EndTime: new Date(START),
        Period: 120, ExtendedStatistics: ["p50", "p99"],
      }));
      expect(p.Datapoints![0]!.ExtendedStatistics).toEqual({ p50: 30, p99: 50 });
      const otherHost = await cw.send(new GetMetricStatisticsCommand({ Namespace: "App", MetricName: "Latency", Dimensions: [{ Name: "Host", Value: "b" }], StartTime: new Date(START - 120_000), EndTime: new Date(START), Period: 60, Statistics: ["Sum"] }));
      expect(otherHost.Datapoints).toEqual([]);
      const listed = await cw.send(new ListMetricsCommand({ Namespace: "App" }));
      expect(listed.Metrics).toEqual([{ Namespace: "App", MetricName: "Latency", Dimensions: [{ Name: "Host", Value: "a" }] }]);

      const aws = await fail(cw.send(new PutMetricDataCommand({ Namespace: "AWS/EC2", MetricData: [{ MetricName: "x", Value: 1 }] })));
      // The JS SDK names the error by its shape; the awsQuery code arrives in x-amzn-query-error.
      expect([aws.name, aws.Code]).toEqual(["InvalidParameterValueException", "InvalidParameterValue"]);
      expect(aws.message).toBe("The value AWS/EC2 for parameter Namespace is invalid.");
      expect(aws.$metadata.httpStatusCode).toBe(400);
      const both = await fail(cw.send(new PutMetricDataCommand({ Namespace: "App", MetricData: [{ MetricName: "x", Value: 1, Values: [1] }] })));
      expect([both.name, both.Code]).toEqual(["InvalidParameterCombinationException", "InvalidParameterCombination"]);
      const future = await fail(put("x", 1, START + 3 * 3_600_000));
      expect(future.message).toBe("The parameter MetricData.member.1.Timestamp must specify a time no more than two hours in the future.");
      const tooMany = await fail(cw.send(new GetMetricStatisticsCommand({ Namespace: "App", MetricName: "Latency", StartTime: new Date(START - 86_400_000 * 2), EndTime: new Date(START), Period: 60, Statistics: ["Sum"] })));
      expect(tooMany.name).toBe("InvalidParameterCombinationException");
    });

    it("GetMetricData with metric stats and math expressions", async () => {
      for (let i = 0; i < 3; i++) {
        await put("Errors", i + 1, START - 180_000 + i * 60_000);
        await put("Requests", 10, START - 180_000 + i * 60_000);
      }
      const out = await cw.send(new GetMetricDataCommand({
        StartTime: new Date(START - 180_000), EndTime: new Date(START), ScanBy: "TimestampAscending",
        MetricDataQueries: [
          { Id: "e", MetricStat: { Metric: { Namespace: "App", MetricName: "Errors", Dimensions: [{ Name: "Host", Value: "a" }] }, Period: 60, Stat: "Sum" }, ReturnData: false },
          { Id: "r", MetricStat: { Metric: { Namespace: "App", MetricName: "Requests", Dimensions: [{ Name: "Host", Value: "a" }] }, Period: 60, Stat: "Sum" } },
          { Id: "rate", Expression: "100 * e / r", Label: "Error rate" },
          { Id: "total", Expression: "SUM(METRICS())" },
        ],
      }));
      expect(out.MetricDataResults!.map((r) => [r.Id, r.Label, r.Values, r.StatusCode])).toEqual([
        ["r", "Requests", [10, 10, 10], "Complete"],
        ["rate", "Error rate", [10, 20, 30], "Complete"],
        ["total", "total", [11, 12, 13], "Complete"],
      ]);
      expect(out.MetricDataResults![0]!.Timestamps!.map((t) => t.getTime())).toEqual([START - 180_000, START - 120_000, START - 60_000]);
      const search = await fail(cw.send(new GetMetricDataCommand({ StartTime: new Date(START - 60_000), EndTime: new Date(START), MetricDataQueries: [{ Id: "s", Expression: "SEARCH('{App} Errors', 'Sum', 60)" }] })));
      expect(search.$metadata.httpStatusCode).toBe(400);
    });

    it("an alarm goes OK → ALARM → OK as the clock moves, publishing to SNS", async () => {
      const sns = new SNSClient(inProcess(emulator));
      const sqs = new SQSClient(inProcess(emulator));
      const topic = (await sns.send(new CreateTopicCommand({ Name: "alarms" }))).TopicArn!;
      const queue = (await sqs.send(new CreateQueueCommand({ QueueName: "alarm-inbox" }))).QueueUrl!;
      const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
      await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "sqs", Endpoint: queueArn, Attributes: { RawMessageDelivery: "true" } }));

      await cw.send(new PutMetricAlarmCommand({
        AlarmName: "high-latency", Namespace: "App", MetricName: "Latency", Dimensions: [{ Name: "Host", Value: "a" }], Statistic: "Average",
        Period: 60, EvaluationPeriods: 2, DatapointsToAlarm: 2, Threshold: 100, ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "notBreaching", AlarmActions: [topic], OKActions: [topic], Tags: [{ Key: "team", Value: "web" }],
      }));
      const state = async () => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["high-latency"] }))).MetricAlarms![0]!.StateValue;
      expect(await state()).toBe("INSUFFICIENT_DATA");
      await put("Latency", 50);
      await clock.advance(60_000);
      expect(await state()).toBe("OK");
      await put("Latency", 500);
      await clock.advance(60_000);
      expect(await state()).toBe("OK");
      await put("Latency", 700);
      await clock.advance(60_000);
      expect(await state()).toBe("ALARM");
      await clock.advance(120_000);
      expect(await state()).toBe("OK");
      await emulator.settled();

      const messages = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 10 }))).Messages!.map((m) => JSON.parse(m.Body!));
      expect(messages.map((m) => [m.OldStateValue, m.NewStateValue])).toEqual([["INSUFFICIENT_DATA", "OK"], ["OK", "ALARM"], ["ALARM", "OK"]]);
      expect(messages[1]).toMatchObject({ AlarmName: "high-latency", AWSAccountId: "000000000000", Region: "US East (N. Virginia)", Trigger: { MetricName: "Latency", Threshold: 100 } });
      const history = (await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "high-latency", HistoryItemType: "StateUpdate", ScanBy: "TimestampAscending" }))).AlarmHistoryItems!;
      expect(history.map((h) => h.HistorySummary)).toEqual(["Alarm updated from INSUFFICIENT_DATA to OK", "Alarm updated from OK to ALARM", "Alarm updated from ALARM to OK"]);
      const arn = "arn:aws:cloudwatch:us-east-1:000000000000:alarm:high-latency";
      expect((await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([{ Key: "team", Value: "web" }]);

      await cw.send(new PutCompositeAlarmCommand({ AlarmName: "any", AlarmRule: 'ALARM("high-latency") OR ALARM(high-latency)' }));
      await cw.send(new SetAlarmStateCommand({ AlarmName: "high-latency", StateValue: "ALARM", StateReason: "testing" }));
      const composite = (await cw.send(new DescribeAlarmsCommand({ AlarmTypes: ["CompositeAlarm"] }))).CompositeAlarms!;
      expect(composite.map((a) => [a.AlarmName, a.StateValue])).toEqual([["any", "ALARM"]]);
      const inUse = await fail(cw.send(new DeleteAlarmsCommand({ AlarmNames: ["high-latency"] })));
      expect(inUse.$metadata.httpStatusCode).toBe(400);
      await cw.send(new DeleteAlarmsCommand({ AlarmNames: ["any", "high-latency"] }));
      const missing = await fail(cw.send(new SetAlarmStateCommand({ AlarmName: "high-latency", StateValue: "OK", StateReason: "x" })));
      expect([missing.name, missing.$metadata.httpStatusCode]).toEqual(["ResourceNotFound", 404]);
    });

    it("dashboards", async () => {
      await cw.send(new PutDashboardCommand({ DashboardName: "main", DashboardBody: JSON.stringify({ widgets: [] }) }));
      expect((await cw.send(new GetDashboardCommand({ DashboardName: "main" }))).DashboardBody).toBe('{"widgets":[]}');
      expect((await cw.send(new ListDashboardsCommand({}))).DashboardEntries!.map((d) => d.DashboardName)).toEqual(["main"]);
      const bad = await fail(cw.send(new PutDashboardCommand({ DashboardName: "x", DashboardBody: "not json" })));
      expect(bad.$metadata.httpStatusCode).toBe(400);
      await cw.send(new DeleteDashboardsCommand({ DashboardNames: ["main"] }));
      const gone = await fail(cw.send(new GetDashboardCommand({ DashboardName: "main" })));
      expect(gone.$metadata.httpStatusCode).toBe(404);
    });
  });
}
