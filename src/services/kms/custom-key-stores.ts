/**
 * KMS custom key stores (AWS CloudHSM key stores and external key stores) as state: the store
 * record under ["keystore", id], its connection state on the injectable clock, and the checks
 * AWS makes on create, update, connect, disconnect and delete.
 *
 * fetchstack has no CloudHSM and contacts no XKS proxy (docs/kms.md): a cluster id is looked up
 * through `ctx.invoke("cloudhsmv2", "DescribeClusters")` when that service is served, and is
 * otherwise taken as an existing, active cluster; an XKS proxy is taken as reachable with the
 * credential given. Keys created in a store still get real material held by KMS here.
 *
 * Sources: https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateCustomKeyStore.html,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_ConnectCustomKeyStore.html,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_DisconnectCustomKeyStore.html,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeCustomKeyStores.html,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdateCustomKeyStore.html,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteCustomKeyStore.html
 */
import { base64ToBytes } from "../../encoding/base64.ts";
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import type { Handlers, RequestContext } from "../types.ts";
import type { Store } from "../../store/types.ts";
import type { CustomKeyStoresListEntry, CustomKeyStoreType, Operations, XksProxyConnectivityType } from "../../generated/kms.ts";
import { hexId, loadKey, type KeyRecord } from "./keys.ts";
import { CONNECT_MS, connectionState, getKeyStore, keyStoreKey, notFound, type KeyStoreRecord, type XksProxy } from "./key-store-state.ts";
import { page } from "./paging.ts";

/** AWS's quota: custom key stores per account and Region. */
const MAX_STORES = 10;

function validation(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}


function invalidState(message: string): AwsError {
  return new AwsError("CustomKeyStoreInvalidStateException", message, 400);
}


async function allStores(store: Store): Promise<KeyStoreRecord[]> {
  const out: KeyStoreRecord[] = [];
  for await (const entry of store.list<KeyStoreRecord>({ prefix: ["keystore"] })) out.push(entry.value);
  return out;
}

function describe(s: KeyStoreRecord, now: number): CustomKeyStoresListEntry {
  const state = connectionState(s, now);
  const entry: CustomKeyStoresListEntry = {
    CustomKeyStoreId: s.CustomKeyStoreId,
    CustomKeyStoreName: s.CustomKeyStoreName,
    ConnectionState: state,
    CreationDate: new Date(s.CreationDate),
    CustomKeyStoreType: s.CustomKeyStoreType,
  };
  if (s.CustomKeyStoreType === "AWS_CLOUDHSM") {
    entry.CloudHsmClusterId = s.CloudHsmClusterId;
    entry.TrustAnchorCertificate = s.TrustAnchorCertificate;
  } else if (s.Xks) {
    const { RawSecretAccessKey: _secret, ...shown } = s.Xks;
    entry.XksProxyConfiguration = shown;
  }
  return entry;
}

/**
 * Whether the CloudHSM cluster exists and is active: asked of the cloudhsmv2 service when it is
 * served; fetchstack has none today, so a well-formed cluster id counts as an active cluster.
 */
async function checkCluster(ctx: RequestContext, clusterId: string): Promise<void> {
  let clusters: { ClusterId?: string; State?: string }[];
  try {
    const out = await ctx.invoke("cloudhsmv2", "DescribeClusters", { Filters: { clusterIds: [clusterId] } });
    clusters = (out.Clusters as typeof clusters | undefined) ?? [];
  } catch (error) {
    if (isAwsError(error) && (error.code === "NotImplemented" || error.status === 501)) return;
    throw error;
  }
  const cluster = clusters.find((c) => c.ClusterId === clusterId);
  if (!cluster) throw new AwsError("CloudHsmClusterNotFoundException", `AWS CloudHSM cluster ${clusterId} not found.`, 400);
  if (cluster.State !== "ACTIVE") throw new AwsError("CloudHsmClusterNotActiveException", `AWS CloudHSM cluster ${clusterId} is not active.`, 400);
}

