/**
 * Input transformation (src/services/events/transform.ts): JSONPath selection and template
 * rendering inside and outside JSON strings, as AWS renders them.
 */
import { describe, expect, it } from "vitest";
import { checkJsonPath, checkTransformer, renderTemplate, selectPath, targetInput } from "../../../src/services/events/transform.ts";

const event = { id: "e-1", source: "s", detail: { msg: 'he said "hi"\nbye', items: [{ n: 1 }, { n: 2 }], "odd key": true, num: 3.5 } };
const info = { ruleArn: "arn:aws:events:us-east-1:000000000000:rule/r", ruleName: "r", ingestionTime: "2026-01-01T00:00:00Z" };

describe("JSONPath", () => {
  it("selects members, array elements and bracketed names; rejects what is not a path", () => {
    expect(selectPath(event, "$.detail.items[1].n")).toBe(2);
    expect(selectPath(event, "$.detail['odd key']")).toBe(true);
    expect(selectPath(event, "$")).toEqual(event);
    expect(selectPath(event, "$.detail.none.deeper")).toBeUndefined();
    expect(checkJsonPath("detail.x")).toBe(false);
    expect(checkJsonPath("$..x")).toBe(false);
  });
});

describe("templates", () => {
  const t = (InputTemplate: string, InputPathsMap: Record<string, string> = { msg: "$.detail.msg", num: "$.detail.num", items: "$.detail.items", none: "$.detail.none" }) =>
    renderTemplate({ InputTemplate, InputPathsMap }, event, info);

  it("outside strings values are JSON; inside strings they are escaped text", () => {
    const out = t('{"a": <msg>, "b": "<msg>!", "c": <num>, "d": "n=<num>", "e": <items>, "f": <none>, "g": "[<none>]"}');
    expect(JSON.parse(out)).toEqual({ a: 'he said "hi"\nbye', b: 'he said "hi"\nbye!', c: 3.5, d: "n=3.5", e: [{ n: 1 }, { n: 2 }], f: null, g: "[]" });
  });
  it("a JSON string template and a plain text template", () => {
    expect(t('"<num> items"')).toBe('"3.5 items"');
    expect(t("Value is <num> and <msg>")).toBe('Value is 3.5 and "he said \\"hi\\"\\nbye"');
  });
  it("predefined variables; unknown <tags> stay as text", () => {
    expect(JSON.parse(t('{"r": "<aws.events.rule-name>", "arn": <aws.events.rule-arn>, "t": "<aws.events.event.ingestion-time>", "id": <aws.events.event.json>, "x": "<b>"}', {}))).toEqual({
      r: "r", arn: info.ruleArn, t: "2026-01-01T00:00:00Z", id: event, x: "<b>",
    });
  });
  it("validation: reserved and malformed variable names, bad paths", () => {
    expect(checkTransformer({ InputTemplate: "x", InputPathsMap: { "aws.events.x": "$.a" } })).toMatch(/reserved/);
    expect(checkTransformer({ InputTemplate: "x", InputPathsMap: { "a b": "$.a" } })).toMatch(/not valid/);
    expect(checkTransformer({ InputTemplate: "x", InputPathsMap: { a: "a" } })).toMatch(/Invalid InputPathsMap/);
    expect(checkTransformer({ InputTemplate: "x", InputPathsMap: { a: "$.a" } })).toBeNull();
  });
  it("targetInput: Input as given, InputPath as JSON, default the whole event", () => {
    expect(targetInput({ Input: '{"k":1}' }, event, info)).toBe('{"k":1}');
    expect(targetInput({ InputPath: "$.detail.items[0]" }, event, info)).toBe('{"n":1}');
    expect(JSON.parse(targetInput({}, event, info))).toEqual(event);
  });
});
