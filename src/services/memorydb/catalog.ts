/**
 * MemoryDB's fixed catalog: engine versions, node types, default parameter groups with a
 * realistic subset of their parameters, service updates and reserved-node offerings.
 *
 * Sources: https://docs.aws.amazon.com/memorydb/latest/devguide/parametergroups.redis.html,
 * https://docs.aws.amazon.com/memorydb/latest/devguide/nodes.supportedtypes.html,
 * https://docs.aws.amazon.com/memorydb/latest/devguide/engine-versions.html
 */

export interface EngineVersion {
  Engine: "redis" | "valkey";
  EngineVersion: string;
  EnginePatchVersion: string;
  ParameterGroupFamily: string;
}

export const ENGINE_VERSIONS: EngineVersion[] = [
  { Engine: "redis", EngineVersion: "6.2", EnginePatchVersion: "6.2.6", ParameterGroupFamily: "memorydb_redis6" },
  { Engine: "redis", EngineVersion: "7.0", EnginePatchVersion: "7.0.7", ParameterGroupFamily: "memorydb_redis7" },
  { Engine: "redis", EngineVersion: "7.1", EnginePatchVersion: "7.1.2", ParameterGroupFamily: "memorydb_redis7" },
  { Engine: "valkey", EngineVersion: "7.2", EnginePatchVersion: "7.2.6", ParameterGroupFamily: "memorydb_valkey7" },
];

/** The version a new cluster gets when none is asked for. */
export const DEFAULT_ENGINE_VERSION: Record<string, string> = { redis: "7.1", valkey: "7.2" };

export const FAMILIES = ["memorydb_redis6", "memorydb_redis7", "memorydb_valkey7"] as const;

/** Default parameter group per family. */
export const DEFAULT_GROUPS: Record<string, string> = {
  memorydb_redis6: "default.memorydb-redis6",
  memorydb_redis7: "default.memorydb-redis7",
  memorydb_valkey7: "default.memorydb-valkey7",
};

const SIZES = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"];

/** Node types by family, smallest first (scale up/down stays in a family). */
export const NODE_FAMILIES: Record<string, string[]> = {
  "db.t4g": ["db.t4g.small", "db.t4g.medium"],
  "db.r6g": SIZES.map((s) => `db.r6g.${s}`),
  "db.r7g": SIZES.map((s) => `db.r7g.${s}`),
  "db.m7g": SIZES.map((s) => `db.m7g.${s}`),
  "db.r6gd": ["xlarge", "2xlarge", "4xlarge", "8xlarge"].map((s) => `db.r6gd.${s}`),
};

export const NODE_TYPES = new Set(Object.values(NODE_FAMILIES).flat());

export function nodeFamily(nodeType: string): string[] {
  return Object.values(NODE_FAMILIES).find((types) => types.includes(nodeType)) ?? [];
}

export interface ParameterDefinition {
  Name: string;
  Value: string;
  Description: string;
  DataType: "string" | "integer";
  AllowedValues: string;
  MinimumEngineVersion: string;
}

const p = (Name: string, Value: string, DataType: "string" | "integer", AllowedValues: string, Description: string, MinimumEngineVersion = "6.2.4"): ParameterDefinition =>
  ({ Name, Value, DataType, AllowedValues, Description, MinimumEngineVersion });

