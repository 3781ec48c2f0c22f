import { describe, expect, it } from "vitest";
import {
  ExpressionTracker, applyUpdate, assertAllUsed, assertNotMixed, conditionFromExpected, conditionFromFilter,
  evaluateCondition, keyConditionFromKeyConditions, parseConditionExpression, parseKeyCondition,
  parseProjectionExpression, parseUpdateExpression, planFromAttributeUpdates, project,
  type ExpressionInput,
} from "../../../../src/services/dynamodb/expressions/index.ts";
import type { Item } from "../../../../src/services/dynamodb/values/types.ts";

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect((e as { code: string }).code).toBe("ValidationException");
    return (e as Error).message;
  }
  throw new Error("did not throw");
}

const item: Item = {
  id: { S: "1" },
  n: { N: "10" },
  s: { S: "hello world" },
  b: { B: new Uint8Array([1, 2, 3]) },
  ss: { SS: ["a", "b"] },
  ns: { NS: ["1", "2"] },
  l: { L: [{ S: "x" }, { N: "5" }, { M: { deep: { S: "y" } } }] },
  m: { M: { kid: { M: { v: { N: "3" } } }, "a.b": { S: "dotted" } } },
  t: { BOOL: true },
  z: { NULL: true },
};

const values = {
  ":ten": { N: "10" }, ":nine": { N: "9.0" }, ":hello": { S: "hello" }, ":x": { S: "x" }, ":a": { S: "a" },
  ":one": { N: "1" }, ":five": { N: "5" }, ":b12": { B: new Uint8Array([1, 2]) }, ":S": { S: "S" }, ":N": { S: "N" },
  ":list": { L: [{ S: "new" }] }, ":sset": { SS: ["c"] }, ":t": { BOOL: true }, ":y": { S: "y" },
};

/** `target` null: no item. */
function cond(text: string, input: ExpressionInput = { values }, target: Item | null = item): boolean {
  return evaluateCondition(parseConditionExpression(text, input, new ExpressionTracker(), "ConditionExpression"), target ?? undefined);
}

describe("condition evaluation", () => {
  it.each([
    ["n = :ten", true], ["n = :nine", false], ["n > :nine", true], ["n >= :ten", true], ["n < :ten", false], ["n <> :ten", false],
    ["absent = :ten", false], ["absent <> :ten", true], ["absent < :ten", false], ["s > :ten", false], ["s = :ten", false],
    ["n BETWEEN :nine AND :ten", true], ["n BETWEEN :one AND :five", false], ["n IN (:one, :ten)", true], ["n IN (:one, :five)", false],
    ["attribute_exists(m.kid.v)", true], ["attribute_exists(m.kid.w)", false], ["attribute_not_exists(nope)", true],
    ["attribute_exists(l[2].deep)", true], ["attribute_exists(l[3])", false], ["l[1] = :five", true], ["l[2].deep = :y", true],
    ["attribute_type(n, :N)", true], ["attribute_type(n, :S)", false],
    ["begins_with(s, :hello)", true], ["begins_with(b, :b12)", true], ["begins_with(n, :hello)", false],
    ["contains(s, :hello)", true], ["contains(ss, :a)", true], ["contains(ss, :x)", false], ["contains(l, :x)", true], ["contains(ns, :one)", true],
    ["size(s) = :ten", false], ["size(s) > :ten", true], ["size(l) < :five", true], ["size(ss) = :one", false], ["size(n) = :one", false],
    ["size(b) >= :one", true], ["size(m) = :one", false],
    ["NOT n = :ten", false], ["NOT (n = :ten)", false], ["n = :ten AND s = :x OR t = :t", true], ["n = :ten AND (s = :x OR t = :t)", true],
    ["n = :one OR n = :ten AND s = :x", false], ["NOT n = :one AND n = :ten", true], ["(n) = :ten", true], ["(size(s)) > :ten", true],
    ["n=:ten", true], ["and1 = :ten OR n = :ten", true],
  ])("%s → %s", (text, expected) => {
    expect(cond(text)).toBe(expected);
  });

  it("resolves #names, including names with dots and reserved words", () => {
    expect(cond("#m.#ab = :d", { names: { "#m": "m", "#ab": "a.b" }, values: { ":d": { S: "dotted" } } })).toBe(true);
    expect(cond("#status = :a", { names: { "#status": "status" }, values }, { status: { S: "a" } })).toBe(true);
  });

  it("evaluates against a missing item", () => {
    expect(cond("attribute_not_exists(id)", {}, null)).toBe(true);
    expect(cond("attribute_exists(id)", {}, null)).toBe(false);
  });

  it("records used names and values and rejects unused ones", () => {
    const input = { names: { "#a": "a", "#unused": "x" }, values: { ":v": { S: "1" }, ":unused": { S: "2" } } };
    const tracker = new ExpressionTracker();
    parseConditionExpression("#a = :v", input, tracker, "ConditionExpression");
    expect(message(() => assertAllUsed(input, tracker))).toBe("Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}");
    expect(message(() => assertAllUsed({ values: input.values }, tracker))).toBe("Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}");
  });
});