/**
 * The trust anchor must be a PEM X.509 certificate: one DER SEQUENCE (certificate) holding a
 * SEQUENCE (tbsCertificate). AWS also compares it with the cluster's, which fetchstack cannot.
 */
function checkTrustAnchor(pem: string): void {
  const match = /^-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----\s*$/.exec(pem.trim());
  let der: Uint8Array | undefined;
  try {
    const decoded = match ? base64ToBytes(match[1].replace(/\s+/g, "")) : undefined;
    der = decoded instanceof Uint8Array ? decoded : undefined;
  } catch {
    der = undefined;
  }
  if (!der || !isCertificateDer(der)) {
    throw new AwsError("IncorrectTrustAnchorException", "The trust anchor certificate in the request is not the trust anchor certificate for the specified AWS CloudHSM cluster.", 400);
  }
}

/** A DER SEQUENCE spanning all of `der` whose first element is a SEQUENCE. */
function isCertificateDer(der: Uint8Array): boolean {
  const header = (at: number): { length: number; body: number } | undefined => {
    if (der[at] !== 0x30) return undefined;
    const first = der[at + 1];
    if (first === undefined) return undefined;
    if (first < 0x80) return { length: first, body: at + 2 };
    const n = first & 0x7f;
    if (n === 0 || n > 4) return undefined;
    let length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (der[at + 2 + i] ?? 0);
    return { length, body: at + 2 + n };
  };
  const outer = header(0);
  if (!outer || outer.body + outer.length !== der.length) return false;
  const inner = header(outer.body);
  return !!inner && inner.body + inner.length <= der.length;
}

interface XksInput {
  XksProxyUriEndpoint?: string;
  XksProxyUriPath?: string;
  XksProxyVpcEndpointServiceName?: string;
  XksProxyVpcEndpointServiceOwner?: string;
  XksProxyAuthenticationCredential?: { AccessKeyId: string; RawSecretAccessKey: string };
  XksProxyConnectivity?: XksProxyConnectivityType;
}

/** Uniqueness of an external key store's proxy among the account's stores (`self` excluded). */
function checkXksUnique(xks: XksProxy, others: KeyStoreRecord[]): void {
  for (const o of others) {
    if (!o.Xks) continue;
    if (o.Xks.UriEndpoint === xks.UriEndpoint && o.Xks.UriPath === xks.UriPath) {
      throw new AwsError("XksProxyUriInUseException", `The XKS proxy URI ${xks.UriEndpoint}${xks.UriPath} is already associated with custom key store ${o.CustomKeyStoreId}.`, 400);
    }
    if (xks.Connectivity === "VPC_ENDPOINT_SERVICE" && o.Xks.UriEndpoint === xks.UriEndpoint) {
      throw new AwsError("XksProxyUriEndpointInUseException", `The XKS proxy URI endpoint ${xks.UriEndpoint} is already associated with custom key store ${o.CustomKeyStoreId}.`, 400);
    }
    if (xks.VpcEndpointServiceName && o.Xks.VpcEndpointServiceName === xks.VpcEndpointServiceName) {
      throw new AwsError("XksProxyVpcEndpointServiceInUseException", `The VPC endpoint service ${xks.VpcEndpointServiceName} is already associated with custom key store ${o.CustomKeyStoreId}.`, 400);
    }
  }
}

function checkXks(xks: XksProxy): void {
  if (xks.Connectivity === "VPC_ENDPOINT_SERVICE" && !xks.VpcEndpointServiceName) {
    throw validation("XksProxyVpcEndpointServiceName is required when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.");
  }
  if (xks.Connectivity === "PUBLIC_ENDPOINT" && (xks.VpcEndpointServiceName || xks.VpcEndpointServiceOwner)) {
    throw validation("XksProxyVpcEndpointServiceName and XksProxyVpcEndpointServiceOwner are valid only when XksProxyConnectivity is VPC_ENDPOINT_SERVICE.");
  }
}