const COMMON: ParameterDefinition[] = [
  p("acl-pubsub-default", "allchannels", "string", "resetchannels,allchannels", "Default pub/sub channels permission for new ACL users if ACL file is used."),
  p("activedefrag", "no", "string", "yes,no", "Enabled active memory defragmentation"),
  p("active-defrag-cycle-max", "75", "integer", "1-75", "Maximal effort for defrag in CPU percentage"),
  p("active-defrag-cycle-min", "5", "integer", "1-75", "Minimal effort for defrag in CPU percentage"),
  p("active-defrag-ignore-bytes", "104857600", "integer", "1048576-", "Minimum amount of fragmentation waste to start active defrag"),
  p("active-defrag-max-scan-fields", "1000", "integer", "1-1000000", "Maximum number of set/hash/zset/list fields that will be processed from the main dictionary scan"),
  p("active-defrag-threshold-lower", "10", "integer", "1-100", "Minimum percentage of fragmentation to start active defrag"),
  p("active-defrag-threshold-upper", "100", "integer", "1-100", "Maximum percentage of fragmentation at which we use maximum effort"),
  p("active-expire-effort", "1", "integer", "1-10", "The amount of effort that redis uses to expire items in the active expiration job"),
  p("lazyfree-lazy-eviction", "no", "string", "yes,no", "Perform an asynchronous delete on evictions"),
  p("lazyfree-lazy-expire", "no", "string", "yes,no", "Perform an asynchronous delete on expired keys"),
  p("lazyfree-lazy-server-del", "no", "string", "yes,no", "Perform an asynchronous delete on key updates"),
  p("lazyfree-lazy-user-del", "no", "string", "yes,no", "Specifies whether the default behavior of DEL command acts the same as UNLINK"),
  p("lfu-decay-time", "1", "integer", "0-", "The amount of time in minutes to decrement the key counter for LFU eviction policy"),
  p("lfu-log-factor", "10", "integer", "1-", "The log factor for incrementing key counter for LFU eviction policy"),
  p("list-compress-depth", "0", "integer", "0-", "Number of quicklist ziplist nodes from each side of the list to exclude from compression"),
  p("maxclients", "65000", "integer", "1-65000", "The maximum number of Redis clients"),
  p("maxmemory-policy", "noeviction", "string", "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction", "Max memory policy"),
  p("maxmemory-samples", "3", "integer", "1-64", "Max memory samples"),
  p("notify-keyspace-events", "", "string", "", "The keyspace events for Redis to notify Pub/Sub clients about. By default all notifications are disabled"),
  p("set-max-intset-entries", "512", "integer", "0-500000000", "The limit in the size of the set in order for the dataset to be compressed"),
  p("slowlog-log-slower-than", "10000", "integer", "-", "The execution time, in microseconds, to exceed in order for the command to get logged"),
  p("slowlog-max-len", "128", "integer", "0-", "The length of the slow log. There is no limit to this length"),
  p("stream-node-max-bytes", "4096", "integer", "0-", "The maximum size of a single node in a stream in bytes"),
  p("stream-node-max-entries", "100", "integer", "0-", "The maximum number of items a single node in a stream can contain"),
  p("tcp-keepalive", "300", "integer", "0-", "If non-zero, send ACKs every given number of seconds"),
  p("timeout", "0", "integer", "0,20-", "Close connection if client is idle for a given number of seconds, or never if 0"),
  p("tracking-table-max-keys", "1000000", "integer", "1-100000000", "The maximum number of keys allowed for the tracking table"),
];

const ZIPLIST: ParameterDefinition[] = [
  p("hash-max-ziplist-entries", "128", "integer", "0-", "The maximum number of hash entries in order for the dataset to be compressed"),
  p("hash-max-ziplist-value", "64", "integer", "0-", "The threshold of biggest hash entries in order for the dataset to be compressed"),
  p("list-max-ziplist-size", "-2", "integer", "-5,-4,-3,-2,-1,1-", "The number of entries allowed per internal list node can be specified as a fixed maximum size or a maximum number of elements"),
  p("zset-max-ziplist-entries", "128", "integer", "0-", "The maximum number of sorted set entries in order for the dataset to be compressed"),
  p("zset-max-ziplist-value", "64", "integer", "0-", "The threshold of biggest sorted set entries in order for the dataset to be compressed"),
];

const LISTPACK: ParameterDefinition[] = [
  p("hash-max-listpack-entries", "128", "integer", "0-", "The maximum number of hash entries in order for the dataset to be compressed", "7.0.7"),
  p("hash-max-listpack-value", "64", "integer", "0-", "The threshold of biggest hash entries in order for the dataset to be compressed", "7.0.7"),
  p("list-max-listpack-size", "-2", "integer", "-5,-4,-3,-2,-1,1-", "The number of entries allowed per internal list node can be specified as a fixed maximum size or a maximum number of elements", "7.0.7"),
  p("zset-max-listpack-entries", "128", "integer", "0-", "The maximum number of sorted set entries in order for the dataset to be compressed", "7.0.7"),
  p("zset-max-listpack-value", "64", "integer", "0-", "The threshold of biggest sorted set entries in order for the dataset to be compressed", "7.0.7"),
];

