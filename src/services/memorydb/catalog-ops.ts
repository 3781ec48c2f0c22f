/**
 * Operations over the static catalog: service updates (and BatchUpdateCluster, which applies them),
 * engine versions, reserved node offerings and purchases.
 * Source: https://docs.aws.amazon.com/memorydb/latest/APIReference/API_DescribeServiceUpdates.html
 */
import type { Handlers } from "../types.ts";
import type { Operations as Ops } from "../../generated/memorydb.ts";
import { DEFAULT_ENGINE_VERSION, ENGINE_VERSIONS, OFFERINGS, SERVICE_UPDATES } from "./catalog.ts";
import { describeCluster } from "./clusters.ts";
import { fault, invalidValue } from "./errors.ts";
import { all, arn, get, hash, type Obj, page } from "./state.ts";
import { setTags } from "./tags.ts";

function durationYears(text: string): number | undefined {
  const m = /^([13])(y|yr|year|years)?$/i.exec(text.trim());
  return m ? Number(m[1]) * 31536000 : undefined;
}

export const catalogHandlers: Handlers<Ops> = {
  async BatchUpdateCluster(input, ctx) {
    const name = input.ServiceUpdate?.ServiceUpdateNameToApply;
    if (name && !SERVICE_UPDATES.some((u) => u.ServiceUpdateName === name)) throw fault("ServiceUpdateNotFoundFault", `Service update ${name} not found.`);
    const processed: Obj[] = [];
    const unprocessed: Obj[] = [];
    for (const clusterName of input.ClusterNames as string[]) {
      const cluster = await get(ctx.store, "cluster", clusterName);
      if (!cluster) {
        unprocessed.push({ ClusterName: clusterName, ErrorType: "ClusterNotFoundFault", ErrorMessage: `Cluster ${clusterName} not found.` });
        continue;
      }
      const next = { ...cluster, appliedUpdates: [...new Set([...(cluster.appliedUpdates ?? []), ...(name ? [name] : [])])] };
      await ctx.store.set(["cluster", clusterName], next);
      processed.push(describeCluster(ctx, next, false));
    }
    return { ProcessedClusters: processed, UnprocessedClusters: unprocessed };
  },

  async DescribeServiceUpdates(input, ctx) {
    const clusters = (await all(ctx.store, "cluster")).filter((c) => !input.ClusterNames?.length || input.ClusterNames.includes(c.Name));
    const rows: Obj[] = [];
    for (const u of SERVICE_UPDATES) {
      if (input.ServiceUpdateName && input.ServiceUpdateName !== u.ServiceUpdateName) continue;
      for (const c of clusters) {
        const done = (c.appliedUpdates ?? []).includes(u.ServiceUpdateName);
        const nodes = c.NumberOfShards * (c.replicas + 1);
        rows.push({ ...u, ClusterName: c.Name, Status: done ? "complete" : "available", NodesUpdated: `${done ? nodes : 0}/${nodes}` });
      }
      if (!clusters.length && !input.ClusterNames?.length) rows.push({ ...u, Status: "available" });
    }
    const statuses = input.Status;
    const filtered = statuses?.length ? rows.filter((r) => statuses.includes(r.Status)) : rows;
    const { items, NextToken } = page(filtered, (r) => `${r.ServiceUpdateName}/${r.ClusterName ?? ""}`, input);
    return { ServiceUpdates: items, NextToken };
  },

  async DescribeEngineVersions(input, _ctx) {
    let versions = ENGINE_VERSIONS.filter((v) =>
      (!input.Engine || v.Engine === input.Engine) &&
      (!input.EngineVersion || v.EngineVersion === input.EngineVersion) &&
      (!input.ParameterGroupFamily || v.ParameterGroupFamily === input.ParameterGroupFamily));
    if (input.DefaultOnly) versions = versions.filter((v) => DEFAULT_ENGINE_VERSION[v.Engine] === v.EngineVersion);
    const { items, NextToken } = page(versions, (v) => `${v.Engine}/${v.EngineVersion}`, input);
    return { EngineVersions: items, NextToken };
  },

  // ---- reserved nodes ----
  async DescribeReservedNodesOfferings(input, _ctx) {
    let offerings = OFFERINGS.filter((o) =>
      (!input.ReservedNodesOfferingId || o.ReservedNodesOfferingId === input.ReservedNodesOfferingId) &&
      (!input.NodeType || o.NodeType === input.NodeType) &&
      (!input.Duration || String(o.Duration) === input.Duration || durationYears(input.Duration) === o.Duration) &&
      (!input.OfferingType || o.OfferingType === input.OfferingType));
    if (input.ReservedNodesOfferingId && !offerings.length) throw fault("ReservedNodesOfferingNotFoundFault", `Reserved nodes offering ${input.ReservedNodesOfferingId} not found.`);
    offerings = offerings.slice().sort((a, b) => (a.ReservedNodesOfferingId < b.ReservedNodesOfferingId ? -1 : 1));
    const { items, NextToken } = page(offerings, (o) => o.ReservedNodesOfferingId, input);
    return { ReservedNodesOfferings: items, NextToken };
  },

  async PurchaseReservedNodesOffering(input, ctx) {
    const offering = OFFERINGS.find((o) => o.ReservedNodesOfferingId === input.ReservedNodesOfferingId);
    if (!offering) throw fault("ReservedNodesOfferingNotFoundFault", `Reserved nodes offering ${input.ReservedNodesOfferingId} not found.`);
    const count: number = input.NodeCount ?? 1;
    if (count < 1) throw invalidValue("NodeCount must be at least 1.");
    const id: string = input.ReservationId ?? `ri-${new Date(ctx.clock.now()).toISOString().slice(0, 10)}-${hash(crypto.randomUUID(), 10)}`;
    const node = {
      ReservationId: id,
      ReservedNodesOfferingId: offering.ReservedNodesOfferingId,
      NodeType: offering.NodeType,
      StartTime: ctx.clock.now(),
      Duration: offering.Duration,
      FixedPrice: offering.FixedPrice * count,
      NodeCount: count,
      OfferingType: offering.OfferingType,
      State: "payment-pending",
      RecurringCharges: offering.RecurringCharges,
      ARN: arn(ctx, "reservednode", id),
    };
    const result = await ctx.store.atomic().check({ key: ["reserved", id], versionstamp: null }).set(["reserved", id], { ...node, State: "active" }).commit();
    if (!result.ok) throw fault("ReservedNodeAlreadyExistsFault", `Reserved node ${id} already exists.`);
    await setTags(ctx, node.ARN, input.Tags);
    return { ReservedNode: node };
  },

  async DescribeReservedNodes(input, ctx) {
    let nodes = (await all(ctx.store, "reserved")).filter((n) =>
      (!input.ReservationId || n.ReservationId === input.ReservationId) &&
      (!input.ReservedNodesOfferingId || n.ReservedNodesOfferingId === input.ReservedNodesOfferingId) &&
      (!input.NodeType || n.NodeType === input.NodeType) &&
      (!input.Duration || String(n.Duration) === input.Duration || durationYears(input.Duration) === n.Duration) &&
      (!input.OfferingType || n.OfferingType === input.OfferingType));
    if (input.ReservationId && !nodes.length) throw fault("ReservedNodeNotFoundFault", `Reserved node ${input.ReservationId} not found.`);
    nodes = nodes.map((n) => (n.StartTime + n.Duration * 1000 <= ctx.clock.now() ? { ...n, State: "retired" } : n));
    const { items, NextToken } = page(nodes, (n) => n.ReservationId, input);
    return { ReservedNodes: items, NextToken };
  },
};
