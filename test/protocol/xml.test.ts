import { describe, expect, it } from "vitest";
import {
  decodeXml, decodeXmlEntities, escapeXmlAttr, escapeXmlText, parseXml, serializeElement, serializeRoot, XmlSyntaxError, XmlValueError,
} from "../../src/protocol/xml.ts";
import { queryModelOf } from "../../src/protocol/query.ts";
import type { ServiceModel } from "../../src/protocol/model.ts";
import { loadModel } from "./incoming.ts";

const s3 = await loadModel("s3");
const sqs = queryModelOf(await loadModel("sqs"));

/** A small model exercising every XML trait. */
const toy: ServiceModel = {
  metadata: { apiVersion: "1", endpointPrefix: "toy", protocol: "rest-xml", serviceId: "Toy" },
  operations: {},
  shapes: {
    Root: {
      type: "structure",
      members: {
        Id: { shape: "Str", xmlAttribute: true, locationName: "id" },
        Name: { shape: "Str", locationName: "name" },
        Wrapped: { shape: "StrList" },
        Renamed: { shape: "ItemList" },
        Flat: { shape: "StrList", flattened: true, locationName: "Flat" },
        Map: { shape: "Map" },
        FlatMap: { shape: "RenamedMap", flattened: true, locationName: "Entry" },
        When: { shape: "Time" },
        Epoch: { shape: "Time", timestampFormat: "unixTimestamp" },
        Data: { shape: "Bytes" },
        On: { shape: "Bool" },
        Count: { shape: "Int" },
        Ratio: { shape: "Dbl" },
        Header: { shape: "Str", location: "header", locationName: "x-h" },
      },
    },
    Str: { type: "string" },
    Int: { type: "integer" },
    Dbl: { type: "double" },
    Bool: { type: "boolean" },
    Time: { type: "timestamp" },
    Bytes: { type: "blob" },
    StrList: { type: "list", member: { shape: "Str" } },
    ItemList: { type: "list", member: { shape: "Str", locationName: "Item" } },
    Map: { type: "map", key: { shape: "Str" }, value: { shape: "Str" } },
    RenamedMap: { type: "map", key: { shape: "Str", locationName: "K" }, value: { shape: "Int", locationName: "V" } },
  },
};

describe("XML escaping and entities", () => {
  it("escapes text like S3 (quotes, CR, control characters) and attributes (also tab and newline)", () => {
    expect(escapeXmlText(`"etag" <a> & b\r\n\t\x01`)).toBe("&quot;etag&quot; &lt;a&gt; &amp; b&#xD;\n\t&#x1;");
    expect(escapeXmlAttr(`a"b\n\tc<`)).toBe("a&quot;b&#xA;&#x9;c&lt;");
  });

  it("decodes only the five predefined entities and character references", () => {
    expect(decodeXmlEntities("&quot;07a1&quot; &amp;&lt;&gt;&apos; &#x41;&#66;")).toBe(`"07a1" &<>' AB`);
    // Any other entity is undeclared: the document is not well-formed (S3's MalformedXML).
    for (const other of ["&nbsp;", "&foo;", "a & b", "&#0;", "&#xDC00;"]) expect(() => decodeXmlEntities(other), other).toThrow(XmlSyntaxError);
  });

  it("parses elements, attributes, CDATA and namespaces; refuses DOCTYPE and broken documents", () => {
    const el = parseXml('<?xml version="1.0"?>\n<a xmlns="urn:x" k="v&amp;w"><b>1</b><c><![CDATA[<raw & text>]]></c></a>');
    expect(el.name).toBe("a");
    expect(el.attributes).toEqual({ xmlns: "urn:x", k: "v&w" });
    expect(el.children.map((c) => [c.name, c.text])).toEqual([["b", "1"], ["c", "<raw & text>"]]);
    expect(() => parseXml("<a><b></a>")).toThrow(XmlSyntaxError);
    expect(() => parseXml("not xml")).toThrow(XmlSyntaxError);
    expect(() => parseXml('<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>')).toThrow(XmlSyntaxError);
  });

  it("keeps significant whitespace in text", () => {
    expect(parseXml("<Key>  spaced key </Key>").text).toBe("  spaced key ");
  });
});