const CLOUDHSM_ONLY = ["CloudHsmClusterId", "TrustAnchorCertificate", "KeyStorePassword"] as const;
const XKS_ONLY = [
  "XksProxyUriEndpoint", "XksProxyUriPath", "XksProxyVpcEndpointServiceName", "XksProxyVpcEndpointServiceOwner",
  "XksProxyAuthenticationCredential", "XksProxyConnectivity",
] as const;

function checkMembersFor(type: CustomKeyStoreType, input: Record<string, unknown>): void {
  const foreign = type === "AWS_CLOUDHSM" ? XKS_ONLY : CLOUDHSM_ONLY;
  const given = foreign.filter((m) => input[m] !== undefined);
  if (given.length) throw validation(`${given.join(", ")} ${given.length === 1 ? "is" : "are"} not valid for a custom key store of type ${type}.`);
}

/** Keys in custom key store `id` (those past their deletion date are gone). */
async function keysIn(store: Store, id: string, now: number): Promise<KeyRecord[]> {
  const out: KeyRecord[] = [];
  for await (const entry of store.list<KeyRecord>({ prefix: ["key"] })) {
    if (entry.value.customKeyStoreId !== id) continue;
    const key = await loadKey(store, entry.value.keyId, now);
    if (key) out.push(key);
  }
  return out;
}

