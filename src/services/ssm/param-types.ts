/** The stored shape of a parameter (parameters.ts keeps it under ["param", name]). */
export interface StoredPolicy {
  PolicyText: string;
  PolicyType: string;
  PolicyStatus: string;
  /** Expiration time (ms since epoch) of an Expiration policy. */
  expiresAt?: number;
  /** When the PutParameter that set the policy ran (ms since epoch); in policy action events. */
  createdAt?: number;
}

export interface ParamVersion {
  version: number;
  type: "String" | "StringList" | "SecureString";
  /** Plain text, or for SecureString the base64 KMS envelope (see secure.ts). */
  value: string;
  keyId?: string;
  description?: string;
  allowedPattern?: string;
  tier: "Standard" | "Advanced";
  policies: StoredPolicy[];
  dataType: string;
  labels: string[];
  modifiedAt: number;
  modifiedBy: string;
}

export interface ParamRecord {
  name: string;
  tags: { Key: string; Value: string }[];
  /** Oldest first; the last one is current. */
  versions: ParamVersion[];
}