describe("shape-driven XML", () => {
  const value = {
    Id: "i\"1", Name: "n & m", Wrapped: ["a", "b"], Renamed: ["x"], Flat: ["f1", "f2"], Map: { k1: "v1" }, FlatMap: { a: 1, b: 2 },
    When: new Date("2026-11-22T00:32:26Z"), Epoch: new Date(1795307546500), Data: new Uint8Array([0, 255]), On: false, Count: 0, Ratio: 1.5,
    Header: "not in body",
  };

  it("serializes every XML trait as botocore expects", () => {
    const xml = serializeRoot(toy, "rest-xml", "Root", toy.shapes.Root!, value, { uri: "urn:toy" });
    expect(xml).toBe(
      '<Root xmlns="urn:toy" id="i&quot;1"><name>n &amp; m</name><Wrapped><member>a</member><member>b</member></Wrapped>' +
        "<Renamed><Item>x</Item></Renamed><Flat>f1</Flat><Flat>f2</Flat><Map><entry><key>k1</key><value>v1</value></entry></Map>" +
        "<Entry><K>a</K><V>1</V></Entry><Entry><K>b</K><V>2</V></Entry><When>2026-11-22T00:32:26.000Z</When><Epoch>1795307546.5</Epoch>" +
        "<Data>AP8=</Data><On>false</On><Count>0</Count><Ratio>1.5</Ratio></Root>",
    );
  });

  it("parses what it serializes back to the same value (headers aside)", () => {
    const xml = serializeRoot(toy, "rest-xml", "Root", toy.shapes.Root!, value);
    const { Header: _, ...body } = value;
    expect(decodeXml(toy, "rest-xml", { shape: "Root" }, parseXml(xml))).toEqual(body);
  });

  it("omits absent members and empty flattened lists, keeps empty wrapped lists", () => {
    expect(serializeRoot(toy, "rest-xml", "Root", toy.shapes.Root!, { Wrapped: [], Flat: [], Name: undefined })).toBe("<Root><Wrapped></Wrapped></Root>");
  });

  it("rejects text that is not its member's type", () => {
    expect(() => decodeXml(toy, "rest-xml", { shape: "Root" }, parseXml("<Root><Count>1x</Count></Root>"))).toThrow(XmlValueError);
    expect(() => decodeXml(toy, "rest-xml", { shape: "Root" }, parseXml("<Root><On>yes</On></Root>"))).toThrow(XmlValueError);
    expect(() => decodeXml(toy, "rest-xml", { shape: "Root" }, parseXml("<Root><When>yesterday</When></Root>"))).toThrow(XmlValueError);
  });

  it("renders S3 Grantee with its xsi namespace prefix and reads it back", () => {
    const xml = serializeElement(s3, "rest-xml", "Grantee", { shape: "Grantee" }, { Type: "Group", URI: "http://acs.amazonaws.com/groups/global/AllUsers" });
    expect(xml).toBe('<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee>');
    expect(decodeXml(s3, "rest-xml", { shape: "Grantee" }, parseXml(xml))).toEqual({ Type: "Group", URI: "http://acs.amazonaws.com/groups/global/AllUsers" });
  });

  it("round-trips an SQS message through the legacy query shapes (flattened maps renamed Name/Value)", () => {
    const message = {
      MessageId: "m", Body: "b", Attributes: { SenderId: "1" },
      MessageAttributes: { s: { DataType: "String.custom", StringValue: "v", StringListValues: ["a", "b"] } },
    };
    const xml = serializeElement(sqs, "query", "Message", { shape: "Message" }, message);
    expect(xml).toBe(
      "<Message><MessageId>m</MessageId><Body>b</Body><Attribute><Name>SenderId</Name><Value>1</Value></Attribute>" +
        "<MessageAttribute><Name>s</Name><Value><StringValue>v</StringValue><StringListValue>a</StringListValue><StringListValue>b</StringListValue><DataType>String.custom</DataType></Value></MessageAttribute></Message>",
    );
    expect(decodeXml(sqs, "query", { shape: "Message" }, parseXml(xml))).toEqual(message);
  });
});
