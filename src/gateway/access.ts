/**
 * Tells services that declare `recordAccess` (IAM) who used which service, action and region,
 * after every request signed with a key other than the static credentials, whether IAM is
 * enforced or not. The key's principal comes from the services declaring `resolvePrincipal`
 * (cached per key until reset/restore). Each (key, action, region) is reported at most once a
 * second of the emulator's clock, so a busy key costs a store write per second, not per
 * request; reports run one after another (no lost updates between two requests of one key).
 */
import type { Principal } from "../policy/types.ts";
import type { Clock, ServiceDefinition } from "../services/types.ts";
import type { Store } from "../store/types.ts";
import { prefixStore } from "../store/prefixed.ts";

const THROTTLE_MS = 1000;

export interface AccessRecorderOptions {
  services: readonly ServiceDefinition[];
  store: Store;
  clock: Clock;
  /** The static credentials, which are nobody's IAM identity. */
  rootKeys: ReadonlySet<string>;
  onError(error: unknown): void;
}

export class AccessRecorder {
  private readonly recorders: readonly ServiceDefinition[];
  private readonly resolvers: readonly ServiceDefinition[];
  private readonly principals = new Map<string, Principal | null>();
  private readonly recent = new Map<string, number>();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: AccessRecorderOptions) {
    this.recorders = options.services.filter((s) => s.recordAccess);
    this.resolvers = options.services.filter((s) => s.resolvePrincipal);
  }

  get active(): boolean {
    return this.recorders.length > 0;
  }

  private globalStore(service: ServiceDefinition): Store {
    return prefixStore(this.options.store, [service.storeNamespace ?? service.name, "global"]);
  }

  private async principalFor(accessKeyId: string): Promise<Principal | null> {
    const cached = this.principals.get(accessKeyId);
    if (cached !== undefined) return cached;
    let found: Principal | null = null;
    for (const service of this.resolvers) {
      found = await service.resolvePrincipal!(accessKeyId, this.globalStore(service));
      if (found) break;
    }
    this.principals.set(accessKeyId, found);
    return found;
  }

  /** IAM action (`s3:GetObject`) and namespace of each service's operations, worked out once. */
  private readonly actions = new Map<ServiceDefinition, Map<string, { namespace: string; action: string }>>();

  private actionOf(service: ServiceDefinition, operation: string): { namespace: string; action: string } {
    let byOperation = this.actions.get(service);
    if (!byOperation) this.actions.set(service, (byOperation = new Map()));
    let entry = byOperation.get(operation);
    if (!entry) {
      const map = service.authorization;
      const namespace = map?.prefix ?? service.name;
      const named = map?.operations?.[operation]?.action ?? operation;
      entry = { namespace, action: named.includes(":") ? named : `${namespace}:${named}` };
      byOperation.set(operation, entry);
    }
    return entry;
  }

  /**
   * Reports one request of `service`'s `operation` signed with `accessKeyId` in `region`.
   * Returns the report's promise, or undefined when there is nothing to report (throttled, a
   * static key, no recorder), so that callers need not wait.
   */
  record(service: ServiceDefinition, operation: string, accessKeyId: string, region: string): Promise<void> | undefined {
    if (!this.active || this.options.rootKeys.has(accessKeyId) || !operation) return undefined;
    const { namespace, action } = this.actionOf(service, operation);
    const time = this.options.clock.now();
    const key = `${accessKeyId}|${action}|${region}`;
    const last = this.recent.get(key);
    if (last !== undefined && time >= last && time - last < THROTTLE_MS) return undefined;
    this.recent.set(key, time);
    if (this.recent.size > 10_000) this.recent.clear();
    const run = async () => {
      const principal = await this.principalFor(accessKeyId);
      for (const recorder of this.recorders) {
        await recorder.recordAccess!({ accessKeyId, principal, service: service.name, namespace, action, region, time }, this.globalStore(recorder));
      }
    };
    this.chain = this.chain.then(run).catch((error) => this.options.onError(error));
    return this.chain;
  }

  /** Forgets cached principals and throttling (reset, restore). */
  clear(): void {
    this.principals.clear();
    this.recent.clear();
  }
}