describe("condition validation messages", () => {
  const C = "Invalid ConditionExpression: ";
  it.each([
    ["a = = b", `${C}Syntax error; token: "=", near: "= = b"`],
    ["a =", `${C}Syntax error; token: "<EOF>", near: "="`],
    ["a b", `${C}Syntax error; token: "b", near: "a b"`],
    ["", `${C}The expression can not be empty;`],
    ["status = :a", `${C}Attribute name is a reserved keyword; reserved keyword: status`],
    ["#x = :a", `${C}An expression attribute name used in the document path is not defined; attribute name: #x`],
    ["a = :nope", `${C}An expression attribute value used in expression is not defined; attribute value: :nope`],
    ["((attribute_not_exists(pk)))", `${C}The expression has redundant parentheses;`],
    ["contains(#d, #d)", `${C}The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [data]`],
    ["a = a", `${C}The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]`],
    ["foo(a)", `${C}Invalid function name; function: foo`],
    ["size(a)", `${C}The function is not allowed to be used this way in an expression; function: size`],
    ["attribute_exists(a) = :a", `${C}The function is not allowed to be used this way in an expression; function: attribute_exists`],
    ["begins_with(a)", `${C}Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1`],
    ["attribute_exists(:a)", `${C}Operator or function requires a document path; operator or function: attribute_exists`],
    ["begins_with(a, :one)", `${C}Incorrect operand type for operator or function; operator or function: begins_with, operand type: N`],
    ["attribute_type(a, :a)", `${C}Invalid attribute type name found; type: a, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`],
    ["attribute_type(a, :one)", `${C}Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N`],
    ["a < :t", `${C}Incorrect operand type for operator or function; operator or function: <, operand type: BOOL`],
    ["a BETWEEN :ten AND :one", `${C}The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:10}, upper bound operand: AttributeValue: {N:1}`],
    ["a BETWEEN :a AND :one", `${C}The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {S:a}, upper bound operand: AttributeValue: {N:1}`],
    ["size(:one) > :one", `${C}Incorrect operand type for operator or function; operator or function: size, operand type: N`],
    ["list_append(a, :a)", `${C}The function is not allowed in a condition expression; function: list_append`],
  ])("%j", (text, msg) => {
    expect(message(() => parseConditionExpression(text, { names: { "#d": "data" }, values }, new ExpressionTracker(), "ConditionExpression"))).toBe(msg);
  });

  it("reports the first problem in written order among undefined values and operand types", () => {
    const parse = (t: string) => () => parseKeyCondition(t, { values: { ":n": { N: "1" }, ":p": { S: "q" } } }, new ExpressionTracker(), { hash: "pk", range: "sk" });
    expect(message(parse("pk = :missing AND begins_with(sk, :n)"))).toContain("attribute value: :missing");
    expect(message(parse("begins_with(sk, :n) AND pk = :missing"))).toContain("operand type: N");
  });

  it("names the expression kind in messages", () => {
    expect(message(() => parseConditionExpression("a = = b", {}, new ExpressionTracker(), "FilterExpression"))).toMatch(/^Invalid FilterExpression: Syntax error/);
  });
});

