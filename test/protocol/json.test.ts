import { describe, expect, it } from "vitest";
import { DynamoDBClient, GetItemCommand, PutItemCommand, TransactWriteItemsCommand, TransactionCanceledException, ConditionalCheckFailedException, DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { SQSClient, GetQueueUrlCommand, QueueDoesNotExist, SendMessageCommand } from "@aws-sdk/client-sqs";
import { md5 } from "@noble/hashes/legacy.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { jsonCodec } from "../../src/protocol/json.ts";
import { AwsError } from "../../src/protocol/errors.ts";
import {
  botocoreParse,
  captureRequest,
  captures,
  codecRequestHandler,
  hasBotocore,
  incomingFrom,
  jsonRequest,
  loadModel,
} from "./json-incoming.ts";

const ddb = loadModel("dynamodb");
const sqs = loadModel("sqs");
const firehose = loadModel("firehose");
const memorydb = loadModel("memorydb");

async function parse(model = ddb, target: string | null, body: string, contentType?: string) {
  return jsonCodec.parse(incomingFrom(jsonRequest(target, body, contentType), model));
}

async function parseError(model: typeof ddb, target: string | null, body: string): Promise<AwsError> {
  try {
    await parse(model, target, body);
  } catch (e) {
    expect(e).toBeInstanceOf(AwsError);
    return e as AwsError;
  }
  throw new Error("expected an error");
}

function errorResponse(model: typeof ddb, error: AwsError, target = "DynamoDB_20120810.GetItem") {
  return jsonCodec.serializeError(incomingFrom(jsonRequest(target, "{}"), model), undefined, error);
}

const creds = { accessKeyId: "test", secretAccessKey: "test" };
const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe("awsJson parse: captured client requests", () => {
  const all = [...captures("boto3.jsonl"), ...captures("js-sdk-v3.jsonl"), ...captures("awscli-v1.jsonl"), ...captures("awscli-v2.jsonl")];
  const models: Record<string, typeof ddb> = { DynamoDB_20120810: ddb, AmazonSQS: sqs, Firehose_20150804: firehose, AmazonMemoryDB: memorydb };

  it("decodes every captured awsJson request to its operation", async () => {
    const json = all.filter((c) => c.request.headers.some(([k]) => k.toLowerCase() === "x-amz-target"));
    expect(json.length).toBeGreaterThan(20);
    for (const c of json) {
      const target = c.request.headers.find(([k]) => k.toLowerCase() === "x-amz-target")![1];
      const model = models[target.split(".")[0]!]!;
      const { operation, input } = await jsonCodec.parse(incomingFrom(captureRequest(c), model));
      expect(operation.name, c.op).toBe(target.split(".")[1]);
      expect(Object.keys(input).length, c.op).toBeGreaterThan(0);
    }
  });

  it("DynamoDB PutItem from boto3: blobs become bytes, N stays a string, nested maps and sets decode", async () => {
    const c = captures("boto3.jsonl").find((x) => x.op === "dynamodb:PutItem")!;
    const { operation, input } = await jsonCodec.parse(incomingFrom(captureRequest(c), ddb));
    expect(operation.name).toBe("PutItem");
    const item = input.Item as Record<string, any>;
    expect(input.TableName).toBe("cap-boto3-table");
    expect(item.sk).toEqual({ N: "1" });
    expect(item.tags).toEqual({ SS: ["a", "b"] });
    expect(item.blob.B).toEqual(bytes("\x00\xffbin"));
    expect(item.nested).toEqual({ M: { x: { BOOL: true } } });
  });

  it("DynamoDB PutItem from the JS SDK: lists with NULL and binary", async () => {
    const c = captures("js-sdk-v3.jsonl").find((x) => x.op === "dynamodb:PutItem")!;
    const { input } = await jsonCodec.parse(incomingFrom(captureRequest(c), ddb));
    const item = input.Item as Record<string, any>;
    expect(item.b.B).toEqual(new Uint8Array([0x00, 0xff, 0x01]));
    expect(item.l).toEqual({ L: [{ S: "x" }, { NULL: true }] });
  });

  it("SQS SendMessage binary message attributes (boto3 and JS) decode to bytes", async () => {
    for (const file of ["boto3.jsonl", "js-sdk-v3.jsonl"]) {
      const c = captures(file).find((x) => x.op.startsWith("sqs:SendMessage"))!;
      const { input } = await jsonCodec.parse(incomingFrom(captureRequest(c), sqs));
      const attrs = input.MessageAttributes as Record<string, any>;
      expect(attrs.BinAttr.BinaryValue).toEqual(bytes("\x00\x01binary"));
      expect(attrs.NumAttr).toEqual({ DataType: "Number", StringValue: "42" });
    }
  });

  it("Firehose PutRecord (awsJson1_1) decodes Record.Data", async () => {
    const c = captures("boto3.jsonl").find((x) => x.op === "firehose:PutRecord")!;
    const { input } = await jsonCodec.parse(incomingFrom(captureRequest(c), firehose));
    expect(new TextDecoder().decode((input.Record as any).Data)).toBe("firehose record bytes\n");
  });
});

describe("awsJson parse: bodies and targets", () => {
  it("treats an empty body as {} and ignores unknown members", async () => {
    expect((await parse(ddb, "DynamoDB_20120810.ListTables", "")).input).toEqual({});
    const { input } = await parse(ddb, "DynamoDB_20120810.ListTables", '{"Limit": 5, "Bogus": {"x": 1}}');
    expect(input).toEqual({ Limit: 5 });
  });

  it("accepts application/json and awsJson 1.1 content types", async () => {
    expect((await parse(ddb, "DynamoDB_20120810.ListTables", "{}", "application/json")).operation.name).toBe("ListTables");
    expect((await parse(memorydb, "AmazonMemoryDB.DescribeClusters", "{}", "application/x-amz-json-1.1")).operation.name).toBe("DescribeClusters");
  });

  it("decodes epoch-second timestamps to Dates", async () => {
    const { input } = await parse(
      ddb,
      "DynamoDB_20120810.ExportTableToPointInTime",
      '{"TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/t","S3Bucket":"b","ExportTime":1700000000.5}',
    );
    expect(input.ExportTime).toEqual(new Date(1700000000500));
  });

  it("answers UnknownOperationException for a missing, foreign or unknown target", async () => {
    for (const target of [null, "DynamoDB_20120810.NoSuchOp", "AmazonSQS.GetItem", "GetItem", "DynamoDB_20111205.GetItem"]) {
      const err = await parseError(ddb, target, "{}");
      expect(err.code).toBe("UnknownOperationException");
      expect(err.status).toBe(400);
      const res = errorResponse(ddb, err);
      expect(await res.json()).toEqual({ __type: "com.amazon.coral.service#UnknownOperationException" });
    }
  });

  it("answers SerializationException (no message, as DynamoDB) for malformed JSON", async () => {
    const err = await parseError(ddb, "DynamoDB_20120810.GetItem", '{"TableName": ');
    expect(err.code).toBe("SerializationException");
    const res = errorResponse(ddb, err);
    expect(res.status).toBe(400);
    expect(await res.clone().json()).toEqual({ __type: "com.amazon.coral.service#SerializationException" });
    if (hasBotocore) {
      const parsed = await botocoreParse("dynamodb", "GetItem", res);
      expect(parsed.parsed.Error.Code).toBe("SerializationException");
    }
  });

  it("words DynamoDB type errors as DynamoDB does", async () => {
    const cases: [string, string][] = [
      ['{"TableName": 23}', "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"],
      ['{"TableName": true}', "class java.lang.Boolean can not be converted to an String"],
      ['{"TableName": "t", "Limit": "23"}', "class java.lang.String can not be converted to an Integer"],
      ['{"TableName": "t", "ConsistentRead": "yes"}', "'YES' can not be converted to an Boolean"],
      ['{"TableName": "t", "ConsistentRead": 23}', "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Boolean"],
      ['{"TableName": []}', "Start of list found where not expected"],
      ['{"TableName": {}}', "Start of structure or map found where not expected."],
      ['{"TableName": "t", "AttributesToGet": "a"}', "Expected list or null"],
      ['{"TableName": "t", "ExclusiveStartKey": 5}', "Expected map or null"],
      ['{"TableName": "t", "ExclusiveStartKey": {"a": "x"}}', "Expected null"],
      ['{"TableName": "t", "ExclusiveStartKey": {"a": {"B": "23456"}}}', "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5"],
      ['{"TableName": "t", "ExclusiveStartKey": {"a": {"B": true}}}', "class java.lang.Boolean can not be converted to a Blob"],
    ];
    for (const [body, message] of cases) {
      const err = await parseError(ddb, "DynamoDB_20120810.Scan", body);
      expect(err.code, body).toBe("SerializationException");
      expect(err.message, body).toBe(message);
      const res = errorResponse(ddb, err);
      expect(await res.json()).toEqual({ __type: "com.amazon.coral.service#SerializationException", Message: message });
    }
  });

  it("words other services' type errors with JSON token names", async () => {
    const url = "http://127.0.0.1:4566/000000000000/q";
    let err = await parseError(sqs, "AmazonSQS.SendMessage", JSON.stringify({ QueueUrl: url, MessageBody: 5 }));
    expect(err.message).toBe("NUMBER_VALUE can not be converted to a String");
    err = await parseError(sqs, "AmazonSQS.SendMessage", JSON.stringify({ QueueUrl: url, MessageBody: "m", DelaySeconds: "5" }));
    expect(err.message).toBe("STRING_VALUE can not be converted to an Integer");
    err = await parseError(sqs, "AmazonSQS.SendMessage", JSON.stringify({ QueueUrl: true, MessageBody: "m" }));
    expect(err.message).toBe("TRUE_VALUE can not be converted to a String");
  });
});

describe("awsJson serialize", () => {
  it("renders output by shape; botocore parses it and the CRC32 DynamoDB sends checks out", async () => {
    const incoming = incomingFrom(jsonRequest("DynamoDB_20120810.GetItem", "{}"), ddb, "json", "REQ123");
    const res = jsonCodec.serialize(incoming, ddb.operations.GetItem!, {
      Item: { pk: { S: "k" }, b: { B: new Uint8Array([0, 255, 1]) }, n: { N: "7" }, gone: undefined },
      NotInModel: "dropped",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-amz-json-1.0");
    expect(res.headers.get("x-amzn-requestid")).toBe("REQ123");
    expect(res.headers.get("x-amz-crc32")).toMatch(/^\d+$/);
    expect(await res.clone().json()).toEqual({ Item: { pk: { S: "k" }, b: { B: "AP8B" }, n: { N: "7" } } });
    if (hasBotocore) {
      const parsed = await botocoreParse("dynamodb", "GetItem", res);
      expect(parsed.crc32_ok).toBe(true);
      expect(parsed.parsed.Item.b.B).toEqual({ __bytes__: "AP8B" });
      expect(parsed.parsed.ResponseMetadata.RequestId).toBe("REQ123");
    }
  });

  it("renders timestamps as epoch seconds that botocore reads as datetimes", async () => {
    const incoming = incomingFrom(jsonRequest("DynamoDB_20120810.DescribeTable", "{}"), ddb);
    const res = jsonCodec.serialize(incoming, ddb.operations.DescribeTable!, {
      Table: { TableName: "t", CreationDateTime: new Date(Date.UTC(2026, 10, 22, 0, 32, 26, 500)), ItemCount: 3 },
    });
    expect(await res.clone().json()).toEqual({ Table: { TableName: "t", CreationDateTime: 1795307546.5, ItemCount: 3 } });
    if (hasBotocore) {
      const parsed = await botocoreParse("dynamodb", "DescribeTable", res);
      expect(parsed.parsed.Table.CreationDateTime.__datetime__).toBe("2026-11-22T00:32:26.500000+00:00");
    }
  });

  it("answers with the request's JSON version (Firehose 1.1) and no CRC outside DynamoDB", async () => {
    const incoming = incomingFrom(jsonRequest("Firehose_20150804.PutRecord", "{}", "application/x-amz-json-1.1"), firehose);
    const res = jsonCodec.serialize(incoming, firehose.operations.PutRecord!, { RecordId: "r1", Encrypted: false });
    expect(res.headers.get("content-type")).toBe("application/x-amz-json-1.1");
    expect(res.headers.has("x-amz-crc32")).toBe(false);
    expect(await res.json()).toEqual({ RecordId: "r1", Encrypted: false });
  });
});

describe("awsJson errors", () => {
  it("DynamoDB modeled errors: service namespace, x-amzn-ErrorType, botocore's exception class", async () => {
    const res = errorResponse(ddb, new AwsError("ResourceNotFoundException", "Requested resource not found", 400));
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
    expect(res.headers.has("x-amzn-query-error")).toBe(false);
    expect(await res.clone().json()).toEqual({
      __type: "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
      message: "Requested resource not found",
    });
    if (hasBotocore) {
      const parsed = await botocoreParse("dynamodb", "GetItem", res);
      expect(parsed.crc32_ok).toBe(true);
      expect(parsed.parsed.Error).toMatchObject({ Code: "ResourceNotFoundException", Message: "Requested resource not found" });
      expect(parsed.exception).toBe("ResourceNotFoundException");
    }
  });

  it("ConditionalCheckFailedException carries Item (botocore and JS SDK both see it)", async () => {
    const error = new AwsError("ConditionalCheckFailedException", "The conditional request failed", 400, {
      fields: { Item: { pk: { S: "k" }, b: { B: new Uint8Array([1, 2]) } } },
    });
    const res = errorResponse(ddb, error, "DynamoDB_20120810.PutItem");
    expect(await res.clone().json()).toEqual({
      __type: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
      message: "The conditional request failed",
      Item: { pk: { S: "k" }, b: { B: "AQI=" } },
    });
    if (hasBotocore) {
      const parsed = await botocoreParse("dynamodb", "PutItem", res);
      expect(parsed.exception).toBe("ConditionalCheckFailedException");
      expect(parsed.parsed.Item.pk).toEqual({ S: "k" });
    }
    const client = new DynamoDBClient({
      region: "us-east-1",
      credentials: creds,
      endpoint: "http://127.0.0.1:4566",
      requestHandler: codecRequestHandler(ddb, jsonCodec, () => {
        throw error;
      }),
    });
    const thrown = await client.send(new PutItemCommand({ TableName: "t", Item: { pk: { S: "k" } }, ReturnValuesOnConditionCheckFailure: "ALL_OLD" })).catch((e) => e);
    expect(thrown).toBeInstanceOf(ConditionalCheckFailedException);
    expect(thrown.message).toBe("The conditional request failed");
    expect(thrown.Item.b.B).toEqual(new Uint8Array([1, 2]));
    expect(thrown.$metadata.httpStatusCode).toBe(400);
  });

  it("TransactionCanceledException uses its modelled Message member and keeps CancellationReasons", async () => {
    const reasons = [{ Code: "ConditionalCheckFailed", Message: "The conditional request failed" }, { Code: "None" }];
    const error = new AwsError("TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]", 400, {
      fields: { CancellationReasons: reasons },
    });
    const body = await errorResponse(ddb, error).json();
    expect(body.Message).toBe(error.message);
    expect(body.CancellationReasons).toEqual(reasons);
    const client = new DynamoDBClient({
      region: "us-east-1",
      credentials: creds,
      endpoint: "http://127.0.0.1:4566",
      requestHandler: codecRequestHandler(ddb, jsonCodec, () => {
        throw error;
      }),
    });
    const thrown = await client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: "t", Item: { pk: { S: "k" } } } }] })).catch((e) => e);
    expect(thrown).toBeInstanceOf(TransactionCanceledException);
    expect(thrown.CancellationReasons).toEqual(reasons);
  });

  it("Coral framework errors use Coral namespaces", async () => {
    const validation = await errorResponse(ddb, new AwsError("ValidationException", "1 validation error detected: x", 400)).json();
    expect(validation.__type).toBe("com.amazon.coral.validate#ValidationException");
    const internal = errorResponse(ddb, new AwsError("InternalFailure", "boom", 500));
    expect(internal.status).toBe(500);
    expect((await internal.json()).__type).toBe("com.amazon.coral.service#InternalFailure");
  });

  it("SQS (awsQueryCompatible): x-amzn-query-error carries the query code; botocore and JS map it to QueueDoesNotExist", async () => {
    const error = new AwsError("QueueDoesNotExist", "The specified queue does not exist.", 400);
    const res = errorResponse(sqs, error, "AmazonSQS.GetQueueUrl");
    expect(res.headers.get("x-amzn-query-error")).toBe("AWS.SimpleQueueService.NonExistentQueue;Sender");
    expect(res.headers.get("content-type")).toBe("application/x-amz-json-1.0");
    expect(await res.clone().json()).toEqual({ __type: "com.amazonaws.sqs#QueueDoesNotExist", message: "The specified queue does not exist." });
    if (hasBotocore) {
      const parsed = await botocoreParse("sqs", "GetQueueUrl", res);
      expect(parsed.parsed.Error).toMatchObject({
        Code: "AWS.SimpleQueueService.NonExistentQueue",
        QueryErrorCode: "QueueDoesNotExist",
        Type: "Sender",
        Message: "The specified queue does not exist.",
      });
      expect(parsed.exception).toBe("QueueDoesNotExist");
    }
    const client = new SQSClient({
      region: "us-east-1",
      credentials: creds,
      endpoint: "http://127.0.0.1:4566",
      requestHandler: codecRequestHandler(sqs, jsonCodec, () => {
        throw error;
      }),
    });
    const thrown = await client.send(new GetQueueUrlCommand({ QueueName: "nope" })).catch((e) => e);
    expect(thrown).toBeInstanceOf(QueueDoesNotExist);
    expect(thrown.name).toBe("QueueDoesNotExist");
    expect(thrown.message).toBe("The specified queue does not exist.");
    expect(thrown.Code).toBe("AWS.SimpleQueueService.NonExistentQueue");
  });

  it("an AwsError's own queryCode goes to x-amzn-query-error (SQS InvalidParameterValueException / InvalidParameterValue)", async () => {
    const error = new AwsError("InvalidParameterValueException", "Value 11 for parameter MaxNumberOfMessages is invalid.", 400, { queryCode: "InvalidParameterValue" });
    const res = errorResponse(sqs, error, "AmazonSQS.ReceiveMessage");
    expect(res.headers.get("x-amzn-query-error")).toBe("InvalidParameterValue;Sender");
    expect((await res.clone().json()).__type).toBe("com.amazonaws.sqs#InvalidParameterValueException");
    if (hasBotocore) {
      const parsed = await botocoreParse("sqs", "ReceiveMessage", res);
      expect(parsed.parsed.Error).toMatchObject({ Code: "InvalidParameterValue", QueryErrorCode: "InvalidParameterValueException" });
    }
  });

  it("SQS errors without a query code send the shape name, and Receiver for 5xx", async () => {
    const res = errorResponse(sqs, new AwsError("InternalFailure", "boom", 500), "AmazonSQS.SendMessage");
    expect(res.headers.get("x-amzn-query-error")).toBe("InternalFailure;Receiver");
    const res2 = errorResponse(sqs, new AwsError("InvalidAddress", "The address is not valid for this endpoint.", 404), "AmazonSQS.SendMessage");
    expect(res2.headers.get("x-amzn-query-error")).toBe("InvalidAddress;Sender");
    expect(res2.status).toBe(404);
  });
});