/** Default parameters of a family, sorted by name as DescribeParameters lists them. */
export function familyParameters(family: string): ParameterDefinition[] {
  const extra = family === "memorydb_redis6" ? ZIPLIST : LISTPACK;
  return [...COMMON, ...extra].sort((a, b) => (a.Name < b.Name ? -1 : 1));
}

/** Whether `value` is within a parameter's AllowedValues (`a,b,c` lists or `min-max` ranges). */
export function allowedValue(definition: ParameterDefinition, value: string): boolean {
  if (definition.DataType === "integer") {
    if (!/^-?\d+$/.test(value)) return false;
    const n = Number(value);
    return definition.AllowedValues.split(",").some((part) => {
      if (part === "-" || part === "") return true;
      const range = /^(-?\d+)?-(-?\d+)?$/.exec(part);
      if (range && part !== String(Number(part))) {
        return (range[1] === undefined || n >= Number(range[1])) && (range[2] === undefined || n <= Number(range[2]));
      }
      return Number(part) === n;
    });
  }
  if (!definition.AllowedValues) return true;
  return definition.AllowedValues.split(",").includes(value);
}

export const SERVICE_UPDATES = [
  {
    ServiceUpdateName: "memorydb-20251015-001",
    ReleaseDate: Date.parse("2025-10-15T00:00:00Z"),
    AutoUpdateStartDate: Date.parse("2025-11-15T00:00:00Z"),
    Description: "Security update for MemoryDB engine patch versions",
    Type: "security-update",
    Engine: "redis",
  },
];

const DURATIONS = [31536000, 94608000];
const OFFERING_TYPES = ["No Upfront", "Partial Upfront", "All Upfront"];

/** On-demand hourly price (USD) per node type, roughly AWS's us-east-1 list prices. */
function hourly(nodeType: string): number {
  const [, family, size] = /^db\.([a-z0-9]+)\.(.*)$/.exec(nodeType)!;
  const base: Record<string, number> = { t4g: 0.061, r6g: 0.309, r7g: 0.3, m7g: 0.221, r6gd: 0.5 };
  const mult: Record<string, number> = { small: 1, medium: 2, large: 1, xlarge: 2, "2xlarge": 4, "4xlarge": 8, "8xlarge": 16, "12xlarge": 24, "16xlarge": 32 };
  return Math.round(base[family] * mult[size] * 1000) / 1000;
}

/** Deterministic offering ids, so one offering keeps its id across calls and restarts. */
function offeringId(nodeType: string, duration: number, type: string): string {
  let h = 0x811c9dc5;
  for (const c of `${nodeType}|${duration}|${type}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
  const a = hex(h), b = hex(Math.imul(h, 2654435761)), c = hex(Math.imul(h ^ 0x5bd1e995, 40503));
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-a${c.slice(1, 4)}-${c}${a.slice(0, 4)}`;
}

export interface Offering {
  ReservedNodesOfferingId: string;
  NodeType: string;
  Duration: number;
  FixedPrice: number;
  OfferingType: string;
  RecurringCharges: { RecurringChargeAmount: number; RecurringChargeFrequency: string }[];
}

export const OFFERINGS: Offering[] = [...NODE_TYPES].flatMap((nodeType) => DURATIONS.flatMap((Duration) => OFFERING_TYPES.map((OfferingType) => {
  const hours = Duration / 3600;
  const discount = Duration === DURATIONS[0] ? 0.7 : 0.5;
  const total = hourly(nodeType) * hours * discount;
  const upfront = OfferingType === "All Upfront" ? total : OfferingType === "Partial Upfront" ? total / 2 : 0;
  const recurring = (total - upfront) / hours;
  return {
    ReservedNodesOfferingId: offeringId(nodeType, Duration, OfferingType),
    NodeType: nodeType,
    Duration,
    FixedPrice: Math.round(upfront * 100) / 100,
    OfferingType,
    RecurringCharges: [{ RecurringChargeAmount: Math.round(recurring * 1000) / 1000, RecurringChargeFrequency: "Hourly" }],
  };
})));