describe("update expressions", () => {
  function update(text: string, input: ExpressionInput, base: Item = item, keys = ["id"]) {
    return applyUpdate(parseUpdateExpression(text, input, new ExpressionTracker()), base, keys);
  }

  it("SET with arithmetic, if_not_exists, list_append and nested paths", () => {
    const r = update("SET n = n + :one, c = if_not_exists(c, :five), l = list_append(l, :list), m.kid.v = :ten, m.newk = :a", { values });
    expect(r.item.n).toEqual({ N: "11" });
    expect(r.item.c).toEqual({ N: "5" });
    expect(r.item.l).toEqual({ L: [{ S: "x" }, { N: "5" }, { M: { deep: { S: "y" } } }, { S: "new" }] });
    expect(r.item.m).toEqual({ M: { kid: { M: { v: { N: "10" } } }, "a.b": { S: "dotted" }, newk: { S: "a" } } });
    // The original item is untouched.
    expect(item.n).toEqual({ N: "10" });
    expect((item.m as { M: Record<string, unknown> }).M.newk).toBeUndefined();
  });

  it("computes right-hand sides from the item before the update", () => {
    const r = update("SET a = b, b = a", {}, { id: { S: "1" }, a: { S: "A" }, b: { S: "B" } });
    expect(r.item).toEqual({ id: { S: "1" }, a: { S: "B" }, b: { S: "A" } });
  });

  it("SET past the end of a list appends", () => {
    expect(update("SET l[10] = :x", { values: { ":x": values[":x"] } }).item.l).toMatchObject({ L: { length: 4 } });
  });

  it("REMOVE attributes and list elements by their original indexes", () => {
    const r = update("REMOVE l[0], l[2], s, m.kid", {});
    expect(r.item.l).toEqual({ L: [{ N: "5" }] });
    expect(r.item.s).toBeUndefined();
    expect(r.item.m).toEqual({ M: { "a.b": { S: "dotted" } } });
  });

  it("ADD numbers and sets, DELETE from sets (removing emptied sets)", () => {
    const r = update("ADD n :five, ss :sset, newn :one, newset :sset DELETE ns :ns", { values: { ":five": values[":five"], ":sset": values[":sset"], ":one": values[":one"], ":ns": { NS: ["1", "2"] } } });
    expect(r.item.n).toEqual({ N: "15" });
    expect(r.item.ss).toEqual({ SS: ["a", "b", "c"] });
    expect(r.item.newn).toEqual({ N: "1" });
    expect(r.item.newset).toEqual({ SS: ["c"] });
    expect(r.item.ns).toBeUndefined();
  });

  const U = "Invalid UpdateExpression: ";
  it.each([
    ["", `${U}The expression can not be empty;`],
    ["INVALID SYNTAX HERE", `${U}Syntax error; token: "INVALID", near: "INVALID SYNTAX"`],
    ["ADD hits : incr", `${U}Syntax error; token: ":", near: "hits : incr"`],
    ["SET a = :v, updated", `${U}Syntax error; token: "<EOF>", near: "updated"`],
    ["SET a = :nope", `${U}An expression attribute value used in expression is not defined; attribute value: :nope`],
    ["SET #nope = :a", `${U}An expression attribute name used in the document path is not defined; attribute name: #nope`],
    ["SET status = :a", `${U}Attribute name is a reserved keyword; reserved keyword: status`],
    ["SET a = :a SET b = :a", `${U}The "SET" section can only be used once in an update expression;`],
    ["SET a = :a REMOVE a.b", `${U}Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]`],
    ["SET a.b = :a REMOVE a[1]", `${U}Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]`],
    ["SET a = :a, a = :x", `${U}Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]`],
    ["SET a = :a + :one", `${U}Incorrect operand type for operator or function; operator or function: +, operand type: S`],
    ["SET a = list_append(a, :a)", `${U}Incorrect operand type for operator or function; operator or function: list_append, operand type: S`],
    ["SET a = if_not_exists(:a, :a)", `${U}Operator or function requires a document path; operator or function: if_not_exists`],
    ["SET a = attribute_exists(b)", `${U}The function is not allowed in an update expression; function: attribute_exists`],
    ["SET a = list_append(a)", `${U}Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1`],
    ["ADD a :a", `${U}Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND`],
    ["DELETE a :one", `${U}Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND`],
  ])("%j", (text, msg) => {
    expect(message(() => parseUpdateExpression(text, { values }, new ExpressionTracker()))).toBe(msg);
  });

  it.each([
    ["SET id = :a", "One or more parameter values were invalid: Cannot update attribute id. This attribute is part of the key"],
    ["SET s = s + :one", "An operand in the update expression has an incorrect data type"],
    ["SET x = list_append(s, :list)", "An operand in the update expression has an incorrect data type"],
    ["ADD s :one", "An operand in the update expression has an incorrect data type"],
    ["DELETE ss :ns", "An operand in the update expression has an incorrect data type"],
    ["SET x = nothere", "The provided expression refers to an attribute that does not exist in the item"],
    ["SET nothere.x = :a", "The document path provided in the update expression is invalid for update"],
    ["SET s.x = :a", "The document path provided in the update expression is invalid for update"],
    ["SET n = n + :big", "Number overflow. Attempting to store a number with magnitude larger than supported range"],
  ])("%j fails when applied", (text, msg) => {
    const input = { values: { ":a": values[":a"], ":one": values[":one"], ":list": values[":list"], ":ns": { NS: ["1"] }, ":big": { N: "9.9999999999999999999999999999999999999E+125" } } };
    const used = Object.fromEntries(Object.entries(input.values).filter(([k]) => text.includes(k)));
    expect(message(() => update(text.replace("n + :big", "n + :big"), { values: used }, { ...item, n: { N: "9.9999999999999999999999999999999999999E+125" } }))).toBe(msg);
  });
});

