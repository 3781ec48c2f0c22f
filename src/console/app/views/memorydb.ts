/** MemoryDB: clusters, users and ACLs (control-plane state: no Redis runs). */
import { call } from "../api.ts";
import { enc, kv, section, table } from "../ui.ts";
import { detailPage, listPage } from "./resource.ts";

export async function memorydb(el: HTMLElement, path: string[]): Promise<void> {
  if (path[0]) {
    const out = await call("memorydb", "DescribeClusters", { ClusterName: path[0], ShowShardDetails: true });
    const c = out.Clusters?.[0] ?? {};
    return detailPage(el, path[0], ["#/memorydb", "clusters"], [], section("Cluster", kv(c)));
  }
  const clusters = (await call("memorydb", "DescribeClusters", {})).Clusters ?? [];
  const users = await call("memorydb", "DescribeUsers", {}).then((o) => o.Users ?? [], () => []);
  const acls = await call("memorydb", "DescribeACLs", {}).then((o) => o.ACLs ?? [], () => []);
  listPage(el, {
    title: "MemoryDB clusters", name: "clusters", rows: clusters,
    columns: [
      { title: "name", cell: (c) => c.Name },
      { title: "status", cell: (c) => c.Status },
      { title: "node type", cell: (c) => c.NodeType },
      { title: "shards", cell: (c) => c.NumberOfShards },
      { title: "engine", cell: (c) => `${c.Engine ?? "redis"} ${c.EngineVersion ?? ""}` },
      { title: "endpoint", cell: (c) => (c.ClusterEndpoint ? `${c.ClusterEndpoint.Address}:${c.ClusterEndpoint.Port}` : "") },
    ],
    href: (c) => `#/memorydb/${enc(c.Name)}`,
    remove: { what: (c) => `cluster ${c.Name}`, run: (c) => call("memorydb", "DeleteCluster", { ClusterName: c.Name! }) },
    after: [
      section("Users", table([{ title: "name", cell: (u) => u.Name }, { title: "status", cell: (u) => u.Status }, { title: "access", cell: (u) => u.AccessString }], users, { name: "users" })),
      section("ACLs", table([{ title: "name", cell: (a) => a.Name }, { title: "status", cell: (a) => a.Status }, { title: "users", cell: (a) => (a.UserNames ?? []).join(", ") }], acls, { name: "acls" })),
    ],
  });
}