describe("awsJson round trip with the JS SDK v3", () => {
  it("DynamoDB PutItem/GetItem/DescribeTable: binary, numbers, timestamps", async () => {
    const seen: Record<string, unknown>[] = [];
    const created = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
    const client = new DynamoDBClient({
      region: "us-east-1",
      credentials: creds,
      endpoint: "http://127.0.0.1:4566",
      requestHandler: codecRequestHandler(ddb, jsonCodec, (op, input) => {
        seen.push(input);
        if (op === "GetItem") return { Item: { pk: { S: "k1" }, b: { B: new Uint8Array([9, 8, 7]) }, n: { N: "1.5" } } };
        if (op === "DescribeTable") return { Table: { TableName: "t", CreationDateTime: created, TableSizeBytes: 12 } };
        return {};
      }),
    });
    await client.send(new PutItemCommand({ TableName: "t", Item: { pk: { S: "k1" }, b: { B: new Uint8Array([1, 2, 3]) } } }));
    expect((seen[0]!.Item as any).b.B).toEqual(new Uint8Array([1, 2, 3]));
    const got = await client.send(new GetItemCommand({ TableName: "t", Key: { pk: { S: "k1" } } }));
    expect(got.Item).toEqual({ pk: { S: "k1" }, b: { B: new Uint8Array([9, 8, 7]) }, n: { N: "1.5" } });
    const described = await client.send(new DescribeTableCommand({ TableName: "t" }));
    expect(described.Table!.CreationDateTime).toEqual(created);
    expect(described.Table!.TableSizeBytes).toBe(12);
  });

  it("SQS SendMessage with binary attributes", async () => {
    let input: any;
    const client = new SQSClient({
      region: "us-east-1",
      credentials: creds,
      endpoint: "http://127.0.0.1:4566",
      requestHandler: codecRequestHandler(sqs, jsonCodec, (_op, i) => {
        input = i;
        return { MessageId: "m-1", MD5OfMessageBody: bytesToHex(md5(new TextEncoder().encode("hi"))) };
      }),
    });
    const out = await client.send(
      new SendMessageCommand({
        QueueUrl: "http://127.0.0.1:4566/000000000000/q",
        MessageBody: "hi",
        DelaySeconds: 3,
        MessageAttributes: { bin: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2]) } },
      }),
    );
    expect(out.MessageId).toBe("m-1");
    expect(input.DelaySeconds).toBe(3);
    expect(input.MessageAttributes.bin.BinaryValue).toEqual(new Uint8Array([0, 1, 2]));
  });
});
