/**
 * The log transformation processors AWS documents, applied to one event: parsers (parseJSON,
 * csv, parseKeyValue, grok, and the vended-log parsers parseVPC, parseRoute53, parseCloudfront,
 * parseWAF, parsePostgres), then string and key mutators (addKeys, deleteKeys, copyValue,
 * moveKeys, renameKeys, lowerCaseString, upperCaseString, trimString, splitString,
 * substituteString, typeConverter, listToMap, dateTimeConverter). Keys with dots address nested
 * members. The event starts as `{ "@message": message }`; the transformed event is the resulting
 * object without `@message` once a parser has filled it. parseToOCSF is refused at PutTransformer
 * (its OCSF mappings are not carried here).
 * Source: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch-Logs-Transformation-Processors.html
 */
import type { Processor } from "../../generated/logs.ts";

export class TransformError extends Error {}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Doc = { [key: string]: Json };

const PARSERS = ["parseJSON", "csv", "parseKeyValue", "grok", "parseVPC", "parseRoute53", "parseCloudfront", "parseWAF", "parsePostgres", "parseToOCSF"] as const;
const VENDED = ["parseVPC", "parseRoute53", "parseCloudfront", "parseWAF", "parsePostgres", "parseToOCSF"];

/** The processor's name (its one set member). */
export function processorName(p: Processor): string {
  const names = Object.keys(p).filter((k) => (p as Record<string, unknown>)[k] !== undefined);
  if (names.length !== 1) throw new TransformError("Each processor must set exactly one processor type.");
  return names[0]!;
}

/** AWS's rules for a transformer configuration (PutTransformer, TestTransformer). */
export function checkConfig(config: Processor[]): void {
  if (config.length === 0 || config.length > 20) throw new TransformError("A transformer has from 1 to 20 processors.");
  const names = config.map(processorName);
  if (!(PARSERS as readonly string[]).includes(names[0]!)) throw new TransformError("The first processor of a transformer must be a parser.");
  if (names.includes("parseToOCSF")) throw new TransformError("parseToOCSF is not supported by fetchstack (its OCSF mappings are not carried).");
  names.forEach((n, i) => {
    if (VENDED.includes(n) && i !== 0) throw new TransformError(`${n} must be the first processor.`);
  });
  if (names.filter((n) => n === "grok").length > 1) throw new TransformError("A transformer can have at most one grok processor.");
  for (const p of config) {
    if (p.grok) compileGrok(p.grok.match);
    if (p.substituteString) for (const e of p.substituteString.entries) regexOf(e.from);
  }
}

function get(doc: Doc, path: string): Json | undefined {
  if (path in doc) return doc[path];
  let value: Json | undefined = doc;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    value = value[part];
  }
  return value;
}

function has(doc: Doc, path: string): boolean {
  return get(doc, path) !== undefined;
}

function set(doc: Doc, path: string, value: Json, overwrite = true): void {
  if (!overwrite && has(doc, path)) return;
  const parts = path.split(".");
  let node: Doc = doc;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === null || typeof next !== "object" || Array.isArray(next)) node[part] = {};
    node = node[part] as Doc;
  }
  node[parts[parts.length - 1]!] = value;
}

function remove(doc: Doc, path: string): void {
  if (path in doc) {
    delete doc[path];
    return;
  }
  const parts = path.split(".");
  let node: Json | undefined = doc;
  for (const part of parts.slice(0, -1)) {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return;
    node = node[part];
  }
  if (node && typeof node === "object" && !Array.isArray(node)) delete node[parts[parts.length - 1]!];
}

function sourceText(doc: Doc, source: string | undefined): string | undefined {
  const value = get(doc, source ?? "@message");
  return typeof value === "string" ? value : undefined;
}

/** Puts parsed fields at `destination` or at the root. */
function place(doc: Doc, fields: Doc, destination: string | undefined, overwrite = true): void {
  if (destination) set(doc, destination, fields);
  else for (const [k, v] of Object.entries(fields)) if (overwrite || !(k in doc)) doc[k] = v;
}