describe("projection", () => {
  it("projects nested maps and list elements (compacted, in order)", () => {
    const paths = parseProjectionExpression("id, m.kid.v, l[2].deep, l[0], #ab, nope", { names: { "#ab": "s" } }, new ExpressionTracker());
    expect(project(item, paths)).toEqual({
      id: { S: "1" },
      m: { M: { kid: { M: { v: { N: "3" } } } } },
      l: { L: [{ S: "x" }, { M: { deep: { S: "y" } } }] },
      s: { S: "hello world" },
    });
  });

  it("validates like DynamoDB", () => {
    const P = "Invalid ProjectionExpression: ";
    const parse = (t: string) => () => parseProjectionExpression(t, {}, new ExpressionTracker());
    expect(message(parse("a, a.b"))).toBe(`${P}Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]`);
    expect(message(parse("my-attr"))).toBe(`${P}Syntax error; token: "-", near: "my-attr"`);
    expect(message(parse("name"))).toBe(`${P}Attribute name is a reserved keyword; reserved keyword: name`);
  });
});

describe("key conditions", () => {
  const schema = { hash: "pk", range: "sk", hashType: "S" as const, rangeType: "N" as const };
  const input = { values: { ":p": { S: "q" }, ":a": { N: "1" }, ":b": { N: "5" }, ":s": { S: "a" }, ":t": { BOOL: true } } };
  const parse = (t: string, vals: Record<string, unknown> = input.values) =>
    parseKeyCondition(t, { values: vals as never }, new ExpressionTracker(), schema);

  it("parses hash and range conditions in either order and orientation", () => {
    expect(parse("pk = :p", { ":p": input.values[":p"] })).toEqual({ hash: { S: "q" } });
    expect(parse("sk BETWEEN :a AND :b AND pk = :p", { ":p": { S: "q" }, ":a": { N: "1" }, ":b": { N: "5" } })).toEqual({
      hash: { S: "q" }, range: { op: "BETWEEN", values: [{ N: "1" }, { N: "5" }] },
    });
    expect(parse(":a < sk AND pk = :p", { ":p": { S: "q" }, ":a": { N: "1" } }).range).toEqual({ op: "GT", values: [{ N: "1" }] });
    expect(parseKeyCondition("pk = :p AND begins_with(sk, :s)", input, new ExpressionTracker(), { hash: "pk", range: "sk" }).range)
      .toEqual({ op: "BEGINS_WITH", values: [{ S: "a" }] });
  });

  it.each([
    ["pk = :p AND sk < :t", "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"],
    ["pk = :p AND :t >= sk", "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: >=, operand type: BOOL"],
    ["pk = :p AND sk = :t", "One or more parameter values were invalid: Condition parameter type does not match schema type"],
    ["pk = :p AND begins_with(sk, :s)", "One or more parameter values were invalid: Condition parameter type does not match schema type"],
    ["pk = :p AND sk > :a AND sk < :b", "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"],
    ["pk = :p AND sk > :a AND extra = :b", "The number of query conditions (3) exceeds the number of key attributes defined in the schema (2)"],
    ["sk = :a", "Query condition missed key schema element: pk"],
    ["pk = :p OR sk = :a", "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: OR"],
  ])("%j", (text, msg) => {
    const used = Object.fromEntries(Object.entries(input.values).filter(([k]) => text.includes(k)));
    expect(message(() => parse(text, used))).toBe(msg);
  });
});

