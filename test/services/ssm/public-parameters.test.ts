/**
 * SSM public parameters (issue 17): `/aws/service/...` read as AWS's (ARN without account,
 * paths, pages), read-only, and not listed by DescribeParameters.
 */
import { describe, expect, it } from "vitest";
import * as S from "@aws-sdk/client-ssm";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

const emulator = createEmulator({ store: createMemoryStore() });
const ssm = new S.SSMClient(inProcess(emulator));
const euSsm = new S.SSMClient(inProcess(emulator, "eu-west-1"));
const INFRA = "/aws/service/global-infrastructure";

describe("public parameters", () => {
  it("GetParameter reads a region's long name with AWS's public ARN; by name or by ARN", async () => {
    const { Parameter } = await ssm.send(new S.GetParameterCommand({ Name: `${INFRA}/regions/eu-west-1/longName` }));
    expect(Parameter).toMatchObject({
      Name: `${INFRA}/regions/eu-west-1/longName`, Type: "String", Value: "Europe (Ireland)", DataType: "text",
      ARN: "arn:aws:ssm:us-east-1::parameter/aws/service/global-infrastructure/regions/eu-west-1/longName",
    });
    const byArn = await ssm.send(new S.GetParameterCommand({ Name: Parameter!.ARN! }));
    expect(byArn.Parameter!.Value).toBe("Europe (Ireland)");
    expect((await error(ssm.send(new S.GetParameterCommand({ Name: `${INFRA}/regions/xx-none-1/longName` })))).name).toBe("ParameterNotFound");
  });

  it("AMI ids: AWS's form, fixed per Region; GetParameters lists unknown names as invalid", async () => {
    const al2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
    const ubuntu = "/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id";
    const windows = "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base";
    const ecs = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";
    const got = await ssm.send(new S.GetParametersCommand({ Names: [al2023, ubuntu, windows, ecs, "/aws/service/ami-amazon-linux-latest/nope"] }));
    expect(got.InvalidParameters).toEqual(["/aws/service/ami-amazon-linux-latest/nope"]);
    expect(got.Parameters!.map((p) => p.Name)).toEqual([al2023, ubuntu, windows, ecs]);
    for (const p of got.Parameters!) expect(p.Value).toMatch(/^ami-[0-9a-f]{17}$/);
    const again = await ssm.send(new S.GetParameterCommand({ Name: al2023 }));
    expect(again.Parameter!.Value).toBe(got.Parameters![0].Value);
    const eu = await euSsm.send(new S.GetParameterCommand({ Name: al2023 }));
    expect(eu.Parameter!.ARN).toBe(`arn:aws:ssm:eu-west-1::parameter${al2023}`);
    expect(eu.Parameter!.Value).not.toBe(again.Parameter!.Value);
  });

  it("GetParametersByPath: one level, recursive, pages of at most MaxResults", async () => {
    const names: string[] = [];
    const values: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await ssm.send(new S.GetParametersByPathCommand({ Path: `${INFRA}/regions`, NextToken: token, MaxResults: 10 }));
      expect(page.Parameters!.length).toBeLessThanOrEqual(10);
      names.push(...page.Parameters!.map((p) => p.Name!));
      values.push(...page.Parameters!.map((p) => p.Value!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBeGreaterThan(2);
    expect(values).toContain("us-east-1");
    expect(values).toContain("ap-southeast-2");
    expect(names.every((n) => /^\/aws\/service\/global-infrastructure\/regions\/[a-z0-9-]+$/.test(n))).toBe(true);

    const deep = await ssm.send(new S.GetParametersByPathCommand({ Path: `${INFRA}/regions/us-east-2`, Recursive: true, MaxResults: 10 }));
    expect(deep.Parameters!.map((p) => p.Name)).toContain(`${INFRA}/regions/us-east-2/longName`);
    const flat = await ssm.send(new S.GetParametersByPathCommand({ Path: `${INFRA}/regions/us-east-2` }));
    expect(Object.fromEntries(flat.Parameters!.map((p) => [p.Name!.split("/").pop(), p.Value]))).toEqual({ domain: "amazonaws.com", longName: "US East (Ohio)", partition: "aws" });
    const services = await ssm.send(new S.GetParametersByPathCommand({ Path: `${INFRA}/regions/us-east-2/services`, MaxResults: 10 }));
    expect(services.Parameters!.map((p) => p.Value)).toContain("dynamodb");
    expect(services.NextToken).toBeDefined();
    const lambda = await ssm.send(new S.GetParameterCommand({ Name: `${INFRA}/services/lambda/longName` }));
    expect(lambda.Parameter!.Value).toBe("AWS Lambda");
  });

  it("is read-only (AWS's AccessDeniedException) and DescribeParameters does not list it", async () => {
    const name = `${INFRA}/regions/us-east-1/longName`;
    for (const call of [
      ssm.send(new S.PutParameterCommand({ Name: name, Value: "x", Type: "String", Overwrite: true })),
      ssm.send(new S.PutParameterCommand({ Name: "/aws/mine", Value: "x", Type: "String" })),
      ssm.send(new S.DeleteParameterCommand({ Name: name })),
      ssm.send(new S.DeleteParametersCommand({ Names: [name] })),
      ssm.send(new S.LabelParameterVersionCommand({ Name: name, Labels: ["mine"] })),
      ssm.send(new S.AddTagsToResourceCommand({ ResourceType: "Parameter", ResourceId: name, Tags: [{ Key: "a", Value: "b" }] })),
    ]) {
      const e = await error(call);
      expect(e.name).toBe("AccessDeniedException");
      expect(e.message).toMatch(/^No access to reserved parameter name: aws\//);
    }
    expect((await ssm.send(new S.GetParameterCommand({ Name: name }))).Parameter!.Value).toBe("US East (N. Virginia)");
    await ssm.send(new S.PutParameterCommand({ Name: "/mine/x", Value: "1", Type: "String" }));
    const listed = await ssm.send(new S.DescribeParametersCommand({}));
    expect(listed.Parameters!.map((p) => p.Name)).toEqual(["/mine/x"]);
    const root = await ssm.send(new S.GetParametersByPathCommand({ Path: "/", Recursive: true }));
    expect(root.Parameters!.map((p) => p.Name)).toEqual(["/mine/x"]);
  });
});
