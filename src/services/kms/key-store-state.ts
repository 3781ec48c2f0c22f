/**
 * A custom key store as stored, and its connection state on the clock. Apart from
 * custom-key-stores.ts so that keys.ts can read a store's state without an import cycle.
 * Source: https://docs.aws.amazon.com/kms/latest/APIReference/API_CustomKeyStoresListEntry.html
 */
import type { ConnectionStateType, CustomKeyStoreType, XksProxyConnectivityType } from "../../generated/kms.ts";
import type { Store } from "../../store/types.ts";
import { AwsError } from "../../protocol/errors.ts";

/** How long a store stays CONNECTING before it is CONNECTED (emulator time). */
export const CONNECT_MS = { AWS_CLOUDHSM: 5 * 60_000, EXTERNAL_KEY_STORE: 60_000 } as const;
export interface XksProxy {
  Connectivity: XksProxyConnectivityType;
  AccessKeyId: string;
  /** Held to sign proxy requests; never returned. */
  RawSecretAccessKey: string;
  UriEndpoint: string;
  UriPath: string;
  VpcEndpointServiceName?: string;
  VpcEndpointServiceOwner?: string;
}

export interface KeyStoreRecord {
  CustomKeyStoreId: string;
  CustomKeyStoreName: string;
  CustomKeyStoreType: CustomKeyStoreType;
  CreationDate: number;
  /** Stored state; CONNECTING turns CONNECTED at `connectedAt`. */
  ConnectionState: ConnectionStateType;
  connectedAt?: number;
  CloudHsmClusterId?: string;
  TrustAnchorCertificate?: string;
  /** The kmsuser password (CloudHSM); never returned. */
  KeyStorePassword?: string;
  Xks?: XksProxy;
}

export const keyStoreKey = (id: string) => ["keystore", id] as const;

/** The connection state now: CONNECTING becomes CONNECTED once its time has come. */
export function connectionState(store: KeyStoreRecord, now: number): ConnectionStateType {
  if (store.ConnectionState === "CONNECTING" && store.connectedAt !== undefined && store.connectedAt <= now) return "CONNECTED";
  return store.ConnectionState;
}

/** The store's state now, or undefined when the store does not exist. */
export async function keyStoreState(store: Store, id: string, now: number): Promise<ConnectionStateType | undefined> {
  const record = (await store.get<KeyStoreRecord>(keyStoreKey(id))).value;
  return record ? connectionState(record, now) : undefined;
}

export function notFound(id: string): AwsError {
  return new AwsError("CustomKeyStoreNotFoundException", `Custom key store ${id} does not exist in this account and Region.`, 400);
}

/** The store record, or CustomKeyStoreNotFoundException. */
export async function getKeyStore(store: Store, id: string): Promise<KeyStoreRecord> {
  const record = (await store.get<KeyStoreRecord>(keyStoreKey(id))).value;
  if (!record) throw notFound(id);
  return record;
}