describe("legacy parameters", () => {
  it("Expected with Exists, Value and ComparisonOperator", () => {
    expect(evaluateCondition(conditionFromExpected({ id: { Exists: false } }), undefined)).toBe(true);
    expect(evaluateCondition(conditionFromExpected({ n: { Value: { N: "10.0" } } }), item)).toBe(true);
    expect(evaluateCondition(conditionFromExpected({ n: { ComparisonOperator: "GT", AttributeValueList: [{ N: "11" }] }, s: { ComparisonOperator: "NOT_NULL" } }, "OR"), item)).toBe(true);
    expect(evaluateCondition(conditionFromExpected({ n: { ComparisonOperator: "GT", AttributeValueList: [{ N: "11" }] }, s: { ComparisonOperator: "NOT_NULL" } }, "AND"), item)).toBe(false);
    expect(message(() => conditionFromExpected({ a: { Exists: true } }))).toBe("One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a");
    expect(message(() => conditionFromExpected({ a: { ComparisonOperator: "BETWEEN", AttributeValueList: [{ N: "1" }] } }))).toBe(
      "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator");
  });

  it("QueryFilter/ScanFilter and KeyConditions", () => {
    expect(evaluateCondition(conditionFromFilter({ ss: { ComparisonOperator: "NOT_CONTAINS", AttributeValueList: [{ S: "z" }] } }), item)).toBe(true);
    expect(evaluateCondition(conditionFromFilter({ s: { ComparisonOperator: "BEGINS_WITH", AttributeValueList: [{ S: "hell" }] } }), item)).toBe(true);
    expect(keyConditionFromKeyConditions({ pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "a" }] }, sk: { ComparisonOperator: "GE", AttributeValueList: [{ N: "2" }] } }, { hash: "pk", range: "sk" }))
      .toEqual({ hash: { S: "a" }, range: { op: "GE", values: [{ N: "2" }] } });
  });

  it("AttributeUpdates", () => {
    const plan = planFromAttributeUpdates({ n: { Action: "ADD", Value: { N: "1" } }, s: { Action: "DELETE" }, l: { Action: "ADD", Value: { L: [{ S: "z" }] } }, x: { Value: { S: "new" } } });
    const r = applyUpdate(plan, item, ["id"]);
    expect(r.item.n).toEqual({ N: "11" });
    expect(r.item.s).toBeUndefined();
    expect((r.item.l as { L: unknown[] }).L).toHaveLength(4);
    expect(r.item.x).toEqual({ S: "new" });
  });

  it("rejects mixing expression and non-expression parameters", () => {
    expect(message(() => assertNotMixed({ Expected: {}, ConditionExpression: "a = :b" }))).toBe(
      "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}");
    expect(() => assertNotMixed({ Expected: {}, ConditionExpression: undefined })).not.toThrow();
  });
});