export const customKeyStoreHandlers: Handlers<Operations> = {
  async CreateCustomKeyStore(input, ctx) {
    const type: CustomKeyStoreType = input.CustomKeyStoreType ?? "AWS_CLOUDHSM";
    checkMembersFor(type, { ...input });
    const existing = await allStores(ctx.store);
    if (existing.some((s) => s.CustomKeyStoreName === input.CustomKeyStoreName)) {
      throw new AwsError("CustomKeyStoreNameInUseException", `A custom key store with the name ${input.CustomKeyStoreName} already exists in this account and Region.`, 400);
    }
    const record: KeyStoreRecord = {
      CustomKeyStoreId: `cks-${hexId(9).slice(0, 17)}`,
      CustomKeyStoreName: input.CustomKeyStoreName,
      CustomKeyStoreType: type,
      CreationDate: ctx.clock.now(),
      ConnectionState: "DISCONNECTED",
    };
    if (type === "AWS_CLOUDHSM") {
      if (!input.CloudHsmClusterId || !input.TrustAnchorCertificate || !input.KeyStorePassword) {
        throw validation("CloudHsmClusterId, TrustAnchorCertificate and KeyStorePassword are required for a custom key store of type AWS_CLOUDHSM.");
      }
      const inUse = existing.find((s) => s.CloudHsmClusterId === input.CloudHsmClusterId);
      if (inUse) throw new AwsError("CloudHsmClusterInUseException", `AWS CloudHSM cluster ${input.CloudHsmClusterId} is already associated with custom key store ${inUse.CustomKeyStoreId}.`, 400);
      await checkCluster(ctx, input.CloudHsmClusterId);
      checkTrustAnchor(input.TrustAnchorCertificate);
      Object.assign(record, { CloudHsmClusterId: input.CloudHsmClusterId, TrustAnchorCertificate: input.TrustAnchorCertificate, KeyStorePassword: input.KeyStorePassword });
    } else {
      const x = input as XksInput;
      if (!x.XksProxyUriEndpoint || !x.XksProxyUriPath || !x.XksProxyAuthenticationCredential || !x.XksProxyConnectivity) {
        throw validation("XksProxyUriEndpoint, XksProxyUriPath, XksProxyAuthenticationCredential and XksProxyConnectivity are required for a custom key store of type EXTERNAL_KEY_STORE.");
      }
      const xks: XksProxy = {
        Connectivity: x.XksProxyConnectivity,
        AccessKeyId: x.XksProxyAuthenticationCredential.AccessKeyId,
        RawSecretAccessKey: x.XksProxyAuthenticationCredential.RawSecretAccessKey,
        UriEndpoint: x.XksProxyUriEndpoint,
        UriPath: x.XksProxyUriPath,
        ...(x.XksProxyVpcEndpointServiceName ? { VpcEndpointServiceName: x.XksProxyVpcEndpointServiceName } : {}),
        ...(x.XksProxyVpcEndpointServiceName ? { VpcEndpointServiceOwner: x.XksProxyVpcEndpointServiceOwner ?? ctx.accountId } : {}),
      };
      checkXks(xks);
      checkXksUnique(xks, existing);
      record.Xks = xks;
    }
    if (existing.length >= MAX_STORES) throw new AwsError("LimitExceededException", `You have reached the limit of ${MAX_STORES} custom key stores in this account and Region.`, 400);
    const result = await ctx.store.atomic().check({ key: keyStoreKey(record.CustomKeyStoreId), versionstamp: null }).set(keyStoreKey(record.CustomKeyStoreId), record).commit();
    if (!result.ok) throw new AwsError("KMSInternalException", "The request was rejected because an internal exception occurred. The request can be retried.", 500);
    return { CustomKeyStoreId: record.CustomKeyStoreId };
  },

  async DescribeCustomKeyStores(input, ctx) {
    if (input.CustomKeyStoreId && input.CustomKeyStoreName) {
      throw validation("Specify either CustomKeyStoreId or CustomKeyStoreName, not both.");
    }
    const now = ctx.clock.now();
    let stores = (await allStores(ctx.store)).sort((a, b) => a.CreationDate - b.CreationDate || (a.CustomKeyStoreId < b.CustomKeyStoreId ? -1 : 1));
    if (input.CustomKeyStoreId) {
      stores = stores.filter((s) => s.CustomKeyStoreId === input.CustomKeyStoreId);
      if (!stores.length) throw notFound(input.CustomKeyStoreId);
    }
    if (input.CustomKeyStoreName) {
      stores = stores.filter((s) => s.CustomKeyStoreName === input.CustomKeyStoreName);
      if (!stores.length) throw new AwsError("CustomKeyStoreNotFoundException", `Custom key store with name ${input.CustomKeyStoreName} does not exist in this account and Region.`, 400);
    }
    const rows = stores.map((s, i) => ({ id: String(i).padStart(6, "0"), s }));
    const result = page(rows, (r) => r.id, input.Limit ?? 100, input.Marker);
    return {
      CustomKeyStores: result.page.map((r) => describe(r.s, now)),
      Truncated: result.Truncated,
      ...(result.NextMarker ? { NextMarker: result.NextMarker } : {}),
    };
  },

  async ConnectCustomKeyStore(input, ctx) {
    const record = await getKeyStore(ctx.store, input.CustomKeyStoreId);
    const now = ctx.clock.now();
    const state = connectionState(record, now);
    if (state === "DISCONNECTING" || state === "FAILED") {
      throw invalidState(`Custom key store ${record.CustomKeyStoreId} is ${state}; disconnect it before connecting again.`);
    }
    if (state !== "DISCONNECTED") return {};
    if (record.CloudHsmClusterId) await checkCluster(ctx, record.CloudHsmClusterId);
    await ctx.store.set(keyStoreKey(record.CustomKeyStoreId), { ...record, ConnectionState: "CONNECTING", connectedAt: now + CONNECT_MS[record.CustomKeyStoreType] });
    return {};
  },

  async DisconnectCustomKeyStore(input, ctx) {
    const record = await getKeyStore(ctx.store, input.CustomKeyStoreId);
    const state = connectionState(record, ctx.clock.now());
    if (state === "DISCONNECTED" || state === "DISCONNECTING") {
      throw invalidState(`Custom key store ${record.CustomKeyStoreId} is ${state}.`);
    }
    const { connectedAt: _c, ...rest } = record;
    await ctx.store.set(keyStoreKey(record.CustomKeyStoreId), { ...rest, ConnectionState: "DISCONNECTED" });
    return {};
  },

  async UpdateCustomKeyStore(input, ctx) {
    const record = await getKeyStore(ctx.store, input.CustomKeyStoreId);
    checkMembersFor(record.CustomKeyStoreType, { ...input });
    const state = connectionState(record, ctx.clock.now());
    const others = (await allStores(ctx.store)).filter((s) => s.CustomKeyStoreId !== record.CustomKeyStoreId);
    // CloudHSM stores change only while disconnected; an external key store's name, credential
    // and path may change while it is connected (AWS's rule), the rest only when disconnected.
    const whileConnected = record.CustomKeyStoreType === "AWS_CLOUDHSM"
      ? []
      : ["NewCustomKeyStoreName", "XksProxyAuthenticationCredential", "XksProxyUriPath"];
    const given: Record<string, unknown> = { ...input };
    const changed = Object.keys(given).filter((k) => k !== "CustomKeyStoreId" && given[k] !== undefined);
    if (state !== "DISCONNECTED" && changed.some((k) => !whileConnected.includes(k))) {
      throw invalidState(`Custom key store ${record.CustomKeyStoreId} must be disconnected to update ${changed.filter((k) => !whileConnected.includes(k)).join(", ")}.`);
    }
    const next: KeyStoreRecord = { ...record };
    if (input.NewCustomKeyStoreName !== undefined && input.NewCustomKeyStoreName !== record.CustomKeyStoreName) {
      if (others.some((s) => s.CustomKeyStoreName === input.NewCustomKeyStoreName)) {
        throw new AwsError("CustomKeyStoreNameInUseException", `A custom key store with the name ${input.NewCustomKeyStoreName} already exists in this account and Region.`, 400);
      }
      next.CustomKeyStoreName = input.NewCustomKeyStoreName;
    }
    if (record.CustomKeyStoreType === "AWS_CLOUDHSM") {
      if (input.CloudHsmClusterId !== undefined && input.CloudHsmClusterId !== record.CloudHsmClusterId) {
        const inUse = others.find((s) => s.CloudHsmClusterId === input.CloudHsmClusterId);
        if (inUse) throw new AwsError("CloudHsmClusterInUseException", `AWS CloudHSM cluster ${input.CloudHsmClusterId} is already associated with custom key store ${inUse.CustomKeyStoreId}.`, 400);
        await checkCluster(ctx, input.CloudHsmClusterId);
        next.CloudHsmClusterId = input.CloudHsmClusterId;
      }
      if (input.KeyStorePassword !== undefined) next.KeyStorePassword = input.KeyStorePassword;
    } else if (record.Xks) {
      const x = input as XksInput;
      const xks: XksProxy = { ...record.Xks };
      if (x.XksProxyUriEndpoint !== undefined) xks.UriEndpoint = x.XksProxyUriEndpoint;
      if (x.XksProxyUriPath !== undefined) xks.UriPath = x.XksProxyUriPath;
      if (x.XksProxyConnectivity !== undefined) xks.Connectivity = x.XksProxyConnectivity;
      if (x.XksProxyAuthenticationCredential) {
        xks.AccessKeyId = x.XksProxyAuthenticationCredential.AccessKeyId;
        xks.RawSecretAccessKey = x.XksProxyAuthenticationCredential.RawSecretAccessKey;
      }
      if (x.XksProxyVpcEndpointServiceName !== undefined) xks.VpcEndpointServiceName = x.XksProxyVpcEndpointServiceName;
      if (x.XksProxyVpcEndpointServiceOwner !== undefined) xks.VpcEndpointServiceOwner = x.XksProxyVpcEndpointServiceOwner;
      if (xks.Connectivity === "PUBLIC_ENDPOINT" && x.XksProxyConnectivity === "PUBLIC_ENDPOINT") {
        delete xks.VpcEndpointServiceName;
        delete xks.VpcEndpointServiceOwner;
      }
      checkXks(xks);
      checkXksUnique(xks, others);
      next.Xks = xks;
    }
    await ctx.store.set(keyStoreKey(record.CustomKeyStoreId), next);
    return {};
  },

  async DeleteCustomKeyStore(input, ctx) {
    const record = await getKeyStore(ctx.store, input.CustomKeyStoreId);
    const state = connectionState(record, ctx.clock.now());
    if (state !== "DISCONNECTED") {
      throw invalidState(`Custom key store ${record.CustomKeyStoreId} is ${state}; it must be DISCONNECTED to be deleted.`);
    }
    if ((await keysIn(ctx.store, record.CustomKeyStoreId, ctx.clock.now())).length) {
      throw new AwsError("CustomKeyStoreHasCMKsException", `Custom key store ${record.CustomKeyStoreId} contains KMS keys; schedule their deletion and wait until they are deleted.`, 400);
    }
    await ctx.store.delete(keyStoreKey(record.CustomKeyStoreId));
    return {};
  },
};