function regexOf(text: string): RegExp {
  try {
    return new RegExp(text, "g");
  } catch {
    throw new TransformError(`Invalid regular expression: ${text}`);
  }
}

/** Splits a delimited line, honouring the quote character ("" inside quotes is a quote). */
function splitDelimited(line: string, delimiter: string, quote: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === quote && line[i + 1] === quote) field += quote, i++;
      else if (c === quote) quoted = false;
      else field += c;
    } else if (c === quote && field === "") quoted = true;
    else if (line.startsWith(delimiter, i)) out.push(field), (field = ""), (i += delimiter.length - 1);
    else field += c;
  }
  out.push(field);
  return out;
}

/** Grok patterns fetchstack knows (Logstash's names and meanings). */
const GROK: Record<string, string> = {
  WORD: "\\b\\w+\\b", NOTSPACE: "\\S+", SPACE: "\\s*", DATA: ".*?", GREEDYDATA: ".*", INT: "[+-]?\\d+", POSINT: "\\b[1-9]\\d*\\b",
  NONNEGINT: "\\b\\d+\\b", NUMBER: "[+-]?(?:\\d+(?:\\.\\d+)?|\\.\\d+)", BASE10NUM: "[+-]?(?:\\d+(?:\\.\\d+)?|\\.\\d+)",
  IPV4: "(?:\\d{1,3}\\.){3}\\d{1,3}", IPV6: "[0-9A-Fa-f:]+:[0-9A-Fa-f:.]*", IP: "(?:(?:\\d{1,3}\\.){3}\\d{1,3}|[0-9A-Fa-f:]+:[0-9A-Fa-f:.]*)",
  HOSTNAME: "\\b[0-9A-Za-z][0-9A-Za-z-]{0,62}(?:\\.[0-9A-Za-z][0-9A-Za-z-]{0,62})*\\.?\\b", IPORHOST: "(?:(?:\\d{1,3}\\.){3}\\d{1,3}|\\b[0-9A-Za-z][0-9A-Za-z.-]*\\b)",
  UUID: "[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}", LOGLEVEL: "(?:TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERROR|ERR|CRIT(?:ICAL)?|FATAL|SEVERE|EMERG(?:ENCY)?|[Tt]race|[Dd]ebug|[Ii]nfo|[Ww]arn(?:ing)?|[Ee]rror|[Ff]atal)",
  TIMESTAMP_ISO8601: "\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:?\\d{2}(?::?\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2})?",
  HTTPDATE: "\\d{2}/\\w{3}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}", URIPATHPARAM: "/[^\\s?#]*(?:\\?[^\\s#]*)?", URIPATH: "/[^\\s?#]*",
  QUOTEDSTRING: "\"(?:[^\"\\\\]|\\\\.)*\"", QS: "\"(?:[^\"\\\\]|\\\\.)*\"", EMAILADDRESS: "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+", USERNAME: "[a-zA-Z0-9._-]+", USER: "[a-zA-Z0-9._-]+",
  MAC: "(?:[A-Fa-f0-9]{2}[:-]){5}[A-Fa-f0-9]{2}", HOUR: "(?:2[0-3]|[01]?\\d)", MINUTE: "[0-5]\\d", SECOND: "(?:[0-5]?\\d|60)(?:[.,]\\d+)?",
  YEAR: "\\d{4}", MONTHNUM: "(?:0?[1-9]|1[0-2])", MONTHDAY: "(?:0?[1-9]|[12]\\d|3[01])", MONTH: "\\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\\b",
};

interface CompiledGrok {
  regex: RegExp;
  fields: { group: string; name: string; type?: "int" | "float" }[];
}

