/**
 * The filter pattern language, operator by operator, each with matching and non-matching
 * messages (examples from AWS's FilterAndPatternSyntax page).
 */
import { describe, expect, it } from "vitest";
import { FilterPatternError, matches, parseFilterPattern } from "../../../src/services/logs/filter-pattern.ts";

const cases: [string, string, boolean][] = [
  ["", "anything", true],
  ["ERROR", "[ERROR] 400 BAD REQUEST", true],
  ["ERROR", "[WARN] fine", false],
  ["ERROR ARGUMENTS", "[ERROR] bad ARGUMENTS given", true],
  ["ERROR ARGUMENTS", "[ERROR] bad input", false],
  ['"Bad Request"', "400 Bad Request from client", true],
  ['"Bad Request"', "Bad request", false],
  ["?ERROR ?WARN", "WARN disk", true],
  ["?ERROR ?WARN", "INFO ok", false],
  ["ERROR -Exiting", "ERROR retrying", true],
  ["ERROR -Exiting", "ERROR Exiting now", false],
  ['{ $.eventType = "UpdateTrail" }', '{"eventType":"UpdateTrail"}', true],
  ['{ $.eventType = "UpdateTrail" }', '{"eventType":"CreateTrail"}', false],
  ["{ $.eventType = Update* }", '{"eventType":"UpdateTrail"}', true],
  ['{ $.sourceIPAddress != 123.123.* }', '{"sourceIPAddress":"10.0.0.1"}', true],
  ['{ $.sourceIPAddress != 123.123.* }', '{"sourceIPAddress":"123.123.1.1"}', false],
  ["{ $.bandwidth > 75 }", '{"bandwidth":80}', true],
  ["{ $.bandwidth > 75 }", '{"bandwidth":75}', false],
  ["{ $.latency <= 10 }", '{"latency":10}', true],
  ["{ $.latency >= 10 }", '{"latency":9.5}', false],
  ["{ $.arrayKey[0] = value }", '{"arrayKey":["value","x"]}', true],
  ["{ $.arrayKey[1] = value }", '{"arrayKey":["value","x"]}', false],
  ["{ $.objectList[1].id = 2 }", '{"objectList":[{"id":1},{"id":2}]}', true],
  ["{ $.user.id IS NULL }", '{"user":{"id":null}}', true],
  ["{ $.user.id IS NULL }", '{"user":{"id":1}}', false],
  ["{ $.user.email NOT EXISTS }", '{"user":{"id":1}}', true],
  ["{ $.user.email NOT EXISTS }", '{"user":{"email":"a"}}', false],
  ["{ $.enabled IS TRUE }", '{"enabled":true}', true],
  ["{ $.enabled IS FALSE }", '{"enabled":true}', false],
  ['{ ($.user.id = 1) && ($.users[0].email = "a@b.c") }', '{"user":{"id":1},"users":[{"email":"a@b.c"}]}', true],
  ['{ ($.user.id = 2 && $.x = 1) || $.y = "z" }', '{"user":{"id":1},"y":"z"}', true],
  ['{ ($.user.id = 2 && $.x = 1) || $.y = "z" }', '{"user":{"id":1},"y":"q"}', false],
  ["{ $.level = error }", "not json at all", false],
  ["[ip, user, username, timestamp, request, status_code, bytes]", '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534', true],
  ["[ip, user, username, timestamp, request, status_code = 4*, bytes]", '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534', true],
  ["[ip, user, username, timestamp, request, status_code = 4*, bytes]", '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534', false],
  ["[..., status_code = 4* || status_code = 5*, bytes > 1000]", '1.2.3.4 - - [x] "GET /" 503 2048', true],
  ["[..., status_code = 4* || status_code = 5*, bytes > 1000]", '1.2.3.4 - - [x] "GET /" 503 512', false],
  ["[ip = 10.0.*, ...]", "10.0.0.7 GET /", true],
  ["[ip = 10.0.*, ...]", "192.168.0.1 GET /", false],
  ["[a, b]", "one two three", false],
];

describe("filter patterns", () => {
  it.each(cases)("%s against %s → %s", (pattern, message, expected) => {
    expect(matches(parseFilterPattern(pattern), message)).toBe(expected);
  });

  it("rejects malformed patterns", () => {
    for (const bad of ['{ $.a = "x"', "{ a = 1 }", "[a, , b]", '"unterminated', "{ $.a ~ 1 }"]) {
      expect(() => parseFilterPattern(bad), bad).toThrow(FilterPatternError);
    }
  });
});