/** What CreateKey stores for a key in a custom key store. */
export interface InStore {
  customKeyStoreId: string;
  cloudHsmClusterId?: string;
  xksKeyId?: string;
}

/**
 * CreateKey's checks for `CustomKeyStoreId`, `Origin` AWS_CLOUDHSM / EXTERNAL_KEY_STORE and
 * `XksKeyId`: the store exists, is CONNECTED and of the origin's type; only symmetric
 * encryption keys, not multi-Region; an external key id used once per store. Undefined for a
 * key outside custom key stores.
 * Source: https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html
 */
export async function customKeyStoreFor(
  ctx: RequestContext,
  input: { CustomKeyStoreId?: string; XksKeyId?: string; MultiRegion?: boolean },
  origin: string,
  spec: string,
  usage: string,
): Promise<InStore | undefined> {
  const custom = origin === "AWS_CLOUDHSM" || origin === "EXTERNAL_KEY_STORE";
  if (!input.CustomKeyStoreId) {
    if (custom) throw validation(`Origin ${origin} requires a CustomKeyStoreId.`);
    if (input.XksKeyId) throw validation("XksKeyId is valid only with Origin EXTERNAL_KEY_STORE.");
    return undefined;
  }
  if (!custom) throw validation(`CustomKeyStoreId requires Origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE, not ${origin}.`);
  const record = await getKeyStore(ctx.store, input.CustomKeyStoreId);
  const wanted = record.CustomKeyStoreType === "AWS_CLOUDHSM" ? "AWS_CLOUDHSM" : "EXTERNAL_KEY_STORE";
  if (origin !== wanted) throw validation(`Custom key store ${record.CustomKeyStoreId} is of type ${record.CustomKeyStoreType}; Origin must be ${wanted}.`);
  if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT") {
    throw new AwsError("UnsupportedOperationException", `KMS keys in a custom key store must be symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT), not ${spec} ${usage}.`, 400);
  }
  if (input.MultiRegion) throw new AwsError("UnsupportedOperationException", "Multi-Region keys cannot be created in a custom key store.", 400);
  const now = ctx.clock.now();
  if (connectionState(record, now) !== "CONNECTED") {
    throw invalidState(`Custom key store ${record.CustomKeyStoreId} is ${connectionState(record, now)}; it must be CONNECTED to create keys in it.`);
  }
  if (wanted === "AWS_CLOUDHSM") {
    if (input.XksKeyId) throw validation("XksKeyId is valid only with Origin EXTERNAL_KEY_STORE.");
    return { customKeyStoreId: record.CustomKeyStoreId, cloudHsmClusterId: record.CloudHsmClusterId };
  }
  if (!input.XksKeyId) throw validation("XksKeyId is required with Origin EXTERNAL_KEY_STORE.");
  const taken = (await keysIn(ctx.store, record.CustomKeyStoreId, now)).find((k) => k.xksKeyId === input.XksKeyId);
  if (taken) throw new AwsError("XksKeyAlreadyInUseException", `External key ${input.XksKeyId} is already associated with KMS key ${taken.arn} in this external key store.`, 400);
  return { customKeyStoreId: record.CustomKeyStoreId, xksKeyId: input.XksKeyId };
}