export function compileGrok(match: string): CompiledGrok {
  const fields: CompiledGrok["fields"] = [];
  let unknown: string | undefined;
  const source = match.replace(/%\{(\w+)(?::([\w.@-]+))?(?::(int|float))?\}/g, (_all, pattern: string, name?: string, type?: "int" | "float") => {
    const body = GROK[pattern];
    if (body === undefined) {
      unknown = pattern;
      return "";
    }
    if (!name) return `(?:${body})`;
    const group = `g${fields.length}`;
    fields.push({ group, name, ...(type ? { type } : {}) });
    return `(?<${group}>${body})`;
  });
  if (unknown !== undefined) throw new TransformError(`Unknown grok pattern ${unknown}.`);
  try {
    return { regex: new RegExp(`^${source}$`), fields };
  } catch {
    throw new TransformError(`Invalid grok match: ${match}`);
  }
}

const VPC_FIELDS = ["version", "account_id", "interface_id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end", "action", "log_status"];
const ROUTE53_FIELDS = ["version", "query_timestamp", "hosted_zone_id", "query_name", "query_type", "response_code", "protocol", "edge_location", "resolver_ip", "edns_client_subnet"];
const CLOUDFRONT_FIELDS = ["date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)", "cs-uri-stem", "sc-status", "cs(Referer)", "cs(User-Agent)", "cs-uri-query", "cs(Cookie)", "x-edge-result-type", "x-edge-request-id", "x-host-header", "cs-protocol", "cs-bytes", "time-taken", "x-forwarded-for", "ssl-protocol", "ssl-cipher", "x-edge-response-result-type", "cs-protocol-version", "fle-status", "fle-encrypted-fields", "c-port", "time-to-first-byte", "x-edge-detailed-result-type", "sc-content-type", "sc-content-len", "sc-range-start", "sc-range-end"];

/** A scalar field as the vended parsers type it: integers as numbers, `-` as absent. */
function typed(text: string): Json | undefined {
  if (text === "-" || text === "") return undefined;
  return /^-?\d+$/.test(text) && text.length < 16 ? Number(text) : text;
}

function parseFields(text: string, names: string[], split: RegExp): Doc {
  const values = text.trim().split(split);
  const out: Doc = {};
  names.forEach((n, i) => {
    const v = values[i] !== undefined ? typed(values[i]!) : undefined;
    if (v !== undefined) out[n] = v;
  });
  return out;
}

function convert(value: Json | undefined, type: string): Json | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === "string" ? value.trim() : value;
  switch (type) {
    case "integer": {
      const n = typeof text === "number" ? Math.trunc(text) : /^[+-]?\d+$/.test(String(text)) ? Number(text) : NaN;
      return Number.isFinite(n) ? n : undefined;
    }
    case "double": {
      const n = typeof text === "number" ? text : Number(text);
      return typeof text === "string" && text === "" ? undefined : Number.isFinite(n) ? n : undefined;
    }
    case "boolean": {
      if (typeof text === "boolean") return text;
      const t = String(text).toLowerCase();
      return t === "true" ? true : t === "false" ? false : undefined;
    }
    default:
      return typeof value === "string" ? value : JSON.stringify(value);
  }
}

