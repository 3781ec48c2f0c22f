/**
 * CloudWatch Logs account and index policies, anomaly detection, lookup tables, integrations,
 * S3 Tables sources, import tasks and the smaller configuration operations, through the JS SDK
 * v3 in-process on a manual clock. The account subscription filter policy really delivers (to
 * fetchstack's Kinesis), anomalies are computed from stored events.
 */
import { gunzipSync } from "node:zlib";
import { beforeEach, describe, expect, it } from "vitest";
import {
  AssociateSourceToS3TableIntegrationCommand, CancelImportTaskCommand, CloudWatchLogsClient, CreateImportTaskCommand,
  CreateLogAnomalyDetectorCommand, CreateLogGroupCommand, CreateLogStreamCommand, CreateLookupTableCommand, DeleteAccountPolicyCommand,
  DeleteIndexPolicyCommand, DeleteIntegrationCommand, DeleteLogAnomalyDetectorCommand, DeleteLookupTableCommand, DescribeAccountPoliciesCommand,
  DescribeConfigurationTemplatesCommand, DescribeFieldIndexesCommand, DescribeImportTaskBatchesCommand, DescribeImportTasksCommand,
  DescribeIndexPoliciesCommand, DescribeLookupTablesCommand, DisassociateSourceFromS3TableIntegrationCommand, GetIntegrationCommand,
  GetLogAnomalyDetectorCommand, GetLogFieldsCommand, GetLookupTableCommand, ListAggregateLogGroupSummariesCommand, ListAnomaliesCommand,
  ListIntegrationsCommand, ListLogAnomalyDetectorsCommand, ListLogGroupsForQueryCommand, ListSourcesForS3TableIntegrationCommand,
  PutAccountPolicyCommand, PutBearerTokenAuthenticationCommand, PutIndexPolicyCommand, PutIntegrationCommand, PutLogEventsCommand,
  StartQueryCommand, UpdateAnomalyCommand, UpdateLogAnomalyDetectorCommand, UpdateLookupTableCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { fail, harness, SUITE_STORES, type Harness } from "../cloudwatch/helpers.ts";

const START = Date.UTC(2026, 11, 1, 12);
const ARN = (g: string) => `arn:aws:logs:us-east-1:000000000000:log-group:${g}`;

for (const store of SUITE_STORES) {
  describe(`CloudWatch Logs policies and resources, ${store.name}`, () => {
    let h: Harness;
    let logs: CloudWatchLogsClient;
    beforeEach(async () => {
      h = harness(store, START);
      logs = new CloudWatchLogsClient(h.config);
    });
    const group = async (name: string) => {
      await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: name, logStreamName: "s" }));
    };
    const events = (name: string, messages: string[], at = h.clock.now()) =>
      logs.send(new PutLogEventsCommand({ logGroupName: name, logStreamName: "s", logEvents: messages.map((message, i) => ({ message, timestamp: at + i })) }));

    it("an account subscription filter policy delivers every selected group's events", async () => {
      const kinesis = new KinesisClient(h.config);
      await kinesis.send(new CreateStreamCommand({ StreamName: "all-logs", ShardCount: 1 }));
      await group("/app/a");
      await group("/app/skip");
      const doc = JSON.stringify({ DestinationArn: "arn:aws:kinesis:us-east-1:000000000000:stream/all-logs", FilterPattern: "ERROR", Distribution: "Random" });
      const put = await logs.send(new PutAccountPolicyCommand({
        policyName: "everything", policyType: "SUBSCRIPTION_FILTER_POLICY", policyDocument: doc, selectionCriteria: 'LogGroupName NOT IN ["/app/skip"]',
      }));
      expect(put.accountPolicy).toMatchObject({ policyName: "everything", scope: "ALL", accountId: "000000000000", selectionCriteria: 'LogGroupName NOT IN ["/app/skip"]' });
      const second = await fail(logs.send(new PutAccountPolicyCommand({ policyName: "other", policyType: "SUBSCRIPTION_FILTER_POLICY", policyDocument: doc })));
      expect(second.name).toBe("LimitExceededException");
      const bad = await fail(logs.send(new PutAccountPolicyCommand({ policyName: "x", policyType: "DATA_PROTECTION_POLICY", policyDocument: "{", scope: "ALL" })));
      expect(bad.name).toBe("InvalidParameterException");
      await events("/app/a", ["ERROR one", "fine"]);
      await events("/app/skip", ["ERROR hidden"]);
      await h.emulator.settled();
      const iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "all-logs", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
      const records = (await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }))).Records!;
      const envelopes = records.map((r) => JSON.parse(gunzipSync(r.Data!).toString()));
      expect(envelopes.map((e) => [e.logGroup, e.subscriptionFilters, e.logEvents.map((x: any) => x.message)])).toEqual([["/app/a", ["everything"], ["ERROR one"]]]);
      expect((await logs.send(new DescribeAccountPoliciesCommand({ policyType: "SUBSCRIPTION_FILTER_POLICY" }))).accountPolicies!.map((p) => p.policyName)).toEqual(["everything"]);
      await logs.send(new DeleteAccountPolicyCommand({ policyName: "everything", policyType: "SUBSCRIPTION_FILTER_POLICY" }));
      const gone = await fail(logs.send(new DeleteAccountPolicyCommand({ policyName: "everything", policyType: "SUBSCRIPTION_FILTER_POLICY" })));
      expect(gone.name).toBe("ResourceNotFoundException");
    });

    it("index policies (own and account) and field indexes from stored events", async () => {
      await group("/svc/orders");
      await group("/svc/other");
      await logs.send(new PutAccountPolicyCommand({ policyName: "svc-index", policyType: "FIELD_INDEX_POLICY", policyDocument: JSON.stringify({ Fields: ["userId"] }), selectionCriteria: 'LogGroupNamePrefix IN ["/svc/"]' }));
      const own = await logs.send(new PutIndexPolicyCommand({ logGroupIdentifier: "/svc/orders", policyDocument: JSON.stringify({ Fields: ["requestId", "user.id"] }) }));
      expect(own.indexPolicy).toMatchObject({ logGroupIdentifier: ARN("/svc/orders"), source: "LOG_GROUP" });
      const policies = [
        ...(await logs.send(new DescribeIndexPoliciesCommand({ logGroupIdentifiers: ["/svc/orders"] }))).indexPolicies!,
        ...(await logs.send(new DescribeIndexPoliciesCommand({ logGroupIdentifiers: [ARN("/svc/other")] }))).indexPolicies!,
      ];
      expect(policies.map((p) => [p.logGroupIdentifier, p.source, p.policyName])).toEqual([[ARN("/svc/orders"), "LOG_GROUP", "Default"], [ARN("/svc/other"), "ACCOUNT", "svc-index"]]);
      await events("/svc/orders", [JSON.stringify({ requestId: "r1", user: { id: 7 } }), "not json", JSON.stringify({ requestId: "r2" })]);
      const fields = await logs.send(new DescribeFieldIndexesCommand({ logGroupIdentifiers: ["/svc/orders"] }));
      expect(fields.fieldIndexes!.map((f) => [f.fieldIndexName, f.firstEventTime, f.lastEventTime])).toEqual([["requestId", START, START + 2], ["user.id", START, START]]);
      const badDoc = await fail(logs.send(new PutIndexPolicyCommand({ logGroupIdentifier: "/svc/orders", policyDocument: "{}" })));
      expect(badDoc.name).toBe("InvalidParameterException");
      await logs.send(new DeleteIndexPolicyCommand({ logGroupIdentifier: "/svc/orders" }));
      expect((await logs.send(new DescribeIndexPoliciesCommand({ logGroupIdentifiers: ["/svc/orders"] }))).indexPolicies![0]!.source).toBe("ACCOUNT");
      expect((await fail(logs.send(new DeleteIndexPolicyCommand({ logGroupIdentifier: "/svc/orders" })))).name).toBe("ResourceNotFoundException");
    });

    it("anomaly detectors find patterns unseen before they were created; suppress and baseline", async () => {
      await group("/app/web");
      await events("/app/web", ["GET /index 200 12ms", "GET /index 200 15ms"], START - 3_600_000);
      const { anomalyDetectorArn } = await logs.send(new CreateLogAnomalyDetectorCommand({ logGroupArnList: [ARN("/app/web")], detectorName: "web", evaluationFrequency: "FIVE_MIN" }));
      expect(anomalyDetectorArn).toMatch(/^arn:aws:logs:us-east-1:000000000000:anomaly-detector:[0-9a-f-]{36}$/);
      const missing = await fail(logs.send(new CreateLogAnomalyDetectorCommand({ logGroupArnList: [ARN("/none")] })));
      expect(missing.name).toBe("ResourceNotFoundException");
      await h.clock.advance(60_000);
      await events("/app/web", ["GET /index 200 9ms", "database timeout after 3000ms", "database timeout after 3100ms"]);
      const anomalies = (await logs.send(new ListAnomaliesCommand({ anomalyDetectorArn }))).anomalies!;
      expect(anomalies).toHaveLength(1);
      expect(anomalies[0]).toMatchObject({
        patternString: "database timeout after <*>", state: "Active", active: true, suppressed: false,
        logSamples: [{ message: "database timeout after 3000ms" }, { message: "database timeout after 3100ms" }],
      });
      expect(anomalies[0]!.patternTokens![3]).toEqual({ dynamicTokenPosition: 1, isDynamic: true, tokenString: "<*>", enumerations: { "3000ms": 1, "3100ms": 1 } });
      expect(Object.values(anomalies[0]!.histogram!)).toEqual([2]);
      await logs.send(new UpdateAnomalyCommand({ anomalyDetectorArn, anomalyId: anomalies[0]!.anomalyId, suppressionType: "LIMITED", suppressionPeriod: { value: 10, suppressionUnit: "MINUTES" } }));
      expect((await logs.send(new ListAnomaliesCommand({ anomalyDetectorArn, suppressionState: "SUPPRESSED" }))).anomalies!.map((a) => a.state)).toEqual(["Suppressed"]);
      await h.clock.advance(11 * 60_000);
      expect((await logs.send(new ListAnomaliesCommand({ anomalyDetectorArn, suppressionState: "UNSUPPRESSED" }))).anomalies).toHaveLength(1);
      await logs.send(new UpdateAnomalyCommand({ anomalyDetectorArn, patternId: anomalies[0]!.patternId, baseline: true }));
      expect((await logs.send(new ListAnomaliesCommand({ anomalyDetectorArn }))).anomalies![0]!.state).toBe("Baseline");

      await logs.send(new UpdateLogAnomalyDetectorCommand({ anomalyDetectorArn, enabled: false, evaluationFrequency: "ONE_HOUR" }));
      const got = await logs.send(new GetLogAnomalyDetectorCommand({ anomalyDetectorArn }));
      expect(got).toMatchObject({ detectorName: "web", anomalyDetectorStatus: "PAUSED", evaluationFrequency: "ONE_HOUR", anomalyVisibilityTime: 21 });
      expect((await logs.send(new ListLogAnomalyDetectorsCommand({ filterLogGroupArn: ARN("/app/web") }))).anomalyDetectors!.map((d) => d.anomalyDetectorArn)).toEqual([anomalyDetectorArn]);
      await logs.send(new DeleteLogAnomalyDetectorCommand({ anomalyDetectorArn }));
      expect((await fail(logs.send(new GetLogAnomalyDetectorCommand({ anomalyDetectorArn })))).name).toBe("ResourceNotFoundException");
    });

    it("lookup tables, integrations, S3 Tables sources, import tasks and the small operations", async () => {
      const { lookupTableArn } = await logs.send(new CreateLookupTableCommand({ lookupTableName: "users", tableBody: "id,name\n1,ann\n2,bob\n", description: "who" }));
      expect(lookupTableArn).toBe("arn:aws:logs:us-east-1:000000000000:lookup-table:users");
      expect((await fail(logs.send(new CreateLookupTableCommand({ lookupTableName: "users", tableBody: "id\n" })))).name).toBe("ResourceAlreadyExistsException");
      expect((await fail(logs.send(new CreateLookupTableCommand({ lookupTableName: "empty", tableBody: "\n" })))).name).toBe("InvalidParameterException");
      await logs.send(new UpdateLookupTableCommand({ lookupTableArn, tableBody: "id,name,team\n1,ann,a\n" }));
      expect((await logs.send(new DescribeLookupTablesCommand({}))).lookupTables!.map((t) => [t.lookupTableName, t.tableFields, t.recordsCount, t.description])).toEqual([["users", ["id", "name", "team"], 1, "who"]]);
      expect((await logs.send(new GetLookupTableCommand({ lookupTableArn }))).tableBody).toBe("id,name,team\n1,ann,a\n");
      await logs.send(new DeleteLookupTableCommand({ lookupTableArn }));
      expect((await fail(logs.send(new GetLookupTableCommand({ lookupTableArn })))).name).toBe("ResourceNotFoundException");

      const config = { openSearchResourceConfig: { dataSourceRoleArn: "arn:aws:iam::000000000000:role/os", dashboardViewerPrincipals: ["arn:aws:iam::000000000000:role/viewer"], retentionDays: 30 } };
      expect(await logs.send(new PutIntegrationCommand({ integrationName: "search", integrationType: "OPENSEARCH", resourceConfig: config }))).toMatchObject({ integrationStatus: "ACTIVE" });
      expect((await fail(logs.send(new PutIntegrationCommand({ integrationName: "second", integrationType: "OPENSEARCH", resourceConfig: config })))).name).toBe("LimitExceededException");
      const integration = await logs.send(new GetIntegrationCommand({ integrationName: "search" }));
      expect(integration.integrationDetails?.openSearchIntegrationDetails?.collection?.status?.status).toBe("ACTIVE");
      expect((await logs.send(new ListIntegrationsCommand({}))).integrationSummaries).toEqual([{ integrationName: "search", integrationType: "OPENSEARCH", integrationStatus: "ACTIVE" }]);
      await logs.send(new DeleteIntegrationCommand({ integrationName: "search" }));
      expect((await fail(logs.send(new GetIntegrationCommand({ integrationName: "search" })))).name).toBe("ResourceNotFoundException");

      const integrationArn = "arn:aws:observabilityadmin:us-east-1:000000000000:s3tableintegration/abc";
      const { identifier } = await logs.send(new AssociateSourceToS3TableIntegrationCommand({ integrationArn, dataSource: { name: "vpc_flow", type: "OCSF" } }));
      expect((await logs.send(new ListSourcesForS3TableIntegrationCommand({ integrationArn }))).sources!.map((s) => [s.identifier, s.status])).toEqual([[identifier, "ACTIVE"]]);
      await logs.send(new DisassociateSourceFromS3TableIntegrationCommand({ identifier }));
      expect((await fail(logs.send(new DisassociateSourceFromS3TableIntegrationCommand({ identifier })))).name).toBe("ResourceNotFoundException");

      const task = await logs.send(new CreateImportTaskCommand({ importSourceArn: "arn:aws:cloudtrail:us-east-1:000000000000:eventdatastore/eds1", importRoleArn: "arn:aws:iam::000000000000:role/import" }));
      expect(task.importDestinationArn).toBe(ARN("aws/cloudtrail/eds1"));
      const described = (await logs.send(new DescribeImportTasksCommand({ importId: task.importId }))).imports!;
      expect(described.map((i) => [i.importStatus, i.errorMessage])).toEqual([["FAILED", expect.stringContaining("CloudTrail Lake")]]);
      expect((await logs.send(new DescribeImportTaskBatchesCommand({ importId: task.importId! }))).importBatches!.map((b) => b.status)).toEqual(["FAILED"]);
      expect((await fail(logs.send(new CancelImportTaskCommand({ importId: task.importId! })))).name).toBe("InvalidOperationException");
      expect((await fail(logs.send(new CreateImportTaskCommand({ importSourceArn: "arn:aws:s3:::b", importRoleArn: "arn:aws:iam::000000000000:role/import" })))).name).toBe("InvalidParameterException");

      await group("/g");
      await logs.send(new PutBearerTokenAuthenticationCommand({ logGroupIdentifier: "/g", bearerTokenAuthenticationEnabled: true }));
      expect((await fail(logs.send(new PutBearerTokenAuthenticationCommand({ logGroupIdentifier: "/none", bearerTokenAuthenticationEnabled: true })))).name).toBe("ResourceNotFoundException");
      const summaries = await logs.send(new ListAggregateLogGroupSummariesCommand({ groupBy: "DATA_SOURCE_NAME_AND_TYPE" }));
      expect(summaries.aggregateLogGroupSummaries![0]!.logGroupCount).toBe(1);
      expect((await fail(logs.send(new GetLogFieldsCommand({ dataSourceName: "x", dataSourceType: "y" })))).name).toBe("ResourceNotFoundException");
      const templates = await logs.send(new DescribeConfigurationTemplatesCommand({ service: "cloudfront", deliveryDestinationTypes: ["S3"] }));
      expect(templates.configurationTemplates!.map((t) => [t.logType, t.deliveryDestinationType])).toEqual([["ACCESS_LOGS", "S3"]]);
      const { queryId } = await logs.send(new StartQueryCommand({ logGroupIdentifiers: ["/g"], queryString: "fields @message", startTime: 0, endTime: 10 }));
      expect((await logs.send(new ListLogGroupsForQueryCommand({ queryId }))).logGroupIdentifiers).toEqual([ARN("/g")]);
      await h.emulator.settled();
    });
  });
}
