/**
 * The ARN partition of a region (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html):
 * `aws-cn` for `cn-*`, `aws-us-gov` for `us-gov-*`, the ISO partitions for their regions,
 * `aws` for every other name (unknown regions included). Throws nothing.
 */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  if (region.startsWith("us-isof-")) return "aws-iso-f";
  if (region.startsWith("eu-isoe-")) return "aws-iso-e";
  if (region.startsWith("us-iso-")) return "aws-iso";
  return "aws";
}