/** Java DateTimeFormatter letters the converter reads and writes. */
const DATE_TOKENS = /yyyy|yy|MMM|MM|dd|d|HH|H|mm|ss|SSS|SS|S|XXX|XX|X|Z|z|'[^']*'/g;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function parseDate(text: string, pattern: string, zoneOffsetMin: number): number | undefined {
  const parts: string[] = [];
  const source = pattern.replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === "'" ? c : `\\${c}`)).replace(DATE_TOKENS, (t) => {
    if (t.startsWith("'")) return t.slice(1, -1);
    parts.push(t);
    if (t === "yyyy") return "(\\d{4})";
    if (t === "MMM") return "([A-Za-z]{3})";
    if (t === "SSS" || t === "SS" || t === "S") return "(\\d{1,9})";
    if (t === "XXX" || t === "XX" || t === "X" || t === "Z") return "(Z|[+-]\\d{2}:?\\d{2})";
    if (t === "z") return "([A-Z]{2,5})";
    return "(\\d{1,2})";
  });
  const m = new RegExp(`^${source}$`).exec(text);
  if (!m) return undefined;
  const v: Record<string, number> = { y: 1970, M: 1, d: 1, H: 0, m: 0, s: 0, ms: 0 };
  let offset = zoneOffsetMin;
  parts.forEach((t, i) => {
    const g = m[i + 1]!;
    if (t === "yyyy") v.y = Number(g);
    else if (t === "yy") v.y = 2000 + Number(g);
    else if (t === "MMM") v.M = MONTHS.indexOf(g.slice(0, 1).toUpperCase() + g.slice(1, 3).toLowerCase()) + 1;
    else if (t === "MM") v.M = Number(g);
    else if (t === "dd" || t === "d") v.d = Number(g);
    else if (t === "HH" || t === "H") v.H = Number(g);
    else if (t === "mm") v.m = Number(g);
    else if (t === "ss") v.s = Number(g);
    else if (t.startsWith("S")) v.ms = Number(g.padEnd(3, "0").slice(0, 3));
    else if (t !== "z") offset = g === "Z" ? 0 : (g[0] === "-" ? -1 : 1) * (Number(g.slice(1, 3)) * 60 + Number(g.replace(":", "").slice(3, 5)));
  });
  if (v.M! < 1) return undefined;
  return Date.UTC(v.y!, v.M! - 1, v.d!, v.H!, v.m!, v.s!, v.ms!) - offset * 60_000;
}

