/**
 * CloudWatch Logs deliveries (vended logs) as state through the JS SDK v3, in-process: sources,
 * destinations with policies, deliveries joining them, updates, conflicts and AWS's errors.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  CloudWatchLogsClient, CreateDeliveryCommand, DeleteDeliveryCommand, DeleteDeliveryDestinationCommand, DeleteDeliveryDestinationPolicyCommand,
  DeleteDeliverySourceCommand, DescribeDeliveriesCommand, DescribeDeliveryDestinationsCommand, DescribeDeliverySourcesCommand,
  GetDeliveryCommand, GetDeliveryDestinationCommand, GetDeliveryDestinationPolicyCommand, GetDeliverySourceCommand,
  PutDeliveryDestinationCommand, PutDeliveryDestinationPolicyCommand, PutDeliverySourceCommand, UpdateDeliveryConfigurationCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { createEmulator } from "../../../src/emulator.ts";
import { inProcess } from "../../helpers/clients.ts";
import { fail } from "../cloudwatch/helpers.ts";

describe("CloudWatch Logs deliveries, in-process", () => {
  let logs: CloudWatchLogsClient;
  beforeEach(() => {
    logs = new CloudWatchLogsClient(inProcess(createEmulator()));
  });

  it("sources, destinations, policies and deliveries, with conflicts", async () => {
    const source = (await logs.send(new PutDeliverySourceCommand({
      name: "cf-src", resourceArn: "arn:aws:cloudfront::000000000000:distribution/E123", logType: "ACCESS_LOGS", tags: { team: "a" },
    }))).deliverySource!;
    expect(source).toEqual({
      name: "cf-src", arn: "arn:aws:logs:us-east-1:000000000000:delivery-source:cf-src", resourceArns: ["arn:aws:cloudfront::000000000000:distribution/E123"],
      service: "cloudfront", logType: "ACCESS_LOGS", tags: { team: "a" },
    });
    const moved = await fail(logs.send(new PutDeliverySourceCommand({ name: "cf-src", resourceArn: "arn:aws:cloudfront::000000000000:distribution/E999", logType: "ACCESS_LOGS" })));
    expect(moved.name).toBe("ConflictException");

    const dest = (await logs.send(new PutDeliveryDestinationCommand({
      name: "to-s3", outputFormat: "json", deliveryDestinationConfiguration: { destinationResourceArn: "arn:aws:s3:::log-bucket" },
    }))).deliveryDestination!;
    expect(dest).toMatchObject({ arn: "arn:aws:logs:us-east-1:000000000000:delivery-destination:to-s3", deliveryDestinationType: "S3", outputFormat: "json" });
    expect((await logs.send(new PutDeliveryDestinationCommand({ name: "to-cwl", deliveryDestinationConfiguration: { destinationResourceArn: "arn:aws:logs:us-east-1:000000000000:log-group:/vended" } }))).deliveryDestination!.deliveryDestinationType).toBe("CWL");
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "111122223333" }, Action: "logs:CreateDelivery", Resource: dest.arn }] });
    await logs.send(new PutDeliveryDestinationPolicyCommand({ deliveryDestinationName: "to-s3", deliveryDestinationPolicy: policy }));
    expect((await logs.send(new GetDeliveryDestinationPolicyCommand({ deliveryDestinationName: "to-s3" }))).policy).toEqual({ deliveryDestinationPolicy: policy });

    const delivery = (await logs.send(new CreateDeliveryCommand({ deliverySourceName: "cf-src", deliveryDestinationArn: dest.arn!, recordFields: ["date", "time"], fieldDelimiter: "," }))).delivery!;
    expect(delivery).toMatchObject({ deliverySourceName: "cf-src", deliveryDestinationArn: dest.arn, deliveryDestinationType: "S3", recordFields: ["date", "time"], fieldDelimiter: "," });
    expect(delivery.arn).toBe(`arn:aws:logs:us-east-1:000000000000:delivery:${delivery.id}`);
    const twice = await fail(logs.send(new CreateDeliveryCommand({ deliverySourceName: "cf-src", deliveryDestinationArn: dest.arn! })));
    expect(twice.name).toBe("ConflictException");
    await logs.send(new UpdateDeliveryConfigurationCommand({ id: delivery.id!, s3DeliveryConfiguration: { suffixPath: "{DistributionId}/", enableHiveCompatiblePath: true } }));
    expect((await logs.send(new GetDeliveryCommand({ id: delivery.id! }))).delivery!.s3DeliveryConfiguration).toEqual({ suffixPath: "{DistributionId}/", enableHiveCompatiblePath: true });
    expect((await logs.send(new DescribeDeliveriesCommand({}))).deliveries!.map((d) => d.id)).toEqual([delivery.id]);
    expect((await logs.send(new DescribeDeliverySourcesCommand({}))).deliverySources!.map((s) => s.name)).toEqual(["cf-src"]);
    const pageOne = await logs.send(new DescribeDeliveryDestinationsCommand({ limit: 1 }));
    expect(pageOne.deliveryDestinations!.map((d) => d.name)).toEqual(["to-cwl"]);
    expect((await logs.send(new DescribeDeliveryDestinationsCommand({ nextToken: pageOne.nextToken }))).deliveryDestinations!.map((d) => d.name)).toEqual(["to-s3"]);

    // In use: neither end can go before the delivery.
    expect((await fail(logs.send(new DeleteDeliverySourceCommand({ name: "cf-src" })))).name).toBe("ConflictException");
    expect((await fail(logs.send(new DeleteDeliveryDestinationCommand({ name: "to-s3" })))).name).toBe("ConflictException");
    await logs.send(new DeleteDeliveryCommand({ id: delivery.id! }));
    await logs.send(new DeleteDeliveryDestinationPolicyCommand({ deliveryDestinationName: "to-s3" }));
    await logs.send(new DeleteDeliveryDestinationCommand({ name: "to-s3" }));
    await logs.send(new DeleteDeliverySourceCommand({ name: "cf-src" }));
    expect((await fail(logs.send(new GetDeliverySourceCommand({ name: "cf-src" })))).name).toBe("ResourceNotFoundException");
    expect((await fail(logs.send(new GetDeliveryDestinationCommand({ name: "to-s3" })))).name).toBe("ResourceNotFoundException");
    expect((await fail(logs.send(new GetDeliveryCommand({ id: delivery.id! })))).name).toBe("ResourceNotFoundException");
  });

  it("answers AWS's errors", async () => {
    const noConfig = await fail(logs.send(new PutDeliveryDestinationCommand({ name: "x" })));
    expect(noConfig.name).toBe("ValidationException");
    const badArn = await fail(logs.send(new PutDeliveryDestinationCommand({ name: "x", deliveryDestinationConfiguration: { destinationResourceArn: "arn:aws:sqs:us-east-1:000000000000:q" } })));
    expect(badArn.name).toBe("ValidationException");
    const noSource = await fail(logs.send(new CreateDeliveryCommand({ deliverySourceName: "nope", deliveryDestinationArn: "arn:aws:logs:us-east-1:000000000000:delivery-destination:x" })));
    expect(noSource.name).toBe("ResourceNotFoundException");
    await logs.send(new PutDeliverySourceCommand({ name: "s", resourceArn: "arn:aws:cloudfront::000000000000:distribution/E1", logType: "ACCESS_LOGS" }));
    const noDest = await fail(logs.send(new CreateDeliveryCommand({ deliverySourceName: "s", deliveryDestinationArn: "arn:aws:logs:us-east-1:000000000000:delivery-destination:x" })));
    expect(noDest.name).toBe("ResourceNotFoundException");
  });
});
