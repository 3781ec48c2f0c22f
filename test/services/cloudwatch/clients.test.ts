/**
 * CloudWatch through boto3 and AWS CLI v1 (both speak Smithy RPC v2 CBOR with current botocore)
 * and AWS CLI v2 2.9 (awsQuery), against the Node server; plus raw CBOR requests for what no
 * SDK sends (malformed bodies, unknown operations). Client suites are skipped, with the reason
 * printed, only where that client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decoder, Encoder } from "cbor-x";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const auth = "AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=0";
const decoder = new Decoder({ mapsAsObjects: true, useRecords: false });

describe("raw Smithy RPC v2 CBOR", () => {
  const call = (operation: string, body: Uint8Array | undefined) => fetch(`${server.url}/service/GraniteServiceVersion20100801/operation/${operation}`, {
    method: "POST", headers: { "smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor", accept: "application/cbor", authorization: auth }, body: body as BodyInit | undefined,
  });

  it("answers in CBOR with the protocol header, tag-1 timestamps and __type errors", async () => {
    const encoder = new Encoder({ useRecords: false, tagUint8Array: false });
    const put = await call("PutMetricData", encoder.encode({ Namespace: "Raw", MetricData: [{ MetricName: "m", Value: 2, Timestamp: new Date() }] }));
    expect(put.status).toBe(200);
    expect(put.headers.get("smithy-protocol")).toBe("rpc-v2-cbor");
    const listed = decoder.decode(new Uint8Array(await (await call("ListMetrics", encoder.encode({ Namespace: "Raw" }))).arrayBuffer()));
    expect(listed.Metrics).toEqual([{ Namespace: "Raw", MetricName: "m", Dimensions: [] }]);
    const bad = await call("PutMetricData", new Uint8Array([0xbf, 0x61]));
    expect(bad.status).toBe(400);
    expect(decoder.decode(new Uint8Array(await bad.arrayBuffer())).__type).toMatch(/#SerializationException$/);
    const invalid = await call("PutMetricData", encoder.encode({ Namespace: "AWS/X", MetricData: [{ MetricName: "m", Value: 1 }] }));
    expect(invalid.headers.get("x-amzn-query-error")).toBe("InvalidParameterValue;Sender");
    expect(decoder.decode(new Uint8Array(await invalid.arrayBuffer()))).toEqual({ __type: "com.amazonaws.cloudwatch#InvalidParameterValueException", message: "The value AWS/X for parameter Namespace is invalid." });
    const unknown = await call("NoSuchOperation", encoder.encode({}));
    expect(unknown.status).toBe(404);
  });
});

if (!python.version) console.warn(`skipping boto3 CloudWatch suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3 (CBOR)", () => {
  it("puts data, reads statistics and metric data, sets an alarm, and gets AWS's errors", async () => {
    const out = await boto3(server.url, `
import datetime
cw = boto3.client("cloudwatch", endpoint_url=ENDPOINT, region_name="us-east-1")
proto = cw.meta.service_model.protocol
now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
cw.put_metric_data(Namespace="Py", MetricData=[{"MetricName": "Hits", "Value": v, "Timestamp": now - datetime.timedelta(minutes=1), "Unit": "Count"} for v in (1, 2, 3)])
stats = cw.get_metric_statistics(Namespace="Py", MetricName="Hits", StartTime=now - datetime.timedelta(minutes=5), EndTime=now, Period=60, Statistics=["Sum", "Maximum"])
data = cw.get_metric_data(StartTime=now - datetime.timedelta(minutes=5), EndTime=now, MetricDataQueries=[
  {"Id": "h", "MetricStat": {"Metric": {"Namespace": "Py", "MetricName": "Hits"}, "Period": 60, "Stat": "Sum"}},
  {"Id": "double", "Expression": "h * 2"}])
cw.put_metric_alarm(AlarmName="py-alarm", Namespace="Py", MetricName="Hits", Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=5, ComparisonOperator="GreaterThanThreshold")
cw.set_alarm_state(AlarmName="py-alarm", StateValue="ALARM", StateReason="manual")
alarm = cw.describe_alarms(AlarmNames=["py-alarm"])["MetricAlarms"][0]
try:
    cw.put_metric_data(Namespace="AWS/Nope", MetricData=[{"MetricName": "x", "Value": 1}])
    err = None
except botocore.exceptions.ClientError as e:
    err = [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
try:
    cw.get_dashboard(DashboardName="none")
    missing = None
except botocore.exceptions.ClientError as e:
    missing = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps({"proto": proto, "stats": [[d["Sum"], d["Maximum"]] for d in stats["Datapoints"]],
  "data": [[r["Id"], r["Values"]] for r in data["MetricDataResults"]], "state": alarm["StateValue"],
  "updated": alarm["StateUpdatedTimestamp"].isoformat(), "err": err, "missing": missing}))
`);
    expect(out).toMatchObject({
      proto: "smithy-rpc-v2-cbor", stats: [[6, 3]], data: [["h", [6]], ["double", [12]]], state: "ALARM",
      err: ["InvalidParameterValue", "The value AWS/Nope for parameter Namespace is invalid.", 400],
      missing: ["ResourceNotFound", 404],
    });
    expect(out.updated).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  }, 60_000);
});

// Skipped only when that client is not installed here (.ci/run installs it); the suite says which at the top.
describe.skipIf(!python.version)("boto3 (CBOR), newer operations", () => {
  it("widget image PNG, mute rules, OTel enrichment, managed insight rules, anomaly band", async () => {
    const out = await boto3(server.url, `
import base64
cw = boto3.client("cloudwatch", endpoint_url=ENDPOINT, region_name="us-east-1")
png = cw.get_metric_widget_image(MetricWidget=json.dumps({"metrics": [["Py2", "M"]], "width": 64, "height": 32}))["MetricWidgetImage"]
cw.put_alarm_mute_rule(Name="py-mute", Rule={"Schedule": {"Expression": "cron(0 2 * * *)", "Duration": "PT1H"}}, MuteTargets={"AlarmNames": ["a"]})
mute = cw.get_alarm_mute_rule(AlarmMuteRuleName="py-mute")
cw.start_o_tel_enrichment()
otel = cw.get_o_tel_enrichment()["Status"]
rules = cw.list_managed_insight_rules(ResourceARN="arn:aws:ec2:us-east-1:000000000000:vpc-endpoint-service/vpce-svc-1")["ManagedRules"]
try:
    cw.put_metric_alarm(AlarmName="band", EvaluationPeriods=1, ComparisonOperator="GreaterThanUpperThreshold", Threshold=1,
        Metrics=[{"Id": "m1", "MetricStat": {"Metric": {"Namespace": "Py2", "MetricName": "M"}, "Period": 60, "Stat": "Sum"}}])
    band = None
except botocore.exceptions.ClientError as e:
    band = e.response["Error"]["Code"]
print(json.dumps({"png": list(png[:8]), "mute": [mute["MuteType"], mute["Rule"]["Schedule"]["Expression"]], "otel": otel,
  "rules": len(rules), "band": band}))
`);
    expect(out).toEqual({ png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], mute: ["RECURRING", "cron(0 2 * * *)"], otel: "Running", rules: 3, band: "InvalidParameterValue" });
  }, 60_000);
});

if (!awsCli.v2) console.warn("skipping AWS CLI v2 widget image check: not installed");
// AWS CLI v2 2.9 speaks awsQuery to CloudWatch: the PNG comes back base64 in XML.
// Skipped only when that client is not installed here (.ci/run installs it); the suite says which at the top.
describe.skipIf(!awsCli.v2)("AWS CLI v2 (awsQuery), widget image", () => {
  it("get-metric-widget-image answers a PNG", async () => {
    const result = await run(awsCli.v2!, ["cloudwatch", "get-metric-widget-image", "--metric-widget", JSON.stringify({ metrics: [["Cli", "M"]], width: 50, height: 40 }),
      "--endpoint-url", server.url, "--output", "json"], clientEnv());
    expect(result.stderr).toBe("");
    const png = Buffer.from(JSON.parse(result.stdout).MetricWidgetImage, "base64");
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
    expect(png.readUInt32BE(16)).toBe(50);
  }, 120_000);
});

for (const [label, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${label} CloudWatch suite: not installed`);
  // Skipped only when this AWS CLI is absent (v1: pip's `aws`; v2: Debian's /usr/bin/aws, which .ci/run installs); the reason is printed.
  describe.skipIf(!cli)(`${label} (${label.endsWith("v1") ? "CBOR" : "awsQuery"})`, () => {
    const aws = async (...args: string[]) => {
      const result = await run(cli!, ["cloudwatch", ...args, "--endpoint-url", server.url, "--output", "json"], clientEnv());
      return { ...result, json: result.stdout.trim() ? JSON.parse(result.stdout) : undefined };
    };

    it("put-metric-data, get-metric-statistics, put-metric-alarm, describe-alarms, errors", async () => {
      const ns = `Cli${label.endsWith("v1") ? "V1" : "V2"}`;
      const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000).toISOString();
      const put = await aws("put-metric-data", "--namespace", ns, "--metric-name", "Jobs", "--value", "4", "--timestamp", at, "--dimensions", "Queue=a");
      expect(put.stderr).toBe("");
      const stats = await aws("get-metric-statistics", "--namespace", ns, "--metric-name", "Jobs", "--dimensions", "Name=Queue,Value=a",
        "--start-time", new Date(Date.now() - 600_000).toISOString(), "--end-time", new Date().toISOString(), "--period", "60", "--statistics", "Sum");
      expect(stats.json.Datapoints.map((d: any) => d.Sum)).toEqual([4]);
      expect((await aws("put-metric-alarm", "--alarm-name", `${ns}-alarm`, "--namespace", ns, "--metric-name", "Jobs", "--statistic", "Sum",
        "--period", "60", "--evaluation-periods", "1", "--threshold", "10", "--comparison-operator", "GreaterThanThreshold")).code).toBe(0);
      const alarms = await aws("describe-alarms", "--alarm-names", `${ns}-alarm`);
      expect(alarms.json.MetricAlarms.map((a: any) => [a.AlarmName, a.StateValue, a.Threshold])).toEqual([[`${ns}-alarm`, "INSUFFICIENT_DATA", 10]]);
      const bad = await aws("put-metric-data", "--namespace", "AWS/Bad", "--metric-name", "x", "--value", "1");
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain("InvalidParameterValue");
    }, 120_000);
  });
}

describe("CBOR requests the gateway answers itself", () => {
  it("an unknown service's CBOR request gets a CBOR NotImplemented", async () => {
    const res = await fetch(`${server.url}/service/SomeService/operation/DoThing`, {
      method: "POST",
      headers: { "smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor", authorization: "AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/nosuchservice/aws4_request, SignedHeaders=host, Signature=0" },
      body: new Uint8Array([0xa0]),
    });
    expect(res.status).toBe(501);
    expect(res.headers.get("smithy-protocol")).toBe("rpc-v2-cbor");
    expect(decoder.decode(new Uint8Array(await res.arrayBuffer()))).toMatchObject({ __type: "com.amazon.coral.service#NotImplemented" });
  });
});
