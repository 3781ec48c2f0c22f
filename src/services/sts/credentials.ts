/**
 * Temporary credentials issued by STS and the identity behind them. Keys are AWS-shaped
 * (`ASIA` + 16 base32 characters that encode the account, as on AWS), so that any service can
 * tell their account from the key alone and `GetAccessKeyInfo` reports it.
 */
import { newAccessKeyId } from "../../gateway/accounts.ts";
import type { NamedPolicy, Principal } from "../../policy/types.ts";
import type { Store } from "../../store/types.ts";
import { bytesToBase64 } from "../../encoding/base64.ts";

/** Who a set of credentials acts as; what GetCallerIdentity returns for them. */
export interface Identity {
  Account: string;
  Arn: string;
  UserId: string;
  /** How the credentials were obtained (role chaining and GetSessionToken rules depend on it); `user`: an IAM user's long-term key. */
  kind: "root" | "user" | "assumed-role" | "federated-user" | "session" | "root-task";
  /** The IAM user or role whose policies apply (the role's ARN with its path for a role session). */
  principalArn?: string;
  /** Session policies passed when the session was made (documents, with where they came from). */
  sessionPolicies?: NamedPolicy[];
  /** Session tags (Tags of AssumeRole, and transitive tags carried over by role chaining). */
  sessionTags?: Record<string, string>;
  /** Keys names of `sessionTags` that pass on to chained role sessions. */
  transitiveTagKeys?: string[];
  /** Request-context keys the session carries (`aws:SourceIdentity`, `aws:FederatedProvider`, ...). */
  contextKeys?: Record<string, string | string[]>;
}

export interface IssuedCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  /** Epoch milliseconds. */
  Expiration: number;
  identity: Identity;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomString(length: number, alphabet: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** Upper-case unique id body as AWS uses in role and user ids (`AROA` + 17 characters). */
export function uniqueId(prefix: string): string {
  return prefix + randomString(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
}

const key = (accessKeyId: string) => ["credentials", accessKeyId] as const;

/** Issues and stores a new set of temporary credentials for `identity`. */
export async function issueCredentials(store: Store, identity: Identity, expiration: number): Promise<IssuedCredentials> {
  const issued: IssuedCredentials = {
    AccessKeyId: newAccessKeyId("ASIA", identity.Account),
    SecretAccessKey: randomString(40, ALNUM + "+/"),
    // Session tokens on AWS are long opaque base64 strings starting like this one.
    SessionToken: "IQoJb3JpZ2luX2VjE" + bytesToBase64(crypto.getRandomValues(new Uint8Array(360))),
    Expiration: expiration,
    identity,
  };
  await store.set(key(issued.AccessKeyId), issued);
  return issued;
}

/** The credentials issued under an access key id, if fetchstack's STS issued it. */
export async function lookupCredentials(store: Store, accessKeyId: string): Promise<IssuedCredentials | null> {
  return (await store.get<IssuedCredentials>(key(accessKeyId))).value;
}

/** The wire `Credentials` structure. */
export function credentialsOutput(issued: IssuedCredentials) {
  return {
    AccessKeyId: issued.AccessKeyId,
    SecretAccessKey: issued.SecretAccessKey,
    SessionToken: issued.SessionToken,
    Expiration: new Date(issued.Expiration),
  };
}

/** The Principal (src/policy/types.ts) of a set of credentials STS issued. */
export function principalOf(identity: Identity): Principal {
  return {
    account: identity.Account,
    arn: identity.Arn,
    userId: identity.UserId,
    principalArn: identity.principalArn,
    kind: identity.kind === "root-task" ? "root" : identity.kind,
    sessionPolicies: identity.sessionPolicies,
    sessionTags: identity.sessionTags,
    contextKeys: identity.contextKeys,
  };
}