function formatDate(ms: number, pattern: string, zoneOffsetMin: number): string {
  const d = new Date(ms + zoneOffsetMin * 60_000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const zone = zoneOffsetMin === 0 ? "Z" : `${zoneOffsetMin < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(zoneOffsetMin) / 60))}:${pad(Math.abs(zoneOffsetMin) % 60)}`;
  return pattern.replace(DATE_TOKENS, (t) => {
    switch (t) {
      case "yyyy": return String(d.getUTCFullYear());
      case "yy": return pad(d.getUTCFullYear() % 100);
      case "MMM": return MONTHS[d.getUTCMonth()]!;
      case "MM": return pad(d.getUTCMonth() + 1);
      case "dd": return pad(d.getUTCDate());
      case "d": return String(d.getUTCDate());
      case "HH": return pad(d.getUTCHours());
      case "H": return String(d.getUTCHours());
      case "mm": return pad(d.getUTCMinutes());
      case "ss": return pad(d.getUTCSeconds());
      case "SSS": return pad(d.getUTCMilliseconds(), 3);
      case "SS": return pad(Math.floor(d.getUTCMilliseconds() / 10));
      case "S": return String(Math.floor(d.getUTCMilliseconds() / 100));
      case "XXX": case "X": return zone;
      case "XX": case "Z": return zone.replace(":", "");
      case "z": return zoneOffsetMin === 0 ? "UTC" : zone;
      default: return t.slice(1, -1);
    }
  });
}

/** A fixed zone (`UTC`, `Z`, `+05:30`) as minutes east of UTC; IANA names are read at `at`. */
function zoneOffset(zone: string | undefined, at = Date.now()): number {
  if (!zone || zone === "UTC" || zone === "Z") return 0;
  const fixed = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (fixed) return (fixed[1] === "-" ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
  try {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" }).formatToParts(new Date(at));
    const name = parts.find((p) => p.type === "timeZoneName")?.value ?? "GMT";
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  } catch {
    throw new TransformError(`Unknown time zone ${zone}.`);
  }
}

/** Runs one processor on `doc` in place. Throws TransformError when a parser cannot parse. */
export function applyProcessor(p: Processor, doc: Doc): void {
  if (p.parseJSON) {
    const text = sourceText(doc, p.parseJSON.source);
    let parsed: Json;
    try {
      parsed = JSON.parse(text ?? "");
    } catch {
      throw new TransformError("parseJSON: the source is not JSON.");
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new TransformError("parseJSON: the source is not a JSON object.");
    place(doc, parsed, p.parseJSON.destination);
  } else if (p.csv) {
    const text = sourceText(doc, p.csv.source);
    if (text === undefined) throw new TransformError("csv: no source text.");
    const values = splitDelimited(text, p.csv.delimiter ?? ",", p.csv.quoteCharacter ?? '"');
    const out: Doc = {};
    values.forEach((v, i) => (out[p.csv!.columns?.[i] ?? `column_${i + 1}`] = v));
    place(doc, out, p.csv.destination);
  } else if (p.parseKeyValue) {
    const c = p.parseKeyValue;
    const text = sourceText(doc, c.source);
    if (text === undefined) throw new TransformError("parseKeyValue: no source text.");
    const out: Doc = {};
    for (const pair of text.split(c.fieldDelimiter ?? "&")) {
      if (pair === "") continue;
      const at = pair.indexOf(c.keyValueDelimiter ?? "=");
      const key = at < 0 ? pair : pair.slice(0, at);
      const value = at < 0 ? (c.nonMatchValue ?? undefined) : pair.slice(at + (c.keyValueDelimiter ?? "=").length);
      if (value === undefined || key === "") continue;
      out[`${c.keyPrefix ?? ""}${key}`] = value;
    }
    place(doc, out, c.destination, c.overwriteIfExists ?? false);
  } else if (p.grok) {
    const text = sourceText(doc, p.grok.source);
    const compiled = compileGrok(p.grok.match);
    const m = text !== undefined ? compiled.regex.exec(text) : null;
    if (!m) throw new TransformError("grok: the source does not match.");
    for (const f of compiled.fields) {
      const raw = m.groups?.[f.group];
      if (raw === undefined) continue;
      set(doc, f.name, f.type === "int" ? Math.trunc(Number(raw)) : f.type === "float" ? Number(raw) : raw);
    }
  } else if (p.parseVPC || p.parseRoute53 || p.parseCloudfront) {
    const source = (p.parseVPC ?? p.parseRoute53 ?? p.parseCloudfront)!.source;
    const text = sourceText(doc, source);
    if (text === undefined) throw new TransformError("no source text.");
    if (p.parseCloudfront) place(doc, parseFields(text, CLOUDFRONT_FIELDS, /\t/), undefined);
    else place(doc, parseFields(text, p.parseVPC ? VPC_FIELDS : ROUTE53_FIELDS, /\s+/), undefined);
  } else if (p.parseWAF) {
    const text = sourceText(doc, p.parseWAF.source);
    let parsed: Doc;
    try {
      parsed = JSON.parse(text ?? "");
    } catch {
      throw new TransformError("parseWAF: the source is not a WAF JSON log.");
    }
    // WAF's header list becomes a map by header name, as AWS's parser does.
    const request = parsed.httpRequest as Doc | undefined;
    if (request && Array.isArray(request.headers)) {
      request.headers = Object.fromEntries((request.headers as { name: string; value: string }[]).map((h) => [h.name, h.value]));
    }
    place(doc, parsed, undefined);
  } else if (p.parsePostgres) {
    const text = sourceText(doc, p.parsePostgres.source) ?? "";
    const m = /^(\S+ \S+(?: \S+)?):(\S*)\(?(\d*)\)?:(\S*)@(\S*):\[(\d+)\]:(\w+):\s*(.*)$/s.exec(text);
    if (!m) throw new TransformError("parsePostgres: the source is not a PostgreSQL log line.");
    place(doc, { timestamp: m[1]!, client_host: m[2]!, ...(m[3] ? { client_port: Number(m[3]) } : {}), user: m[4]!, database: m[5]!, process_id: Number(m[6]), level: m[7]!, message: m[8]! }, undefined);
  } else if (p.addKeys) {
    for (const e of p.addKeys.entries) set(doc, e.key, e.value, e.overwriteIfExists ?? false);
  } else if (p.deleteKeys) {
    for (const k of p.deleteKeys.withKeys) remove(doc, k);
  } else if (p.copyValue || p.moveKeys) {
    const move = p.moveKeys !== undefined;
    for (const e of (p.copyValue ?? p.moveKeys)!.entries) {
      const value = get(doc, e.source);
      if (value === undefined || (!e.overwriteIfExists && has(doc, e.target))) continue;
      set(doc, e.target, structuredClone(value));
      if (move) remove(doc, e.source);
    }
  } else if (p.renameKeys) {
    for (const e of p.renameKeys.entries) {
      const value = get(doc, e.key);
      if (value === undefined || (!e.overwriteIfExists && has(doc, e.renameTo))) continue;
      remove(doc, e.key);
      set(doc, e.renameTo, value);
    }
  } else if (p.lowerCaseString || p.upperCaseString || p.trimString) {
    const keys = (p.lowerCaseString ?? p.upperCaseString ?? p.trimString)!.withKeys;
    for (const k of keys) {
      const v = get(doc, k);
      if (typeof v !== "string") continue;
      set(doc, k, p.lowerCaseString ? v.toLowerCase() : p.upperCaseString ? v.toUpperCase() : v.trim());
    }
  } else if (p.splitString) {
    for (const e of p.splitString.entries) {
      const v = get(doc, e.source);
      if (typeof v === "string") set(doc, e.source, v.split(e.delimiter));
    }
  } else if (p.substituteString) {
    for (const e of p.substituteString.entries) {
      const v = get(doc, e.source);
      if (typeof v === "string") set(doc, e.source, v.replace(regexOf(e.from), e.to));
    }
  } else if (p.typeConverter) {
    for (const e of p.typeConverter.entries) {
      const v = convert(get(doc, e.key), e.type);
      if (v !== undefined) set(doc, e.key, v);
    }
  } else if (p.listToMap) {
    const c = p.listToMap;
    const list = get(doc, c.source);
    if (!Array.isArray(list)) return;
    const out: Doc = {};
    for (const item of list) {
      if (item === null || typeof item !== "object" || Array.isArray(item)) continue;
      const key = item[c.key];
      if (typeof key !== "string" && typeof key !== "number") continue;
      const value: Json = c.valueKey !== undefined ? (item[c.valueKey] ?? null) : item;
      if (c.flatten) {
        if (c.flattenedElement === "last" || !(String(key) in out)) out[String(key)] = value;
      } else {
        const prior = out[String(key)];
        out[String(key)] = Array.isArray(prior) ? [...prior, value] : [value];
      }
    }
    place(doc, out, c.target);
  } else if (p.dateTimeConverter) {
    const c = p.dateTimeConverter;
    const text = get(doc, c.source);
    if (typeof text !== "string") return;
    let ms: number | undefined;
    for (const pattern of c.matchPatterns) {
      ms = parseDate(text, pattern, zoneOffset(c.sourceTimezone));
      if (ms !== undefined) break;
    }
    if (ms === undefined) return;
    set(doc, c.target, formatDate(ms, c.targetFormat ?? "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", zoneOffset(c.targetTimezone, ms)));
  }
}

/**
 * The transformed message of one event, or undefined when the transformer's parser does not
 * apply to it (the event stays as ingested).
 */
export function transformMessage(config: Processor[], message: string): string | undefined {
  const doc: Doc = { "@message": message };
  try {
    for (const p of config) applyProcessor(p, doc);
  } catch (error) {
    if (error instanceof TransformError) return undefined;
    throw error;
  }
  delete doc["@message"];
  return JSON.stringify(doc);
}
