/**
 * DynamoDB table encryption with real KMS keys (issue 17): SSESpecification resolves the key
 * (customer managed or alias/aws/dynamodb), SSEDescription reports its ARN, a disabled key makes
 * the table INACCESSIBLE_ENCRYPTION_CREDENTIALS until it is enabled again.
 */
import { describe, expect, it } from "vitest";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, UpdateTableCommand } from "@aws-sdk/client-dynamodb";
import { CreateAliasCommand, CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient, ListAliasesCommand } from "@aws-sdk/client-kms";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

const clock = createManualClock();
const emulator = createEmulator({ store: createMemoryStore(), clock });
const ddb = new DynamoDBClient(inProcess(emulator));
const kms = new KMSClient(inProcess(emulator));
const base = {
  AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" as const }],
  KeySchema: [{ AttributeName: "pk", KeyType: "HASH" as const }],
  BillingMode: "PAY_PER_REQUEST" as const,
};

describe("DynamoDB SSE with KMS keys", () => {
  it("a customer managed key by alias: SSEDescription carries its key ARN", async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new CreateAliasCommand({ AliasName: "alias/tables", TargetKeyId: key.KeyId }));
    const created = await ddb.send(new CreateTableCommand({ ...base, TableName: "cmk", SSESpecification: { Enabled: true, SSEType: "KMS", KMSMasterKeyId: "alias/tables" } }));
    expect(created.TableDescription!.SSEDescription).toEqual({ Status: "ENABLED", SSEType: "KMS", KMSMasterKeyArn: key.Arn });
    const described = await ddb.send(new DescribeTableCommand({ TableName: "cmk" }));
    expect(described.Table!.SSEDescription!.KMSMasterKeyArn).toBe(key.Arn);
  });

  it("Enabled without a key uses the AWS managed key alias/aws/dynamodb", async () => {
    const created = await ddb.send(new CreateTableCommand({ ...base, TableName: "managed", SSESpecification: { Enabled: true } }));
    const aliases = await kms.send(new ListAliasesCommand({}));
    const managed = aliases.Aliases!.find((a) => a.AliasName === "alias/aws/dynamodb")!;
    expect(created.TableDescription!.SSEDescription!.KMSMasterKeyArn).toBe(`arn:aws:kms:us-east-1:000000000000:key/${managed.TargetKeyId}`);
  });

  it("a missing or disabled key, or a key without SSEType KMS, is a ValidationException", async () => {
    const missing = await error(ddb.send(new CreateTableCommand({ ...base, TableName: "missing", SSESpecification: { Enabled: true, SSEType: "KMS", KMSMasterKeyId: "alias/none" } })));
    expect(missing.name).toBe("ValidationException");
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    const disabled = await error(ddb.send(new CreateTableCommand({ ...base, TableName: "disabled", SSESpecification: { Enabled: true, SSEType: "KMS", KMSMasterKeyId: key.KeyId } })));
    expect(disabled.name).toBe("ValidationException");
    const noType = await error(ddb.send(new CreateTableCommand({ ...base, TableName: "notype", SSESpecification: { Enabled: true, KMSMasterKeyId: key.KeyId } })));
    expect(noType.message).toBe("SSEType KMS is required if KMSMasterKeyId is specified");
    const signing = (await kms.send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" }))).KeyMetadata!;
    const asymmetric = await error(ddb.send(new CreateTableCommand({ ...base, TableName: "asym", SSESpecification: { Enabled: true, SSEType: "KMS", KMSMasterKeyId: signing.KeyId } })));
    expect(asymmetric.name).toBe("ValidationException");
    for (const name of ["missing", "disabled", "notype", "asym"]) {
      expect((await error(ddb.send(new DescribeTableCommand({ TableName: name })))).name).toBe("ResourceNotFoundException");
    }
  });

  it("a disabled key makes the table INACCESSIBLE_ENCRYPTION_CREDENTIALS, with the date it was first seen; enabling clears it", async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await ddb.send(new CreateTableCommand({ ...base, TableName: "lockout", SSESpecification: { Enabled: true, SSEType: "KMS", KMSMasterKeyId: key.Arn } }));
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    const first = (await ddb.send(new DescribeTableCommand({ TableName: "lockout" }))).Table!;
    expect(first.TableStatus).toBe("INACCESSIBLE_ENCRYPTION_CREDENTIALS");
    const since = first.SSEDescription!.InaccessibleEncryptionDateTime!;
    expect(since.getTime()).toBe(clock.now());
    await clock.advance(3_600_000);
    const later = (await ddb.send(new DescribeTableCommand({ TableName: "lockout" }))).Table!;
    expect(later.SSEDescription!.InaccessibleEncryptionDateTime!.getTime()).toBe(since.getTime());
    await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    const back = (await ddb.send(new DescribeTableCommand({ TableName: "lockout" }))).Table!;
    expect(back.TableStatus).toBe("ACTIVE");
    expect(back.SSEDescription!.InaccessibleEncryptionDateTime).toBeUndefined();
  });

  it("UpdateTable switches keys and back to the AWS owned key", async () => {
    await ddb.send(new CreateTableCommand({ ...base, TableName: "switch" }));
    expect((await ddb.send(new DescribeTableCommand({ TableName: "switch" }))).Table!.SSEDescription).toBeUndefined();
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const updated = await ddb.send(new UpdateTableCommand({ TableName: "switch", SSESpecification: { Enabled: true, SSEType: "KMS", KMSMasterKeyId: key.KeyId } }));
    expect(updated.TableDescription!.SSEDescription!.KMSMasterKeyArn).toBe(key.Arn);
    const bad = await error(ddb.send(new UpdateTableCommand({ TableName: "switch", SSESpecification: { Enabled: true, SSEType: "KMS", KMSMasterKeyId: "alias/none" } })));
    expect(bad.name).toBe("ValidationException");
    expect((await ddb.send(new DescribeTableCommand({ TableName: "switch" }))).Table!.SSEDescription!.KMSMasterKeyArn).toBe(key.Arn);
    await ddb.send(new UpdateTableCommand({ TableName: "switch", SSESpecification: { Enabled: false } }));
    expect((await ddb.send(new DescribeTableCommand({ TableName: "switch" }))).Table!.SSEDescription).toBeUndefined();
  });
});
