/**
 * Firehose's IAM actions and resources per operation (`firehose:<Operation>` on the delivery
 * stream ARN), for `enforceIam`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesisfirehose.html
 */
import type { AuthorizationMap } from "../../policy/authorization.ts";

export const firehoseAuthorization: AuthorizationMap = {
  prefix: "firehose",
  resource: "arn:{partition}:firehose:{region}:{account}:deliverystream/{DeliveryStreamName}",
  operations: {
    ListDeliveryStreams: { resource: "*" },
    CreateDeliveryStream: { tags: "Tags" },
    TagDeliveryStream: { tags: "Tags" },
  },
};
