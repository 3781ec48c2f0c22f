/**
 * TypeScript types from a service model, for `src/generated/<service>.ts` (called by
 * `scripts/gen-models.ts`). Types come from the trimmed model the codecs serve
 * (`models/<service>.json`); docstrings from botocore's unstripped model, HTML turned into one
 * or two plain sentences.
 *
 * Mapping (leaves are the codecs' own, see src/protocol/value-types.ts):
 *   structure -> interface, `required` members non-optional, the rest optional
 *   union     -> interface of optional members, documented "set exactly one member"
 *                (handlers test `value.S !== undefined`; a union of single-member objects
 *                would make every such test a type error)
 *   list -> `T[]`; map -> `{ [key: string]: V }`; string enum -> union of string literals;
 *   numbers -> number; timestamp -> $.Timestamp (Date); blob -> $.Bytes (Uint8Array), or
 *   $.StreamingBlob when the shape or member is streaming; document -> $.Document.
 */
import type { ServiceModel, Shape, ShapeRef } from "../src/protocol/model.ts";

/** Botocore's unstripped model: only the documentation is read. */
export interface DocModel {
  operations: Record<string, { documentation?: string }>;
  shapes: Record<string, { documentation?: string; members?: Record<string, { documentation?: string }> }>;
}

const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for function " +
    "if import in instanceof new null return super switch this throw true try typeof var void while with as implements " +
    "interface let package private protected public static yield any boolean constructor declare get module require " +
    "number set string symbol type from of unknown never object undefined bigint Operations").split(" "),
);

/** The TypeScript name of a shape: the botocore name, unless it is reserved here (`string` -> `string_`). */
export function typeName(shape: string): string {
  const safe = shape.replace(/[^A-Za-z0-9_$]/g, "_");
  return RESERVED.has(safe) || /^[0-9]/.test(safe) ? `${safe}_` : safe;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

/**
 * Botocore HTML documentation -> short plain text: the first paragraph, its first two
 * sentences, at most ~240 characters, safe inside a JSDoc comment.
 */
export function plainDoc(html: string | undefined, limit = 240): string {
  if (!html) return "";
  const firstPara = /<p>([\s\S]*?)<\/p>/i.exec(html)?.[1] ?? html;
  let text = firstPara
    .replace(/<[^>]+>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) =>
      e[0] === "#" ? String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : (ENTITIES[e.toLowerCase()] ?? m))
    .replace(/\s+/g, " ")
    .trim();
  const sentences = text.match(/[^.!?]+(?:[.!?]+(?=\s|$)|$)/g) ?? [text];
  let short = sentences[0]!.trim();
  // A second sentence only if it says something ("For example:" introduces what was cut).
  const second = sentences[1]?.trimEnd();
  if (second && !second.endsWith(":") && short.length + second.length < limit) short += second;
  text = short;
  if (text.length > limit) text = text.slice(0, text.lastIndexOf(" ", limit - 1) > 0 ? text.lastIndexOf(" ", limit - 1) : limit).replace(/[,;:]$/, "") + "…";
  return text.replace(/\*\//g, "*\\/");
}

function docComment(text: string, indent: string): string {
  return text ? `${indent}/** ${text} */\n` : "";
}

function propertyKey(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

/** The type of a reference to a shape (members, list items, map values). */
function refType(model: ServiceModel, ref: ShapeRef): string {
  const shape = model.shapes[ref.shape];
  if (shape?.type === "blob" && ref.streaming && !shape.streaming) return "$.StreamingBlob";
  return typeName(ref.shape);
}

function shapeType(model: ServiceModel, shape: Shape): string {
  if (shape.document) return "$.Document";
  switch (shape.type) {
    case "string":
    case "char":
      return shape.enum?.length ? shape.enum.map((v) => JSON.stringify(v)).join(" | ") : "string";
    case "boolean":
      return "boolean";
    case "integer":
    case "long":
    case "short":
    case "byte":
    case "biginteger":
    case "float":
    case "double":
    case "bigdecimal":
      return "number";
    case "timestamp":
      return "$.Timestamp";
    case "blob":
      return shape.streaming ? "$.StreamingBlob" : "$.Bytes";
    case "list": {
      const item = refType(model, shape.member!);
      return `${item}[]`;
    }
    case "map":
      return `{ [key: string]: ${refType(model, shape.value!)} }`;
    default:
      return "unknown";
  }
}

function shapeDoc(docs: DocModel | undefined, name: string, shape: Shape): string {
  let text = plainDoc(docs?.shapes[name]?.documentation);
  if (shape.union) text = `${text ? `${text} ` : ""}Union: set exactly one member.`;
  if (typeName(name) !== name) text = `${text ? `${text} ` : ""}(botocore shape \`${name}\`)`;
  return text;
}

/** The whole `src/generated/<service>.ts` text for one model. */
export function modelTypes(service: string, model: ServiceModel, docs: DocModel | undefined): string {
  const out: string[] = [];
  const title = String(model.metadata.serviceFullName ?? model.metadata.serviceId);
  out.push(
    `// Generated by scripts/gen-models.ts from models/${service}.json (${String(model.metadata.generatedFrom ?? "botocore")}). Do not edit: run \`npm run gen-models\`.\n` +
      `/**\n * ${title} (${model.metadata.apiVersion}): one type per model shape (botocore names) and\n` +
      ` * \`Operations\`, each operation's input and output, for \`defineService<Operations>()\`.\n` +
      ` * Leaf types are the codecs' (src/protocol/value-types.ts).\n */\n` +
      `import type * as $ from "../protocol/value-types.ts";\n`,
  );
  for (const [name, shape] of Object.entries(model.shapes)) {
    const doc = docComment(shapeDoc(docs, name, shape), "");
    if (shape.type === "structure" && !shape.document) {
      const required = new Set(shape.union ? [] : (shape.required ?? []));
      const members = Object.entries(shape.members ?? {});
      if (members.length === 0) {
        out.push(`${doc}export interface ${typeName(name)} {}\n`);
        continue;
      }
      let body = "";
      for (const [member, ref] of members) {
        body += docComment(plainDoc(docs?.shapes[name]?.members?.[member]?.documentation, 160), "  ");
        body += `  ${propertyKey(member)}${required.has(member) ? "" : "?"}: ${refType(model, ref)};\n`;
      }
      out.push(`${doc}export interface ${typeName(name)} {\n${body}}\n`);
    } else {
      out.push(`${doc}export type ${typeName(name)} = ${shapeType(model, shape)};\n`);
    }
  }
  let ops = "";
  for (const [name, op] of Object.entries(model.operations)) {
    ops += docComment(plainDoc(docs?.operations[name]?.documentation, 200), "  ");
    const input = op.input ? typeName(op.input.shape) : "$.Empty";
    const output = op.output ? typeName(op.output.shape) : "$.NoOutput";
    ops += `  ${propertyKey(name)}: { input: ${input}; output: ${output} };\n`;
  }
  out.push(`/** Every operation of the model: its input and output types, by AWS operation name. */\nexport interface Operations {\n${ops}}\n`);
  return out.join("\n");
}
