/**
 * Kinesis's IAM actions and resources per operation (`kinesis:<Operation>` on the stream ARN,
 * from StreamARN or StreamName; consumers by ConsumerARN), for `enforceIam`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesis.html
 */
import type { AuthorizationMap } from "../../policy/authorization.ts";

export const kinesisAuthorization: AuthorizationMap = {
  prefix: "kinesis",
  resource: (input, env) => input.StreamARN ?? input.ConsumerARN ?? input.ResourceARN
    ?? (input.StreamName ? `arn:aws:kinesis:${env.region}:${env.account}:stream/${input.StreamName}` : undefined),
  operations: {
    ListStreams: { resource: "*" },
    DescribeLimits: { resource: "*" },
    DescribeAccountSettings: { resource: "*" },
    UpdateAccountSettings: { resource: "*" },
    CreateStream: { tags: "Tags" },
    AddTagsToStream: { tags: "Tags" },
  },
};
